// The event feed's view of an audit event (proto: FeedEvent): what kinds of
// change it is, who may see it, and whether it matches a filter. Pure.

#ifndef EVALD_SERVER_FEED_EVENTS_H_
#define EVALD_SERVER_FEED_EVENTS_H_

#include <optional>

#include "absl/status/status.h"
#include "evaluation/v1/evaluation.pb.h"
#include "server/principals.h"

namespace evald::server {

namespace v1 = ::evaluation::v1;

// The FeedEvent of the audit event committed at `cursor`; `project` is its
// project (absent for the principal and registry streams).
v1::FeedEvent FeedEventOf(int64_t cursor, const v1::AuditEvent& event,
                          const v1::Project* project);

// The event as `who` may see it, or nullopt: the bureau and admins see
// everything; finance the money kinds (TRANCHE_*, RELEASE_CORRECTED,
// CONTRACT_TERMINATED) of every project, with only those kinds and
// tranches; every other role the events of the projects it has a part in
// (authz.h). Principal and registry changes: the bureau and admins only.
std::optional<v1::FeedEvent> AsSeenBy(const Principal& who, v1::FeedEvent event,
                                      const v1::Project* project);

// Whether the event passes the filter (an empty field matches all).
bool Matches(const v1::FeedEvent& event, const v1::EventFilter& filter);

// With kinds in the filter, keeps only the tranches of those kinds (the
// event's kinds stay as they are).
void Narrow(v1::FeedEvent& event, const v1::EventFilter& filter);

// InvalidArgument naming the field: ids that are not ids, kinds unknown.
absl::Status ValidateFilter(const v1::EventFilter& filter);

}  // namespace evald::server

#endif  // EVALD_SERVER_FEED_EVENTS_H_
