// Tests of the money side of a contract (RULES.md §2, §7): splitting the
// annual fund, service-year starts, when each tranche falls due, and
// releasing it at most once. Due dates were counted by hand against the
// 2025/2026 calendars (calendars.md); the days counted are in the comments.

#include "scoring/tranche.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/evaluation.h"
#include "scoring/phase.h"
#include "tests/scoring_fixtures.h"

namespace evald::scoring {
namespace {

using ::evald::scoring::fixtures::Calendar;
using ::evald::scoring::fixtures::D;
using ::evald::scoring::fixtures::Fen;
using ::evald::scoring::fixtures::Nansha;
using ::testing::HasSubstr;

// --- Splitting the annual fund --------------------------------------------

TEST(TrancheRule7, SplitAnnualFundRoundsDownAndFinalTakesTheRest) {
  const struct {
    const char* name;
    int64_t fund, year_start, mid_term, final_part;
  } kCases[] = {
      // 2,600,000.00 yuan: 40 % = 104,000,000 fen, 30 % = 78,000,000.
      {"2600000.00 yuan", 260'000'000, 104'000'000, 78'000'000, 78'000'000},
      // 100,000.01 yuan = 10,000,001 fen: 40 % = 4,000,000.4 -> 4,000,000;
      // 30 % = 3,000,000.3 -> 3,000,000; final 10,000,001 - 7,000,000.
      {"100000.01 yuan", 10'000'001, 4'000'000, 3'000'000, 3'000'001},
      // 1 fen: 0.4 -> 0, 0.3 -> 0, final 1.
      {"1 fen", 1, 0, 0, 1},
      // 3 fen: 1.2 -> 1, 0.9 -> 0, final 2.
      {"3 fen", 3, 1, 0, 2},
      // 99 fen: 39.6 -> 39, 29.7 -> 29, final 31.
      {"99 fen", 99, 39, 29, 31},
      {"zero", 0, 0, 0, 0},
      // The largest amount: 10^15 fen splits exactly.
      {"max", Money::kMaxFen, 400'000'000'000'000, 300'000'000'000'000,
       300'000'000'000'000},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    TrancheAmounts a = SplitAnnualFund(Nansha(), Fen(c.fund));
    EXPECT_EQ(a.year_start.fen(), c.year_start);
    EXPECT_EQ(a.mid_term.fen(), c.mid_term);
    EXPECT_EQ(a.final.fen(), c.final_part);
    EXPECT_EQ(TrancheAmount(a, TrancheKind::kYearStart), a.year_start);
    EXPECT_EQ(TrancheAmount(a, TrancheKind::kMidTerm), a.mid_term);
    EXPECT_EQ(TrancheAmount(a, TrancheKind::kFinal), a.final);
  }
}

TEST(TrancheRule7, SplitUsesThePolicyPercentages) {
  Policy p = Nansha();
  p.year_start_percent = 33;
  p.mid_term_percent = 33;
  p.final_percent = 34;
  // 100 fen: 33, 33, 34. 1 fen: 0.33 -> 0, 0.33 -> 0, 1.
  // 10 fen: 3.3 -> 3, 3.3 -> 3, final 4 (3.4 rounded up by taking the rest).
  const struct {
    int64_t fund, year_start, mid_term, final_part;
  } kCases[] = {{100, 33, 33, 34}, {1, 0, 0, 1}, {10, 3, 3, 4}};
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.fund);
    TrancheAmounts a = SplitAnnualFund(p, Fen(c.fund));
    EXPECT_EQ(a.year_start.fen(), c.year_start);
    EXPECT_EQ(a.mid_term.fen(), c.mid_term);
    EXPECT_EQ(a.final.fen(), c.final_part);
  }
}

// --- Service years --------------------------------------------------------

