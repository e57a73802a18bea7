// Enum values and resource names between scoring/ and evaluation.v1.
// Each mapping is one table read both ways, so the two directions cannot
// disagree.

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/convert.h"

namespace evald::server {
namespace {

template <typename Domain, typename Wire, size_t N>
Wire ToWire(const std::pair<Domain, Wire> (&table)[N], Domain value,
            Wire unspecified) {
  for (const auto& [domain, wire] : table) {
    if (domain == value) return wire;
  }
  return unspecified;
}

template <typename Domain, typename Wire, size_t N>
absl::StatusOr<Domain> ToDomain(const std::pair<Domain, Wire> (&table)[N],
                                Wire value, absl::string_view want) {
  for (const auto& [domain, wire] : table) {
    if (wire == value) return domain;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(value, " is not a valid value (want ", want, ")"));
}

using scoring::Grade;
using scoring::Outcome;
using scoring::Phase;
using scoring::PhaseState;
using scoring::TrancheKind;
using scoring::TrancheState;
using scoring::VetoKind;
using scoring::VetoStatus;

constexpr std::pair<Phase, v1::Phase> kPhases[] = {
    {Phase::kMidTerm, v1::MID_TERM},
    {Phase::kFinal, v1::FINAL},
};

constexpr std::pair<PhaseState, v1::EvaluationState> kStates[] = {
    {PhaseState::kOpen, v1::OPEN},
    {PhaseState::kScored, v1::SCORED},
    {PhaseState::kPassed, v1::PASSED},
    {PhaseState::kFailed, v1::FAILED},
    {PhaseState::kRectifying, v1::RECTIFYING},
    {PhaseState::kReevaluating, v1::REEVALUATING},
    {PhaseState::kPassedAfterRectification, v1::PASSED_AFTER_RECTIFICATION},
};

constexpr std::pair<Grade, v1::Grade> kGrades[] = {
    {Grade::kExcellent, v1::EXCELLENT},
    {Grade::kGood, v1::GOOD},
    {Grade::kQualified, v1::QUALIFIED},
    {Grade::kUnqualified, v1::UNQUALIFIED},
    {Grade::kQualifiedAfterRectification, v1::QUALIFIED_AFTER_RECTIFICATION},
};

constexpr std::pair<Outcome, v1::Outcome> kOutcomes[] = {
    {Outcome::kPass, v1::PASS},
    {Outcome::kFailRectifiable, v1::FAIL_RECTIFIABLE},
    {Outcome::kFailFinal, v1::FAIL_FINAL},
    {Outcome::kPassAfterRectification, v1::PASS_AFTER_RECTIFICATION},
};

constexpr std::pair<VetoKind, v1::VetoKind> kVetoKinds[] = {
    {VetoKind::kProfessional, v1::PROFESSIONAL},
    {VetoKind::kFinancial, v1::FINANCIAL},
};

constexpr std::pair<VetoStatus, v1::VetoStatus> kVetoStatuses[] = {
    {VetoStatus::kRaised, v1::RAISED},
    {VetoStatus::kConfirmed, v1::CONFIRMED},
    {VetoStatus::kDismissed, v1::DISMISSED},
};

constexpr std::pair<TrancheKind, v1::TrancheKind> kTrancheKinds[] = {
    {TrancheKind::kYearStart, v1::YEAR_START},
    {TrancheKind::kMidTerm, v1::MID_TERM_TRANCHE},
    {TrancheKind::kFinal, v1::FINAL_TRANCHE},
};

constexpr std::pair<TrancheState, v1::DisbursementState> kTrancheStates[] = {
    {TrancheState::kPending, v1::PENDING},
    {TrancheState::kDue, v1::DUE},
    {TrancheState::kWithheld, v1::WITHHELD},
    {TrancheState::kReleased, v1::RELEASED},
    {TrancheState::kForfeited, v1::FORFEITED},
    {TrancheState::kHeld, v1::HELD},
};

}  // namespace

v1::Phase ToProto(Phase phase) {
  return ToWire(kPhases, phase, v1::PHASE_UNSPECIFIED);
}
absl::StatusOr<Phase> FromProto(v1::Phase phase) {
  return ToDomain(kPhases, phase, "MID_TERM or FINAL");
}

v1::EvaluationState ToProto(PhaseState state) {
  return ToWire(kStates, state, v1::EVALUATION_STATE_UNSPECIFIED);
}
absl::StatusOr<PhaseState> FromProto(v1::EvaluationState state) {
  return ToDomain(kStates, state, "an evaluation state");
}

v1::Grade ToProto(Grade grade) {
  return ToWire(kGrades, grade, v1::GRADE_UNSPECIFIED);
}
absl::StatusOr<Grade> FromProto(v1::Grade grade) {
  return ToDomain(kGrades, grade, "a grade");
}

v1::Outcome ToProto(Outcome outcome) {
  return ToWire(kOutcomes, outcome, v1::OUTCOME_UNSPECIFIED);
}
absl::StatusOr<Outcome> FromProto(v1::Outcome outcome) {
  return ToDomain(kOutcomes, outcome, "an outcome");
}

v1::VetoKind ToProto(VetoKind kind) {
  return ToWire(kVetoKinds, kind, v1::VETO_KIND_UNSPECIFIED);
}
absl::StatusOr<VetoKind> FromProto(v1::VetoKind kind) {
  return ToDomain(kVetoKinds, kind, "PROFESSIONAL or FINANCIAL");
}

v1::VetoStatus ToProto(VetoStatus status) {
  return ToWire(kVetoStatuses, status, v1::VETO_STATUS_UNSPECIFIED);
}
absl::StatusOr<VetoStatus> FromProto(v1::VetoStatus status) {
  return ToDomain(kVetoStatuses, status, "a veto status");
}

v1::TrancheKind ToProto(TrancheKind kind) {
  return ToWire(kTrancheKinds, kind, v1::TRANCHE_KIND_UNSPECIFIED);
}
absl::StatusOr<TrancheKind> FromProto(v1::TrancheKind kind) {
  return ToDomain(kTrancheKinds, kind,
                  "YEAR_START, MID_TERM_TRANCHE or FINAL_TRANCHE");
}

v1::DisbursementState ToProto(TrancheState state) {
  return ToWire(kTrancheStates, state, v1::DISBURSEMENT_STATE_UNSPECIFIED);
}
absl::StatusOr<TrancheState> FromProto(v1::DisbursementState state) {
  return ToDomain(kTrancheStates, state, "a tranche state");
}

std::string ProjectName(absl::string_view project) {
  return absl::StrCat("projects/", project);
}

std::string EvaluationName(absl::string_view project, int year, Phase phase) {
  return absl::StrCat("projects/", project, "/years/", year, "/phases/",
                      scoring::PhaseName(phase));
}

std::string TrancheName(absl::string_view project, int year, TrancheKind kind) {
  return absl::StrCat("projects/", project, "/years/", year, "/tranches/",
                      scoring::TrancheKindName(kind));
}

}  // namespace evald::server
