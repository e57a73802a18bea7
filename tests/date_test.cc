// Tests of strict date parsing (RULES.md §7: every deadline is a calendar
// date; a date is always an input, never read from a clock).

#include "scoring/date.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evald::scoring {
namespace {

using ::testing::HasSubstr;

TEST(DateRule7, ParsesRealDays) {
  const struct {
    const char* text;
    int y, m, d;
  } kCases[] = {
      {"2026-02-14", 2026, 2, 14},   // adjusted working Saturday
      {"2026-02-28", 2026, 2, 28},   // adjusted working Saturday
      {"2024-02-29", 2024, 2, 29},   // leap year
      {"2000-02-29", 2000, 2, 29},   // divisible by 400: leap
      {"1900-01-01", 1900, 1, 1},    // lowest year accepted
      {"9999-12-31", 9999, 12, 31},  // highest year
      {"2025-12-31", 2025, 12, 31},  // last day of a year
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<Date> date = ParseDate(c.text);
    ASSERT_TRUE(date.ok()) << date.status();
    EXPECT_EQ(*date, Date(c.y, c.m, c.d));
    EXPECT_EQ(FormatDate(*date), c.text);  // round trip
  }
}

TEST(DateRule7, RejectsAnythingButYYYYMMDD) {
  const struct {
    const char* text;
    const char* reason;
  } kCases[] = {
      {"2025-02-30", "is not a day of the calendar"},
      {"2025-02-29", "is not a day of the calendar"},  // 2025 is common
      {"1900-02-29", "is not a day of the calendar"},  // 1900 is common
      {"2025-13-01", "is not a day of the calendar"},
      {"2025-00-10", "is not a day of the calendar"},
      {"2025-01-00", "is not a day of the calendar"},
      {"2025-04-31", "is not a day of the calendar"},
      {"2025-01-32", "is not a day of the calendar"},
      {"1899-12-31", "is before 1900"},
      {"0000-01-01", "is before 1900"},
      {"2025-1-1", "is not in the form YYYY-MM-DD"},
      {"2025-01-1", "is not in the form YYYY-MM-DD"},
      {"2025/01/01", "is not in the form YYYY-MM-DD"},
      {"20250101", "is not in the form YYYY-MM-DD"},
      {" 2025-01-01", "is not in the form YYYY-MM-DD"},
      {"2025-01-01 ", "is not in the form YYYY-MM-DD"},
      {"2025-01-01T00:00", "is not in the form YYYY-MM-DD"},
      {"", "is not in the form YYYY-MM-DD"},
      {"2025-0a-01", "has a non-digit where a digit belongs"},
      {"+025-01-01", "has a non-digit where a digit belongs"},
      {"2025-+1-01", "has a non-digit where a digit belongs"},
      {"2025- 1-01", "has a non-digit where a digit belongs"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<Date> date = ParseDate(c.text);
    ASSERT_FALSE(date.ok()) << FormatDate(*date);
    EXPECT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument);
    // The message quotes the text and says why.
    EXPECT_THAT(date.status().message(),
                HasSubstr(std::string("date \"") + c.text + "\""));
    EXPECT_THAT(date.status().message(), HasSubstr(c.reason));
  }
}

TEST(DateRule7, FormatPadsEveryField) {
  EXPECT_EQ(FormatDate(Date(1900, 1, 5)), "1900-01-05");
  EXPECT_EQ(FormatDate(Date(2026, 10, 7)), "2026-10-07");
}

}  // namespace
}  // namespace evald::scoring
