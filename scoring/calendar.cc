#include "scoring/calendar.h"

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"

// The shipped data/calendars/*.txt, embedded by the build
// (cmake/EmbedText.cmake) so a fresh install needs no data directory.
namespace evald::embedded {
extern const char kCalendar2025[];
extern const char kCalendar2026[];
}  // namespace evald::embedded

namespace evald::scoring {
namespace {

bool IsWeekend(Date day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
}

// The facts for `day`'s year, or nullptr when that year has no data file.
const YearCalendar* FindYear(const std::map<int, YearCalendar>& years,
                             Date day) {
  // CivilDay years are 64-bit; a narrowing cast could alias a far-off year
  // onto a covered one.
  if (day.year() < std::numeric_limits<int>::min() ||
      day.year() > std::numeric_limits<int>::max()) {
    return nullptr;
  }
  auto it = years.find(static_cast<int>(day.year()));
  return it == years.end() ? nullptr : &it->second;
}

// Whether `day` is worked given its year's facts (nullptr: weekdays only).
bool IsWorkingDayIn(const YearCalendar* year, Date day) {
  if (year != nullptr) {
    if (year->holidays.count(day) > 0) return false;
    if (year->adjusted_workdays.count(day) > 0) return true;
  }
  return !IsWeekend(day);
}

}  // namespace

// Decisions the header leaves open:
//  - After the date (or range) the rest of an "off"/"work" line is a free
//    name for people and is not checked.
//  - Listing a day "off" (or "work") twice, e.g. overlapping ranges, is
//    accepted: the fact is the same either way. A day both "off" and "work"
//    is an error, naming both lines.
//  - A "work" day must be a Saturday or Sunday: a weekday is worked anyway, so
//    such a line can only be a typo for some other date.
//  - A leading UTF-8 byte order mark is skipped (editors on Windows add one).
absl::StatusOr<YearCalendar> ParseYearCalendar(absl::string_view text) {
  absl::ConsumePrefix(&text, "\xEF\xBB\xBF");
  YearCalendar calendar;
  bool have_year = false;
  // The line each day was listed on, to name both when "off" meets "work".
  std::map<Date, int> off_line, work_line;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    auto error = [line_number](const auto&... parts) {
      return absl::InvalidArgumentError(
          absl::StrCat("calendar line ", line_number, ": ", parts...));
    };
    line = line.substr(0, line.find('#'));
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    const absl::string_view keyword = fields[0];

    if (keyword == "year") {
      if (have_year) return error("\"year\" appears twice");
      int year = 0;
      if (fields.size() != 2 || !absl::SimpleAtoi(fields[1], &year) ||
          year < 1900 || year > 9999) {
        return error("\"year\" wants one year 1900..9999");
      }
      calendar.year = year;
      have_year = true;
      continue;
    }
    if (keyword != "off" && keyword != "work") {
      return error("unknown keyword \"", keyword,
                   "\" (want year, off or work)");
    }
    if (!have_year) return error("\"", keyword, "\" before the \"year\" line");
    if (fields.size() < 2) return error("\"", keyword, "\" without a date");

    // The date field is "YYYY-MM-DD" or an inclusive "YYYY-MM-DD..YYYY-MM-DD".
    absl::string_view first_text = fields[1], last_text = fields[1];
    if (size_t dots = fields[1].find(".."); dots != absl::string_view::npos) {
      first_text = fields[1].substr(0, dots);
      last_text = fields[1].substr(dots + 2);
    }
    absl::StatusOr<Date> first = ParseDate(first_text);
    if (!first.ok()) return error(first.status().message());
    absl::StatusOr<Date> last = ParseDate(last_text);
    if (!last.ok()) return error(last.status().message());
    if (*last < *first) {
      return error("range ", fields[1], " ends before it starts");
    }
    for (Date end : {*first, *last}) {
      if (end.year() != calendar.year) {
        return error("\"", keyword, "\" date ", FormatDate(end),
                     " is outside year ", calendar.year);
      }
    }

    const bool off = keyword == "off";
    std::map<Date, int>& same = off ? off_line : work_line;
    const std::map<Date, int>& other = off ? work_line : off_line;
    for (Date day = *first; day <= *last; ++day) {
      if (auto it = other.find(day); it != other.end()) {
        return error(FormatDate(day),
                     " is both \"off\" and \"work\" (also line ", it->second,
                     ")");
      }
      if (!off && !IsWeekend(day)) {
        return error("\"work\" date ", FormatDate(day),
                     " is a weekday, which is worked anyway");
      }
      same.emplace(day, line_number);
      (off ? calendar.holidays : calendar.adjusted_workdays).insert(day);
    }
  }
  if (!have_year) {
    return absl::InvalidArgumentError("calendar: no \"year\" line");
  }
  return calendar;
}

