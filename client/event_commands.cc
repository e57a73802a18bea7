// evalctl event list | watch: the event feed, for finance clerks and for
// scripts (a shell pipe: `evalctl event watch -o json | ...`).

#include <chrono>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "client/command.h"
#include "client/format.h"
#include "client/suggest.h"

namespace evald::client {
namespace {

// "due" for TRANCHE_DUE, "release-corrected" for RELEASE_CORRECTED.
std::string KindWord(v1::EventKind kind) {
  std::string name = v1::EventKind_Name(kind);
  if (absl::StartsWith(name, "TRANCHE_")) name = name.substr(8);
  return absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"_", "-"}});
}

std::vector<std::string> KindWords() {
  std::vector<std::string> out;
  for (int k = v1::EventKind_MIN + 1; k <= v1::EventKind_MAX; ++k) {
    if (v1::EventKind_IsValid(k)) {
      out.push_back(KindWord(static_cast<v1::EventKind>(k)));
    }
  }
  return out;
}

absl::StatusOr<v1::EventFilter> FilterFlags(const Args& a) {
  v1::EventFilter filter;
  filter.set_project_id(a.GetOr("project", ""));
  filter.set_township(a.GetOr("township", ""));
  if (std::optional<std::string> kinds = a.Get("kind")) {
    const std::vector<std::string> words = KindWords();
    for (absl::string_view typed : absl::StrSplit(*kinds, ',')) {
      const std::string word(absl::StripAsciiWhitespace(typed));
      bool found = false;
      for (int k = v1::EventKind_MIN + 1; k <= v1::EventKind_MAX; ++k) {
        if (v1::EventKind_IsValid(k) &&
            KindWord(static_cast<v1::EventKind>(k)) == word) {
          filter.add_kinds(static_cast<v1::EventKind>(k));
          found = true;
        }
      }
      if (!found) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--kind: \"", word, "\" is not an event kind; the kinds are ",
            absl::StrJoin(words, ", "), DidYouMean(word, words)));
      }
    }
  }
  return filter;
}

absl::StatusOr<int64_t> AfterFlag(const Args& a) {
  int64_t after = 0;
  const std::string typed = a.GetOr("after", "0");
  if (!absl::SimpleAtoi(typed, &after) || after < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--after: \"", typed,
        "\" is not a cursor (a whole number, 0 for the oldest event kept)"));
  }
  return after;
}

// What a person reads of one event: the money first.
std::string What(const v1::FeedEvent& e) {
  std::vector<std::string> parts;
  for (const v1::TrancheTransition& t : e.tranches()) {
    std::string part = absl::StrCat(
        t.name().substr(t.name().find("/years/") + 7), " ",
        v1::DisbursementState_Name(t.to()), " ", Yuan(t.amount_fen()));
    if (t.to() == v1::DUE && !t.due_date().empty()) {
      absl::StrAppend(&part, " due ", t.due_date());
    }
    if (!t.payment_reference().empty()) {
      absl::StrAppend(&part, " ref ", t.payment_reference());
    }
    parts.push_back(std::move(part));
  }
  if (parts.empty()) return e.detail();
  return absl::StrJoin(parts, "; ");
}

std::vector<std::string> Row(const v1::FeedEvent& e) {
  std::vector<std::string> kinds;
  for (int k : e.kinds())
    kinds.push_back(KindWord(static_cast<v1::EventKind>(k)));
  return {absl::StrCat(e.cursor()),
          ChinaTime(e.time()),
          e.project_id(),
          e.township().empty() ? "-" : e.township(),
          absl::StrJoin(kinds, ","),
          e.action(),
          What(e)};
}

const std::vector<std::string>& Headers() {
  static const auto* const h = new std::vector<std::string>{
      "CURSOR", "TIME (CST)", "PROJECT", "TOWNSHIP", "KIND", "ACTION", "WHAT"};
  return *h;
}