TEST(TrancheRule7, ServiceYearStartIsKMinusOneYearsAfterTheContractStart) {
  const struct {
    Date start;
    int service_year;
    Date want;
  } kCases[] = {
      {D(2025, 2, 10), 1, D(2025, 2, 10)},
      {D(2025, 2, 10), 2, D(2026, 2, 10)},
      {D(2025, 2, 10), 5, D(2029, 2, 10)},
      {D(2025, 12, 31), 2, D(2026, 12, 31)},
      // 29 February: common years fall back to 28 February.
      {D(2024, 2, 29), 1, D(2024, 2, 29)},
      {D(2024, 2, 29), 2, D(2025, 2, 28)},
      {D(2024, 2, 29), 3, D(2026, 2, 28)},
      {D(2024, 2, 29), 5, D(2028, 2, 29)},  // 2028 is leap
      {D(2096, 2, 29), 5, D(2100, 2, 28)},  // 2100 is not
      {D(2396, 2, 29), 5, D(2400, 2, 29)},  // 2400 is
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(absl::StrCat(FormatDate(c.start), " year ", c.service_year));
    EXPECT_EQ(ServiceYearStart(c.start, c.service_year), c.want);
  }
}

// --- Deriving the tranches ------------------------------------------------

// A two-year contract from Mon 2025-02-10 worth 2,600,000.00 yuan a year.
ContractTerms Terms() { return {"P1", D(2025, 2, 10), 2, Fen(260'000'000)}; }

// An evaluation in `state` with the dates that state implies.
Evaluation Eval(int service_year, Phase phase, PhaseState state,
                std::optional<Date> result_date = std::nullopt,
                std::optional<Date> application_date = std::nullopt,
                std::optional<Date> reevaluation_date = std::nullopt) {
  Evaluation e = NewEvaluation("P1", 2024 + service_year, service_year, phase,
                               {"V1"}, "nansha-2019");
  e.state = state;
  e.result_date = result_date;
  e.application_date = application_date;
  e.reevaluation_date = reevaluation_date;
  return e;
}

const Tranche& Get(const std::vector<Tranche>& tranches, int service_year,
                   TrancheKind kind) {
  for (const Tranche& t : tranches) {
    if (t.service_year == service_year && t.kind == kind) return t;
  }
  ADD_FAILURE() << "no tranche " << service_year << " "
                << TrancheKindName(kind);
  return tranches.front();
}

struct Want {
  int service_year;
  TrancheKind kind;
  TrancheState state;
  std::optional<Date> due;
};

void Expect(const std::vector<Tranche>& tranches,
            const std::vector<Want>& wants) {
  for (const Want& w : wants) {
    SCOPED_TRACE(
        absl::StrCat("year ", w.service_year, " ", TrancheKindName(w.kind)));
    const Tranche& t = Get(tranches, w.service_year, w.kind);
    EXPECT_EQ(t.state, w.state) << TrancheStateCode(t.state);
    ASSERT_EQ(t.due.has_value(), w.due.has_value());
    if (w.due) {
      EXPECT_EQ(t.due->date, *w.due) << FormatDate(t.due->date);
      EXPECT_FALSE(t.due->provisional);
    }
  }
}

std::vector<Tranche> Derive(
    const std::vector<Evaluation>& evaluations,
    const std::map<TrancheKey, Release>& releases = {}) {
  return DeriveTranches(Terms(), Nansha(), Calendar(), evaluations, releases);
}

using TK = TrancheKind;
using TS = TrancheState;

