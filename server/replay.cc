#include "server/replay.h"

#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/commands.h"
#include "storage/keys.h"

namespace evald::server {
namespace {

// An empty message of the type stored under `key` of `family`, if the
// value is a message.
std::unique_ptr<google::protobuf::Message> MessageFor(absl::string_view family,
                                                      absl::string_view key) {
  if (family == "audit") return std::make_unique<v1::AuditEvent>();
  if (family != "default") return nullptr;
  if (absl::StartsWith(key, "project/")) return std::make_unique<v1::Project>();
  if (absl::StartsWith(key, "eval/")) return std::make_unique<v1::Evaluation>();
  if (absl::StartsWith(key, "tranche/")) {
    return std::make_unique<v1::Disbursement>();
  }
  if (absl::StartsWith(key, "req/")) {
    return std::make_unique<storage::RequestRecord>();
  }
  if (absl::StartsWith(key, "principal/")) {
    return std::make_unique<storage::PrincipalRecord>();
  }
  if (absl::StartsWith(key, "org/")) {
    return std::make_unique<v1::Organisation>();
  }
  if (absl::StartsWith(key, "audit-tip/")) {
    return std::make_unique<v1::AuditEvent>();
  }
  return nullptr;
}

// How two values of one entry differ, for people.
std::string Difference(absl::string_view family, absl::string_view key,
                       const std::string& stored, const std::string& replayed) {
  std::unique_ptr<google::protobuf::Message> a = MessageFor(family, key);
  std::unique_ptr<google::protobuf::Message> b = MessageFor(family, key);
  if (a && a->ParseFromString(stored) && b->ParseFromString(replayed)) {
    std::string report;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&report);
    differ.Compare(*a, *b);
    return report;
  }
  if (family == "summary" && stored.size() == 8 && replayed.size() == 8) {
    int64_t x = 0, y = 0;
    std::memcpy(&x, stored.data(), 8);
    std::memcpy(&y, replayed.data(), 8);
    return absl::StrCat("count ", x, " stored, ", y, " replayed");
  }
  return absl::StrCat("\"", absl::CEscape(stored), "\" stored, \"",
                      absl::CEscape(replayed), "\" replayed");
}

// A counter that has come back to zero is the same as no counter: a
// database whose counters were rebuilt (format 2 -> 3) holds none of them,
// one made command by command holds those that went up and down again.
bool ZeroCounter(absl::string_view family, absl::string_view value) {
  return family == "summary" &&
         value == absl::string_view("\0\0\0\0\0\0\0\0", 8);
}

// Entries replay does not remake: zero counters (above), and the event
// feed's positions, which record the order in which streams' commits
// interleaved; replay commits stream after stream. Each position's event
// is compared as an audit event. And the webhooks' delivery state, which
// is operational bookkeeping, not made by commands.
bool NotReplayed(absl::string_view family, absl::string_view key,
                 absl::string_view value) {
  return ZeroCounter(family, value) ||
         (family == "default" && (absl::StartsWith(key, "feed/") ||
                                  absl::StartsWith(key, "webhook-") ||
                                  key == "meta/registry_migrated"));
}

}  // namespace

absl::StatusOr<ReplayReport> Replay(const storage::Store& stored,
                                    storage::Store& scratch,
                                    const Applier& applier) {
  ReplayReport report;
  StoreReader reader(&scratch);
  // An etcd store holds the records and the audit log only: its lists
  // scan the records and its summary counts them (etcd_store.h), so the
  // index and summary of a RocksDB store, and its format marker, have
  // nothing to be compared with when either side is etcd.
  const bool derived_stored =
      stored.Kind() == "rocksdb" && scratch.Kind() == "rocksdb";
  auto not_compared = [derived_stored](absl::string_view family,
                                       absl::string_view key,
                                       absl::string_view value) {
    if (!derived_stored &&
        (family == "index" || family == "summary" ||
         (family == "default" && key == storage::keys::kFormatVersion))) {
      return true;
    }
    return NotReplayed(family, key, value);
  };
  absl::Status failure;
  absl::Status read = stored.ForEachAuditEvent([&](const v1::AuditEvent& e) {
    const std::string where =
        absl::StrCat("event ", e.project_id(), "/", e.sequence());
    if (!e.has_command()) {
      report.difference =
          absl::StrCat(where, " (", e.action(), ") carries no command");
      return false;
    }
    absl::StatusOr<Applied> applied = applier.Apply(e.command(), reader, {});
    if (!applied.ok()) {
      report.difference = absl::StrCat(where, " (", e.action(),
                                       "): replaying its command was refused: ",
                                       applied.status().ToString());
      return false;
    }
    const v1::AuditEvent& again = applied->writes.events.front();
    if (DeterministicBytes(again) != DeterministicBytes(e)) {
      std::string diff;
      google::protobuf::util::MessageDifferencer differ;
      differ.ReportDifferencesToString(&diff);
      differ.Compare(e, again);
      report.difference = absl::StrCat(
          where, " (", e.action(), "): replay made a different event:\n", diff);
      return false;
    }
    if (absl::Status s = scratch.Commit(applied->writes); !s.ok()) {
      failure = s;
      return false;
    }
    ++report.events;
    return true;
  });
  if (!read.ok()) return read;
  if (!failure.ok()) return failure;
  if (report.difference) return report;

  // Every stored entry must be replayed identically ...
  int64_t stored_entries = 0;
  read =
      stored.ForEachEntry([&](absl::string_view family, absl::string_view key,
                              absl::string_view value) {
        if (not_compared(family, key, value)) return true;
        ++stored_entries;
        absl::StatusOr<std::optional<std::string>> mine =
            scratch.GetEntry(family, key);
        if (!mine.ok()) {
          failure = mine.status();
          return false;
        }
        if (!*mine || ZeroCounter(family, **mine)) {
          report.difference = absl::StrCat("stored ", family, " entry ", key,
                                           " is not made by replaying the log");
          return false;
        }
        if (**mine != value) {
          report.difference =
              absl::StrCat(family, " entry ", key, " differs:\n",
                           Difference(family, key, std::string(value), **mine));
          return false;
        }
        ++report.entries;
        return true;
      });
  if (!read.ok()) return read;
  if (!failure.ok()) return failure;
  if (report.difference) return report;

  // ... and replay may make nothing more.
  int64_t replayed_entries = 0;
  read =
      scratch.ForEachEntry([&](absl::string_view family, absl::string_view key,
                               absl::string_view value) {
        if (!not_compared(family, key, value)) ++replayed_entries;
        return true;
      });
  if (!read.ok()) return read;
  if (replayed_entries != stored_entries) {
    read = scratch.ForEachEntry([&](absl::string_view family,
                                    absl::string_view key,
                                    absl::string_view value) {
      if (not_compared(family, key, value)) return true;
      absl::StatusOr<std::optional<std::string>> theirs =
          stored.GetEntry(family, key);
      if (!theirs.ok()) {
        failure = theirs.status();
        return false;
      }
      if (!*theirs) {
        report.difference =
            absl::StrCat("replaying the log makes ", family, " entry ", key,
                         ", which is not stored");
        return false;
      }
      return true;
    });
    if (!read.ok()) return read;
    if (!failure.ok()) return failure;
  }
  return report;
}

}  // namespace evald::server
