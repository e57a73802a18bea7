#include "server/events.h"

#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/audit_chain.h"
#include "server/convert.h"

namespace evald::server {

using scoring::FormatDate;

v1::AuditEvent ChainedEvent(const v1::Command& command,
                            const std::string& stream, std::string action,
                            std::string target, std::vector<v1::Effect> effects,
                            std::string detail, const ChainTip& tip) {
  v1::AuditEvent event;
  event.set_project_id(stream);
  event.set_sequence(tip.sequence + 1);
  event.set_time(command.time());
  event.set_principal(command.principal());
  event.set_role(command.role());
  event.set_action(std::move(action));
  event.set_target(std::move(target));
  event.set_policy_id(command.policy_id());
  event.set_request_id(command.request_id());
  event.set_detail(std::move(detail));
  *event.mutable_command() = command;
  for (v1::Effect& e : effects) *event.add_effects() = std::move(e);
  event.set_prev_hash(tip.hash);
  event.set_hash(AuditEventHash(event));
  return event;
}

v1::Effect RecordEffect(std::string name, std::string before,
                        std::string after) {
  v1::Effect e;
  v1::RecordChange* r = e.mutable_record();
  r->set_name(std::move(name));
  r->set_state_before(std::move(before));
  r->set_state_after(std::move(after));
  return e;
}

v1::Effect TrancheEffect(const scoring::TrancheChange& change,
                         const scoring::Contract& contract) {
  const scoring::Tranche& t = change.after;
  v1::Effect e;
  v1::TrancheTransition* out = e.mutable_tranche();
  out->set_name(TrancheName(contract.project_id, t.year, t.kind));
  if (change.before) out->set_from(ToProto(change.before->state));
  out->set_to(ToProto(t.state));
  out->set_amount_fen(t.amount.fen());
  if (t.due) {
    out->set_due_date(FormatDate(t.due->date));
    out->set_due_date_provisional(t.due->provisional);
  }
  if (t.payable_from) out->set_payable_from(FormatDate(*t.payable_from));
  if (t.hold) out->set_hold_reason(t.hold->reason);
  if (t.release) {
    out->set_payment_reference(t.release->payment_reference);
    out->set_released_on(FormatDate(t.release->released_on));
  }
  return e;
}

v1::Effect PhaseEffect(const scoring::Effect& effect,
                       const std::string& project_id,
                       const std::string& evaluation) {
  v1::Effect e;
  if (effect.kind == scoring::EffectKind::kContractTerminated) {
    v1::ContractTerminated* t = e.mutable_terminated();
    t->set_project_id(project_id);
    t->set_on(FormatDate(effect.date.date));
    t->set_because(effect.description);
  } else {
    v1::ResultWithdrawn* w = e.mutable_withdrawn();
    w->set_evaluation(evaluation);
    w->set_reason(effect.description);
  }
  return e;
}

std::string DescribeCommand(const scoring::Command& command) {
  using namespace scoring;  // NOLINT: local to a formatting helper
  return std::visit(
      [](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, SubmitProfessional>) {
          return absl::StrCat(PartyName(c.party),
                              c.village_id.empty() ? "" : ":", c.village_id,
                              " score ", c.score.ToString(),
                              c.rectifiable ? " (rectifiable)" : "");
        } else if constexpr (std::is_same_v<T, SubmitFinancial>) {
          const Expenditure& x = c.submission.expenditure;
          return absl::StrCat(
              "financial score ", c.submission.score.ToString(), "; personnel ",
              x.personnel.ToYuanString(), ", service quality ",
              x.service_quality.ToYuanString(), ", management ",
              x.management.ToYuanString(), ", other ", x.other.ToYuanString(),
              c.submission.rectifiable ? " (rectifiable)" : "");
        } else if constexpr (std::is_same_v<T, RaiseVeto>) {
          return absl::StrCat(
              c.kind == VetoKind::kProfessional ? "professional" : "financial",
              " veto ", c.code, ": ", c.evidence);
        } else if constexpr (std::is_same_v<T, ConfirmVeto>) {
          return absl::StrCat("veto ", c.veto_id, " confirmed");
        } else if constexpr (std::is_same_v<T, DismissVeto>) {
          return absl::StrCat("veto ", c.veto_id, " dismissed: ", c.reason);
        } else if constexpr (std::is_same_v<T, Finalise>) {
          return absl::StrCat("finalised, result date ",
                              FormatDate(c.result_date));
        } else if constexpr (std::is_same_v<T, ApplyRectification>) {
          return absl::StrCat("rectification applied on ",
                              FormatDate(c.application_date));
        } else if constexpr (std::is_same_v<T, DecideReevaluation>) {
          return absl::StrCat("re-evaluation ", c.passed ? "passed" : "failed",
                              " on ", FormatDate(c.decision_date));
        } else if constexpr (std::is_same_v<T, ExpireRectification>) {
          return absl::StrCat("rectification deadline expired as of ",
                              FormatDate(c.as_of));
        } else {
          return absl::StrCat("reopened for review: ", c.reason);
        }
      },
      command);
}

std::string DescribeTranche(const scoring::TrancheChange& change) {
  const scoring::Tranche& t = change.after;
  const std::string what =
      absl::StrCat(scoring::TrancheKindName(t.kind), " tranche of ", t.year);
  switch (t.state) {
    case scoring::TrancheState::kDue:
      return absl::StrCat(what, " due by ", FormatDate(t.due->date),
                          t.due->provisional ? " (provisional)" : "",
                          " (payable from ", FormatDate(*t.payable_from), ")");
    case scoring::TrancheState::kWithheld:
      return absl::StrCat(what,
                          " withheld while its phase is in rectification");
    case scoring::TrancheState::kHeld:
      return absl::StrCat(what, " ", t.hold->reason);
    case scoring::TrancheState::kReleased:
      return absl::StrCat(what, " released on ",
                          FormatDate(t.release->released_on),
                          ", payment reference ", t.release->payment_reference);
    case scoring::TrancheState::kForfeited:
      return absl::StrCat(what, " forfeited");
    case scoring::TrancheState::kPending:
      return absl::StrCat(what, " pending");
  }
  return what;
}

}  // namespace evald::server
