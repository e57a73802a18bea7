#include "server/salvage.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/store.h"

namespace evald::server {
namespace {

namespace v1 = ::evaluation::v1;
using Key = std::pair<std::string, int64_t>;  // (stream, sequence)

// Every event of the store at `path`, opened as `options` says.
absl::StatusOr<std::map<Key, v1::AuditEvent>> Events(
    storage::StoreOptions options) {
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::Store::Open(options);
  if (!store.ok()) return store.status();
  std::map<Key, v1::AuditEvent> events;
  absl::Status s = (*store)->ForEachAuditEvent([&](const v1::AuditEvent& e) {
    events[{e.project_id(), e.sequence()}] = e;
    return true;
  });
  if (!s.ok()) return s;
  return events;
}

}  // namespace

absl::StatusOr<SalvageReport> Salvage(const std::string& data_dir,
                                      const std::string& to) {
  std::error_code ec;
  if (std::filesystem::exists(to, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--to: ", to, " exists; give a new directory"));
  }
  std::filesystem::copy(data_dir, to, std::filesystem::copy_options::recursive,
                        ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot copy ", data_dir, " to ", to, ": ", ec.message()));
  }
  // The copy, recovered up to the damage and written back consistent.
  storage::StoreOptions copy;
  copy.path = to;
  copy.wal_recovery = storage::WalRecovery::kUpToTheDamage;
  copy.disk_reserve_bytes = 0;
  absl::StatusOr<std::map<Key, v1::AuditEvent>> kept = Events(copy);
  if (!kept.ok()) return kept.status();
  // The original, read past the damage.
  storage::StoreOptions original;
  original.path = data_dir;
  original.read_only = true;
  original.wal_recovery = storage::WalRecovery::kSkipTheDamage;
  absl::StatusOr<std::map<Key, v1::AuditEvent>> all = Events(original);
  if (!all.ok()) return all.status();

  SalvageReport report;
  report.kept = static_cast<int64_t>(kept->size());
  // The last sequence of each stream anywhere: every number up to it that
  // neither copy has was in the damaged record itself.
  std::map<std::string, int64_t> last;
  for (const auto& [key, e] : *all) {
    last[key.first] = std::max(last[key.first], key.second);
  }
  for (const auto& [key, e] : *kept) {
    last[key.first] = std::max(last[key.first], key.second);
  }
  for (const auto& [stream, top] : last) {
    for (int64_t seq = 1; seq <= top; ++seq) {
      if (kept->count({stream, seq})) continue;
      LostEvent lost;
      lost.stream = stream;
      lost.sequence = seq;
      auto it = all->find({stream, seq});
      if (it != all->end()) {
        lost.action = it->second.action();
        lost.target = it->second.target();
        lost.principal = it->second.principal();
        lost.request_id = it->second.request_id();
      }
      report.lost.push_back(std::move(lost));
    }
  }
  return report;
}

}  // namespace evald::server
