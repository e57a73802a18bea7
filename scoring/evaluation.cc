#include "scoring/evaluation.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"

namespace evald::scoring {

const char* VetoStatusCode(VetoStatus status) {
  switch (status) {
    case VetoStatus::kRaised:
      return "RAISED";
    case VetoStatus::kConfirmed:
      return "CONFIRMED";
    case VetoStatus::kDismissed:
      return "DISMISSED";
  }
  return "UNKNOWN";
}

std::string Evaluation::Name() const {
  return absl::StrCat(project_id, "/", year, "/", PhaseName(phase));
}

std::vector<std::string> Evaluation::Missing() const {
  std::vector<std::string> missing = MissingParties(served_villages, scores);
  if (!financial) missing.push_back("financial");
  return missing;
}

std::optional<Date> Evaluation::PassedOn() const {
  if (state == PhaseState::kPassed) return result_date;
  if (state == PhaseState::kPassedAfterRectification) return reevaluation_date;
  return std::nullopt;
}

Evaluation NewEvaluation(std::string project_id, int year, int service_year,
                         Phase phase, std::vector<std::string> served_villages,
                         std::string policy_id) {
  Evaluation e;
  e.project_id = std::move(project_id);
  e.year = year;
  e.service_year = service_year;
  e.phase = phase;
  e.served_villages = std::move(served_villages);
  e.policy_id = std::move(policy_id);
  return e;
}

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Applies one command to a copy of the state. Each operator() checks the
// command against the state, then mutates `d.next` and appends effects.
class Transition {
 public:
  Transition(const Evaluation& current, const Policy& policy,
             const WorkingDayCalendar& calendar, const DecisionContext& context)
      : current_(current),
        policy_(policy),
        calendar_(calendar),
        context_(context) {
    decision_.next = current;
  }

