// Calendar dates as the rules use them: whole days, no time zone.
//
// Every date in the service (contract start, official result date, the
// provider's application date, "as of" for overdue) is an absl::CivilDay.
// scoring/ never reads a clock: dates are always inputs.

#ifndef EVALD_SCORING_DATE_H_
#define EVALD_SCORING_DATE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace evald::scoring {

using Date = absl::CivilDay;

// Parses exactly "YYYY-MM-DD" (four-digit year 1900..9999, two-digit month
// and day) naming a real day. Anything else, including "2025-02-30" and
// "2025-1-1", is InvalidArgument with a message that says why.
absl::StatusOr<Date> ParseDate(absl::string_view text);

// Formats as "YYYY-MM-DD".
std::string FormatDate(Date date);

}  // namespace evald::scoring

#endif  // EVALD_SCORING_DATE_H_
