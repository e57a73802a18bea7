// Tests of the working-day calendar (RULES.md §7, calendars.md). Every
// expected date below was counted by hand against a real calendar; the
// comments list the days counted.

#include "scoring/calendar.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/date.h"

namespace evald::scoring {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Date D(int y, int m, int d) { return Date(y, m, d); }

// The facts of calendars.md, restated independently of the data files.
struct Facts {
  std::vector<std::pair<Date, Date>> off;  // inclusive ranges
  std::vector<Date> work;
};

Facts Facts2025() {
  return {{{D(2025, 1, 1), D(2025, 1, 1)},
           {D(2025, 1, 28), D(2025, 2, 4)},
           {D(2025, 4, 4), D(2025, 4, 6)},
           {D(2025, 5, 1), D(2025, 5, 5)},
           {D(2025, 5, 31), D(2025, 6, 2)},
           {D(2025, 10, 1), D(2025, 10, 8)}},
          {D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28),
           D(2025, 10, 11)}};
}

Facts Facts2026() {
  return {{{D(2026, 1, 1), D(2026, 1, 3)},
           {D(2026, 2, 15), D(2026, 2, 23)},
           {D(2026, 4, 4), D(2026, 4, 6)},
           {D(2026, 5, 1), D(2026, 5, 5)},
           {D(2026, 6, 19), D(2026, 6, 21)},
           {D(2026, 9, 25), D(2026, 9, 27)},
           {D(2026, 10, 1), D(2026, 10, 7)}},
          {D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9),
           D(2026, 9, 20), D(2026, 10, 10)}};
}

// calendars.md's historic years. A year's New Year break may begin in the
// previous December (2019, 2023, 2024): the notice of that year sets it.
Facts Facts2019() {
  return {
      {{D(2018, 12, 30), D(2019, 1, 1)},
       {D(2019, 2, 4), D(2019, 2, 10)},
       {D(2019, 4, 5), D(2019, 4, 7)},
       {D(2019, 5, 1), D(2019, 5, 4)},  // as amended (国办发明电〔2019〕3号)
       {D(2019, 6, 7), D(2019, 6, 9)},
       {D(2019, 9, 13), D(2019, 9, 15)},
       {D(2019, 10, 1), D(2019, 10, 7)}},
      {D(2018, 12, 29), D(2019, 2, 2), D(2019, 2, 3), D(2019, 4, 28),
       D(2019, 5, 5), D(2019, 9, 29), D(2019, 10, 12)}};
}

Facts Facts2020() {
  return {{{D(2020, 1, 1), D(2020, 1, 1)},
           {D(2020, 1, 24), D(2020, 2, 2)},  // as extended (〔2020〕1号)
           {D(2020, 4, 4), D(2020, 4, 6)},
           {D(2020, 5, 1), D(2020, 5, 5)},
           {D(2020, 6, 25), D(2020, 6, 27)},
           {D(2020, 10, 1), D(2020, 10, 8)}},
          {D(2020, 1, 19), D(2020, 4, 26), D(2020, 5, 9), D(2020, 6, 28),
           D(2020, 9, 27), D(2020, 10, 10)}};
}

Facts Facts2021() {
  return {{{D(2021, 1, 1), D(2021, 1, 3)},
           {D(2021, 2, 11), D(2021, 2, 17)},
           {D(2021, 4, 3), D(2021, 4, 5)},
           {D(2021, 5, 1), D(2021, 5, 5)},
           {D(2021, 6, 12), D(2021, 6, 14)},
           {D(2021, 9, 19), D(2021, 9, 21)},
           {D(2021, 10, 1), D(2021, 10, 7)}},
          {D(2021, 2, 7), D(2021, 2, 20), D(2021, 4, 25), D(2021, 5, 8),
           D(2021, 9, 18), D(2021, 9, 26), D(2021, 10, 9)}};
}

Facts Facts2022() {
  return {{{D(2022, 1, 1), D(2022, 1, 3)},
           {D(2022, 1, 31), D(2022, 2, 6)},
           {D(2022, 4, 3), D(2022, 4, 5)},
           {D(2022, 4, 30), D(2022, 5, 4)},
           {D(2022, 6, 3), D(2022, 6, 5)},
           {D(2022, 9, 10), D(2022, 9, 12)},
           {D(2022, 10, 1), D(2022, 10, 7)}},
          {D(2022, 1, 29), D(2022, 1, 30), D(2022, 4, 2), D(2022, 4, 24),
           D(2022, 5, 7), D(2022, 10, 8), D(2022, 10, 9)}};
}

