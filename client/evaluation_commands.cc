// evalctl evaluation get | list | late | finalize | reopen, and
// rectification apply | decide | expire: a phase's life cycle.

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/command.h"
#include "client/flags.h"

namespace evald::client {
namespace {

// --project, --township, --year, --phase, --as-of of the evaluation lists.
template <typename Request>
absl::Status FilterFlags(const Args& a, Request& r) {
  r.set_project_id(a.GetOr("project", ""));
  r.set_township(a.GetOr("township", ""));
  absl::StatusOr<int> year = a.Int("year", 0);
  if (!year.ok()) return year.status();
  r.set_year(*year);
  if (a.Has("phase")) {
    absl::StatusOr<v1::Phase> phase = ParsePhase("--phase", *a.Get("phase"));
    if (!phase.ok()) return phase.status();
    r.set_phase(*phase);
  }
  if (a.Has("as-of")) {
    absl::StatusOr<std::string> day = ParseDate("--as-of", *a.Get("as-of"));
    if (!day.ok()) return day.status();
    r.set_as_of(*day);
  }
  return absl::OkStatus();
}

// A required date flag, checked here.
absl::Status DateFlag(const Args& a, absl::string_view flag,
                      const std::function<void(const std::string&)>& set) {
  absl::StatusOr<std::string> text = a.Required(flag);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::string> day = ParseDate(absl::StrCat("--", flag), *text);
  if (!day.ok()) return day.status();
  set(*day);
  return absl::OkStatus();
}

const std::set<std::string> kListFilters = {"project", "township", "year",
                                            "phase", "as-of"};

// Finalising asks the server first what it would do (a dry run, which
// writes nothing): a phase that would FAIL ends the contract and stops its
// money, so that needs the clerk's --confirm-termination.
int Finalize(Session& s, const Args& a) {
  auto fill = [&](v1::FinalizeEvaluationRequest& r) {
    return DateFlag(a, "result-date",
                    [&](const std::string& v) { r.set_result_date(v); });
  };
  auto dry_run = [&](v1::FinalizeEvaluationRequest& r) -> absl::Status {
    r.set_validate_only(true);
    return fill(r);
  };
  if (a.Has("dry-run")) {
    *s.err << "dry run: nothing was written\n";
    return PhaseChange<v1::FinalizeEvaluationRequest>(
        s, a, &Stub::FinalizeEvaluation, dry_run);
  }
  v1::Evaluation would;
  const int code = PhaseChange<v1::FinalizeEvaluationRequest>(
      s, a, &Stub::FinalizeEvaluation, dry_run, &would);
  if (code != kOk) return code;
  if (would.state() == v1::FAILED && !a.Has("confirm-termination")) {
    *s.err << "error: finalising " << would.project_id() << "/" << would.year()
           << "/" << (would.phase() == v1::FINAL ? "final" : "mid-term")
           << " would fail it and end the contract of project "
           << would.project_id()
           << "; nothing was written. To finalise, run the same command "
              "with --confirm-termination.\n";
    *s.err << "  would be: FAILED, S " << would.result().score() << "\n";
    for (const std::string& reason : would.result().reasons()) {
      *s.err << "  reason: " << reason << "\n";
    }
    for (const std::string& effect : would.effects()) {
      *s.err << "  effect: " << effect << "\n";
    }
    return kRefused;
  }
  return PhaseChange<v1::FinalizeEvaluationRequest>(
      s, a, &Stub::FinalizeEvaluation, fill);
}

}  // namespace

std::vector<Command> EvaluationCommands() {
  return {
      {"evaluation",
       "get",
       "Show one evaluation phase.",
       "--project P --year Y --phase PH",
       "evalctl evaluation get --project P1 --year 2025 --phase mid-term",
       {"project", "year", "phase"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(ref, RefFlags(a));
         v1::GetEvaluationRequest r;
         *r.mutable_evaluation() = *ref;
         v1::Evaluation reply;
         const bool ok = Call(s, &Stub::GetEvaluation, r, &reply);
         return PrintReply(s, ok, reply, EvaluationDetail(reply));
       }},
      {"evaluation",
       "list",
       "List evaluations by project, township, year, phase, state; "
       "rectifications by deadline.",
       "[--project P] [--township T] [--year Y] [--phase PH] [--state S] "
       "[--lapsed] [--deadline-within 7d] [--as-of YYYY-MM-DD]",
       "evalctl evaluation list --township huangge --year 2025 --state "
       "passed\n  evalctl evaluation list --lapsed",
       With(kListFilters, {"state", "deadline-within"}),
       {"lapsed"},
       false,
       [](Session& s, const Args& a) {
         v1::ListEvaluationsRequest r;
         if (absl::Status st = FilterFlags(a, r); !st.ok()) return Usage(s, st);
         if (a.Has("state")) {
           EVALD_TRY_FLAG(state,
                          ParseEvaluationState("--state", *a.Get("state")));
           r.set_state(*state);
         }
         r.set_lapsed_only(a.Has("lapsed"));
         if (a.Has("deadline-within")) {
           EVALD_TRY_FLAG(
               days, ParseDays("--deadline-within", *a.Get("deadline-within")));
           r.set_deadline_within_days(*days);
         }
         v1::ListEvaluationsResponse all;
         const bool ok = ListAll(s, &Stub::ListEvaluations, r, &all);
         return PrintReply(s, ok, all, EvaluationList(all));
       }},
      {"evaluation",
       "finalize",
       "Finalise a scored phase with the official result date (bureau). "
       "--dry-run shows the outcome, every reason and every money effect "
       "and writes nothing; a finalisation that ends the contract needs "
       "--confirm-termination.",
       "--project P --year Y --phase PH --result-date YYYY-MM-DD [--dry-run] "
       "[--confirm-termination]",
       "evalctl evaluation finalize --project P1 --year 2025 --phase mid-term "
       "--result-date 2025-12-15 --dry-run",
       With(RefFlagNames(), {"result-date"}),
       {"dry-run", "confirm-termination"},
       false,
       [](Session& s, const Args& a) { return Finalize(s, a); }},
      {"evaluation",
       "reopen",
       "Reopen a finalised phase for review, 复核 (bureau).",
       "--project P --year Y --phase PH --reason TEXT",
       "evalctl evaluation reopen --project P1 --year 2025 --phase mid-term "
       "--reason '乡镇申请复核'",
       With(RefFlagNames(), {"reason"}),
       {},
       false,
       [](Session& s, const Args& a) {
         return PhaseChange<v1::ReopenEvaluationRequest>(
             s, a, &Stub::ReopenEvaluation,
             [&](v1::ReopenEvaluationRequest& r) -> absl::Status {
               absl::StatusOr<std::string> reason = a.Required("reason");
               if (!reason.ok()) return reason.status();
               r.set_reason(*reason);
               return absl::OkStatus();
             });
       }},
      {"evaluation",
       "late",
       "Who has not submitted to a phase whose evaluation has opened.",
       "[--project P] [--township T] [--year Y] [--phase PH] [--as-of "
       "YYYY-MM-DD]",
       "evalctl evaluation late --township huangge --year 2025",
       kListFilters,
       {},
       false,
       [](Session& s, const Args& a) {
         v1::ListLatePartiesRequest r;
         if (absl::Status st = FilterFlags(a, r); !st.ok()) return Usage(s, st);
         v1::ListLatePartiesResponse all;
         const bool ok = ListAll(s, &Stub::ListLateParties, r, &all);
         return PrintReply(s, ok, all, LateList(all));
       }},
      {"rectification",
       "apply",
       "Apply for re-evaluation after rectification (provider).",
       "--project P --year Y --phase PH --date YYYY-MM-DD",
       "evalctl rectification apply --project P1 --year 2025 --phase mid-term "
       "--date 2026-02-10",
       With(RefFlagNames(), {"date"}),
       {},
       false,
       [](Session& s, const Args& a) {
         return PhaseChange<v1::ApplyRectificationRequest>(
             s, a, &Stub::ApplyRectification,
             [&](v1::ApplyRectificationRequest& r) {
               return DateFlag(a, "date", [&](const std::string& v) {
                 r.set_application_date(v);
               });
             });
       }},
      {"rectification",
       "decide",
       "Record the re-evaluation's outcome (agency, bureau).",
       "--project P --year Y --phase PH --pass|--fail --date YYYY-MM-DD",
       "evalctl rectification decide --project P1 --year 2025 --phase mid-term "
       "--pass --date 2026-03-02",
       With(RefFlagNames(), {"date"}),
       {"pass", "fail"},
       false,
       [](Session& s, const Args& a) {
         return PhaseChange<v1::DecideReevaluationRequest>(
             s, a, &Stub::DecideReevaluation,
             [&](v1::DecideReevaluationRequest& r) -> absl::Status {
               if (a.Has("pass") == a.Has("fail")) {
                 return absl::InvalidArgumentError(
                     "give exactly one of --pass and --fail");
               }
               r.set_passed(a.Has("pass"));
               return DateFlag(a, "date", [&](const std::string& v) {
                 r.set_decision_date(v);
               });
             });
       }},
      {"rectification",
       "expire",
       "Fail a rectification whose deadline passed without an application "
       "(bureau).",
       "--project P --year Y --phase PH [--as-of YYYY-MM-DD]",
       "evalctl rectification expire --project P1 --year 2025 --phase mid-term "
       "--as-of 2026-03-01",
       With(RefFlagNames(), {"as-of"}),
       {},
       false,
       [](Session& s, const Args& a) {
         return PhaseChange<v1::ExpireRectificationRequest>(
             s, a, &Stub::ExpireRectification,
             [&](v1::ExpireRectificationRequest& r) -> absl::Status {
               if (a.Has("as-of")) {
                 absl::StatusOr<std::string> day =
                     ParseDate("--as-of", *a.Get("as-of"));
                 if (!day.ok()) return day.status();
                 r.set_as_of(*day);
               }
               return absl::OkStatus();
             });
       }},
  };
}

}  // namespace evald::client
