#include "scoring/contract.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/overloaded.h"

namespace evald::scoring {
namespace {

bool OptionalDatesEqual(const std::optional<Date>& a,
                        const std::optional<Date>& b) {
  return a == b;
}

// The releases recorded in the stored tranches.
std::map<TrancheKey, Release> ReleasesOf(const std::vector<Tranche>& stored) {
  std::map<TrancheKey, Release> releases;
  for (const Tranche& t : stored) {
    if (t.state == TrancheState::kReleased && t.release) {
      releases[{t.service_year, t.kind}] = *t.release;
    }
  }
  return releases;
}

// Every derived tranche that differs from its stored record.
std::vector<TrancheChange> ChangedTranches(
    const std::vector<Tranche>& stored, const std::vector<Tranche>& derived) {
  std::map<TrancheKey, const Tranche*> by_key;
  for (const Tranche& t : stored) by_key[{t.service_year, t.kind}] = &t;
  std::vector<TrancheChange> out;
  for (const Tranche& t : derived) {
    auto it = by_key.find({t.service_year, t.kind});
    if (it == by_key.end()) {
      out.push_back({std::nullopt, t});
    } else if (!SameTranche(*it->second, t)) {
      out.push_back({*it->second, t});
    }
  }
  return out;
}

class ContractDecider {
 public:
  ContractDecider(const ContractState& state, const Policy& policy,
                  const WorkingDayCalendar& calendar)
      : state_(state), policy_(policy), calendar_(calendar) {}

  absl::StatusOr<ContractDecision> operator()(const CreateContract& c) {
    if (state_.contract) {
      return absl::AlreadyExistsError(absl::StrCat(
          "project ", state_.contract->project_id, " already exists"));
    }
    Contract contract = c.contract;
    if (contract.years == 0) contract.years = policy_.contract_years;
    if (absl::Status s = CheckTerms(contract); !s.ok()) return s;
    contract.policy_id = policy_.id;
    contract.terminated = false;
    ContractDecision out;
    for (int k = 1; k <= contract.years; ++k) {
      const Date start = ServiceYearStart(contract.start_date, k);
      for (Phase phase : {Phase::kMidTerm, Phase::kFinal}) {
        out.evaluations.push_back(
            NewEvaluation(contract.project_id, static_cast<int>(start.year()),
                          k, phase, contract.villages, policy_.id,
                          PhaseOpensOn(policy_, start, phase)));
      }
    }
    for (Tranche& t : DeriveTranches(TermsOf(contract), policy_, calendar_,
                                     out.evaluations, {})) {
      out.tranches.push_back({std::nullopt, std::move(t)});
    }
    out.contract = std::move(contract);
    return out;
  }

  absl::StatusOr<ContractDecision> operator()(const AssignAgency& c) {
    if (!state_.contract) return absl::InternalError("no contract loaded");
    ContractDecision out;
    out.contract = *state_.contract;
    out.contract->agency = c.agency;
    return out;
  }

  absl::StatusOr<ContractDecision> operator()(const OnPhase& c) {
    const Contract& contract = *state_.contract;
    auto current =
        std::find_if(state_.evaluations.begin(), state_.evaluations.end(),
                     [&](const Evaluation& e) {
                       return e.year == c.year && e.phase == c.phase;
                     });
    if (current == state_.evaluations.end()) {
      return absl::NotFoundError(absl::StrCat("project ", contract.project_id,
                                              " has no ", PhaseName(c.phase),
                                              " evaluation in year ", c.year));
    }
    Evaluation before = *current;
    // The served villages are the contract's; phases do not repeat them.
    before.served_villages = contract.villages;

    DecisionContext context;
    context.contract_terminated = contract.terminated;
    if (state_.whole) {
      context.tranche_released = ReleasedBecauseOf(before, state_.tranches);
      context.latest_release =
          LatestRelease(contract.project_id, state_.tranches);
    }
    absl::StatusOr<Decision> phase =
        DecidePhase(before, c.command, policy_, calendar_, context);
    if (!phase.ok()) return phase.status();

    ContractDecision out;
    out.effects = std::move(phase->effects);
    if (!SameTrancheInputs(before, phase->next)) {
      if (!state_.whole) {
        return absl::InternalError(absl::StrCat(
            CommandName(c.command), " on ", before.Name(),
            " changed what the tranches depend on, but the whole contract "
            "was not loaded"));
      }
      std::vector<Evaluation> evaluations = state_.evaluations;
      for (Evaluation& e : evaluations) {
        if (e.year == c.year && e.phase == c.phase) e = phase->next;
      }
      out.tranches = ChangedTranches(
          state_.tranches,
          DeriveTranches(TermsOf(contract), policy_, calendar_, evaluations,
                         ReleasesOf(state_.tranches)));
      const bool terminated = ContractTerminated(evaluations);
      if (terminated != contract.terminated) {
        out.contract = contract;
        out.contract->terminated = terminated;
      }
    }
    out.evaluations.push_back(std::move(phase->next));
    return out;
  }

