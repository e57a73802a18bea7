#include "server/evalutl_backup.h"

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/audit_chain.h"
#include "storage/backup.h"
#include "storage/store.h"

namespace evald::server {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "evalutl: %s\n", std::string(status.message()).c_str());
  return status.code() == absl::StatusCode::kDataLoss ? 1 : 2;
}

std::string When(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

// Every audit chain of `store` verifies (common/audit_chain.h); counts
// the events into `events`.
absl::Status VerifyChains(const storage::Store& store, int64_t* events) {
  std::vector<evaluation::v1::AuditEvent> stream;
  absl::Status broken;
  auto check = [&]() {
    if (stream.empty()) return true;
    if (std::optional<ChainBreak> b = VerifyAuditChain(stream)) {
      broken = absl::DataLossError(
          absl::StrCat("the audit chain of ", stream.front().project_id(),
                       " breaks at event ", b->sequence, ": ", b->reason));
      return false;
    }
    stream.clear();
    return true;
  };
  absl::Status read =
      store.ForEachAuditEvent([&](const evaluation::v1::AuditEvent& e) {
        if (!stream.empty() && stream.front().project_id() != e.project_id() &&
            !check()) {
          return false;
        }
        stream.push_back(e);
        ++*events;
        return true;
      });
  if (!read.ok()) return read;
  if (!broken.ok()) return broken;
  check();
  return broken;
}

}  // namespace

int RunBackupList(const std::string& dir) {
  absl::StatusOr<std::vector<storage::BackupManifest>> all =
      storage::ListBackups(dir);
  if (!all.ok()) return Fail(all.status());
  std::printf("%-7s  %-23s  %-10s  %-12s  %s\n", "BACKUP", "TIME", "CURSOR",
              "AUDIT CHAINS", "SIZE (MIB)");
  for (const storage::BackupManifest& m : *all) {
    std::printf("%-7u  %-23s  %-10lld  %-12lld  %llu\n", m.backup_id(),
                When(m.unix_seconds()).c_str(),
                static_cast<long long>(m.cursor()),
                static_cast<long long>(m.streams()),
                static_cast<unsigned long long>(m.size_bytes() >> 20));
  }
  return 0;
}

int RunBackupVerify(const std::string& dir, uint32_t backup_id) {
  int64_t events = 0;
  absl::StatusOr<storage::BackupManifest> m = storage::VerifyBackup(
      dir, backup_id, [&events](const storage::Store& store) {
        return VerifyChains(store, &events);
      });
  if (!m.ok()) return Fail(m.status());
  std::printf(
      "backup %u of %s: %u files checked, cursor %lld, %lld audit chains "
      "(%lld events) verified; it holds what its manifest says\n",
      m->backup_id(), When(m->unix_seconds()).c_str(), m->files(),
      static_cast<long long>(m->cursor()), static_cast<long long>(m->streams()),
      static_cast<long long>(events));
  return 0;
}

int RunRestore(const std::string& dir, uint32_t backup_id,
               const std::string& data_dir) {
  if (data_dir.empty()) {
    std::fprintf(stderr, "evalutl: restore needs --data_dir=NEW\n");
    return 2;
  }
  absl::StatusOr<storage::BackupManifest> m =
      storage::RestoreBackup(dir, backup_id, data_dir);
  if (!m.ok()) return Fail(m.status());
  std::printf(
      "restored backup %u of %s (cursor %lld, %lld audit chains) into %s; "
      "start evald with --data_dir=%s\n",
      m->backup_id(), When(m->unix_seconds()).c_str(),
      static_cast<long long>(m->cursor()), static_cast<long long>(m->streams()),
      data_dir.c_str(), data_dir.c_str());
  return 0;
}

}  // namespace evald::server