  absl::StatusOr<Decision> Run(const Command& command) {
    if (policy_.id != current_.policy_id) {
      // A result is decided under the policy it was made under, always.
      return absl::FailedPreconditionError(
          absl::StrCat("evaluation ", current_.Name(), " is under policy ",
                       current_.policy_id, ", not ", policy_.id));
    }
    if (context_.contract_terminated &&
        !(std::holds_alternative<Reopen>(command) &&
          current_.state == PhaseState::kFailed)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the contract of project ", current_.project_id,
          " is terminated: nothing more can happen to ", current_.Name(),
          " (only the bureau can reopen the failed phase)"));
    }
    absl::Status status = std::visit(*this, command);
    if (!status.ok()) return status;
    return std::move(decision_);
  }

  absl::Status operator()(const SubmitProfessional& c) {
    if (absl::Status s = RequireCollecting("submissions"); !s.ok()) return s;
    ProfessionalScores& scores = decision_.next.scores;
    if (c.party == Party::kVillage) {
      if (!Serves(c.village_id)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "village_id: \"", c.village_id,
            "\" is not a village served by project ", current_.project_id));
      }
      scores.villages[c.village_id] = c.score;
    } else {
      if (!c.village_id.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("village_id: only a village committee names a "
                         "village, not the ",
                         PartyName(c.party)));
      }
      switch (c.party) {
        case Party::kThirdParty:
          scores.third_party = c.score;
          decision_.next.professional_rectifiable = c.rectifiable;
          break;
        case Party::kTownship:
          scores.township = c.score;
          break;
        case Party::kBureau:
          scores.bureau = c.score;
          break;
        case Party::kVillage:
          break;  // handled above
      }
    }
    return Submitted();
  }

  absl::Status operator()(const SubmitFinancial& c) {
    if (absl::Status s = RequireCollecting("submissions"); !s.ok()) return s;
    decision_.next.financial = c.submission;
    return Submitted();
  }

  absl::Status operator()(const RaiseVeto& c) {
    if (absl::Status s = RequireCollecting("veto findings"); !s.ok()) return s;
    if (policy_.FindVeto(c.kind, c.code) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "code: \"", c.code, "\" is not in the ",
          c.kind == VetoKind::kProfessional ? "professional" : "financial",
          " veto catalogue of policy ", policy_.id));
    }
    if (c.evidence.empty()) {
      return absl::InvalidArgumentError(
          "evidence: a veto finding needs its evidence");
    }
    VetoFinding finding;
    finding.id = static_cast<int64_t>(current_.vetoes.size()) + 1;
    finding.kind = c.kind;
    finding.code = c.code;
    finding.evidence = c.evidence;
    finding.raised_by = c.raised_by;
    decision_.next.vetoes.push_back(std::move(finding));
    return absl::OkStatus();
  }

  absl::Status operator()(const ConfirmVeto& c) {
    absl::StatusOr<VetoFinding*> finding = PendingVeto(c.veto_id);
    if (!finding.ok()) return finding.status();
    (*finding)->status = VetoStatus::kConfirmed;
    return absl::OkStatus();
  }

  absl::Status operator()(const DismissVeto& c) {
    if (c.reason.empty()) {
      return absl::InvalidArgumentError(
          "reason: dismissing a veto finding needs a reason");
    }
    absl::StatusOr<VetoFinding*> finding = PendingVeto(c.veto_id);
    if (!finding.ok()) return finding.status();
    (*finding)->status = VetoStatus::kDismissed;
    (*finding)->decision_reason = c.reason;
    return absl::OkStatus();
  }

  absl::Status operator()(const Finalise& c) {
    if (current_.state == PhaseState::kOpen) {
      return absl::FailedPreconditionError(
          absl::StrCat("evaluation ", current_.Name(),
                       " is OPEN: cannot finalise while missing ",
                       absl::StrJoin(current_.Missing(), ", ")));
    }
    if (current_.state != PhaseState::kScored) return WrongState("finalise");
    std::vector<std::string> pending;
    std::vector<ConfirmedVeto> confirmed;
    for (const VetoFinding& v : current_.vetoes) {
      if (v.status == VetoStatus::kRaised)
        pending.push_back(absl::StrCat(v.id));
      if (v.status == VetoStatus::kConfirmed) {
        confirmed.push_back({v.kind, v.code});
      }
    }
    if (!pending.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("evaluation ", current_.Name(),
                       ": veto findings awaiting the bureau's decision: ",
                       absl::StrJoin(pending, ", ")));
    }
    absl::StatusOr<ProfessionalScore> s = ComputeProfessionalScore(
        policy_, current_.served_villages, current_.scores);
    if (!s.ok()) return s.status();
    PhaseInputs inputs;
    inputs.professional = *s;
    inputs.professional_rectifiable = current_.professional_rectifiable;
    inputs.financial = *current_.financial;
    inputs.confirmed_vetoes = std::move(confirmed);

    Evaluation& next = decision_.next;
    next.result = DecidePhaseResult(policy_, inputs);
    next.result_date = c.result_date;
    switch (next.result->outcome) {
      case Outcome::kPass:
        next.state = PhaseState::kPassed;
        AddTrancheDue(c.result_date, policy_.payment_working_days,
                      "official result date");
        break;
      case Outcome::kFailRectifiable: {
        next.state = PhaseState::kRectifying;
        next.rectification_deadline =
            c.result_date + policy_.rectification_calendar_days;
        Effect e;
        e.kind = EffectKind::kTrancheWithheld;
        e.tranche = TrancheOf(current_.phase);
        e.date = {*next.rectification_deadline, false};
        e.description = absl::StrCat(
            TrancheKindName(e.tranche), " tranche of ", current_.year,
            " withheld; rectification application due by ",
            FormatDate(*next.rectification_deadline));
        decision_.effects.push_back(std::move(e));
        break;
      }
      case Outcome::kFailFinal:
        next.state = PhaseState::kFailed;
        next.failed_on = c.result_date;
        AddTermination(c.result_date, "failed and not rectifiable");
        break;
    }
    return absl::OkStatus();
  }

  absl::Status operator()(const ApplyRectification& c) {
    if (current_.state != PhaseState::kRectifying) {
      return WrongState("apply for rectification");
    }
    if (c.application_date < *current_.result_date) {
      return absl::InvalidArgumentError(absl::StrCat(
          "application_date: ", FormatDate(c.application_date),
          " is before the result date ", FormatDate(*current_.result_date)));
    }
    if (c.application_date > *current_.rectification_deadline) {
      return absl::FailedPreconditionError(absl::StrCat(
          "evaluation ", current_.Name(), ": the rectification deadline ",
          FormatDate(*current_.rectification_deadline), " has passed"));
    }
    decision_.next.state = PhaseState::kReevaluating;
    decision_.next.application_date = c.application_date;
    return absl::OkStatus();
  }

  absl::Status operator()(const DecideReevaluation& c) {
    if (current_.state != PhaseState::kReevaluating) {
      return WrongState("decide a re-evaluation");
    }
    if (c.decision_date < *current_.application_date) {
      return absl::InvalidArgumentError(
          absl::StrCat("decision_date: ", FormatDate(c.decision_date),
                       " is before the application date ",
                       FormatDate(*current_.application_date)));
    }
    decision_.next.reevaluation_date = c.decision_date;
    if (c.passed) {
      decision_.next.state = PhaseState::kPassedAfterRectification;
      // RULES.md §7 [seed]: counted from the provider's application date.
      AddTrancheDue(*current_.application_date,
                    policy_.rectified_payment_working_days,
                    "rectification application date");
    } else {
      decision_.next.state = PhaseState::kFailed;
      decision_.next.failed_on = c.decision_date;
      AddTermination(c.decision_date, "failed its re-evaluation");
    }
    return absl::OkStatus();
  }

  absl::Status operator()(const ExpireRectification& c) {
    if (current_.state != PhaseState::kRectifying) {
      return WrongState("expire a rectification");
    }
    if (!(c.as_of > *current_.rectification_deadline)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "evaluation ", current_.Name(), ": the rectification deadline ",
          FormatDate(*current_.rectification_deadline),
          " has not passed as of ", FormatDate(c.as_of)));
    }
    decision_.next.state = PhaseState::kFailed;
    decision_.next.failed_on = c.as_of;
    AddTermination(c.as_of, "no rectification application by the deadline");
    return absl::OkStatus();
  }

  absl::Status operator()(const Reopen& c) {
    if (c.reason.empty()) {
      return absl::InvalidArgumentError("reason: reopening needs a reason");
    }
    if (!IsFinalised(current_.state)) return WrongState("reopen");
    if (context_.tranche_released) {
      return absl::FailedPreconditionError(absl::StrCat(
          "evaluation ", current_.Name(), ": its ",
          TrancheKindName(TrancheOf(current_.phase)),
          " tranche has been released; it can no longer be reopened"));
    }
    Evaluation& next = decision_.next;
    next.state = PhaseState::kScored;
    next.result.reset();
    next.result_date.reset();
    next.rectification_deadline.reset();
    next.application_date.reset();
    next.reevaluation_date.reset();
    next.failed_on.reset();
    ++next.reopen_count;
    Effect e;
    e.kind = EffectKind::kResultWithdrawn;
    e.tranche = TrancheOf(current_.phase);
    e.description = absl::StrCat("result of ", current_.Name(),
                                 " withdrawn for review: ", c.reason);
    decision_.effects.push_back(std::move(e));
    return absl::OkStatus();
  }

 private:
  bool Serves(const std::string& village) const {
    for (const std::string& v : current_.served_villages) {
      if (v == village) return true;
    }
    return false;
  }

  absl::Status WrongState(absl::string_view action) const {
    return absl::FailedPreconditionError(
        absl::StrCat("evaluation ", current_.Name(), " is ",
                     PhaseStateCode(current_.state), ": cannot ", action));
  }

  absl::Status RequireCollecting(absl::string_view what) const {
    if (current_.state == PhaseState::kOpen ||
        current_.state == PhaseState::kScored) {
      return absl::OkStatus();
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "evaluation ", current_.Name(), " is ", PhaseStateCode(current_.state),
        ": ", what, " are closed (the bureau may reopen it for review)"));
  }

  absl::Status Submitted() {
    Evaluation& next = decision_.next;
    ++next.submission_versions;
    next.state =
        next.Missing().empty() ? PhaseState::kScored : PhaseState::kOpen;
    return absl::OkStatus();
  }

  absl::StatusOr<VetoFinding*> PendingVeto(int64_t id) {
    if (absl::Status s = RequireCollecting("veto decisions"); !s.ok()) return s;
    if (id < 1 || id > static_cast<int64_t>(decision_.next.vetoes.size())) {
      return absl::NotFoundError(absl::StrCat("veto_id: evaluation ",
                                              current_.Name(),
                                              " has no veto finding ", id));
    }
    VetoFinding& finding = decision_.next.vetoes[id - 1];
    if (finding.status != VetoStatus::kRaised) {
      return absl::FailedPreconditionError(
          absl::StrCat("veto finding ", id, " of ", current_.Name(),
                       " is already ", VetoStatusCode(finding.status)));
    }
    return &finding;
  }

  void AddTrancheDue(Date from, int working_days, absl::string_view from_what) {
    Effect e;
    e.kind = EffectKind::kTrancheDue;
    e.tranche = TrancheOf(current_.phase);
    e.date = calendar_.AddWorkingDays(from, working_days);
    e.description = absl::StrCat(
        TrancheKindName(e.tranche), " tranche of ", current_.year, " due by ",
        FormatDate(e.date.date), e.date.provisional ? " (provisional)" : "",
        ": ", working_days, " working days from the ", from_what, " ",
        FormatDate(from));
    decision_.effects.push_back(std::move(e));
  }

  void AddTermination(Date on, absl::string_view why) {
    Effect e;
    e.kind = EffectKind::kContractTerminated;
    e.tranche = TrancheOf(current_.phase);
    e.date = {on, false};
    e.description = absl::StrCat("contract of project ", current_.project_id,
                                 " terminated: ", current_.Name(), " ", why);
    decision_.effects.push_back(std::move(e));
  }

  const Evaluation& current_;
  const Policy& policy_;
  const WorkingDayCalendar& calendar_;
  const DecisionContext& context_;
  Decision decision_;
};

}  // namespace

const char* CommandName(const Command& command) {
  return std::visit(
      Overloaded{
          [](const SubmitProfessional&) { return "professional.submitted"; },
          [](const SubmitFinancial&) { return "financial.submitted"; },
          [](const RaiseVeto&) { return "veto.raised"; },
          [](const ConfirmVeto&) { return "veto.confirmed"; },
          [](const DismissVeto&) { return "veto.dismissed"; },
          [](const Finalise&) { return "evaluation.finalised"; },
          [](const ApplyRectification&) { return "rectification.applied"; },
          [](const DecideReevaluation&) { return "reevaluation.decided"; },
          [](const ExpireRectification&) { return "rectification.expired"; },
          [](const Reopen&) { return "evaluation.reopened"; },
      },
      command);
}

absl::StatusOr<Decision> Decide(const Evaluation& current,
                                const Command& command, const Policy& policy,
                                const WorkingDayCalendar& calendar,
                                const DecisionContext& context) {
  return Transition(current, policy, calendar, context).Run(command);
}

}  // namespace evald::scoring