const WorkingDayCalendar& WorkingDayCalendar::BuiltIn() {
  // Never destroyed, so it stays valid during static destruction.
  static const WorkingDayCalendar* const kBuiltIn = [] {
    auto* calendar = new WorkingDayCalendar;
    const std::pair<const char*, const char*> files[] = {
        {"2025.txt", embedded::kCalendar2025},
        {"2026.txt", embedded::kCalendar2026},
    };
    for (const auto& [name, text] : files) {
      absl::StatusOr<YearCalendar> year = ParseYearCalendar(text);
      absl::Status status =
          year.ok() ? calendar->AddYear(*std::move(year)) : year.status();
      if (!status.ok()) {
        // The data is built into the binary, so this is a build defect that
        // no caller could handle.
        std::fprintf(stderr, "evald: built-in calendar %s is invalid: %s\n",
                     name, status.ToString().c_str());
        std::abort();
      }
    }
    return calendar;
  }();
  return *kBuiltIn;
}

absl::Status WorkingDayCalendar::AddYear(YearCalendar year) {
  const int number = year.year;
  if (!years_.try_emplace(number, std::move(year)).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("calendar year ", number, " is already loaded"));
  }
  return absl::OkStatus();
}

// Two files for one year are InvalidArgument (a bad directory), naming both.
absl::StatusOr<WorkingDayCalendar> WorkingDayCalendar::FromFiles(
    const std::map<std::string, std::string>& texts) {
  WorkingDayCalendar calendar;
  std::map<int, std::string> source;  // year -> file name
  for (const auto& [name, text] : texts) {
    if (!absl::EndsWith(name, ".txt")) continue;
    absl::StatusOr<YearCalendar> year = ParseYearCalendar(text);
    if (!year.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": ", year.status().message()));
    }
    auto [it, inserted] = source.try_emplace(year->year, name);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ": year ", year->year, " is also in ", it->second));
    }
    calendar.years_.try_emplace(year->year, *std::move(year));
  }
  return calendar;
}

bool WorkingDayCalendar::Covers(int year) const {
  return years_.count(year) > 0;
}

std::vector<int> WorkingDayCalendar::CoveredYears() const {
  std::vector<int> years;
  for (const auto& [year, facts] : years_) years.push_back(year);
  return years;
}

bool WorkingDayCalendar::IsWorkingDay(Date day) const {
  return IsWorkingDayIn(FindYear(years_, day), day);
}

// Steps day by day: n is a handful of weeks in practice (15 in RULES.md §7).
// A negative n breaks the contract; it counts nothing and answers `from`
// (not provisional) rather than crash a server over one bad input.
CalendarDate WorkingDayCalendar::AddWorkingDays(Date from, int n) const {
  CalendarDate result{from, false};
  for (int counted = 0; counted < n;) {
    ++result.date;
    const YearCalendar* year = FindYear(years_, result.date);
    if (year == nullptr) result.provisional = true;
    if (IsWorkingDayIn(year, result.date)) ++counted;
  }
  return result;
}

}  // namespace evald::scoring