  absl::StatusOr<ContractDecision> operator()(const ReleaseTranche& c) {
    const Contract& contract = *state_.contract;
    std::vector<Tranche> derived;
    absl::StatusOr<Tranche*> found = Derived(c.year, c.kind, derived);
    if (!found.ok()) return found.status();
    Tranche* it = *found;
    if (it->state == TrancheState::kReleased && it->release &&
        it->release->payment_reference == c.release.payment_reference) {
      // The natural key of a payment is (tranche, reference): the same
      // payment recorded again is the same fact.
      ContractDecision out;
      out.already_recorded = true;
      return out;
    }
    if (absl::Status s =
            CheckReleasable(*it, contract.project_id, c.release.released_on);
        !s.ok()) {
      return s;
    }
    it->state = TrancheState::kReleased;
    it->release = c.release;
    ContractDecision out;
    // Also refreshes any other tranche whose derived state moved (e.g. a new
    // calendar file changed a deadline).
    out.tranches = ChangedTranches(state_.tranches, derived);
    return out;
  }

  absl::StatusOr<ContractDecision> operator()(const CorrectRelease& c) {
    const Contract& contract = *state_.contract;
    std::vector<Tranche> derived;
    absl::StatusOr<Tranche*> found = Derived(c.year, c.kind, derived);
    if (!found.ok()) return found.status();
    Tranche* it = *found;
    const std::string label = TrancheLabel(contract.project_id, *it);
    if (it->state != TrancheState::kReleased || !it->release) {
      return absl::FailedPreconditionError(
          absl::StrCat("tranche ", label, " is ", TrancheStateCode(it->state),
                       ": only a released tranche's payment can be corrected"));
    }
    Release& release = *it->release;
    const std::string reference =
        c.payment_reference.value_or(release.payment_reference);
    const Date released_on = c.released_on.value_or(release.released_on);
    if (reference == release.payment_reference &&
        released_on == release.released_on) {
      return absl::InvalidArgumentError(absl::StrCat(
          "payment_reference, released_on: tranche ", label,
          " is already recorded as paid on ", FormatDate(release.released_on),
          " under ", release.payment_reference, "; nothing to correct"));
    }
    if (it->payable_from && released_on < *it->payable_from) {
      return absl::InvalidArgumentError(absl::StrCat(
          "released_on: ", FormatDate(released_on), " is before tranche ",
          label, " became payable on ", FormatDate(*it->payable_from)));
    }
    release.corrections.push_back(
        ReleaseCorrection{release.payment_reference, release.released_on,
                          c.reason, c.corrected_by, c.corrected_on});
    release.payment_reference = reference;
    release.released_on = released_on;
    ContractDecision out;
    out.tranches = ChangedTranches(state_.tranches, derived);
    return out;
  }

 private:
  // Every tranche of the contract derived afresh into `derived` (a release
  // and its correction re-derive them all, RULES.md §7), and the one of
  // `year` and `kind` in it.
  absl::StatusOr<Tranche*> Derived(int year, TrancheKind kind,
                                   std::vector<Tranche>& derived) const {
    const Contract& contract = *state_.contract;
    if (!state_.whole) {
      return absl::InternalError("a payment needs the whole contract");
    }
    derived = DeriveTranches(TermsOf(contract), policy_, calendar_,
                             state_.evaluations, ReleasesOf(state_.tranches));
    auto it = std::find_if(
        derived.begin(), derived.end(),
        [&](const Tranche& t) { return t.year == year && t.kind == kind; });
    if (it == derived.end()) {
      return absl::NotFoundError(absl::StrCat("project ", contract.project_id,
                                              " has no ", TrancheKindName(kind),
                                              " tranche in year ", year));
    }
    return &*it;
  }

  absl::Status CheckTerms(const Contract& c) const {
    if (c.villages.empty()) {
      return absl::InvalidArgumentError(
          "villages: a project serves at least one village");
    }
    std::set<std::string> seen;
    for (const std::string& v : c.villages) {
      if (!seen.insert(v).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("villages: \"", v, "\" is listed twice"));
      }
    }
    if (c.years < 1 || c.years > 20) {
      return absl::InvalidArgumentError(
          absl::StrCat("years: ", c.years, " is not in [1, 20]"));
    }
    if (c.annual_fund.fen() <= 0) {
      return absl::InvalidArgumentError("annual_fund_fen: must be positive");
    }
    if (c.start_date < policy_.earliest_start ||
        policy_.latest_start < c.start_date) {
      return absl::InvalidArgumentError(
          absl::StrCat("start_date: ", FormatDate(c.start_date), " is outside ",
                       FormatDate(policy_.earliest_start), " .. ",
                       FormatDate(policy_.latest_start),
                       ", the range of policy ", policy_.id));
    }
    return absl::OkStatus();
  }