Facts Facts2023() {
  return {{{D(2022, 12, 31), D(2023, 1, 2)},
           {D(2023, 1, 21), D(2023, 1, 27)},
           {D(2023, 4, 5), D(2023, 4, 5)},
           {D(2023, 4, 29), D(2023, 5, 3)},
           {D(2023, 6, 22), D(2023, 6, 24)},
           {D(2023, 9, 29), D(2023, 10, 6)}},
          {D(2023, 1, 28), D(2023, 1, 29), D(2023, 4, 23), D(2023, 5, 6),
           D(2023, 6, 25), D(2023, 10, 7), D(2023, 10, 8)}};
}

Facts Facts2024() {
  return {{{D(2023, 12, 30), D(2024, 1, 1)},
           {D(2024, 2, 10), D(2024, 2, 17)},
           {D(2024, 4, 4), D(2024, 4, 6)},
           {D(2024, 5, 1), D(2024, 5, 5)},
           {D(2024, 6, 8), D(2024, 6, 10)},
           {D(2024, 9, 15), D(2024, 9, 17)},
           {D(2024, 10, 1), D(2024, 10, 7)}},
          {D(2024, 2, 4), D(2024, 2, 18), D(2024, 4, 7), D(2024, 4, 28),
           D(2024, 5, 11), D(2024, 9, 14), D(2024, 9, 29), D(2024, 10, 12)}};
}

std::vector<Facts> AllFacts() {
  return {Facts2019(), Facts2020(), Facts2021(), Facts2022(),
          Facts2023(), Facts2024(), Facts2025(), Facts2026()};
}