TEST(TrancheRule7, NoEvaluationsOnlyYearOneStartIsDue) {
  std::vector<Tranche> t = Derive({});
  ASSERT_EQ(t.size(), 6u);
  // In order: year 1 year-start, mid-term, final, then year 2.
  const struct {
    int service_year, year;
    TrancheKind kind;
    int64_t fen;
  } kOrder[] = {
      {1, 2025, TK::kYearStart, 104'000'000},
      {1, 2025, TK::kMidTerm, 78'000'000},
      {1, 2025, TK::kFinal, 78'000'000},
      {2, 2026, TK::kYearStart, 104'000'000},
      {2, 2026, TK::kMidTerm, 78'000'000},
      {2, 2026, TK::kFinal, 78'000'000},
  };
  for (size_t i = 0; i < t.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(t[i].service_year, kOrder[i].service_year);
    EXPECT_EQ(t[i].year, kOrder[i].year);
    EXPECT_EQ(t[i].kind, kOrder[i].kind);
    EXPECT_EQ(t[i].amount.fen(), kOrder[i].fen);
  }
  // Year 1 starts Mon 2025-02-10: 1 Tue 02-11 .. 4 Fri 02-14,
  // 5 Mon 02-17 .. 9 Fri 02-21, 10 Mon 02-24 .. 14 Fri 02-28, 15 Mon 03-03.
  Expect(t, {{1, TK::kYearStart, TS::kDue, D(2025, 3, 3)},
             {1, TK::kMidTerm, TS::kPending, std::nullopt},
             {1, TK::kFinal, TS::kPending, std::nullopt},
             {2, TK::kYearStart, TS::kPending, std::nullopt},
             {2, TK::kMidTerm, TS::kPending, std::nullopt},
             {2, TK::kFinal, TS::kPending, std::nullopt}});
}

TEST(TrancheRule7, PassedPhasesMakeTheirTranchesDue) {
  std::vector<Tranche> t = Derive({
      // Fri 2025-08-15: 1 Mon 08-18 .. 5 Fri 08-22, 6 Mon 08-25 .. 10 Fri
      // 08-29, 11 Mon 09-01 .. 15 Fri 09-05.
      Eval(1, Phase::kMidTerm, PhaseState::kPassed, D(2025, 8, 15)),
      // Tue 2026-01-20: 1 Wed 01-21, 2 Thu 01-22, 3 Fri 01-23, 4 Mon 01-26
      // .. 8 Fri 01-30, 9 Mon 02-02 .. 13 Fri 02-06, 14 Mon 02-09,
      // 15 Tue 02-10.
      Eval(1, Phase::kFinal, PhaseState::kPassed, D(2026, 1, 20)),
  });
  // Year 2 starts Tue 2026-02-10, after year 1's final passed (01-20): from
  // 02-10, 1 Wed 02-11, 2 Thu 02-12, 3 Fri 02-13, 4 Sat 02-14 (调休),
  // 02-15..02-23 off, 5 Tue 02-24 .. 8 Fri 02-27, 9 Sat 02-28 (调休),
  // 10 Mon 03-02 .. 14 Fri 03-06, 15 Mon 03-09.
  Expect(t, {{1, TK::kYearStart, TS::kDue, D(2025, 3, 3)},
             {1, TK::kMidTerm, TS::kDue, D(2025, 9, 5)},
             {1, TK::kFinal, TS::kDue, D(2026, 2, 10)},
             {2, TK::kYearStart, TS::kDue, D(2026, 3, 9)},
             {2, TK::kMidTerm, TS::kPending, std::nullopt}});
}

TEST(TrancheRule7, YearStartWaitsForThePreviousFinalWhenItPassesLater) {
  // Year 1's final passes Tue 2026-02-24, after year 2 started (02-10):
  // from 02-24, 1 Wed 02-25, 2 Thu 02-26, 3 Fri 02-27, 4 Sat 02-28 (调休),
  // 5 Mon 03-02 .. 9 Fri 03-06, 10 Mon 03-09 .. 14 Fri 03-13, 15 Mon 03-16.
  std::vector<Tranche> t =
      Derive({Eval(1, Phase::kFinal, PhaseState::kPassed, D(2026, 2, 24))});
  Expect(t, {{1, TK::kFinal, TS::kDue, D(2026, 3, 16)},
             {2, TK::kYearStart, TS::kDue, D(2026, 3, 16)}});
}

