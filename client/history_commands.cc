// evalctl summary, audit list | verify, policy show: the dashboard counts,
// the history and the rules.

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "common/audit_chain.h"
#include "evalctl/v1/output.pb.h"

namespace evald::client {
namespace {

// Lists a stream's events and recomputes its chain. -o json prints an
// evalctl.v1.AuditVerification.
int VerifyAudit(Session& s, const Args& a) {
  EVALD_TRY_FLAG(project, a.Required("project"));
  v1::ListAuditEventsRequest r;
  r.set_project_id(*project);
  v1::ListAuditEventsResponse all;
  if (!ListAll(s, &Stub::ListAuditEvents, r, &all)) return kRefused;
  std::optional<ChainBreak> broken =
      VerifyAuditChain({all.events().begin(), all.events().end()});
  const std::string head =
      all.events().empty() ? "" : all.events().rbegin()->hash();
  if (s.output == OutputFormat::kJson) {
    evalctl::v1::AuditVerification doc;
    doc.set_project(*project);
    doc.set_events(all.events_size());
    doc.set_intact(!broken);
    if (broken) {
      doc.set_broken_at(broken->sequence);
      doc.set_reason(broken->reason);
    } else {
      doc.set_head(head);
    }
    *s.out << Json(doc) << "\n";
    return broken ? kRefused : kOk;
  }
  if (broken) {
    *s.err << "error: the audit chain of " << *project << " is broken at event "
           << broken->sequence << ": " << broken->reason << "\n";
    return kRefused;
  }
  *s.out << "audit chain of " << *project << ": " << all.events_size()
         << " events, intact";
  if (!head.empty()) *s.out << " (head " << head << ")";
  *s.out << "\n";
  return kOk;
}

}  // namespace

std::vector<Command> HistoryCommands() {
  return {
      {"summary",
       "",
       "Counts by state and grade per township and year (dashboard).",
       "[--township T] [--year Y]",
       "evalctl summary --year 2025",
       {"township", "year"},
       {},
       false,
       [](Session& s, const Args& a) {
         v1::GetSummaryRequest r;
         r.set_township(a.GetOr("township", ""));
         EVALD_TRY_FLAG(year, a.Int("year", 0));
         r.set_year(*year);
         v1::Summary reply;
         const bool ok = Call(s, &Stub::GetSummary, r, &reply);
         return PrintReply(s, ok, reply, SummaryTable(reply));
       }},
      {"audit",
       "list",
       "The audit events of a project, in order (bureau, admin).",
       "--project P",
       "evalctl audit list --project P1",
       {"project"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(project, a.Required("project"));
         v1::ListAuditEventsRequest r;
         r.set_project_id(*project);
         v1::ListAuditEventsResponse all;
         const bool ok = ListAll(s, &Stub::ListAuditEvents, r, &all);
         return PrintReply(s, ok, all, AuditTable(all));
       }},
      {"audit",
       "verify",
       "Recompute a project's audit hash chain; report the first broken link.",
       "--project P",
       "evalctl audit verify --project P1",
       {"project"},
       {},
       false,
       VerifyAudit},
      {"policy",
       "show",
       "The policy in force: weights, bands, veto catalogue.",
       "[--id POLICY]",
       "evalctl policy show",
       {"id"},
       {},
       false,
       [](Session& s, const Args& a) {
         v1::GetPolicyRequest r;
         r.set_policy_id(a.GetOr("id", ""));
         v1::Policy reply;
         const bool ok = Call(s, &Stub::GetPolicy, r, &reply);
         return PrintReply(s, ok, reply, PolicyTable(reply));
       }},
  };
}

}  // namespace evald::client
