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
extern const char kCalendar2019[];
extern const char kCalendar2020[];
extern const char kCalendar2021[];
extern const char kCalendar2022[];
extern const char kCalendar2023[];
extern const char kCalendar2024[];
extern const char kCalendar2025[];
extern const char kCalendar2026[];
}  // namespace evald::embedded

namespace evald::scoring {
namespace {

bool IsWeekend(Date day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
}

// The facts of `year`, or nullptr when that year has no data file.
const YearCalendar* FindYear(const std::map<int, YearCalendar>& years,
                             int64_t year) {
  // CivilDay years are 64-bit; a narrowing cast could alias a far-off year
  // onto a covered one.
  if (year < std::numeric_limits<int>::min() ||
      year > std::numeric_limits<int>::max()) {
    return nullptr;
  }
  auto it = years.find(static_cast<int>(year));
  return it == years.end() ? nullptr : &it->second;
}

// Whether `day` is worked. Its facts are in its year's file, or -- for a
// December day -- in the next year's, whose notice may begin the New Year
// break early; without facts, weekdays are worked.
bool IsWorkingDayIn(const std::map<int, YearCalendar>& years, Date day) {
  for (const YearCalendar* year :
       {FindYear(years, day.year()),
        day.month() == 12 ? FindYear(years, day.year() + 1) : nullptr}) {
    if (year == nullptr) continue;
    if (year->holidays.count(day) > 0) return false;
    if (year->adjusted_workdays.count(day) > 0) return true;
  }
  return !IsWeekend(day);
}

// A day one file lists "off" and another "work" (the previous December).
absl::Status CheckAgainstNeighbours(const std::map<int, YearCalendar>& years,
                                    const YearCalendar& added) {
  for (const YearCalendar* other :
       {FindYear(years, added.year - 1), FindYear(years, added.year + 1)}) {
    if (other == nullptr) continue;
    for (auto [offs, works] :
         {std::pair{&added.holidays, &other->adjusted_workdays},
          std::pair{&other->holidays, &added.adjusted_workdays}}) {
      for (Date day : *offs) {
        if (works->count(day) > 0) {
          return absl::InvalidArgumentError(absl::StrCat(
              "calendar years ", added.year, " and ", other->year,
              " disagree on ", FormatDate(day), ": one says off, one work"));
        }
      }
    }
  }
  return absl::OkStatus();
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
      const bool previous_december =
          end.year() == calendar.year - 1 && end.month() == 12;
      if (end.year() != calendar.year && !previous_december) {
        return error("\"", keyword, "\" date ", FormatDate(end),
                     " is outside year ", calendar.year,
                     " (and its previous December)");
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
        {"2019.txt", embedded::kCalendar2019},
        {"2020.txt", embedded::kCalendar2020},
        {"2021.txt", embedded::kCalendar2021},
        {"2022.txt", embedded::kCalendar2022},
        {"2023.txt", embedded::kCalendar2023},
        {"2024.txt", embedded::kCalendar2024},
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
  if (years_.count(number) == 0) {
    if (absl::Status s = CheckAgainstNeighbours(years_, year); !s.ok()) {
      return s;
    }
  }
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
    if (absl::Status s = CheckAgainstNeighbours(calendar.years_, *year);
        !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": ", s.message()));
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
  return IsWorkingDayIn(years_, day);
}

// Steps day by day: n is a handful of weeks in practice (15 in RULES.md §7).
// A negative n breaks the contract; it counts nothing and answers `from`
// (not provisional) rather than crash a server over one bad input.
CalendarDate WorkingDayCalendar::AddWorkingDays(Date from, int n) const {
  CalendarDate result{from, false};
  for (int counted = 0; counted < n;) {
    ++result.date;
    if (FindYear(years_, result.date.year()) == nullptr) {
      result.provisional = true;
    }
    if (IsWorkingDayIn(years_, result.date)) ++counted;
  }
  return result;
}

}  // namespace evald::scoring
