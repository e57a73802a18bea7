// The mainland-China working-day calendar (RULES.md §7, calendars.md).
//
// A working day is a weekday that is not a public holiday, or an adjusted
// working weekend day (调休上班) of the State Council's yearly notice. The
// facts come from one data file per year; years without a file are computed
// on weekdays alone and every answer touching them is marked provisional.
//
// Calendar file format (UTF-8 text, one fact per line; '#' starts a comment):
//
//   year 2025
//   off  2025-01-28..2025-02-04  春节 Spring Festival
//   off  2025-01-01              元旦 New Year
//   work 2025-01-26              春节调休
//
// "year" must come first and appear once; every date must lie in that year
// or in the previous December (a notice may begin the New Year break there,
// as the 2019 one did on 2018-12-30); ranges are inclusive; "off" days must
// not fall on "work" days, also across two files. Anything else is
// InvalidArgument naming the line number and the reason. A December day's
// facts may thus come from its own year's file or the next one's; it stays
// provisional while its own year has no file.
//
// Thread-safety: a const WorkingDayCalendar may be shared between threads.

#ifndef EVALD_SCORING_CALENDAR_H_
#define EVALD_SCORING_CALENDAR_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scoring/date.h"

namespace evald::scoring {

// The facts of one calendar year.
struct YearCalendar {
  int year = 0;
  std::set<Date> holidays;           // "off" days (any day of the week)
  std::set<Date> adjusted_workdays;  // "work" days (weekends worked)
};

// Parses one year's calendar file (format above).
absl::StatusOr<YearCalendar> ParseYearCalendar(absl::string_view text);

// A date together with whether it was computed over a year the calendar does
// not cover (weekdays only), in which case it may move once the year's
// notice is published.
struct CalendarDate {
  Date date;
  bool provisional = false;
};

class WorkingDayCalendar {
 public:
  // An empty calendar: every year provisional, weekdays only.
  WorkingDayCalendar() = default;

  // The calendar built into the binary: 2019 to 2026.
  static const WorkingDayCalendar& BuiltIn();

  // Adds one year's facts. AlreadyExists if that year is present.
  absl::Status AddYear(YearCalendar year);

  // Loads every "*.txt" of `texts` (name -> contents) as year files.
  // Used by the server to load a calendar directory.
  static absl::StatusOr<WorkingDayCalendar> FromFiles(
      const std::map<std::string, std::string>& texts);

  // Whether `year` has a data file.
  bool Covers(int year) const;

  // The years that have a data file, ascending.
  std::vector<int> CoveredYears() const;

  // Whether `day` is a working day; provisional when its year is not covered.
  bool IsWorkingDay(Date day) const;

  // The n-th working day after `from` ("within n working days from D":
  // D itself is not counted, RULES.md §7). n must be >= 0; n == 0 returns
  // `from`. Provisional when any day examined lies in an uncovered year.
  CalendarDate AddWorkingDays(Date from, int n) const;

 private:
  std::map<int, YearCalendar> years_;
};

}  // namespace evald::scoring

#endif  // EVALD_SCORING_CALENDAR_H_
