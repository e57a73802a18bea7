// A project's contract as one state, and the one decision every command
// goes through (docs/design.md: "the path of one command").
//
//   Decide(state, command, policy, calendar)
//       -> the complete new version of every record the command changes
//          (the contract, its phases, its tranches) and what happened, or
//          an error value that names the reason.
//
// Decide is pure: it never reads a clock, a file or a store. Every date and
// every name it records is part of the command, so replaying the accepted
// commands of a project in order reproduces its state exactly (evalutl
// replay checks this).
//
// A command reads only what its rules need (ReadsOf): a score or a veto
// finding reads its own phase; a change of a phase's state or dates, and a
// release, read the whole contract, because they re-derive its tranches
// (RULES.md §7). The caller loads that much and says so in
// ContractState::whole.
//
// Errors: InvalidArgument (a field and the reason), NotFound (no such
// project, phase, tranche or veto finding), AlreadyExists (the project
// exists), FailedPrecondition (the state does not allow the command; the
// message names the state), Internal (the caller loaded less than ReadsOf
// asked for).

#ifndef EVALD_SCORING_CONTRACT_H_
#define EVALD_SCORING_CONTRACT_H_

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "scoring/calendar.h"
#include "scoring/date.h"
#include "scoring/decimal.h"
#include "scoring/evaluation.h"
#include "scoring/phase.h"
#include "scoring/policy.h"
#include "scoring/tranche.h"

namespace evald::scoring {

// The terms of one project (RULES.md §2): a township's station contract
// with a provider.
struct Contract {
  std::string project_id;
  std::string name;
  std::string township;
  std::string provider;
  std::vector<std::string> villages;  // every village the station serves
  Date start_date;
  int years = 0;
  Money annual_fund;
  std::string agency;  // the evaluation agency; "" until assigned
  std::string policy_id;
  // Some phase has FAILED: nothing further is due (RULES.md §7). Kept on
  // the contract so that a command reading only its own phase knows it.
  bool terminated = false;
};

ContractTerms TermsOf(const Contract& contract);

// How much of a contract a command reads before it decides.
enum class Reads {
  kContract,       // the contract alone
  kPhase,          // the contract and the phase the command names
  kWholeContract,  // the contract, every phase and every stored tranche
};

struct ContractState {
  std::optional<Contract> contract;  // absent: no such project (yet)
  // kPhase: the phase named; kWholeContract: every phase.
  std::vector<Evaluation> evaluations;
  // kWholeContract: every tranche as stored, with its release if any.
  std::vector<Tranche> tranches;
  // Whether evaluations and tranches are the whole contract.
  bool whole = false;
};

// --- Commands -------------------------------------------------------------

// The project's phases and tranches follow from its terms. `policy_id` is
// set by Decide to the policy it is decided under; `years` 0 means the
// policy's contract_years.
struct CreateContract {
  Contract contract;
};
struct AssignAgency {
  std::string agency;
};
// A command to one phase (evaluation.h).
struct OnPhase {
  int year = 0;  // calendar year the service year starts in
  Phase phase = Phase::kMidTerm;
  Command command;
};
// Finance records a tranche's payment (RULES.md §7).
struct ReleaseTranche {
  int year = 0;
  TrancheKind kind = TrancheKind::kYearStart;
  Release release;
};

// Finance corrects the reference or date of a recorded payment, with a
// reason: the tranche stays released once, and the correction is kept
// beside what it replaced. Absent fields keep their value.
struct CorrectRelease {
  int year = 0;
  TrancheKind kind = TrancheKind::kYearStart;
  std::optional<std::string> payment_reference;
  std::optional<Date> released_on;
  std::string reason;
  std::string corrected_by;
  Date corrected_on;
};

using ContractCommand = std::variant<CreateContract, AssignAgency, OnPhase,
                                     ReleaseTranche, CorrectRelease>;

Reads ReadsOf(const ContractCommand& command);

// --- The decision ---------------------------------------------------------

// A tranche the command changes: as stored before (absent when it is new)
// and as derived now.
struct TrancheChange {
  std::optional<Tranche> before;
  Tranche after;
};

struct ContractDecision {
  // The complete new records, each present only if the command changes it.
  std::optional<Contract> contract;
  std::vector<Evaluation> evaluations;
  std::vector<TrancheChange> tranches;
  // What the phase's rules did besides: the contract terminated, a result
  // withdrawn (evaluation.h). Money is in `tranches`.
  std::vector<Effect> effects;
  // A release repeated with the payment reference already recorded for the
  // tranche: nothing changes, and the reply is the tranche as it is.
  bool already_recorded = false;
};

absl::StatusOr<ContractDecision> Decide(const ContractState& state,
                                        const ContractCommand& command,
                                        const Policy& policy,
                                        const WorkingDayCalendar& calendar);

// --- Rules the decision uses, exposed for the property tests ---------------

// Whether the money that `phase` passing made payable has been paid: its own
// tranche and, for a final, the next year's year-start tranche (RULES.md §8:
// reopening is then refused).
bool ReleasedBecauseOf(const Evaluation& phase,
                       const std::vector<Tranche>& tranches);

// Of the released tranches, the one that became payable last, if any.
std::optional<DecisionContext::Released> LatestRelease(
    const std::string& project_id, const std::vector<Tranche>& tranches);

// Whether two versions of a tranche are alike in everything stored.
bool SameTranche(const Tranche& a, const Tranche& b);

}  // namespace evald::scoring

#endif  // EVALD_SCORING_CONTRACT_H_
