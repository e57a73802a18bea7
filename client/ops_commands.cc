// evalctl admin backup, admin webhook list | redeliver: operations, for
// admins (docs/operations.md).

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/command.h"
#include "client/format.h"

namespace evald::client {
namespace {

std::string StateWord(v1::DeliveryState s) {
  return s == v1::DELIVERED ? "delivered" : s == v1::GAVE_UP ? "gave up" : "-";
}

}  // namespace

std::vector<Command> OpsCommands() {
  return {
      {"backup",
       "",
       "Back up the running evald into its --backup_dir, consistently and "
       "incrementally (admin; also 'admin backup').",
       "",
       "evalctl admin backup",
       {},
       {},
       false,
       [](Session& s, const Args&) {
         v1::BackupInfo reply;
         const bool ok =
             Call(s, &Stub::CreateBackup, v1::CreateBackupRequest(), &reply);
         return PrintReply(
             s, ok, reply,
             FieldTable({{"backup", absl::StrCat(reply.backup_id())},
                         {"time", reply.time()},
                         {"directory", reply.directory()},
                         {"cursor", absl::StrCat(reply.cursor())},
                         {"audit_chains", absl::StrCat(reply.audit_chains())},
                         {"size_mib", absl::StrCat(reply.size_bytes() >> 20)},
                         {"files", absl::StrCat(reply.files())}}));
       }},
      {"webhook",
       "list",
       "Each webhook endpoint's progress, or one endpoint's deliveries "
       "(admin; also 'admin webhook list').",
       "[--endpoint NAME [--after CURSOR] [--gave-up]]",
       "evalctl admin webhook list --endpoint finance --gave-up",
       {"endpoint", "after"},
       {"gave-up"},
       false,
       [](Session& s, const Args& a) {
         v1::ListWebhookDeliveriesRequest r;
         r.set_endpoint(a.GetOr("endpoint", ""));
         int64_t after = 0;
         if (!absl::SimpleAtoi(a.GetOr("after", "0"), &after) || after < 0) {
           return Usage(s, absl::InvalidArgumentError(
                               "--after: a cursor is a whole number"));
         }
         r.set_after_cursor(after);
         r.set_gave_up_only(a.Has("gave-up"));
         r.set_page_size(1000);
         v1::ListWebhookDeliveriesResponse reply;
         if (!Call(s, &Stub::ListWebhookDeliveries, r, &reply)) {
           return kRefused;
         }
         Table t;
         if (r.endpoint().empty()) {
           t.headers = {"ENDPOINT", "URL",     "CURSOR",
                        "LATEST",   "PENDING", "GAVE UP"};
           for (const v1::WebhookEndpoint& e : reply.endpoints()) {
             t.rows.push_back({e.name(), e.url(), absl::StrCat(e.cursor()),
                               absl::StrCat(e.latest_cursor()),
                               absl::StrCat(e.latest_cursor() - e.cursor()),
                               absl::StrCat(e.failed())});
           }
         } else {
           t.headers = {"CURSOR",   "WEBHOOK ID",  "STATE",
                        "ATTEMPTS", "LAST STATUS", "LAST ATTEMPT (CST)",
                        "ERROR"};
           for (const v1::WebhookDelivery& d : reply.deliveries()) {
             t.rows.push_back({absl::StrCat(d.cursor()), d.webhook_id(),
                               StateWord(d.state()), absl::StrCat(d.attempts()),
                               absl::StrCat(d.last_status()),
                               ChinaTime(d.last_attempt()),
                               d.last_error().empty() ? "-" : d.last_error()});
           }
         }
         Print(s, reply, t);
         return kOk;
       }},
      {"webhook",
       "redeliver",
       "Deliver an endpoint's events again from after a cursor, in order "
       "(admin; receivers deduplicate by webhook-id).",
       "--endpoint NAME --after CURSOR",
       "evalctl admin webhook redeliver --endpoint finance --after 120",
       {"endpoint", "after"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(endpoint, a.Required("endpoint"));
         EVALD_TRY_FLAG(after_text, a.Required("after"));
         int64_t after = 0;
         if (!absl::SimpleAtoi(*after_text, &after) || after < 0) {
           return Usage(s, absl::InvalidArgumentError(
                               "--after: a cursor is a whole number"));
         }
         v1::RedeliverWebhooksRequest r;
         r.set_endpoint(*endpoint);
         r.set_after_cursor(after);
         v1::WebhookEndpoint reply;
         const bool ok = Call(s, &Stub::RedeliverWebhooks, r, &reply);
         return PrintReply(
             s, ok, reply,
             FieldTable({{"endpoint", reply.name()},
                         {"cursor", absl::StrCat(reply.cursor())},
                         {"latest", absl::StrCat(reply.latest_cursor())}}));
       }},
  };
}

}  // namespace evald::client
