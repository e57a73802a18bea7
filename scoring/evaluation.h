// The state machine of one evaluation phase (RULES.md §4, §6, §7, §8).
//
// An Evaluation is the whole current state of one phase of one service year
// of one project. DecidePhase() is a pure transition function:
//
//   DecidePhase(state, command, policy, calendar, context)
//       -> the new state + its effects (tranches due, withheld, contract
//          terminated), or an error value that names the reason.
//
// It never reads a clock or a file: every date is part of the command, so
// replaying the audit log reproduces every state exactly.
//
//   OPEN ─all parties in─► SCORED ─Finalise─► PASSED
//                                    ├──────► FAILED (not rectifiable)
//                                    └──────► RECTIFYING ─Apply─► REEVALUATING
//   RECTIFYING ─ExpireRectification─► FAILED
//   REEVALUATING ─Decide pass─► PASSED_AFTER_RECTIFICATION | ─fail─► FAILED
//   any finalised state ─Reopen (复核)─► SCORED (unless its tranche is paid)
//
// As soon as every party has submitted (SCORED) the evaluation carries its
// result, provisional (RULES.md §3): finalising fixes it. A result that no
// longer stands -- withdrawn by a reopening, or the failure that a
// rectification then passed or failed for good -- moves to `history`
// (RULES.md §8).
//
// Errors: InvalidArgument for a malformed command (field and reason named),
// NotFound for an unknown veto finding, FailedPrecondition for a command the
// current state does not allow (the message names the state).

#ifndef EVALD_SCORING_EVALUATION_H_
#define EVALD_SCORING_EVALUATION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "scoring/calendar.h"
#include "scoring/date.h"
#include "scoring/financial.h"
#include "scoring/phase.h"
#include "scoring/phase_result.h"
#include "scoring/policy.h"
#include "scoring/professional_score.h"

namespace evald::scoring {

enum class VetoStatus { kRaised, kConfirmed, kDismissed };

// "RAISED", "CONFIRMED", "DISMISSED".
const char* VetoStatusCode(VetoStatus status);

// A one-vote-veto finding (RULES.md §4): it counts only once the bureau
// confirms it; the bureau may dismiss it with a reason.
struct VetoFinding {
  int64_t id = 0;  // 1, 2, ... within the evaluation
  VetoKind kind = VetoKind::kProfessional;
  std::string code;
  std::string evidence;
  std::string raised_by;  // principal name
  VetoStatus status = VetoStatus::kRaised;
  std::string decided_by;       // the bureau principal that decided it
  std::string decision_reason;  // the dismissal reason
};

// Who sent a party's current submission, and how many it has sent
// (RULES.md §8: a party may replace its own submission before
// finalisation; every version counts).
struct Submitter {
  std::string principal;
  int version = 0;
};

// A result that no longer stands (RULES.md §8).
struct PastResult {
  PhaseResult result;
  Date result_date;
  // The day it stopped standing, and why ("reopened for review: ...",
  // "passed its re-evaluation", "failed its re-evaluation", ...).
  Date superseded_on;
  std::string superseded_because;
};

struct Evaluation {
  std::string project_id;
  int year = 0;          // calendar year in which the service year starts
  int service_year = 0;  // 1-based year of the contract
  Phase phase = Phase::kMidTerm;
  std::vector<std::string> served_villages;
  std::string policy_id;

  // The day the phase's evaluation opens (RULES.md §3): no party is late
  // before it. Unset only in records made before it was kept.
  std::optional<Date> opens_on;

  PhaseState state = PhaseState::kOpen;
  ProfessionalScores scores;
  bool professional_rectifiable = false;  // the agency's mark
  std::optional<FinancialSubmission> financial;
  int64_t submission_versions = 0;  // every accepted submission counts one
  // Keyed by SubmissionKey: "third_party", "township", "bureau",
  // "village:V1", "financial".
  std::map<std::string, Submitter> submitters;
  std::vector<VetoFinding> vetoes;

  // The current result: provisional while SCORED, fixed once finalised.
  std::optional<PhaseResult> result;
  std::vector<PastResult> history;  // oldest first
  std::optional<Date> result_date;
  std::optional<Date> rectification_deadline;
  std::optional<Date> application_date;
  std::optional<Date> reevaluation_date;
  // The day the phase FAILED (result, re-evaluation or expiry date): the
  // contract's termination date.
  std::optional<Date> failed_on;
  int reopen_count = 0;

