// Request-field validation: each failure is InvalidArgument naming the
// field and the reason, so that a caller can fix the request at once.

#ifndef EVALD_SERVER_VALIDATE_H_
#define EVALD_SERVER_VALIDATE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "evaluation/v1/evaluation.pb.h"
#include "scoring/date.h"
#include "scoring/decimal.h"

namespace evald::server {

// Ids that appear in resource names and keys: 1-64 of [A-Za-z0-9_-].
absl::Status ValidateId(absl::string_view field, absl::string_view value);

// 1-128 printable ASCII characters.
absl::Status ValidateRequestId(absl::string_view value);

// Whether a free-text field may hold line breaks (evidence and reasons may;
// names and references may not).
enum class Lines { kOne, kMany };

// Non-empty free text of at most `max_bytes` bytes of valid UTF-8 without
// anything that could act on a terminal or reorder what it shows: no C0 or
// C1 control characters (but for '\n' and '\t' in kMany fields), no DEL,
// and no bidirectional overrides or isolates (U+202A..U+202E,
// U+2066..U+2069). InvalidArgument names the field and the character.
absl::Status ValidateText(absl::string_view field, absl::string_view value,
                          size_t max_bytes, Lines lines = Lines::kOne);

absl::StatusOr<scoring::Date> ParseDateField(absl::string_view field,
                                             absl::string_view value);

// The date, or `fallback` when the field is empty.
absl::StatusOr<scoring::Date> ParseDateOr(absl::string_view field,
                                          absl::string_view value,
                                          scoring::Date fallback);

absl::StatusOr<scoring::Money> MoneyField(absl::string_view field, int64_t fen);

// project_id, year and phase of an evaluation reference.
absl::Status ValidateRef(const evaluation::v1::EvaluationRef& ref);

}  // namespace evald::server

#endif  // EVALD_SERVER_VALIDATE_H_