bool IsWeekend(Date day) {
  absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

// --- The built-in data ----------------------------------------------------

TEST(WorkingDayCalendarBuiltIn, Covers2019To2026Only) {
  const WorkingDayCalendar& calendar = WorkingDayCalendar::BuiltIn();
  EXPECT_THAT(calendar.CoveredYears(),
              ElementsAre(2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026));
  EXPECT_FALSE(calendar.Covers(2018));
  EXPECT_FALSE(calendar.Covers(2027));
  EXPECT_EQ(&calendar, &WorkingDayCalendar::BuiltIn());  // parsed once
}

TEST(WorkingDayCalendarBuiltIn, EveryHolidayIsOff) {
  const WorkingDayCalendar& calendar = WorkingDayCalendar::BuiltIn();
  for (const Facts& facts : AllFacts()) {
    for (const auto& [first, last] : facts.off) {
      for (Date day = first; day <= last; ++day) {
        EXPECT_FALSE(calendar.IsWorkingDay(day)) << FormatDate(day);
      }
    }
  }
}

TEST(WorkingDayCalendarBuiltIn, EveryAdjustedWeekendIsWorked) {
  const WorkingDayCalendar& calendar = WorkingDayCalendar::BuiltIn();
  for (const Facts& facts : AllFacts()) {
    for (Date day : facts.work) {
      EXPECT_TRUE(IsWeekend(day)) << FormatDate(day);
      EXPECT_TRUE(calendar.IsWorkingDay(day)) << FormatDate(day);
    }
  }
}

// Every day of 2019..2026: nothing is off or worked beyond calendars.md.
TEST(WorkingDayCalendarBuiltIn, EveryDayMatchesTheNotices) {
  const WorkingDayCalendar& calendar = WorkingDayCalendar::BuiltIn();
  const std::vector<Facts> all = AllFacts();
  for (Date day = D(2019, 1, 1); day <= D(2026, 12, 31); ++day) {
    bool off = false, work = false;
    for (const Facts& facts : all) {
      for (const auto& [first, last] : facts.off) {
        off = off || (first <= day && day <= last);
      }
      for (Date w : facts.work) work = work || w == day;
    }
    ASSERT_FALSE(off && work) << FormatDate(day);
    EXPECT_EQ(calendar.IsWorkingDay(day), work || (!off && !IsWeekend(day)))
        << FormatDate(day);
  }
}

// The 2019 notice begins the New Year break in December 2018: those days
// count as stated, but 2018 has no calendar, so a count over them stays
// provisional.
TEST(WorkingDayCalendarBuiltIn, PreviousDecemberFactsApplyButStayProvisional) {
  const WorkingDayCalendar& calendar = WorkingDayCalendar::BuiltIn();
  EXPECT_TRUE(calendar.IsWorkingDay(D(2018, 12, 29)));   // Sat, worked
  EXPECT_FALSE(calendar.IsWorkingDay(D(2018, 12, 31)));  // Mon, off
  EXPECT_TRUE(calendar.IsWorkingDay(D(2018, 12, 28)));   // Fri
  // From Fri 2018-12-28: Sat 12-29 (1); 12-30..01-01 off; Wed 01-02 (2).
  const CalendarDate two = calendar.AddWorkingDays(D(2018, 12, 28), 2);
  EXPECT_EQ(two.date, D(2019, 1, 2));
  EXPECT_TRUE(two.provisional);
  // Counting from 2019-01-01 on touches only covered days.
  EXPECT_FALSE(calendar.AddWorkingDays(D(2019, 1, 1), 1).provisional);
}

TEST(WorkingDayCalendarBuiltIn, OrdinaryWeekendsAreNotWorked) {
  const WorkingDayCalendar& calendar = WorkingDayCalendar::BuiltIn();
  EXPECT_FALSE(calendar.IsWorkingDay(D(2025, 3, 8)));   // Sat
  EXPECT_FALSE(calendar.IsWorkingDay(D(2025, 3, 9)));   // Sun
  EXPECT_FALSE(calendar.IsWorkingDay(D(2026, 7, 11)));  // Sat
  EXPECT_FALSE(calendar.IsWorkingDay(D(2026, 7, 12)));  // Sun
  EXPECT_TRUE(calendar.IsWorkingDay(D(2025, 3, 10)));   // Mon
  EXPECT_TRUE(calendar.IsWorkingDay(D(2026, 7, 10)));   // Fri
}

// --- Counting "within N working days from D" (RULES.md §7) ---------------

// One count of 15 working days per historic year, across its Spring
// Festival and at least one adjusted working weekend day. The days counted
// are listed.
TEST(WorkingDaysRule7, HistoricYearsCrossTheirSpringFestivalAndAWorkWeekend) {
  const struct {
    Date from, due;
    const char* counted;
  } kCases[] = {
      {D(2019, 1, 28), D(2019, 2, 21),
       "01-29 30 31, 02-01, Sat 02-02 and Sun 02-03 worked, 02-04..10 off, "
       "02-11..15, 02-18 19 20 21"},
      {D(2020, 1, 17), D(2020, 2, 14),
       "Sun 01-19 worked, 01-20..23, 01-24..02-02 off (extended; the Sat "
       "02-01 work day fell inside), 02-03..07, 02-10..14"},
      {D(2021, 2, 5), D(2021, 3, 3),
       "Sun 02-07 worked, 02-08 09 10, 02-11..17 off, 02-18 19, Sat 02-20 "
       "worked, 02-22..26, 03-01 02 03"},
      {D(2022, 1, 26), D(2022, 2, 21),
       "01-27 28, Sat 01-29 and Sun 01-30 worked, 01-31..02-06 off, "
       "02-07..11, 02-14..18, 02-21"},
      {D(2023, 1, 18), D(2023, 2, 13),
       "01-19 20, 01-21..27 off, Sat 01-28 and Sun 01-29 worked, 01-30 31, "
       "02-01 02 03, 02-06..10, 02-13"},
      {D(2024, 2, 2), D(2024, 2, 28),
       "Sun 02-04 worked, 02-05..09, 02-10..17 off, Sun 02-18 worked, "
       "02-19..23, 02-26 27 28"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(FormatDate(c.from));
    const CalendarDate due =
        WorkingDayCalendar::BuiltIn().AddWorkingDays(c.from, 15);
    EXPECT_EQ(due.date, c.due) << c.counted;
    EXPECT_FALSE(due.provisional);
  }
}

// The two amended notices: 2019's Labour Day grew to four days with two
// Sundays worked; 2020's Spring Festival was extended to 2 February.
TEST(WorkingDaysRule7, AmendedNoticesOf2019And2020) {
  const WorkingDayCalendar& calendar = WorkingDayCalendar::BuiltIn();
  for (Date off : {D(2019, 5, 2), D(2019, 5, 3), D(2020, 1, 31), D(2020, 2, 1),
                   D(2020, 2, 2)}) {
    EXPECT_FALSE(calendar.IsWorkingDay(off)) << FormatDate(off);
  }
  EXPECT_TRUE(calendar.IsWorkingDay(D(2019, 4, 28)));  // Sun
  EXPECT_TRUE(calendar.IsWorkingDay(D(2019, 5, 5)));   // Sun
}

TEST(WorkingDaysRule7, ZeroDaysIsTheDayItself) {
  const WorkingDayCalendar& calendar = WorkingDayCalendar::BuiltIn();
  for (Date day : {D(2025, 3, 7), D(2026, 2, 15), D(2027, 6, 1)}) {
    CalendarDate result = calendar.AddWorkingDays(day, 0);
    EXPECT_EQ(result.date, day);
    EXPECT_FALSE(result.provisional);
  }
}

TEST(WorkingDaysRule7, NegativeCountAnswersTheDayItself) {
  CalendarDate result =
      WorkingDayCalendar::BuiltIn().AddWorkingDays(D(2025, 3, 7), -3);
  EXPECT_EQ(result.date, D(2025, 3, 7));
}

TEST(WorkingDaysRule7, DayItselfIsNotCountedFromFriday) {
  // 2025-03-07 is a Friday; the first working day after it is Monday 03-10.
  CalendarDate result =
      WorkingDayCalendar::BuiltIn().AddWorkingDays(D(2025, 3, 7), 1);
  EXPECT_EQ(result.date, D(2025, 3, 10));
  EXPECT_FALSE(result.provisional);
}

TEST(WorkingDaysRule7, DayItselfIsNotCountedEvenIfWorked) {
  // From Monday 2025-03-10 (a working day), one working day is Tue 03-11.
  EXPECT_EQ(
      WorkingDayCalendar::BuiltIn().AddWorkingDays(D(2025, 3, 10), 1).date,
      D(2025, 3, 11));
}

TEST(WorkingDaysRule7, FifteenWorkingDaysAcrossSpringFestival2026) {
  // From Mon 2026-02-09:
  //   1 Tue 02-10, 2 Wed 02-11, 3 Thu 02-12, 4 Fri 02-13, 5 Sat 02-14 (调休),
  //   02-15..02-23 off,
  //   6 Tue 02-24, 7 Wed 02-25, 8 Thu 02-26, 9 Fri 02-27, 10 Sat 02-28 (调休),
  //   11 Mon 03-02, 12 Tue 03-03, 13 Wed 03-04, 14 Thu 03-05, 15 Fri 03-06.
  CalendarDate result =
      WorkingDayCalendar::BuiltIn().AddWorkingDays(D(2026, 2, 9), 15);
  EXPECT_EQ(result.date, D(2026, 3, 6));
  EXPECT_FALSE(result.provisional);
}

TEST(WorkingDaysRule7, FifteenWorkingDaysCountAdjustedSaturday20260228) {
  // From Tue 2026-02-24 (first day back):
  //   1 Wed 02-25, 2 Thu 02-26, 3 Fri 02-27, 4 Sat 02-28 (调休),
  //   5 Mon 03-02, 6 Tue 03-03, 7 Wed 03-04, 8 Thu 03-05, 9 Fri 03-06,
  //   10 Mon 03-09, 11 Tue 03-10, 12 Wed 03-11, 13 Thu 03-12, 14 Fri 03-13,
  //   15 Mon 03-16. (Weekdays alone would give Tue 03-17.)
  CalendarDate result =
      WorkingDayCalendar::BuiltIn().AddWorkingDays(D(2026, 2, 24), 15);
  EXPECT_EQ(result.date, D(2026, 3, 16));
  EXPECT_FALSE(result.provisional);
}

TEST(WorkingDaysRule7, FifteenWorkingDaysCountAdjustedSaturday20260509) {
  // From Wed 2026-05-06 (first day after Labour Day):
  //   1 Thu 05-07, 2 Fri 05-08, 3 Sat 05-09 (调休),
  //   4 Mon 05-11, 5 Tue 05-12, 6 Wed 05-13, 7 Thu 05-14, 8 Fri 05-15,
  //   9 Mon 05-18, 10 Tue 05-19, 11 Wed 05-20, 12 Thu 05-21, 13 Fri 05-22,
  //   14 Mon 05-25, 15 Tue 05-26.
  CalendarDate result =
      WorkingDayCalendar::BuiltIn().AddWorkingDays(D(2026, 5, 6), 15);
  EXPECT_EQ(result.date, D(2026, 5, 26));
  EXPECT_FALSE(result.provisional);
}

TEST(WorkingDaysRule7, FifteenWorkingDaysAcrossNationalDay2025) {
  // From Fri 2025-09-26:
  //   Sat 09-27 not worked, 1 Sun 09-28 (调休), 2 Mon 09-29, 3 Tue 09-30,
  //   10-01..10-08 off,
  //   4 Thu 10-09, 5 Fri 10-10, 6 Sat 10-11 (调休),
  //   7 Mon 10-13, 8 Tue 10-14, 9 Wed 10-15, 10 Thu 10-16, 11 Fri 10-17,
  //   12 Mon 10-20, 13 Tue 10-21, 14 Wed 10-22, 15 Thu 10-23.
  CalendarDate result =
      WorkingDayCalendar::BuiltIn().AddWorkingDays(D(2025, 9, 26), 15);
  EXPECT_EQ(result.date, D(2025, 10, 23));
  EXPECT_FALSE(result.provisional);
}

TEST(WorkingDaysRule7, FifteenWorkingDaysFrom2025Into2026NotProvisional) {
  // From Wed 2025-12-24:
  //   1 Thu 12-25, 2 Fri 12-26, 3 Mon 12-29, 4 Tue 12-30, 5 Wed 12-31,
  //   2026-01-01..01-03 off, 6 Sun 01-04 (调休),
  //   7 Mon 01-05, 8 Tue 01-06, 9 Wed 01-07, 10 Thu 01-08, 11 Fri 01-09,
  //   12 Mon 01-12, 13 Tue 01-13, 14 Wed 01-14, 15 Thu 01-15.
  CalendarDate result =
      WorkingDayCalendar::BuiltIn().AddWorkingDays(D(2025, 12, 24), 15);
  EXPECT_EQ(result.date, D(2026, 1, 15));
  EXPECT_FALSE(result.provisional);
}

TEST(WorkingDaysRule7, DateIn2027IsProvisionalWeekdaysOnly) {
  const WorkingDayCalendar& calendar = WorkingDayCalendar::BuiltIn();
  // Fri 2027-01-01 will be New Year's Day, but 2027 has no data: weekdays.
  EXPECT_TRUE(calendar.IsWorkingDay(D(2027, 1, 1)));
  EXPECT_FALSE(calendar.IsWorkingDay(D(2027, 1, 2)));  // Sat
  // From Fri 2027-02-05, weekdays only (the 2027 Spring Festival is not
  // known): 1 Mon 02-08, 2 Tue 02-09, 3 Wed 02-10, 4 Thu 02-11, 5 Fri 02-12.
  CalendarDate result = calendar.AddWorkingDays(D(2027, 2, 5), 5);
  EXPECT_EQ(result.date, D(2027, 2, 12));
  EXPECT_TRUE(result.provisional);
}

TEST(WorkingDaysRule7, RunFrom2026Into2027IsProvisional) {
  // From Thu 2026-12-24:
  //   1 Fri 12-25, 2 Mon 12-28, 3 Tue 12-29, 4 Wed 12-30, 5 Thu 12-31,
  //   then 2027 on weekdays: 6 Fri 01-01, 7 Mon 01-04, 8 Tue 01-05,
  //   9 Wed 01-06, 10 Thu 01-07.
  CalendarDate result =
      WorkingDayCalendar::BuiltIn().AddWorkingDays(D(2026, 12, 24), 10);
  EXPECT_EQ(result.date, D(2027, 1, 7));
  EXPECT_TRUE(result.provisional);
}

TEST(WorkingDaysRule7, RunEndingOnLastDayOf2026IsNotProvisional) {
  // From Thu 2026-12-24: 5 working days end on Thu 12-31, inside 2026.
  CalendarDate result =
      WorkingDayCalendar::BuiltIn().AddWorkingDays(D(2026, 12, 24), 5);
  EXPECT_EQ(result.date, D(2026, 12, 31));
  EXPECT_FALSE(result.provisional);
}

TEST(WorkingDaysRule7, UncoveredStartDayIsNotExamined) {
  // D itself is not counted, so starting in 2024 and stepping only over
  // 2025 days is not provisional: Wed 2025-01-01 off, 1 Thu 01-02.
  CalendarDate result =
      WorkingDayCalendar::BuiltIn().AddWorkingDays(D(2024, 12, 31), 1);
  EXPECT_EQ(result.date, D(2025, 1, 2));
  EXPECT_FALSE(result.provisional);
}

TEST(WorkingDaysRule7, EmptyCalendarIsWeekdaysAndProvisional) {
  WorkingDayCalendar calendar;
  EXPECT_TRUE(calendar.CoveredYears().empty());
  // Fri 2025-09-26, weekdays only: 1 Mon 09-29, 2 Tue 09-30, 3 Wed 10-01.
  CalendarDate result = calendar.AddWorkingDays(D(2025, 9, 26), 3);
  EXPECT_EQ(result.date, D(2025, 10, 1));
  EXPECT_TRUE(result.provisional);
}

// --- The file format ------------------------------------------------------

TEST(CalendarFileFormat, ParsesRangesCommentsAndNames) {
  absl::StatusOr<YearCalendar> year = ParseYearCalendar(
      "# comment line\n"
      "\n"
      "year 2025   # trailing comment\n"
      "off  2025-01-28..2025-01-30  春节 Spring Festival\r\n"
      "\toff 2025-01-01\n"
      "work 2025-01-26 春节调休\n");
  ASSERT_TRUE(year.ok()) << year.status();
  EXPECT_EQ(year->year, 2025);
  EXPECT_THAT(year->holidays, ElementsAre(D(2025, 1, 1), D(2025, 1, 28),
                                          D(2025, 1, 29), D(2025, 1, 30)));
  EXPECT_THAT(year->adjusted_workdays, ElementsAre(D(2025, 1, 26)));
}

TEST(CalendarFileFormat, OffDayListedTwiceIsAccepted) {
  absl::StatusOr<YearCalendar> year = ParseYearCalendar(
      "year 2025\noff 2025-10-01..2025-10-08\noff 2025-10-06\n");
  ASSERT_TRUE(year.ok()) << year.status();
  EXPECT_EQ(year->holidays.size(), 8u);
}

void ExpectParseError(absl::string_view text, absl::string_view line,
                      absl::string_view reason) {
  absl::StatusOr<YearCalendar> year = ParseYearCalendar(text);
  ASSERT_FALSE(year.ok()) << text;
  EXPECT_EQ(year.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(year.status().message(), HasSubstr(line));
  EXPECT_THAT(year.status().message(), HasSubstr(reason));
}

TEST(CalendarFileFormat, UnknownKeywordIsRejected) {
  ExpectParseError("year 2025\n\nholiday 2025-01-01\n",
                   "calendar line 3:", "unknown keyword \"holiday\"");
}

TEST(CalendarFileFormat, DateOutsideYearIsRejected) {
  ExpectParseError(
      "# 2025\nyear 2025\noff 2025-01-01\n\n\n\noff 2024-01-01\n",
      "calendar line 7:", "\"off\" date 2024-01-01 is outside year 2025");
  ExpectParseError("year 2025\noff 2025-12-31..2026-01-01\n",
                   "calendar line 2:", "2026-01-01 is outside year 2025");
}

TEST(CalendarFileFormat, MissingYearLineIsRejected) {
  ExpectParseError("# no year\noff 2025-01-01\n",
                   "calendar line 2:", "before the \"year\" line");
  ExpectParseError("# nothing at all\n", "calendar", "no \"year\" line");
}

TEST(CalendarFileFormat, SecondYearLineIsRejected) {
  ExpectParseError("year 2025\nyear 2026\n",
                   "calendar line 2:", "\"year\" appears twice");
}

TEST(CalendarFileFormat, BadYearIsRejected) {
  ExpectParseError("year twenty\n", "calendar line 1:", "\"year\" wants");
  ExpectParseError("year\n", "calendar line 1:", "\"year\" wants");
}

TEST(CalendarFileFormat, BadDateIsRejected) {
  ExpectParseError("year 2025\noff 2025-02-30\n", "calendar line 2:",
                   "\"2025-02-30\" is not a day of the calendar");
  ExpectParseError("year 2025\nwork 2025-1-26\n",
                   "calendar line 2:", "\"2025-1-26\"");
  ExpectParseError("year 2025\noff 2025-01-28..\n",
                   "calendar line 2:", "date \"\"");
}

TEST(CalendarFileFormat, MissingDateIsRejected) {
  ExpectParseError("year 2025\noff\n",
                   "calendar line 2:", "\"off\" without a date");
}

TEST(CalendarFileFormat, OffAndWorkOnTheSameDayIsRejected) {
  ExpectParseError("year 2025\nwork 2025-01-26\noff 2025-01-25..2025-01-27\n",
                   "calendar line 3:",
                   "2025-01-26 is both \"off\" and \"work\" (also line 2)");
  ExpectParseError("year 2025\noff 2025-01-25..2025-01-27\nwork 2025-01-26\n",
                   "calendar line 3:", "(also line 2)");
}

TEST(CalendarFileFormat, ReversedRangeIsRejected) {
  ExpectParseError(
      "year 2025\noff 2025-02-04..2025-01-28\n",
      "calendar line 2:", "range 2025-02-04..2025-01-28 ends before it starts");
}

TEST(CalendarFileFormat, WorkOnAWeekdayIsRejected) {
  // Mon 2025-01-27 is worked anyway: a typo for some weekend day.
  ExpectParseError("year 2025\nwork 2025-01-27\n",
                   "calendar line 2:", "2025-01-27 is a weekday");
}

// --- Loading a calendar directory ------------------------------------------

TEST(CalendarFromFiles, LoadsTxtFilesAndIgnoresOthers) {
  absl::StatusOr<WorkingDayCalendar> calendar = WorkingDayCalendar::FromFiles(
      {{"2030.txt", "year 2030\noff 2030-01-01\n"},
       {"README.md", "not a calendar"},
       {"2031.txt.bak", "garbage"}});
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  EXPECT_THAT(calendar->CoveredYears(), ElementsAre(2030));
  EXPECT_FALSE(calendar->IsWorkingDay(D(2030, 1, 1)));  // Tue, off
  // Mon 2029-12-31 (2029 uncovered is not examined): 01-01 off, 1 Wed 01-02.
  CalendarDate result = calendar->AddWorkingDays(D(2029, 12, 31), 1);
  EXPECT_EQ(result.date, D(2030, 1, 2));
  EXPECT_FALSE(result.provisional);
}

TEST(CalendarFromFiles, TwoFilesForOneYearAreRejected) {
  absl::StatusOr<WorkingDayCalendar> calendar = WorkingDayCalendar::FromFiles(
      {{"2025.txt", "year 2025\n"}, {"2025-copy.txt", "year 2025\n"}});
  ASSERT_FALSE(calendar.ok());
  EXPECT_EQ(calendar.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(calendar.status().message(), HasSubstr("2025.txt"));
  EXPECT_THAT(calendar.status().message(), HasSubstr("2025-copy.txt"));
}

TEST(CalendarFromFiles, ParseErrorNamesTheFile) {
  absl::StatusOr<WorkingDayCalendar> calendar = WorkingDayCalendar::FromFiles(
      {{"2025.txt", "year 2025\nof 2025-01-01\n"}});
  ASSERT_FALSE(calendar.ok());
  EXPECT_THAT(calendar.status().message(),
              HasSubstr("2025.txt: calendar line 2: unknown keyword"));
}

TEST(CalendarAddYear, SecondCopyOfAYearIsAlreadyExists) {
  WorkingDayCalendar calendar;
  YearCalendar year;
  year.year = 2030;
  EXPECT_TRUE(calendar.AddYear(year).ok());
  EXPECT_EQ(calendar.AddYear(year).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(calendar.Covers(2030));
}

}  // namespace
}  // namespace evald::scoring
