// Conversions between scoring/'s domain types and the evaluation.v1
// messages, which are also the stored records (storage/keys.h). The one
// place where enum values and the text forms of scores, money and dates
// cross between the two.
//
// To a record: total. From a record: a record that does not parse into the
// domain -- an unknown enum value, a malformed date or score, a missing
// field the state needs -- is DataLoss naming the record, never a default
// (a tranche read as DUE that was RELEASED could be paid twice).

#ifndef EVALD_SERVER_CONVERT_H_
#define EVALD_SERVER_CONVERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "evaluation/v1/evaluation.pb.h"
#include "scoring/contract.h"
#include "scoring/evaluation.h"
#include "scoring/tranche.h"

namespace evald::server {

namespace v1 = ::evaluation::v1;

// --- Enums (convert_enums.cc) ---------------------------------------------
// FromProto of a value outside the enum (or UNSPECIFIED) is InvalidArgument
// "7 is not a valid value (want ...)"; the caller names the field.

v1::Phase ToProto(scoring::Phase phase);
absl::StatusOr<scoring::Phase> FromProto(v1::Phase phase);
v1::EvaluationState ToProto(scoring::PhaseState state);
absl::StatusOr<scoring::PhaseState> FromProto(v1::EvaluationState state);
v1::Grade ToProto(scoring::Grade grade);
absl::StatusOr<scoring::Grade> FromProto(v1::Grade grade);
v1::Outcome ToProto(scoring::Outcome outcome);
absl::StatusOr<scoring::Outcome> FromProto(v1::Outcome outcome);
v1::VetoKind ToProto(scoring::VetoKind kind);
absl::StatusOr<scoring::VetoKind> FromProto(v1::VetoKind kind);
v1::VetoStatus ToProto(scoring::VetoStatus status);
absl::StatusOr<scoring::VetoStatus> FromProto(v1::VetoStatus status);
v1::TrancheKind ToProto(scoring::TrancheKind kind);
absl::StatusOr<scoring::TrancheKind> FromProto(v1::TrancheKind kind);
v1::DisbursementState ToProto(scoring::TrancheState state);
absl::StatusOr<scoring::TrancheState> FromProto(v1::DisbursementState state);

// --- Resource names (convert_enums.cc) -------------------------------------

// "projects/P1"
std::string ProjectName(absl::string_view project);
// "projects/P1/years/2025/phases/mid-term"
std::string EvaluationName(absl::string_view project, int year,
                           scoring::Phase phase);
// "projects/P1/years/2025/tranches/year-start"
std::string TrancheName(absl::string_view project, int year,
                        scoring::TrancheKind kind);

// --- Records (convert_records.cc) ------------------------------------------

v1::Project ToProto(const scoring::Contract& contract);
absl::StatusOr<scoring::Contract> FromRecord(const v1::Project& record);

// The phase's record; the township comes from its contract. Read-time
// fields (as_of, window_open, deadline_passed, days_*) are left unset.
v1::Evaluation ToProto(const scoring::Evaluation& e,
                       const scoring::Contract& contract);
// served_villages is left empty: it belongs to the contract.
absl::StatusOr<scoring::Evaluation> FromRecord(const v1::Evaluation& record);

// The tranche's record; `overdue` (read-time) is left unset.
v1::Disbursement ToProto(const scoring::Tranche& t,
                         const scoring::Contract& contract);
absl::StatusOr<scoring::Tranche> FromRecord(const v1::Disbursement& record);

}  // namespace evald::server

#endif  // EVALD_SERVER_CONVERT_H_
