// Engine's operations: online backups (storage/backup.h).

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/authz.h"
#include "server/engine.h"
#include "storage/backup.h"

namespace evald::server {

absl::StatusOr<v1::BackupInfo> Engine::CreateBackup(
    const Principal& who, const v1::CreateBackupRequest&) {
  if (absl::Status s = AuthorizeMethod("CreateBackup", who); !s.ok()) return s;
  if (backup_dir_.empty()) {
    return absl::FailedPreconditionError(
        "this evald has no backup directory: start it with --backup_dir=DIR "
        "(docs/operations.md, \"Backups\")");
  }
  absl::StatusOr<storage::BackupManifest> m =
      store_->Backup(backup_dir_, backup_keep_);
  if (!m.ok()) return m.status();
  v1::BackupInfo out;
  out.set_backup_id(m->backup_id());
  out.set_time(absl::FormatTime(absl::RFC3339_sec,
                                absl::FromUnixSeconds(m->unix_seconds()),
                                absl::UTCTimeZone()));
  out.set_directory(backup_dir_);
  out.set_cursor(m->cursor());
  out.set_audit_chains(m->streams());
  out.set_size_bytes(m->size_bytes());
  out.set_files(m->files());
  return out;
}

}  // namespace evald::server
