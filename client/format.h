// How evalctl shows values to people: money in yuan with thousands
// separators, enum values by their short lower-case names.

#ifndef EVALD_CLIENT_FORMAT_H_
#define EVALD_CLIENT_FORMAT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "evaluation/v1/evaluation.pb.h"

namespace evald::client {

namespace v1 = ::evaluation::v1;

// 260000000 -> "2,600,000.00".
std::string Yuan(int64_t fen);

// Parses yuan text ("2600000.00", thousands separators allowed) into fen.
// InvalidArgument naming --`flag`.
absl::StatusOr<int64_t> ParseYuanFlag(absl::string_view flag,
                                      absl::string_view text);

std::string PhaseName(v1::Phase phase);  // "mid-term", "final"
absl::StatusOr<v1::Phase> ParsePhaseFlag(absl::string_view text);
std::string TrancheName(v1::TrancheKind kind);  // "year-start", ...
absl::StatusOr<v1::TrancheKind> ParseTrancheFlag(absl::string_view text);
absl::StatusOr<v1::EvaluationState> ParseStateFlag(absl::string_view text);
absl::StatusOr<v1::DisbursementState> ParseDisbursementStateFlag(
    absl::string_view text);

// "GOOD 良好".
std::string GradeText(v1::Grade grade);

}  // namespace evald::client

#endif  // EVALD_CLIENT_FORMAT_H_
