// Engine's operations: online backups (storage/backup.h), the clock's
// overdue announcements (apply_overdue.cc) and the webhooks' state
// (webhooks.h).

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/authz.h"
#include "server/commands.h"
#include "server/engine.h"
#include "server/webhooks.h"
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

absl::StatusOr<v1::ListWebhookDeliveriesResponse> Engine::ListWebhookDeliveries(
    const Principal& who, const v1::ListWebhookDeliveriesRequest& r) const {
  if (absl::Status s = AuthorizeMethod("ListWebhookDeliveries", who); !s.ok()) {
    return s;
  }
  if (webhooks_ == nullptr) {
    return absl::FailedPreconditionError(
        "this evald delivers no webhooks: start it with --webhooks=FILE");
  }
  if (r.page_size() < 0 || r.page_size() > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: ", r.page_size(), " is not in [0, 1000]"));
  }
  v1::ListWebhookDeliveriesResponse out;
  absl::StatusOr<std::vector<v1::WebhookEndpoint>> endpoints =
      webhooks_->Status();
  if (!endpoints.ok()) return endpoints.status();
  for (v1::WebhookEndpoint& e : *endpoints) {
    if (r.endpoint().empty() || e.name() == r.endpoint()) {
      *out.add_endpoints() = std::move(e);
    }
  }
  if (r.endpoint().empty()) return out;
  if (!webhooks_->Knows(r.endpoint())) {
    return absl::NotFoundError(absl::StrCat(
        "endpoint: no webhook endpoint is named \"", r.endpoint(), "\""));
  }
  const int limit = r.page_size() == 0 ? 100 : r.page_size();
  int64_t after = r.after_cursor();
  while (out.deliveries_size() < limit) {
    absl::StatusOr<std::vector<v1::WebhookDelivery>> page =
        store_->ListWebhookDeliveries(r.endpoint(), after, 500);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    for (v1::WebhookDelivery& d : *page) {
      after = d.cursor();
      if (r.gave_up_only() && d.state() != v1::GAVE_UP) continue;
      *out.add_deliveries() = std::move(d);
      if (out.deliveries_size() == limit) break;
    }
  }
  return out;
}

absl::StatusOr<v1::WebhookEndpoint> Engine::RedeliverWebhooks(
    const Principal& who, const v1::RedeliverWebhooksRequest& r) {
  if (absl::Status s = AuthorizeMethod("RedeliverWebhooks", who); !s.ok()) {
    return s;
  }
  if (webhooks_ == nullptr) {
    return absl::FailedPreconditionError(
        "this evald delivers no webhooks: start it with --webhooks=FILE");
  }
  return webhooks_->Redeliver(r.endpoint(), r.after_cursor());
}

}  // namespace evald::server
