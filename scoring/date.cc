#include "scoring/date.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace evald::scoring {
namespace {

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return !s.empty();
}

}  // namespace

absl::StatusOr<Date> ParseDate(absl::string_view text) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("date \"", text, "\" ", why, " (want YYYY-MM-DD)"));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return invalid("is not in the form YYYY-MM-DD");
  }
  absl::string_view y = text.substr(0, 4), m = text.substr(5, 2),
                    d = text.substr(8, 2);
  if (!AllDigits(y) || !AllDigits(m) || !AllDigits(d)) {
    return invalid("has a non-digit where a digit belongs");
  }
  int year = 0, month = 0, day = 0;
  (void)absl::SimpleAtoi(y, &year);
  (void)absl::SimpleAtoi(m, &month);
  (void)absl::SimpleAtoi(d, &day);
  if (year < 1900) return invalid("is before 1900");
  Date date(year, month, day);
  // CivilDay normalises out-of-range fields (2025-02-30 -> 2025-03-02), so a
  // round trip tells whether the fields named a real day.
  if (date.year() != year || date.month() != month || date.day() != day) {
    return invalid("is not a day of the calendar");
  }
  return date;
}

std::string FormatDate(Date date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

}  // namespace evald::scoring