TEST(TrancheRule7, YearStartPendingUntilThePreviousFinalPasses) {
  for (PhaseState state :
       {PhaseState::kOpen, PhaseState::kScored, PhaseState::kRectifying,
        PhaseState::kReevaluating}) {
    SCOPED_TRACE(PhaseStateCode(state));
    std::vector<Tranche> t =
        Derive({Eval(1, Phase::kFinal, state, D(2026, 1, 20), D(2026, 1, 25))});
    Expect(t, {{2, TK::kYearStart, TS::kPending, std::nullopt}});
  }
}

TEST(TrancheRule7, AfterRectificationDueFromTheApplicationDate) {
  // Year 1's final failed on 2026-01-09, the provider applied Thu
  // 2026-02-12, the re-evaluation passed Fri 2026-03-20.
  std::vector<Tranche> t =
      Derive({Eval(1, Phase::kFinal, PhaseState::kPassedAfterRectification,
                   D(2026, 1, 9), D(2026, 2, 12), D(2026, 3, 20))});
  // Final: from 02-12, 1 Fri 02-13, 2 Sat 02-14 (调休), 3 Tue 02-24 ..
  // 6 Fri 02-27, 7 Sat 02-28 (调休), 8 Mon 03-02 .. 12 Fri 03-06,
  // 13 Mon 03-09, 14 Tue 03-10, 15 Wed 03-11.
  // Year 2 start: the later of 02-10 and the pass day 03-20 (the
  // re-evaluation): 1 Mon 03-23 .. 5 Fri 03-27, 6 Mon 03-30 .. 10 Fri 04-03,
  // 04-04..04-06 off, 11 Tue 04-07 .. 14 Fri 04-10, 15 Mon 04-13.
  Expect(t, {{1, TK::kFinal, TS::kDue, D(2026, 3, 11)},
             {2, TK::kYearStart, TS::kDue, D(2026, 4, 13)}});
}

TEST(TrancheRule7, RectificationWithholdsThePhaseTranche) {
  for (PhaseState state :
       {PhaseState::kRectifying, PhaseState::kReevaluating}) {
    SCOPED_TRACE(PhaseStateCode(state));
    std::vector<Tranche> t = Derive(
        {Eval(1, Phase::kMidTerm, state, D(2025, 8, 15), D(2025, 8, 20))});
    Expect(t, {{1, TK::kYearStart, TS::kDue, D(2025, 3, 3)},
               {1, TK::kMidTerm, TS::kWithheld, std::nullopt},
               {1, TK::kFinal, TS::kPending, std::nullopt}});
  }
}

TEST(TrancheRule7, FailureForfeitsWhatIsNotYetDueAndKeepsTheRest) {
  std::map<TrancheKey, Release> releases;
  releases[{1, TK::kYearStart}] = {"PAY-2025-0001", D(2025, 2, 20), "finance"};
  std::vector<Tranche> t =
      Derive({Eval(1, Phase::kMidTerm, PhaseState::kPassed, D(2025, 8, 15)),
              Eval(1, Phase::kFinal, PhaseState::kFailed, D(2026, 1, 20))},
             releases);
  EXPECT_TRUE(ContractTerminated(
      {Eval(1, Phase::kFinal, PhaseState::kFailed, D(2026, 1, 20))}));
  Expect(t, {{1, TK::kYearStart, TS::kReleased, D(2025, 3, 3)},
             {1, TK::kMidTerm, TS::kDue, D(2025, 9, 5)},
             {1, TK::kFinal, TS::kForfeited, std::nullopt},
             {2, TK::kYearStart, TS::kForfeited, std::nullopt},
             {2, TK::kMidTerm, TS::kForfeited, std::nullopt},
             {2, TK::kFinal, TS::kForfeited, std::nullopt}});
}