  const ContractState& state_;
  const Policy& policy_;
  const WorkingDayCalendar& calendar_;
};

}  // namespace

ContractTerms TermsOf(const Contract& contract) {
  return {contract.project_id, contract.start_date, contract.years,
          contract.annual_fund};
}

Reads ReadsOf(const ContractCommand& command) {
  return std::visit(
      Overloaded{
          [](const CreateContract&) { return Reads::kContract; },
          [](const AssignAgency&) { return Reads::kContract; },
          [](const ReleaseTranche&) { return Reads::kWholeContract; },
          [](const CorrectRelease&) { return Reads::kWholeContract; },
          [](const OnPhase& c) {
            // Scores, financial data and veto findings never change what
            // the tranches depend on (SameTrancheInputs); everything else
            // may, and reopening and finalising ask about released money.
            const bool phase_only =
                std::holds_alternative<SubmitProfessional>(c.command) ||
                std::holds_alternative<SubmitFinancial>(c.command) ||
                std::holds_alternative<RaiseVeto>(c.command) ||
                std::holds_alternative<ConfirmVeto>(c.command) ||
                std::holds_alternative<DismissVeto>(c.command);
            return phase_only ? Reads::kPhase : Reads::kWholeContract;
          },
      },
      command);
}

absl::StatusOr<ContractDecision> Decide(const ContractState& state,
                                        const ContractCommand& command,
                                        const Policy& policy,
                                        const WorkingDayCalendar& calendar) {
  const bool creates = std::holds_alternative<CreateContract>(command);
  if (!creates && !state.contract) {
    return absl::InternalError("no contract loaded");
  }
  if (!creates && state.contract->policy_id != policy.id) {
    // A contract is decided under the policy it was made under, always.
    return absl::FailedPreconditionError(absl::StrCat(
        "project ", state.contract->project_id, " is under policy ",
        state.contract->policy_id, ", not ", policy.id));
  }
  if (ReadsOf(command) == Reads::kWholeContract && !state.whole) {
    return absl::InternalError("the command needs the whole contract");
  }
  return std::visit(ContractDecider(state, policy, calendar), command);
}

bool ReleasedBecauseOf(const Evaluation& phase,
                       const std::vector<Tranche>& tranches) {
  for (const Tranche& t : tranches) {
    if (t.state != TrancheState::kReleased) continue;
    const bool own = t.service_year == phase.service_year &&
                     t.kind == TrancheOf(phase.phase);
    const bool next_year_start = phase.phase == Phase::kFinal &&
                                 t.service_year == phase.service_year + 1 &&
                                 t.kind == TrancheKind::kYearStart;
    if (own || next_year_start) return true;
  }
  return false;
}

std::optional<DecisionContext::Released> LatestRelease(
    const std::string& project_id, const std::vector<Tranche>& tranches) {
  std::optional<DecisionContext::Released> latest;
  for (const Tranche& t : tranches) {
    if (t.state != TrancheState::kReleased || !t.payable_from || !t.release) {
      continue;
    }
    if (!latest || latest->payable_from < *t.payable_from) {
      latest = DecisionContext::Released{TrancheLabel(project_id, t),
                                         *t.payable_from,
                                         t.release->payment_reference};
    }
  }
  return latest;
}

bool SameTranche(const Tranche& a, const Tranche& b) {
  auto same_due = [](const std::optional<CalendarDate>& x,
                     const std::optional<CalendarDate>& y) {
    return x.has_value() == y.has_value() &&
           (!x || (x->date == y->date && x->provisional == y->provisional));
  };
  auto same_release = [](const std::optional<Release>& x,
                         const std::optional<Release>& y) {
    return x.has_value() == y.has_value() &&
           (!x || (x->payment_reference == y->payment_reference &&
                   x->released_on == y->released_on &&
                   x->released_by == y->released_by &&
                   x->corrections == y->corrections));
  };
  auto same_hold = [](const std::optional<Hold>& x,
                      const std::optional<Hold>& y) {
    return x.has_value() == y.has_value() &&
           (!x || (x->evaluation == y->evaluation && x->reason == y->reason));
  };
  return a.service_year == b.service_year && a.year == b.year &&
         a.kind == b.kind && a.amount == b.amount && a.state == b.state &&
         OptionalDatesEqual(a.payable_from, b.payable_from) &&
         same_due(a.due, b.due) && same_release(a.release, b.release) &&
         same_hold(a.hold, b.hold);
}

}  // namespace evald::scoring
