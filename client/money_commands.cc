// evalctl disbursement list | release: the tranches and their payment.

#include <algorithm>
#include <map>

#include "client/command.h"
#include "client/flags.h"

namespace evald::client {
namespace {

// --project, --year and --kind: the tranche a payment command names.
template <typename Request>
absl::Status TrancheFlags(const Args& a, Request& r) {
  absl::StatusOr<std::string> project = a.Required("project");
  if (!project.ok()) return project.status();
  absl::StatusOr<int> year = a.RequiredInt("year");
  if (!year.ok()) return year.status();
  absl::StatusOr<std::string> kind_text = a.Required("kind");
  if (!kind_text.ok()) return kind_text.status();
  absl::StatusOr<v1::TrancheKind> kind = ParseTrancheKind("--kind", *kind_text);
  if (!kind.ok()) return kind.status();
  r.set_project_id(*project);
  r.set_year(*year);
  r.set_kind(*kind);
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> MoneyCommands() {
  return {
      {"disbursement",
       "list",
       "List tranches: due, overdue, held, released, withheld (finance, "
       "bureau, township, provider).",
       "[--project P] [--township T] [--year Y] [--kind K] [--state S] "
       "[--overdue] [--due-within 7d] [--due-before YYYY-MM-DD] [--reference "
       "REF] [--as-of YYYY-MM-DD]",
       "evalctl disbursement list --state due --due-within 7d\n  evalctl "
       "disbursement list --overdue --as-of 2026-03-31",
       {"project", "township", "year", "kind", "state", "as-of", "due-within",
        "due-before", "reference"},
       {"overdue"},
       false,
       [](Session& s, const Args& a) {
         v1::ListDisbursementsRequest r;
         r.set_project_id(a.GetOr("project", ""));
         r.set_township(a.GetOr("township", ""));
         r.set_overdue_only(a.Has("overdue"));
         EVALD_TRY_FLAG(year, a.Int("year", 0));
         r.set_year(*year);
         if (a.Has("kind")) {
           EVALD_TRY_FLAG(kind, ParseTrancheKind("--kind", *a.Get("kind")));
           r.set_kind(*kind);
         }
         if (a.Has("as-of")) {
           EVALD_TRY_FLAG(day, ParseDate("--as-of", *a.Get("as-of")));
           r.set_as_of(*day);
         }
         if (a.Has("state")) {
           EVALD_TRY_FLAG(state,
                          ParseDisbursementState("--state", *a.Get("state")));
           r.set_state(*state);
         }
         if (a.Has("due-before")) {
           EVALD_TRY_FLAG(day, ParseDate("--due-before", *a.Get("due-before")));
           r.set_due_before(*day);
         }
         if (a.Has("due-within")) {
           // Due on or before as-of + N days: before the day after.
           EVALD_TRY_FLAG(days,
                          ParseDays("--due-within", *a.Get("due-within")));
           EVALD_TRY_FLAG(before, DaysAfter("--as-of", r.as_of(), *days + 1));
           if (r.due_before().empty() || *before < r.due_before()) {
             r.set_due_before(*before);
           }
         }
         r.set_payment_reference(a.GetOr("reference", ""));
         v1::ListDisbursementsResponse all;
         if (!ListAll(s, &Stub::ListDisbursements, r, &all)) return kRefused;
         // The order a finance clerk pays in: by due date, undated last.
         std::stable_sort(
             all.mutable_disbursements()->begin(),
             all.mutable_disbursements()->end(),
             [](const v1::Disbursement& x, const v1::Disbursement& y) {
               if (x.due_date().empty() != y.due_date().empty()) {
                 return y.due_date().empty();
               }
               return x.due_date() < y.due_date();
             });
         // The stations' names, for the clerk who pays by name.
         v1::ListProjectsRequest projects;
         projects.set_township(r.township());
         v1::ListProjectsResponse known;
         std::map<std::string, std::string> names;
         if (ListAll(s, &Stub::ListProjects, projects, &known)) {
           for (const v1::Project& p : known.projects()) {
             names[p.project_id()] = p.name();
           }
         }
         EVALD_TRY_FLAG(as_of, DaysAfter("--as-of", r.as_of(), 0));
         Print(s, all,
               DisbursementWorkList(all.disbursements(), names, *as_of));
         if (s.output == OutputFormat::kTable) {
           *s.out << DisbursementFooter(all.disbursements());
         }
         return kOk;
       }},
      {"disbursement",
       "release",
       "Record the payment of a due tranche, exactly once (finance).",
       "--project P --year Y --kind year-start|mid-term|final --reference REF "
       "[--date YYYY-MM-DD] [--request-id ID]",
       "evalctl disbursement release --project P1 --year 2025 --kind "
       "year-start --reference BANK-2025-0001",
       {"project", "year", "kind", "reference", "date", "request-id"},
       {},
       false,
       [](Session& s, const Args& a) {
         v1::ReleaseDisbursementRequest r;
         if (absl::Status st = TrancheFlags(a, r); !st.ok()) {
           return Usage(s, st);
         }
         EVALD_TRY_FLAG(reference, a.Required("reference"));
         r.set_payment_reference(*reference);
         if (a.Has("date")) {
           EVALD_TRY_FLAG(day, ParseDate("--date", *a.Get("date")));
           r.set_released_on(*day);
         }
         r.set_request_id(RequestId(s, a));
         v1::Disbursement reply;
         const bool ok = Call(s, &Stub::ReleaseDisbursement, r, &reply);
         google::protobuf::RepeatedPtrField<v1::Disbursement> one;
         *one.Add() = reply;
         return PrintReply(s, ok, reply, DisbursementList(one));
       }},
      {"disbursement",
       "correct",
       "Put right the reference or date of a recorded payment, with the "
       "reason (finance). The tranche stays released once; what it replaces "
       "is kept.",
       "--project P --year Y --kind K [--reference REF] [--date YYYY-MM-DD] "
       "--reason TEXT",
       "evalctl disbursement correct --project P1 --year 2025 --kind "
       "year-start --reference BANK-2025-0001A --reason '银行回单号录入错误'",
       {"project", "year", "kind", "reference", "date", "reason", "request-id"},
       {},
       false,
       [](Session& s, const Args& a) {
         v1::CorrectReleaseRequest r;
         if (absl::Status st = TrancheFlags(a, r); !st.ok()) {
           return Usage(s, st);
         }
         EVALD_TRY_FLAG(reason, a.Required("reason"));
         r.set_reason(*reason);
         r.set_payment_reference(a.GetOr("reference", ""));
         if (a.Has("date")) {
           EVALD_TRY_FLAG(day, ParseDate("--date", *a.Get("date")));
           r.set_released_on(*day);
         }
         if (r.payment_reference().empty() && r.released_on().empty()) {
           return Usage(s, absl::InvalidArgumentError(
                               "--reference, --date: give the right "
                               "reference, the right date, or both"));
         }
         r.set_request_id(RequestId(s, a));
         v1::Disbursement reply;
         const bool ok = Call(s, &Stub::CorrectRelease, r, &reply);
         google::protobuf::RepeatedPtrField<v1::Disbursement> one;
         *one.Add() = reply;
         Table table = DisbursementList(one);
         if (ok) {
           // What was replaced, beside the payment as it now stands.
           for (const v1::ReleaseCorrection& c : reply.corrections()) {
             table.rows.push_back(
                 {absl::StrCat("  was ", c.previous_reference(), " on ",
                               c.previous_released_on()),
                  "", "", "", "", "",
                  absl::StrCat("corrected by ", c.corrected_by(), " on ",
                               c.corrected_on(), ": ", c.reason())});
           }
         }
         return PrintReply(s, ok, reply, table);
       }},
  };
}

}  // namespace evald::client