TEST(TrancheRule7, FailureElsewhereForfeitsWhatARectificationHeld) {
  // Year 2's mid-term FAILED while year 1's mid-term was still in
  // rectification (result 2025-08-15): its own tranche was withheld, and
  // everything payable after 2025-08-15 was held -- the contract might have
  // ended then. The contract has now ended, the rectification can never
  // pass, and all of it is forfeited. Year 1's year-start tranche, payable
  // before, stays due.
  std::vector<Tranche> t =
      Derive({Eval(1, Phase::kMidTerm, PhaseState::kRectifying, D(2025, 8, 15)),
              Eval(1, Phase::kFinal, PhaseState::kPassed, D(2026, 1, 20)),
              Eval(2, Phase::kMidTerm, PhaseState::kFailed, D(2026, 8, 14))});
  Expect(t, {{1, TK::kYearStart, TS::kDue, D(2025, 3, 3)},
             {1, TK::kMidTerm, TS::kForfeited, std::nullopt},
             {1, TK::kFinal, TS::kForfeited, std::nullopt},
             {2, TK::kYearStart, TS::kForfeited, std::nullopt},
             {2, TK::kMidTerm, TS::kForfeited, std::nullopt},
             {2, TK::kFinal, TS::kForfeited, std::nullopt}});
  EXPECT_FALSE(Get(t, 1, TK::kFinal).hold.has_value());
}

TEST(TrancheRule7, TerminationBeforeAYearStartsForfeitsItsYearStartTranche) {
  // Year 1's final passed on 2026-01-20, so year 2's year-start tranche is
  // payable from year 2's start, Tue 2026-02-10. Year 1's mid-term, decided
  // late, fails for good on 2026-02-02, before year 2 starts: the contract
  // ends and year 2 is never paid.
  Evaluation mid = Eval(1, Phase::kMidTerm, PhaseState::kFailed, D(2026, 2, 2));
  mid.failed_on = D(2026, 2, 2);
  std::vector<Tranche> t = Derive(
      {mid, Eval(1, Phase::kFinal, PhaseState::kPassed, D(2026, 1, 20))});
  // Year 1's final tranche became payable on 2026-01-20, before the
  // termination: it stays due (15 working days across the Spring Festival
  // 2026: 01-21 .. 02-06 is 13 days, 02-09, 02-10 -> 2026-02-10).
  Expect(t, {{1, TK::kFinal, TS::kDue, D(2026, 2, 10)},
             {2, TK::kYearStart, TS::kForfeited, std::nullopt}});

  // Had the failure come after year 2 started, the tranche would stand.
  mid.result_date = mid.failed_on = D(2026, 2, 11);
  t = Derive(
      {mid, Eval(1, Phase::kFinal, PhaseState::kPassed, D(2026, 1, 20))});
  EXPECT_EQ(Get(t, 2, TK::kYearStart).state, TS::kDue);
}

// --- Held tranches: no money past an unresolved rectification -------------

TEST(TrancheRule7, ARectificationHoldsWhatBecomesPayableAfterItsResultDate) {
  // Year 1's mid-term failed rectifiably on 2025-08-15 (deadline
  // 2025-09-14); nobody applied and nobody expired it. Year 1's final then
  // passed on 2026-01-20. Both the final tranche (payable 2026-01-20) and
  // year 2's year-start tranche (payable 2026-02-10) came after 2025-08-15:
  // held. Year 1's year-start tranche (payable 2025-02-10) is untouched.
  Evaluation mid =
      Eval(1, Phase::kMidTerm, PhaseState::kRectifying, D(2025, 8, 15));
  mid.rectification_deadline = D(2025, 9, 14);
  std::vector<Tranche> t = Derive(
      {mid, Eval(1, Phase::kFinal, PhaseState::kPassed, D(2026, 1, 20))});
  Expect(t, {{1, TK::kYearStart, TS::kDue, D(2025, 3, 3)},
             {1, TK::kMidTerm, TS::kWithheld, std::nullopt},
             {1, TK::kFinal, TS::kHeld, std::nullopt},
             {2, TK::kYearStart, TS::kHeld, std::nullopt},
             {2, TK::kMidTerm, TS::kPending, std::nullopt}});
  const Tranche& final_tranche = Get(t, 1, TK::kFinal);
  ASSERT_TRUE(final_tranche.hold.has_value());
  EXPECT_EQ(final_tranche.hold->evaluation, "P1/2025/mid-term");
  EXPECT_EQ(final_tranche.hold->reason,
            "held: 2025 mid-term in rectification, deadline 2025-09-14");
  EXPECT_EQ(final_tranche.payable_from, D(2026, 1, 20));

  // A release is refused, naming the phase that holds it.
  absl::Status refused = CheckReleasable(final_tranche, "P1", D(2026, 2, 1));
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(),
              HasSubstr("tranche P1/2025/final is HELD: P1/2025/mid-term is "
                        "in rectification (deadline 2025-09-14)"));

  // In re-evaluation (the provider applied on 2025-09-01) it is still held.
  mid.state = PhaseState::kReevaluating;
  mid.application_date = D(2025, 9, 1);
  t = Derive(
      {mid, Eval(1, Phase::kFinal, PhaseState::kPassed, D(2026, 1, 20))});
  EXPECT_EQ(Get(t, 1, TK::kFinal).state, TS::kHeld);
  EXPECT_EQ(Get(t, 1, TK::kFinal).hold->reason,
            "held: 2025 mid-term in re-evaluation (applied 2025-09-01)");
}

