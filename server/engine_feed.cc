// Engine's reads of the event feed (ListEvents; WatchEvents reads through
// it: watch_reactor.h).

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/authz.h"
#include "server/engine.h"
#include "server/feed_events.h"

namespace evald::server {
namespace {

// Feed positions read per batch, and at most per call: a filter that
// matches little must not make one call read the whole history.
constexpr int kBatch = 500;
constexpr int64_t kMaxScanned = 20000;

}  // namespace

absl::StatusOr<v1::ListEventsResponse> Engine::ListEvents(
    const Principal& who, const v1::ListEventsRequest& r) const {
  if (absl::Status s = AuthorizeMethod("ListEvents", who); !s.ok()) return s;
  if (r.page_size() < 0 || r.page_size() > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: ", r.page_size(), " is not in [0, 1000]"));
  }
  if (r.after_cursor() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("after_cursor: ", r.after_cursor(),
                     " is negative; 0 reads from the "
                     "oldest event kept"));
  }
  if (absl::Status s = ValidateFilter(r.filter()); !s.ok()) return s;
  const int page_size = r.page_size() == 0 ? 100 : r.page_size();
  int64_t latest = store_->FeedLatest();
  if (r.after_cursor() > latest && !store_->SingleWriter()) {
    // A cursor another replica handed out, whose commit this replica's
    // watch has not delivered yet: it is milliseconds away.
    latest = store_->WaitForFeed(r.after_cursor() - 1, absl::Seconds(2));
  }
  if (r.after_cursor() > latest) {
    return absl::OutOfRangeError(
        absl::StrCat("after_cursor: ", r.after_cursor(),
                     " is beyond the latest cursor ", latest,
                     " of this server's feed (was it restored from a backup?). "
                     "Re-sync: read the current state (ListDisbursements, "
                     "ListEvaluations), then read the feed after cursor ",
                     latest));
  }
  absl::StatusOr<int64_t> oldest = store_->FeedOldest();
  if (!oldest.ok()) return oldest.status();
  // 0 reads from the oldest position kept, whatever retention dropped.
  const int64_t after = r.after_cursor() == 0
                            ? std::max<int64_t>(0, *oldest - 1)
                            : r.after_cursor();
  if (after + 1 < *oldest && after < latest) {
    return absl::OutOfRangeError(absl::StrCat(
        "after_cursor: ", r.after_cursor(),
        " is older than the feed's retained history, which starts at cursor ",
        *oldest,
        " (the audit log keeps every event). Re-sync: read the "
        "current state (ListDisbursements, ListEvaluations), then read the "
        "feed after cursor ",
        latest, ", the latest now"));
  }

  v1::ListEventsResponse out;
  out.set_latest_cursor(latest);
  int64_t next = after;
  // The projects the events name, read once each.
  std::map<std::string, std::optional<v1::Project>> projects;
  int64_t scanned = 0;
  while (next < latest && out.events_size() < page_size &&
         scanned < kMaxScanned) {
    absl::StatusOr<std::vector<storage::Store::FeedEntry>> batch =
        store_->ReadFeed(next, kBatch);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) break;
    for (const storage::Store::FeedEntry& entry : *batch) {
      next = entry.cursor;
      ++scanned;
      if (!entry.event) continue;  // a hole
      const std::string& stream = entry.event->project_id();
      const v1::Project* project = nullptr;
      if (!stream.empty() && stream[0] != '_') {
        auto it = projects.find(stream);
        if (it == projects.end()) {
          absl::StatusOr<std::optional<v1::Project>> p =
              store_->GetProject(stream);
          if (!p.ok()) return p.status();
          it = projects.emplace(stream, *std::move(p)).first;
        }
        if (!it->second) continue;  // a refused creation left no project
        project = &*it->second;
      }
      std::optional<v1::FeedEvent> seen = AsSeenBy(
          who, FeedEventOf(entry.cursor, *entry.event, project), project);
      if (!seen || !Matches(*seen, r.filter())) continue;
      Narrow(*seen, r.filter());
      *out.add_events() = *std::move(seen);
      if (out.events_size() == page_size) break;
    }
  }
  out.set_next_cursor(next);
  return out;
}

}  // namespace evald::server
