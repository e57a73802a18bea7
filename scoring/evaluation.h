// The state machine of one evaluation phase (RULES.md §4, §6, §7, §8).
//
// An Evaluation is the whole current state of one phase of one service year
// of one project. Decide() is a pure transition function:
//
//   Decide(state, command, policy, calendar, context)
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
// Errors: InvalidArgument for a malformed command (field and reason named),
// NotFound for an unknown veto finding, FailedPrecondition for a command the
// current state does not allow (the message names the state).

#ifndef EVALD_SCORING_EVALUATION_H_
#define EVALD_SCORING_EVALUATION_H_

#include <cstdint>
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
  std::string decision_reason;  // the dismissal reason
};

struct Evaluation {
  std::string project_id;
  int year = 0;          // calendar year in which the service year starts
  int service_year = 0;  // 1-based year of the contract
  Phase phase = Phase::kMidTerm;
  std::vector<std::string> served_villages;
  std::string policy_id;

  PhaseState state = PhaseState::kOpen;
  ProfessionalScores scores;
  bool professional_rectifiable = false;  // the agency's mark
  std::optional<FinancialSubmission> financial;
  int64_t submission_versions = 0;  // every accepted submission counts one
  std::vector<VetoFinding> vetoes;

  std::optional<PhaseResult> result;
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
};

// A fresh OPEN evaluation.
Evaluation NewEvaluation(std::string project_id, int year, int service_year,
                         Phase phase, std::vector<std::string> served_villages,
                         std::string policy_id);

// --- Commands -------------------------------------------------------------

// A party's professional score; `village_id` is set only for kVillage.
// `rectifiable` is read only from the third party (RULES.md §6).
struct SubmitProfessional {
  Party party = Party::kThirdParty;
  std::string village_id;
  Score score;
  bool rectifiable = false;
};
struct SubmitFinancial {
  FinancialSubmission submission;
};
struct RaiseVeto {
  VetoKind kind = VetoKind::kProfessional;
  std::string code;
  std::string evidence;
  std::string raised_by;
};
struct ConfirmVeto {
  int64_t veto_id = 0;
};
struct DismissVeto {
  int64_t veto_id = 0;
  std::string reason;
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
};

enum class EffectKind {
  kTrancheDue,          // tranche of this phase due by `date`
  kTrancheWithheld,     // rectification opened; money withheld
  kContractTerminated,  // nothing further is due
  kResultWithdrawn,     // reopened: the previous result no longer stands
};

struct Effect {
  EffectKind kind = EffectKind::kTrancheDue;
  TrancheKind tranche = TrancheKind::kMidTerm;
  CalendarDate date;
  std::string description;  // for the audit log and the reply
};

struct Decision {
  Evaluation next;
  std::vector<Effect> effects;
};

absl::StatusOr<Decision> Decide(const Evaluation& current,
                                const Command& command, const Policy& policy,
                                const WorkingDayCalendar& calendar,
                                const DecisionContext& context);

}  // namespace evald::scoring

#endif  // EVALD_SCORING_EVALUATION_H_