  // "P1/2025/mid-term": how messages name this evaluation.
  std::string Name() const;

  // The parties (and "financial") that have not submitted yet.
  std::vector<std::string> Missing() const;

  // The day the phase passed: the result date for PASSED, the re-evaluation
  // date for PASSED_AFTER_RECTIFICATION; nullopt otherwise.
  std::optional<Date> PassedOn() const;

  // Whether `result` is provisional: computed, not yet finalised.
  bool ResultIsProvisional() const {
    return result.has_value() && !IsFinalised(state);
  }
};

// The key of a party's submission in Evaluation::submitters.
std::string SubmissionKey(Party party, absl::string_view village_id);
inline constexpr char kFinancialSubmissionKey[] = "financial";

// The day a phase's evaluation opens: the policy's months after the start
// of its service year (a day past the end of the month is its last day).
Date PhaseOpensOn(const Policy& policy, Date service_year_start, Phase phase);

// A fresh OPEN evaluation.
Evaluation NewEvaluation(std::string project_id, int year, int service_year,
                         Phase phase, std::vector<std::string> served_villages,
                         std::string policy_id,
                         std::optional<Date> opens_on = std::nullopt);

// --- Commands -------------------------------------------------------------

// A party's professional score; `village_id` is set only for kVillage.
// `rectifiable` is read only from the third party (RULES.md §6).
struct SubmitProfessional {
  Party party = Party::kThirdParty;
  std::string village_id;
  Score score;
  bool rectifiable = false;
  std::string submitted_by;  // principal name
};
struct SubmitFinancial {
  FinancialSubmission submission;
  std::string submitted_by;
};
struct RaiseVeto {
  VetoKind kind = VetoKind::kProfessional;
  std::string code;
  std::string evidence;
  std::string raised_by;
};
struct ConfirmVeto {
  int64_t veto_id = 0;
  std::string decided_by;
};
struct DismissVeto {
  int64_t veto_id = 0;
  std::string reason;
  std::string decided_by;
};
struct Finalise {
  Date result_date;  // the official result date
};
struct ApplyRectification {
  Date application_date;
};
struct DecideReevaluation {
  bool passed = false;
  Date decision_date;
};
// The provider did not apply in time; `as_of` must be after the deadline.
struct ExpireRectification {
  Date as_of;
};
struct Reopen {
  std::string reason;
  Date on;  // the day of the reopening: when the old result stopped standing
};

using Command =
    std::variant<SubmitProfessional, SubmitFinancial, RaiseVeto, ConfirmVeto,
                 DismissVeto, Finalise, ApplyRectification, DecideReevaluation,
                 ExpireRectification, Reopen>;

// A short stable name for audit events: "professional.submitted", ...
const char* CommandName(const Command& command);

// Facts about the rest of the contract that the phase's rules depend on.
struct DecisionContext {
  // Some phase of the contract has FAILED: nothing more may happen except
  // the bureau reopening that failed phase.
  bool contract_terminated = false;
  // This phase's tranche, or a tranche paid because this phase passed (the
  // next year's year-start tranche after a final), has been released:
  // reopening is refused.
  bool tranche_released = false;
  // Of the contract's released tranches, the one that became payable last.
  // A failing result dated before that day would end the contract before
  // money it has already paid became payable (RULES.md §7: no money past an
  // unresolved rectification), so finalising it is refused.
  struct Released {
    std::string name;  // "P1/2025/final"
    Date payable_from;
    std::string payment_reference;
  };
  std::optional<Released> latest_release;
};

// What a phase's rules did besides changing the phase. Money is not here:
// what a phase's state and dates make due, withheld or held is derived by
// DeriveTranches (tranche.h), the one place that computes it.
enum class EffectKind {
  kContractTerminated,  // nothing further is due
  kResultWithdrawn,     // reopened: the previous result no longer stands
};

struct Effect {
  EffectKind kind = EffectKind::kContractTerminated;
  TrancheKind tranche = TrancheKind::kMidTerm;
  CalendarDate date;
  std::string description;  // for the audit log and the reply
};

struct Decision {
  Evaluation next;
  std::vector<Effect> effects;
};

absl::StatusOr<Decision> DecidePhase(const Evaluation& current,
                                     const Command& command,
                                     const Policy& policy,
                                     const WorkingDayCalendar& calendar,
                                     const DecisionContext& context);

}  // namespace evald::scoring

#endif  // EVALD_SCORING_EVALUATION_H_
