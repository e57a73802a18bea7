#include "scoring/phase.h"

#include "absl/strings/str_cat.h"

namespace evald::scoring {

const char* PhaseName(Phase phase) {
  return phase == Phase::kMidTerm ? "mid-term" : "final";
}

absl::StatusOr<Phase> ParsePhase(absl::string_view text) {
  if (text == "mid-term" || text == "midterm" || text == "mid") {
    return Phase::kMidTerm;
  }
  if (text == "final") return Phase::kFinal;
  return absl::InvalidArgumentError(absl::StrCat(
      "phase: \"", text, "\" is not a phase (want mid-term or final)"));
}

namespace {
constexpr struct {
  PhaseState state;
  const char* code;
} kStateCodes[] = {
    {PhaseState::kOpen, "OPEN"},
    {PhaseState::kScored, "SCORED"},
    {PhaseState::kPassed, "PASSED"},
    {PhaseState::kFailed, "FAILED"},
    {PhaseState::kRectifying, "RECTIFYING"},
    {PhaseState::kReevaluating, "REEVALUATING"},
    {PhaseState::kPassedAfterRectification, "PASSED_AFTER_RECTIFICATION"},
};
}  // namespace

const char* PhaseStateCode(PhaseState state) {
  for (const auto& entry : kStateCodes) {
    if (entry.state == state) return entry.code;
  }
  return "UNKNOWN";
}

absl::StatusOr<PhaseState> ParsePhaseState(absl::string_view code) {
  for (const auto& entry : kStateCodes) {
    if (code == entry.code) return entry.state;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("state: \"", code, "\" is not a phase state"));
}

bool IsFinalised(PhaseState state) {
  return state != PhaseState::kOpen && state != PhaseState::kScored;
}

const char* TrancheKindName(TrancheKind kind) {
  switch (kind) {
    case TrancheKind::kYearStart:
      return "year-start";
    case TrancheKind::kMidTerm:
      return "mid-term";
    case TrancheKind::kFinal:
      return "final";
  }
  return "unknown";
}

absl::StatusOr<TrancheKind> ParseTrancheKind(absl::string_view text) {
  if (text == "year-start") return TrancheKind::kYearStart;
  if (text == "mid-term") return TrancheKind::kMidTerm;
  if (text == "final") return TrancheKind::kFinal;
  return absl::InvalidArgumentError(
      absl::StrCat("tranche: \"", text,
                   "\" is not a tranche (want year-start, mid-term or final)"));
}

TrancheKind TrancheOf(Phase phase) {
  return phase == Phase::kMidTerm ? TrancheKind::kMidTerm : TrancheKind::kFinal;
}

}  // namespace evald::scoring