TEST(TrancheRule7, ARectificationThatFailsOrLapsesForfeitsWhatItHeld) {
  // As above, then the bureau records the expiry on 2026-03-02 (or the
  // re-evaluation fails that day): the contract ends as of the original
  // failure, 2025-08-15, and the held tranches are forfeited, not paid.
  Evaluation mid =
      Eval(1, Phase::kMidTerm, PhaseState::kFailed, D(2025, 8, 15));
  mid.rectification_deadline = D(2025, 9, 14);
  mid.failed_on = D(2026, 3, 2);
  std::vector<Tranche> t = Derive(
      {mid, Eval(1, Phase::kFinal, PhaseState::kPassed, D(2026, 1, 20))});
  Expect(t, {{1, TK::kYearStart, TS::kDue, D(2025, 3, 3)},
             {1, TK::kMidTerm, TS::kForfeited, std::nullopt},
             {1, TK::kFinal, TS::kForfeited, std::nullopt},
             {2, TK::kYearStart, TS::kForfeited, std::nullopt}});
}

TEST(TrancheRule7, APassedRectificationLiftsTheHoldAndCountsFromThatDay) {
  // Year 1's mid-term failed on 2025-08-15, the provider applied on
  // 2025-09-01 and the re-evaluation passed on Mon 2026-03-02. Year 1's
  // final passed on 2026-01-20, while held: its normal due date would be
  // 2026-02-10, long past when the hold lifts. It becomes payable on
  // 2026-03-02 and due 15 working days later: 03-03..06 (4), 03-09..13
  // (9), 03-16..20 (14), 03-23 (15).
  Evaluation mid =
      Eval(1, Phase::kMidTerm, PhaseState::kPassedAfterRectification,
           D(2025, 8, 15), D(2025, 9, 1), D(2026, 3, 2));
  std::vector<Tranche> t = Derive(
      {mid, Eval(1, Phase::kFinal, PhaseState::kPassed, D(2026, 1, 20))});
  Expect(t, {{1, TK::kFinal, TS::kDue, D(2026, 3, 23)},
             {2, TK::kYearStart, TS::kDue, D(2026, 3, 23)}});
  EXPECT_EQ(Get(t, 1, TK::kFinal).payable_from, D(2026, 3, 2));
  // The phase's own tranche keeps the seed rule: 15 working days from the
  // application date 2025-09-01: 09-02..05 (4), 09-08..12 (9), 09-15..19
  // (14), 09-22 (15).
  Expect(t, {{1, TK::kMidTerm, TS::kDue, D(2025, 9, 22)}});
  // A tranche payable after the hold lifted is not moved: year 2's
  // mid-term passing on 2026-08-14 is due 2026-09-04 as usual.
  t = Derive({mid, Eval(1, Phase::kFinal, PhaseState::kPassed, D(2026, 1, 20)),
              Eval(2, Phase::kMidTerm, PhaseState::kPassed, D(2026, 8, 14))});
  Expect(t, {{2, TK::kMidTerm, TS::kDue, D(2026, 9, 4)}});
}

