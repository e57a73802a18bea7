// Engine's operations: online backups (storage/backup.h) and the clock's
// overdue announcements (apply_overdue.cc).

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/authz.h"
#include "server/commands.h"
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

absl::StatusOr<int> Engine::AnnounceOverdue() {
  const std::string today = scoring::FormatDate(Today());
  const Principal clock{"clock", Role::kAdmin, "evald"};
  storage::DisbursementFilter due;
  due.state = v1::DUE;
  int announced = 0;
  std::string token;
  do {
    absl::StatusOr<storage::Page<v1::Disbursement>> page =
        store_->ListDisbursements(due, 1000, token);
    if (!page.ok()) return page.status();
    for (const v1::Disbursement& d : page->items) {
      // Dates are YYYY-MM-DD: text order is date order.
      if (d.due_date().empty() || d.due_date() >= today) continue;
      absl::StatusOr<std::optional<std::string>> mark =
          store_->GetOverdueMark(d.name());
      if (!mark.ok()) return mark.status();
      if (*mark && **mark == d.due_date()) continue;
      v1::AnnounceOverdueRequest r;
      r.set_project_id(d.project_id());
      r.set_year(d.year());
      r.set_kind(d.kind());
      absl::StatusOr<v1::Command> command =
          NewCommand(clock, "AnnounceOverdue", r, now_());
      if (!command.ok()) return command.status();
      command->set_request_id(
          absl::StrCat("overdue:", d.name(), ":", d.due_date()));
      Stripe& stripe = StripeOf(d.project_id());
      absl::MutexLock lock(&stripe.mu);
      absl::StatusOr<Applied> applied = ApplyAndCommit(*command, {}, stripe);
      if (applied.ok()) {
        ++announced;
      } else if (applied.status().code() !=
                     absl::StatusCode::kFailedPrecondition &&
                 applied.status().code() != absl::StatusCode::kAlreadyExists) {
        // Paid or announced meanwhile is no error; anything else is.
        return applied.status();
      }
    }
    token = page->next_page_token;
  } while (!token.empty());
  return announced;
}

}  // namespace evald::server
