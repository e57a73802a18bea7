// evalctl score submit, financial submit, veto raise | confirm | dismiss:
// what the parties send to a phase.

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/flags.h"
#include "evalctl/v1/output.pb.h"

namespace evald::client {
namespace {

// --score (checked) and --rectifiable into a submission request.
template <typename Request>
absl::Status SetScore(const Args& a, Request& r) {
  absl::StatusOr<std::string> text = a.Required("score");
  if (!text.ok()) return text.status();
  absl::StatusOr<std::string> score = ParseScore("--score", *text);
  if (!score.ok()) return score.status();
  r.set_score(*score);
  r.set_rectifiable(a.Has("rectifiable"));
  return absl::OkStatus();
}

int RaiseVeto(Session& s, const Args& a) {
  v1::Evaluation reply;
  const int code = PhaseChange<v1::RaiseVetoRequest>(
      s, a, &Stub::RaiseVeto,
      [&](v1::RaiseVetoRequest& r) -> absl::Status {
        absl::StatusOr<v1::VetoKind> kind =
            ParseVetoKind("--kind", a.GetOr("kind", "professional"));
        if (!kind.ok()) return kind.status();
        absl::StatusOr<std::string> code = a.Required("code");
        if (!code.ok()) return code.status();
        absl::StatusOr<std::string> evidence = a.Required("evidence");
        if (!evidence.ok()) return evidence.status();
        r.set_kind(*kind);
        r.set_code(*code);
        r.set_evidence(*evidence);
        return absl::OkStatus();
      },
      &reply);
  if (code != kOk) return code;
  // The new finding is the last one: its id is what confirm and dismiss
  // take, so it leads the output.
  const int64_t id =
      reply.vetoes().empty() ? 0 : reply.vetoes().rbegin()->veto_id();
  if (s.output == OutputFormat::kJson) {
    evalctl::v1::RaisedVeto doc;
    doc.set_veto_id(id);
    *doc.mutable_evaluation() = reply;
    *s.out << Json(doc) << "\n";
    return kOk;
  }
  Table t = EvaluationDetail(reply);
  t.rows.insert(t.rows.begin(), {"veto_id", absl::StrCat(id)});
  Print(s, reply, t);
  return kOk;
}

}  // namespace

std::vector<Command> SubmissionCommands() {
  return {
      {"score",
       "submit",
       "Submit your professional score (your token says which party you are).",
       "--project P --year Y --phase mid-term|final --score S [--rectifiable] "
       "[--request-id ID]",
       "evalctl score submit --project P1 --year 2025 --phase mid-term --score "
       "85.5",
       With(RefFlagNames(), {"score"}),
       {"rectifiable"},
       false,
       [](Session& s, const Args& a) {
         return PhaseChange<v1::SubmitProfessionalScoreRequest>(
             s, a, &Stub::SubmitProfessionalScore,
             [&](v1::SubmitProfessionalScoreRequest& r) -> absl::Status {
               if (absl::Status bad = SetScore(a, r); !bad.ok()) return bad;
               return absl::OkStatus();
             });
       }},
      {"financial",
       "submit",
       "Submit the financial evaluation (agency): score and expenditure in "
       "yuan.",
       "--project P --year Y --phase PH --score S --personnel YUAN "
       "--service-quality YUAN --management YUAN --other YUAN [--rectifiable]",
       "evalctl financial submit --project P1 --year 2025 --phase mid-term "
       "--score 82 --personnel 750000 --service-quality 120000 --management "
       "100000 --other 30000",
       With(RefFlagNames(),
            {"score", "personnel", "service-quality", "management", "other"}),
       {"rectifiable"},
       false,
       [](Session& s, const Args& a) {
         return PhaseChange<v1::SubmitFinancialEvaluationRequest>(
             s, a, &Stub::SubmitFinancialEvaluation,
             [&](v1::SubmitFinancialEvaluationRequest& r) -> absl::Status {
               if (absl::Status bad = SetScore(a, r); !bad.ok()) return bad;
               for (auto [flag, setter] :
                    {std::pair{"personnel",
                               &v1::Expenditure::set_personnel_fen},
                     std::pair{"service-quality",
                               &v1::Expenditure::set_service_quality_fen},
                     std::pair{"management",
                               &v1::Expenditure::set_management_fen},
                     std::pair{"other", &v1::Expenditure::set_other_fen}}) {
                 absl::StatusOr<std::string> yuan = a.Required(flag);
                 if (!yuan.ok()) return yuan.status();
                 absl::StatusOr<int64_t> fen =
                     ParseYuan(absl::StrCat("--", flag), *yuan);
                 if (!fen.ok()) return fen.status();
                 (r.mutable_expenditure()->*setter)(*fen);
               }
               return absl::OkStatus();
             });
       }},
      {"veto",
       "raise",
       "Raise a one-vote-veto finding (agency, bureau); prints its veto id.",
       "--project P --year Y --phase PH --kind professional|financial --code "
       "CODE --evidence TEXT",
       "evalctl veto raise --project P1 --year 2025 --phase mid-term --kind "
       "professional --code UNDERSTAFFING --evidence '3 of 6 posts vacant "
       "since March'",
       With(RefFlagNames(), {"kind", "code", "evidence"}),
       {},
       false,
       RaiseVeto},
      {"veto",
       "confirm",
       "Confirm a veto finding (bureau).",
       "--project P --year Y --phase PH --veto-id N",
       "evalctl veto confirm --project P1 --year 2025 --phase mid-term "
       "--veto-id 1",
       With(RefFlagNames(), {"veto-id"}),
       {},
       false,
       [](Session& s, const Args& a) {
         return PhaseChange<v1::DecideVetoRequest>(
             s, a, &Stub::ConfirmVeto,
             [&](v1::DecideVetoRequest& r) -> absl::Status {
               absl::StatusOr<int> id = a.RequiredInt("veto-id");
               if (!id.ok()) return id.status();
               r.set_veto_id(*id);
               return absl::OkStatus();
             });
       }},
      {"veto",
       "dismiss",
       "Dismiss a veto finding with a reason (bureau).",
       "--project P --year Y --phase PH --veto-id N --reason TEXT",
       "evalctl veto dismiss --project P1 --year 2025 --phase mid-term "
       "--veto-id 1 --reason '岗位已补齐'",
       With(RefFlagNames(), {"veto-id", "reason"}),
       {},
       false,
       [](Session& s, const Args& a) {
         return PhaseChange<v1::DecideVetoRequest>(
             s, a, &Stub::DismissVeto,
             [&](v1::DecideVetoRequest& r) -> absl::Status {
               absl::StatusOr<int> id = a.RequiredInt("veto-id");
               if (!id.ok()) return id.status();
               absl::StatusOr<std::string> reason = a.Required("reason");
               if (!reason.ok()) return reason.status();
               r.set_veto_id(*id);
               r.set_reason(*reason);
               return absl::OkStatus();
             });
       }},
  };
}

}  // namespace evald::client
