// Values people type into evalctl's flags and import files, checked before
// anything is sent: a malformed value is a usage error naming the flag (or
// column) and saying what to type.
//
// Enum flags take the words evalctl's JSON output uses (MID_TERM,
// YEAR_START, PASSED_AFTER_RECTIFICATION, ...), in any case and with '-'
// for '_' (mid-term, passed-after-rectification); tranche kinds also take
// the short words year-start, mid-term and final, and phases 中期 and 末期.
//
// Numbers: ASCII or full-width digits (８５ is 85); money may group its
// whole part in thousands with ',' (1,000,000.00, and only so).

#ifndef EVALD_CLIENT_FLAGS_H_
#define EVALD_CLIENT_FLAGS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "evaluation/v1/evaluation.pb.h"

namespace evald::client {

namespace v1 = ::evaluation::v1;

// Unsigned decimal text with at most two decimals, in hundredths:
// "85" -> 8500, "85.5" -> 8550. `what` names the flag or column in the
// message, e.g. `--score: "85.555" has more than two decimals`.
absl::StatusOr<int64_t> ParseHundredths(absl::string_view what,
                                        absl::string_view text);

// Yuan to fen, thousands separators allowed in groups of three:
// "2,600,000.00" -> 260000000; "1,000,00" is refused with what to type.
absl::StatusOr<int64_t> ParseYuan(absl::string_view what,
                                  absl::string_view text);

// A score as the server wants it ("85.50"), or InvalidArgument.
absl::StatusOr<std::string> ParseScore(absl::string_view what,
                                       absl::string_view text);

// Exactly YYYY-MM-DD naming a real day.
absl::StatusOr<std::string> ParseDate(absl::string_view what,
                                      absl::string_view text);

// "7d" or "7": a number of days, at least 0.
absl::StatusOr<int> ParseDays(absl::string_view what, absl::string_view text);

// `date` (YYYY-MM-DD) `days` later; today in China when `date` is empty.
absl::StatusOr<std::string> DaysAfter(absl::string_view what,
                                      absl::string_view date, int days);

absl::StatusOr<v1::Phase> ParsePhase(absl::string_view what,
                                     absl::string_view text);
absl::StatusOr<v1::TrancheKind> ParseTrancheKind(absl::string_view what,
                                                 absl::string_view text);
absl::StatusOr<v1::EvaluationState> ParseEvaluationState(
    absl::string_view what, absl::string_view text);
absl::StatusOr<v1::DisbursementState> ParseDisbursementState(
    absl::string_view what, absl::string_view text);
absl::StatusOr<v1::VetoKind> ParseVetoKind(absl::string_view what,
                                           absl::string_view text);

// Full-width digits, '．' and '，' to ASCII; anything else as is.
std::string NormalizeDigits(absl::string_view text);

}  // namespace evald::client

#endif  // EVALD_CLIENT_FLAGS_H_
