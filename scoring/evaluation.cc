#include "scoring/evaluation.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/overloaded.h"

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

std::string SubmissionKey(Party party, absl::string_view village_id) {
  if (party == Party::kVillage) return absl::StrCat("village:", village_id);
  return PartyName(party);
}

Date PhaseOpensOn(const Policy& policy, Date service_year_start, Phase phase) {
  const int months = phase == Phase::kMidTerm
                         ? policy.mid_term_opens_after_months
                         : policy.final_opens_after_months;
  const absl::CivilMonth month = absl::CivilMonth(service_year_start) + months;
  const Date last_of_month = Date(month + 1) - 1;
  return std::min(Date(month) + (service_year_start.day() - 1), last_of_month);
}

Evaluation NewEvaluation(std::string project_id, int year, int service_year,
                         Phase phase, std::vector<std::string> served_villages,
                         std::string policy_id, std::optional<Date> opens_on) {
  Evaluation e;
  e.project_id = std::move(project_id);
  e.year = year;
  e.service_year = service_year;
  e.phase = phase;
  e.served_villages = std::move(served_villages);
  e.policy_id = std::move(policy_id);
  e.opens_on = opens_on;
  return e;
}

namespace {

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
    if (absl::Status s = policy_.CheckScore(c.score, "score"); !s.ok()) {
      return s;
    }
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
    return Submitted(SubmissionKey(c.party, c.village_id), c.submitted_by);
  }

  absl::Status operator()(const SubmitFinancial& c) {
    if (absl::Status s = RequireCollecting("submissions"); !s.ok()) return s;
    if (absl::Status s = policy_.CheckScore(c.submission.score, "score");
        !s.ok()) {
      return s;
    }
    decision_.next.financial = c.submission;
    return Submitted(kFinancialSubmissionKey, c.submitted_by);
  }

  absl::Status operator()(const RaiseVeto& c) {
    if (absl::Status s = RequireCollecting("veto findings"); !s.ok()) return s;
    if (policy_.FindVeto(c.kind, c.code) == nullptr) {
      // Name the codes there are, so that the agency can pick one.
      const std::vector<VetoRule>& catalogue = c.kind == VetoKind::kProfessional
                                                   ? policy_.professional_vetoes
                                                   : policy_.financial_vetoes;
      std::vector<std::string> codes;
      for (const VetoRule& rule : catalogue) codes.push_back(rule.code);
      return absl::InvalidArgumentError(absl::StrCat(
          "code: \"", c.code, "\" is not in the ",
          c.kind == VetoKind::kProfessional ? "professional" : "financial",
          " veto catalogue of policy ", policy_.id, "; its codes are ",
          absl::StrJoin(codes, ", ")));
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
    UpdateProvisionalResult();
    return absl::OkStatus();
  }

  absl::Status operator()(const ConfirmVeto& c) {
    absl::StatusOr<VetoFinding*> finding = PendingVeto(c.veto_id);
    if (!finding.ok()) return finding.status();
    (*finding)->status = VetoStatus::kConfirmed;
    (*finding)->decided_by = c.decided_by;
    UpdateProvisionalResult();
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
    (*finding)->decided_by = c.decided_by;
    UpdateProvisionalResult();
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
    for (const VetoFinding& v : current_.vetoes) {
      if (v.status == VetoStatus::kRaised)
        pending.push_back(absl::StrCat(v.id));
    }
    if (!pending.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("evaluation ", current_.Name(),
                       ": veto findings awaiting the bureau's decision: ",
                       absl::StrJoin(pending, ", ")));
    }
    absl::StatusOr<PhaseResult> result = ComputeResult(current_);
    if (!result.ok()) return result.status();
    if (result->outcome != Outcome::kPass && context_.latest_release &&
        c.result_date < context_.latest_release->payable_from) {
      return absl::FailedPreconditionError(absl::StrCat(
          "evaluation ", current_.Name(), ": a failing result dated ",
          FormatDate(c.result_date), " would end the contract before ",
          FormatDate(context_.latest_release->payable_from),
          ", the day tranche ", context_.latest_release->name,
          " became payable, and that tranche is already released (payment "
          "reference ",
          context_.latest_release->payment_reference,
          "); check the result date"));
    }

    Evaluation& next = decision_.next;
    next.result = *std::move(result);
    next.result_date = c.result_date;
    switch (next.result->outcome) {
      // What a pass or a rectification does to the money is the tranches'
      // business (tranche.h), derived from the state and dates set here.
      case Outcome::kPass:
        next.state = PhaseState::kPassed;
        break;
      case Outcome::kFailRectifiable:
        next.state = PhaseState::kRectifying;
        next.rectification_deadline =
            c.result_date + policy_.rectification_calendar_days;
        break;
      case Outcome::kPassAfterRectification:  // never decided here
        break;
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
      // RULES.md §8: it reads as a pass; the failure stays in the history.
      SupersedeResult(c.decision_date, "passed its re-evaluation");
      PhaseResult& now = *decision_.next.result;
      now.outcome = Outcome::kPassAfterRectification;
      now.grade = Grade::kQualifiedAfterRectification;
      now.professional_passed = true;
      now.financial.passed = true;
      now.financial.reasons.clear();
      now.reasons.clear();
    } else {
      decision_.next.state = PhaseState::kFailed;
      decision_.next.failed_on = c.decision_date;
      FailForGood(c.decision_date, absl::StrCat("failed its re-evaluation on ",
                                                FormatDate(c.decision_date)));
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
    FailForGood(c.as_of,
                absl::StrCat("no rectification application by the deadline ",
                             FormatDate(*current_.rectification_deadline)));
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
    SupersedeResult(c.on, absl::StrCat("reopened for review: ", c.reason));
    next.state = PhaseState::kScored;
    next.result_date.reset();
    next.rectification_deadline.reset();
    next.application_date.reset();
    next.reevaluation_date.reset();
    next.failed_on.reset();
    ++next.reopen_count;
    UpdateProvisionalResult();
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

  absl::Status Submitted(const std::string& key, const std::string& principal) {
    Evaluation& next = decision_.next;
    ++next.submission_versions;
    Submitter& submitter = next.submitters[key];
    submitter.principal = principal;
    ++submitter.version;
    next.state =
        next.Missing().empty() ? PhaseState::kScored : PhaseState::kOpen;
    UpdateProvisionalResult();
    return absl::OkStatus();
  }

  // The result `e`'s submissions and confirmed veto findings give, with the
  // effect of every finding still pending. Precondition: nothing missing.
  absl::StatusOr<PhaseResult> ComputeResult(const Evaluation& e) const {
    absl::StatusOr<ProfessionalScore> s =
        ComputeProfessionalScore(policy_, e.served_villages, e.scores);
    if (!s.ok()) return s.status();
    PhaseInputs inputs;
    inputs.professional = *s;
    inputs.professional_rectifiable = e.professional_rectifiable;
    inputs.financial = *e.financial;
    std::vector<std::string> pending;
    for (const VetoFinding& v : e.vetoes) {
      if (v.status == VetoStatus::kConfirmed) {
        inputs.confirmed_vetoes.push_back({v.kind, v.code});
      } else if (v.status == VetoStatus::kRaised) {
        const VetoRule* rule = policy_.FindVeto(v.kind, v.code);
        const bool curable = rule != nullptr && rule->curable;
        pending.push_back(absl::StrCat(
            "veto finding ", v.id, " ", v.code, " awaits the bureau's ",
            "decision: confirmed, it fails the ",
            v.kind == VetoKind::kProfessional ? "professional" : "financial",
            " part", curable ? "" : " and the phase cannot be rectified"));
      }
    }
    PhaseResult result = DecidePhaseResult(policy_, inputs);
    result.pending = std::move(pending);
    return result;
  }

  // RULES.md §3: once every party is in, the result is shown provisionally.
  void UpdateProvisionalResult() {
    Evaluation& next = decision_.next;
    next.result.reset();
    if (!next.Missing().empty()) return;
    absl::StatusOr<PhaseResult> result = ComputeResult(next);
    if (result.ok()) next.result = *std::move(result);
  }

  // Moves the current result into the history (RULES.md §8), keeping a copy
  // as the current one for the caller to change.
  void SupersedeResult(Date on, std::string because) {
    Evaluation& next = decision_.next;
    if (!next.result || !next.result_date) return;
    PastResult past;
    past.result = *next.result;
    past.result.pending.clear();
    past.result_date = *next.result_date;
    past.superseded_on = on;
    past.superseded_because = std::move(because);
    next.history.push_back(std::move(past));
  }

  // A rectification that failed or lapsed: the result becomes a final
  // failure, the rectifiable one stays in the history.
  void FailForGood(Date on, const std::string& why) {
    SupersedeResult(on, why);
    PhaseResult& now = *decision_.next.result;
    now.outcome = Outcome::kFailFinal;
    now.reasons.push_back(why);
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

absl::StatusOr<Decision> DecidePhase(const Evaluation& current,
                                     const Command& command,
                                     const Policy& policy,
                                     const WorkingDayCalendar& calendar,
                                     const DecisionContext& context) {
  return Transition(current, policy, calendar, context).Run(command);
}

}  // namespace evald::scoring