TEST(TrancheRule7, AReleasedTrancheIsNeverHeldAfterwards) {
  // Paid before the rectification began: it stays released.
  std::map<TrancheKey, Release> releases;
  releases[{1, TK::kYearStart}] = {"PAY-1", D(2025, 2, 20), "finance"};
  Evaluation mid =
      Eval(1, Phase::kMidTerm, PhaseState::kRectifying, D(2025, 8, 15));
  mid.rectification_deadline = D(2025, 9, 14);
  std::vector<Tranche> t = Derive({mid}, releases);
  EXPECT_EQ(Get(t, 1, TK::kYearStart).state, TS::kReleased);
}

TEST(TrancheRule7, ReleaseMayNotPredateTheDayTheTrancheBecamePayable) {
  std::vector<Tranche> t =
      Derive({Eval(1, Phase::kMidTerm, PhaseState::kPassed, D(2025, 8, 15))});
  const Tranche& mid = Get(t, 1, TK::kMidTerm);
  ASSERT_TRUE(mid.payable_from.has_value());
  EXPECT_EQ(*mid.payable_from, D(2025, 8, 15));
  absl::Status early = CheckReleasable(mid, "P1", D(2025, 8, 14));
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(early.message()),
              HasSubstr("payable from 2025-08-15"));
  EXPECT_TRUE(CheckReleasable(mid, "P1", D(2025, 8, 15)).ok());
  // Year 2's year-start is not payable before year 2 starts.
  EXPECT_FALSE(Get(t, 2, TK::kYearStart).payable_from.has_value());
}

TEST(TrancheRule7, ReleaseRecordMakesItReleased) {
  std::map<TrancheKey, Release> releases;
  releases[{1, TK::kMidTerm}] = {"PAY-2025-0042", D(2025, 9, 1), "finance"};
  std::vector<Tranche> t =
      Derive({Eval(1, Phase::kMidTerm, PhaseState::kPassed, D(2025, 8, 15))},
             releases);
  const Tranche& mid = Get(t, 1, TK::kMidTerm);
  EXPECT_EQ(mid.state, TS::kReleased);
  ASSERT_TRUE(mid.release.has_value());
  EXPECT_EQ(mid.release->payment_reference, "PAY-2025-0042");
  EXPECT_EQ(mid.release->released_on, D(2025, 9, 1));
  EXPECT_EQ(Get(t, 1, TK::kYearStart).state, TS::kDue);
}

TEST(TrancheRule7, ReopenedPhaseNoLongerMakesItsTrancheDue) {
  // A result withdrawn for review (SCORED again) leaves no stale "due".
  std::vector<Tranche> t =
      Derive({Eval(1, Phase::kMidTerm, PhaseState::kScored)});
  Expect(t, {{1, TK::kMidTerm, TS::kPending, std::nullopt}});
}

TEST(TrancheRule7, DueDateBeyondTheCalendarIsProvisional) {
  // From Thu 2026-12-24: 1 Fri 12-25, 2 Mon 12-28 .. 5 Thu 12-31, then 2027
  // on weekdays: 6 Fri 01-01, 7 Mon 01-04 .. 11 Fri 01-08, 12 Mon 01-11,
  // 13 Tue 01-12, 14 Wed 01-13, 15 Thu 01-14.
  ContractTerms terms{"P2", D(2026, 12, 24), 1, Fen(100)};
  std::vector<Tranche> t = DeriveTranches(terms, Nansha(), Calendar(), {}, {});
  ASSERT_EQ(t.size(), 3u);
  ASSERT_TRUE(t[0].due.has_value());
  EXPECT_EQ(t[0].due->date, D(2027, 1, 14));
  EXPECT_TRUE(t[0].due->provisional);
}

