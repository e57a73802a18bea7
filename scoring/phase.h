// The vocabulary of evaluation phases, their states and the tranches they
// release (RULES.md §2, §7).

#ifndef EVALD_SCORING_PHASE_H_
#define EVALD_SCORING_PHASE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace evald::scoring {

// Each service year has a mid-term (中期) and a final (末期) evaluation.
enum class Phase { kMidTerm, kFinal };

// "mid-term", "final".
const char* PhaseName(Phase phase);

// Accepts "mid-term" / "midterm" / "mid" and "final"; anything else is
// InvalidArgument naming the field "phase".
absl::StatusOr<Phase> ParsePhase(absl::string_view text);

// The state of one phase (RULES.md §7 diagram).
enum class PhaseState {
  kOpen,          // parties still submitting
  kScored,        // every required submission is in
  kPassed,        // finalised: PASS
  kFailed,        // finalised or re-evaluated: FAIL, contract terminated
  kRectifying,    // FAIL, rectifiable: waiting for the provider's application
  kReevaluating,  // provider applied: waiting for the re-evaluation decision
  kPassedAfterRectification,
};

// "OPEN", "SCORED", "PASSED", "FAILED", "RECTIFYING", "REEVALUATING",
// "PASSED_AFTER_RECTIFICATION".
const char* PhaseStateCode(PhaseState state);
absl::StatusOr<PhaseState> ParsePhaseState(absl::string_view code);

// True once a result exists (finalised and not reopened).
bool IsFinalised(PhaseState state);

// The three tranches of a service year (RULES.md §7).
enum class TrancheKind { kYearStart, kMidTerm, kFinal };

// "year-start", "mid-term", "final".
const char* TrancheKindName(TrancheKind kind);
absl::StatusOr<TrancheKind> ParseTrancheKind(absl::string_view text);

// The tranche a phase's pass makes due.
TrancheKind TrancheOf(Phase phase);

}  // namespace evald::scoring

#endif  // EVALD_SCORING_PHASE_H_
