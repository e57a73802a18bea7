// The key encoding of evald's RocksDB database (docs/storage.md).
//
// Keys are ASCII and ordered so that every list the users need is a prefix
// scan. Numbers are zero-padded so that byte order is numeric order. Ids
// never contain '/' (the server validates them), so '/' separates fields.
//
// Column family "default" (state):
//   meta/format_version                      -> decimal text
//   project/{project}                        -> evaluation.v1.Project
//   eval/{project}/{year:04}/{phase}         -> evaluation.v1.Evaluation
//   tranche/{project}/{year:04}/{kind}       -> evaluation.v1.Disbursement
//   req/{principal}/{request_id}             -> evald.storage.RequestRecord
//   principal/{name}                         -> evald.storage.PrincipalRecord
//   org/{code}                               -> evaluation.v1.Organisation
//   audit-tip/{project}                      -> its latest AuditEvent (copy)
//   feed/{cursor:020}                        -> evald.storage.FeedPointer
//   overdue/{tranche name}                   -> the due date announced
// Column family "index" (values empty):
//   pt/{township}/{project}                  projects by township
//   es/{state}/{project}/{year:04}/{phase}   evaluations by state
//   ds/{state}/{project}/{year:04}/{kind}    disbursements by state
// Column family "audit":
//   {project}/{sequence:020}                 -> evaluation.v1.AuditEvent
// Column family "summary" (int64 add merge):
//   {township}/{year:04}/{family}/{name}     -> int64 (storage/counters.h)
//
// phase is "mid-term" | "final"; kind is "year-start" | "mid-term" | "final"
// ("mid-term" < "final" would misorder phases, so phase keys use "1-mid-term"
// and "2-final"; tranche kinds "0-year-start", "1-mid-term", "2-final").

#ifndef EVALD_STORAGE_KEYS_H_
#define EVALD_STORAGE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "evaluation/v1/evaluation.pb.h"

namespace evald::storage::keys {

inline constexpr absl::string_view kFormatVersion = "meta/format_version";

std::string Project(absl::string_view project);
inline constexpr absl::string_view kProjectPrefix = "project/";

std::string Evaluation(absl::string_view project, int year,
                       evaluation::v1::Phase phase);
// All evaluations of a project, in (year, phase) order.
std::string EvaluationPrefix(absl::string_view project);
inline constexpr absl::string_view kEvaluationPrefix = "eval/";

std::string Tranche(absl::string_view project, int year,
                    evaluation::v1::TrancheKind kind);
std::string TranchePrefix(absl::string_view project);
inline constexpr absl::string_view kTranchePrefix = "tranche/";

std::string Request(absl::string_view principal, absl::string_view request_id);

std::string Principal(absl::string_view name);
inline constexpr absl::string_view kPrincipalPrefix = "principal/";

std::string Organisation(absl::string_view code);
inline constexpr absl::string_view kOrganisationPrefix = "org/";

std::string ProjectByTownship(absl::string_view township,
                              absl::string_view project);
std::string ProjectByTownshipPrefix(absl::string_view township);

std::string EvaluationByState(const evaluation::v1::Evaluation& e);
std::string EvaluationByStatePrefix(evaluation::v1::EvaluationState state);

std::string DisbursementByState(const evaluation::v1::Disbursement& d);
std::string DisbursementByStatePrefix(evaluation::v1::DisbursementState state);

std::string Audit(absl::string_view project, int64_t sequence);
std::string AuditPrefix(absl::string_view project);
// A copy of the project's latest audit event, written with it: every
// command reads the chain's tip, and a point lookup costs much less than a
// backwards seek through a log of a million events.
std::string AuditTip(absl::string_view project);

// A counter of the summary column family: {township}/{year:04}/{family}/{name}
// (the families are those of storage/counters.h).
std::string Summary(absl::string_view township, int year,
                    absl::string_view family, absl::string_view name);

// A tranche announced overdue ("projects/P1/years/2025/tranches/final").
std::string OverdueMark(absl::string_view tranche);

// A position of the event feed (storage/feed.h).
std::string Feed(int64_t cursor);
inline constexpr absl::string_view kFeedPrefix = "feed/";

// The smallest key greater than every key starting with `prefix`.
std::string PrefixEnd(absl::string_view prefix);

}  // namespace evald::storage::keys

#endif  // EVALD_STORAGE_KEYS_H_