TEST(TrancheRule7, ContractTerminatedOnlyByAFailedPhase) {
  for (PhaseState state :
       {PhaseState::kOpen, PhaseState::kScored, PhaseState::kPassed,
        PhaseState::kRectifying, PhaseState::kReevaluating,
        PhaseState::kPassedAfterRectification}) {
    SCOPED_TRACE(PhaseStateCode(state));
    EXPECT_FALSE(ContractTerminated({Eval(1, Phase::kFinal, state)}));
  }
  EXPECT_FALSE(ContractTerminated({}));
  EXPECT_TRUE(
      ContractTerminated({Eval(1, Phase::kMidTerm, PhaseState::kPassed),
                          Eval(1, Phase::kFinal, PhaseState::kFailed)}));
}

// --- Releasing ------------------------------------------------------------

Tranche Make(TrancheState state) {
  Tranche t;
  t.service_year = 1;
  t.year = 2025;
  t.kind = TK::kYearStart;
  t.amount = Fen(104'000'000);
  t.state = state;
  t.due = CalendarDate{D(2025, 3, 3), false};
  if (state == TS::kReleased) {
    t.release = Release{"PAY-2025-0001", D(2025, 2, 20), "finance"};
  }
  return t;
}

TEST(TrancheRule7, OnlyADueTrancheIsReleasable) {
  EXPECT_TRUE(CheckReleasable(Make(TS::kDue), "P1").ok());

  absl::Status released = CheckReleasable(Make(TS::kReleased), "P1");
  EXPECT_EQ(released.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(released.message(), HasSubstr("P1/2025/year-start"));
  EXPECT_THAT(released.message(), HasSubstr("already released"));
  EXPECT_THAT(released.message(), HasSubstr("PAY-2025-0001"));
  EXPECT_THAT(released.message(), HasSubstr("2025-02-20"));

  for (TrancheState state : {TS::kPending, TS::kWithheld, TS::kForfeited}) {
    SCOPED_TRACE(TrancheStateCode(state));
    absl::Status s = CheckReleasable(Make(state), "P1");
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(s.message(), HasSubstr(TrancheStateCode(state)));
    EXPECT_THAT(s.message(), HasSubstr("not DUE"));
  }
}

TEST(TrancheRule7, OverdueOnlyAfterTheDueDay) {
  // Due by Mon 2025-03-03: paying that day is on time (RULES.md §7).
  const struct {
    TrancheState state;
    Date as_of;
    bool overdue;
  } kCases[] = {
      {TS::kDue, D(2025, 3, 2), false},
      {TS::kDue, D(2025, 3, 3), false},
      {TS::kDue, D(2025, 3, 4), true},
      {TS::kDue, D(2026, 1, 1), true},
      {TS::kReleased, D(2026, 1, 1), false},
      {TS::kPending, D(2026, 1, 1), false},
      {TS::kWithheld, D(2026, 1, 1), false},
      {TS::kForfeited, D(2026, 1, 1), false},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(
        absl::StrCat(TrancheStateCode(c.state), " ", FormatDate(c.as_of)));
    EXPECT_EQ(Make(c.state).OverdueAsOf(c.as_of), c.overdue);
  }
  Tranche no_date = Make(TS::kDue);
  no_date.due.reset();
  EXPECT_FALSE(no_date.OverdueAsOf(D(2030, 1, 1)));
}

TEST(TrancheRule7, StateCodes) {
  EXPECT_STREQ(TrancheStateCode(TS::kPending), "PENDING");
  EXPECT_STREQ(TrancheStateCode(TS::kDue), "DUE");
  EXPECT_STREQ(TrancheStateCode(TS::kWithheld), "WITHHELD");
  EXPECT_STREQ(TrancheStateCode(TS::kReleased), "RELEASED");
  EXPECT_STREQ(TrancheStateCode(TS::kForfeited), "FORFEITED");
}

}  // namespace
}  // namespace evald::scoring
