// Conversions between scoring/'s domain types and the evaluation.v1 wire
// (and storage) messages. The one place where enum values and text forms of
// scores, money and dates cross between the two.

#ifndef EVALD_SERVER_CONVERT_H_
#define EVALD_SERVER_CONVERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "evaluation/v1/evaluation.pb.h"
#include "scoring/evaluation.h"
#include "scoring/tranche.h"

namespace evald::server {

namespace v1 = ::evaluation::v1;

v1::Phase ToProto(scoring::Phase phase);
scoring::Phase FromProto(v1::Phase phase);  // precondition: not UNSPECIFIED
v1::EvaluationState ToProto(scoring::PhaseState state);
absl::StatusOr<scoring::PhaseState> FromProto(v1::EvaluationState state);
v1::Grade ToProto(scoring::Grade grade);
v1::Outcome ToProto(scoring::Outcome outcome);
v1::VetoKind ToProto(scoring::VetoKind kind);
v1::TrancheKind ToProto(scoring::TrancheKind kind);
absl::StatusOr<scoring::TrancheKind> FromProto(v1::TrancheKind kind);
v1::DisbursementState ToProto(scoring::TrancheState state);

// "projects/P1/years/2025/phases/mid-term"
std::string EvaluationName(absl::string_view project, int year,
                           scoring::Phase phase);
// "projects/P1/years/2025/tranches/year-start"
std::string TrancheName(absl::string_view project, int year,
                        scoring::TrancheKind kind);

// The domain state to its record. Per-party metadata (submitted_by,
// version) is copied from `previous` where the party's score is present;
// the caller updates the submitting party's.
v1::Evaluation ToProto(const scoring::Evaluation& e,
                       const v1::Evaluation& previous);

// A stored record back to the domain state. DataLoss if it is malformed.
// served_villages is left empty: it belongs to the project.
absl::StatusOr<scoring::Evaluation> FromProto(const v1::Evaluation& e);

// A derived tranche to its record.
v1::Disbursement ToProto(const scoring::Tranche& t, const v1::Project& project);

// The release recorded in a stored tranche, if it was released.
absl::StatusOr<std::optional<scoring::Release>> ReleaseOf(
    const v1::Disbursement& d);

}  // namespace evald::server

#endif  // EVALD_SERVER_CONVERT_H_