// One watch stream until it ends; prints what arrives and keeps `after`.
grpc::Status WatchOnce(Session& s, const v1::WatchEventsRequest& request,
                       int64_t* after) {
  grpc::ClientContext ctx;
  if (!s.token.empty()) ctx.AddMetadata("authorization", "Bearer " + s.token);
  v1::WatchEventsRequest r = request;
  r.set_after_cursor(*after);
  std::unique_ptr<grpc::ClientReader<v1::WatchEventsResponse>> reader =
      s.stub->WatchEvents(&ctx, r);
  v1::WatchEventsResponse m;
  while (reader->Read(&m)) {
    if (m.has_bookmark()) {
      *after = m.bookmark().cursor();
      if (s.output == OutputFormat::kJson) *s.out << Json(m) << std::endl;
      continue;
    }
    *after = m.event().cursor();
    if (s.output == OutputFormat::kJson) {
      *s.out << Json(m) << std::endl;  // flushed: a pipe sees it at once
    } else {
      *s.out << absl::StrJoin(Row(m.event()), "  ") << std::endl;
    }
  }
  return reader->Finish();
}

}  // namespace

std::vector<Command> EventCommands() {
  return {
      {"event",
       "list",
       "The event feed after a cursor: what was committed, in order, with "
       "the cursor to continue from (every role, each its own).",
       "[--after CURSOR] [--kind due,released,...] [--project P] "
       "[--township T] [--limit N]",
       "evalctl event list --kind due,held,released --after 120",
       {"after", "kind", "project", "township", "limit"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(after, AfterFlag(a));
         EVALD_TRY_FLAG(filter, FilterFlags(a));
         EVALD_TRY_FLAG(limit, a.Int("limit", 100));
         v1::ListEventsRequest r;
         r.set_after_cursor(*after);
         *r.mutable_filter() = *filter;
         r.set_page_size(*limit);
         v1::ListEventsResponse reply;
         if (!Call(s, &Stub::ListEvents, r, &reply)) return kRefused;
         Table t;
         t.headers = Headers();
         for (const v1::FeedEvent& e : reply.events()) t.rows.push_back(Row(e));
         Print(s, reply, t);
         if (s.output == OutputFormat::kTable) {
           *s.out << (reply.next_cursor() == reply.latest_cursor()
                          ? absl::StrCat("up to date at cursor ",
                                         reply.next_cursor())
                          : absl::StrCat("more: evalctl event list --after ",
                                         reply.next_cursor()))
                  << "\n";
         }
         return kOk;
       }},
      {"event",
       "watch",
       "Follow the event feed: what is committed after the cursor, then each "
       "change as it happens, until Ctrl-C. Reconnects by itself from the "
       "last cursor when evald restarts. With -o json: one JSON object a "
       "line ({\"event\":...} or {\"bookmark\":{\"cursor\":...}}).",
       "[--after CURSOR] [--kind due,released,...] [--project P] "
       "[--township T]",
       "evalctl event watch --kind due,released -o json --after 120",
       {"after", "kind", "project", "township"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(after, AfterFlag(a));
         EVALD_TRY_FLAG(filter, FilterFlags(a));
         v1::WatchEventsRequest r;
         *r.mutable_filter() = *filter;
         int64_t cursor = *after;
         if (s.output == OutputFormat::kTable) {
           *s.out << absl::StrJoin(Headers(), "  ") << std::endl;
         }
         for (;;) {
           grpc::Status status = WatchOnce(s, r, &cursor);
           if (status.error_code() != grpc::StatusCode::UNAVAILABLE) {
             *s.err << "error: " << CodeName(status.error_code()) << ": "
                    << status.error_message() << "\n";
             return kRefused;
           }
           *s.err << "note: evald is unavailable; reconnecting after cursor "
                  << cursor << "\n";
           std::this_thread::sleep_for(std::chrono::seconds(1));
         }
       }},
  };
}

}  // namespace evald::client
