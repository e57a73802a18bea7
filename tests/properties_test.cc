// Property tests over deterministic pseudo-random inputs (std::mt19937 with
// fixed seeds, so a failure reproduces exactly). Each property follows from
// a rule of RULES.md whatever the particular numbers are.

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scoring/calendar.h"
#include "scoring/contract.h"
#include "scoring/date.h"
#include "scoring/decimal.h"
#include "scoring/evaluation.h"
#include "scoring/professional_score.h"
#include "scoring/tranche.h"
#include "tests/scoring_fixtures.h"

namespace evald::scoring {
namespace {

using ::evald::scoring::fixtures::Calendar;
using ::evald::scoring::fixtures::Nansha;

constexpr int kCases = 3000;

Score RandomScore(std::mt19937& rng) {
  return Score::FromHundredths(std::uniform_int_distribution<int64_t>(
      0, Nansha().score_max.hundredths())(rng));
}

struct Input {
  std::vector<std::string> served;
  ProfessionalScores scores;
};

Input RandomInput(std::mt19937& rng) {
  Input in;
  in.scores.third_party = RandomScore(rng);
  in.scores.township = RandomScore(rng);
  in.scores.bureau = RandomScore(rng);
  const int villages = std::uniform_int_distribution<int>(1, 6)(rng);
  for (int i = 0; i < villages; ++i) {
    in.served.push_back(absl::StrCat("V", i + 1));
    in.scores.villages[in.served.back()] = RandomScore(rng);
  }
  return in;
}

std::string Describe(const Input& in) {
  std::string s =
      absl::StrCat("third_party ", in.scores.third_party->ToString(),
                   " township ", in.scores.township->ToString(), " bureau ",
                   in.scores.bureau->ToString(), " villages");
  for (const auto& [id, score] : in.scores.villages) {
    absl::StrAppend(&s, " ", score.ToString());
  }
  return s;
}

// RULES.md §3: S is a weighted mean of scores in [0, 100], so it lies in
// [0, 100]; the rounded S is the exact S rounded half up; the grade is the
// band of the rounded S.
TEST(ProfessionalScoreRule3, PropertyRoundedSWithinRangeAndConsistent) {
  std::mt19937 rng(20260214);
  for (int i = 0; i < kCases; ++i) {
    const Input in = RandomInput(rng);
    SCOPED_TRACE(Describe(in));
    absl::StatusOr<ProfessionalScore> s =
        ComputeProfessionalScore(Nansha(), in.served, in.scores);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_GE(s->exact_ten_thousandths, 0);
    EXPECT_LE(s->exact_ten_thousandths, 1'000'000);
    EXPECT_GE(s->rounded.hundredths(), 0);
    EXPECT_LE(s->rounded.hundredths(), 10'000);
    // |rounded − exact| <= half a hundredth, ties up.
    const int64_t diff =
        s->rounded.hundredths() * 100 - s->exact_ten_thousandths;
    EXPECT_GT(diff, -50);
    EXPECT_LE(diff, 50);
    // The village mean lies between the lowest and the highest village.
    int64_t lo = 10'000, hi = 0;
    for (const auto& [id, score] : in.scores.villages) {
      lo = std::min(lo, score.hundredths());
      hi = std::max(hi, score.hundredths());
    }
    EXPECT_GE(s->village_mean.hundredths(), lo);
    EXPECT_LE(s->village_mean.hundredths(), hi);
    const int64_t r = s->rounded.hundredths();
    const Grade want = r >= 9000   ? Grade::kExcellent
                       : r >= 8000 ? Grade::kGood
                       : r >= 6000 ? Grade::kQualified
                                   : Grade::kUnqualified;
    EXPECT_EQ(s->grade, want);
  }
}

// RULES.md §3: every weight is positive, so raising one party's score (or
// one village's) never lowers S, exact or rounded.
TEST(ProfessionalScoreRule3, PropertyRaisingAnyScoreNeverLowersS) {
  std::mt19937 rng(7);
  for (int i = 0; i < kCases; ++i) {
    const Input before = RandomInput(rng);
    Input after = before;
    const int target = std::uniform_int_distribution<int>(0, 3)(rng);
    auto raise = [&](Score s) {
      return Score::FromHundredths(std::uniform_int_distribution<int64_t>(
          s.hundredths(), Nansha().score_max.hundredths())(rng));
    };
    std::string what;
    switch (target) {
      case 0:
        after.scores.third_party = raise(*before.scores.third_party);
        what = "third_party";
        break;
      case 1:
        after.scores.township = raise(*before.scores.township);
        what = "township";
        break;
      case 2:
        after.scores.bureau = raise(*before.scores.bureau);
        what = "bureau";
        break;
      default: {
        const std::string& v =
            before.served[std::uniform_int_distribution<size_t>(
                0, before.served.size() - 1)(rng)];
        after.scores.villages[v] = raise(before.scores.villages.at(v));
        what = v;
      }
    }
    SCOPED_TRACE(absl::StrCat("raise ", what, ": ", Describe(before), " -> ",
                              Describe(after)));
    absl::StatusOr<ProfessionalScore> s0 =
        ComputeProfessionalScore(Nansha(), before.served, before.scores);
    absl::StatusOr<ProfessionalScore> s1 =
        ComputeProfessionalScore(Nansha(), after.served, after.scores);
    ASSERT_TRUE(s0.ok() && s1.ok());
    EXPECT_GE(s1->exact_ten_thousandths, s0->exact_ten_thousandths);
    EXPECT_GE(s1->rounded, s0->rounded);
    EXPECT_GE(s1->village_mean, s0->village_mean);
    EXPECT_LE(static_cast<int>(s1->grade), static_cast<int>(s0->grade))
        << "grade got worse";  // the enum runs best to worst
  }
}

// RULES.md §7: the three tranches add up to the annual fund exactly, none
// is negative, and the first two never exceed their share (rounded down).
TEST(TrancheRule7, PropertySplitAlwaysSumsToTheFund) {
  std::mt19937 rng(130000);
  std::uniform_int_distribution<int64_t> small_fund(0, 100'000);
  std::uniform_int_distribution<int64_t> large_fund(0, Money::kMaxFen);
  for (int i = 0; i < kCases; ++i) {
    Policy p = Nansha();
    if (i % 3 != 0) {  // one case in three keeps 40/30/30
      p.year_start_percent = std::uniform_int_distribution<int>(0, 100)(rng);
      p.mid_term_percent = std::uniform_int_distribution<int>(
          0, 100 - p.year_start_percent)(rng);
      p.final_percent = 100 - p.year_start_percent - p.mid_term_percent;
    }
    const int64_t fund = (i % 2 == 0 ? small_fund : large_fund)(rng);
    SCOPED_TRACE(absl::StrCat(fund, " fen split ", p.year_start_percent, "/",
                              p.mid_term_percent, "/", p.final_percent));
    TrancheAmounts a = SplitAnnualFund(p, Money::FromFen(fund));
    EXPECT_GE(a.year_start.fen(), 0);
    EXPECT_GE(a.mid_term.fen(), 0);
    EXPECT_GE(a.final.fen(), 0);
    EXPECT_EQ(a.year_start.fen() + a.mid_term.fen() + a.final.fen(), fund);
    // year_start = floor(fund × pct / 100), checked without division.
    for (const auto& [amount, pct] :
         {std::pair<int64_t, int>{a.year_start.fen(), p.year_start_percent},
          std::pair<int64_t, int>{a.mid_term.fen(), p.mid_term_percent}}) {
      const __int128 share = static_cast<__int128>(fund) * pct;
      EXPECT_TRUE(static_cast<__int128>(amount) * 100 <= share &&
                  share < static_cast<__int128>(amount + 1) * 100)
          << amount << " is not the rounded-down " << pct << "%";
    }
    // The final tranche gets at least its share: the provider is never paid
    // early, so the rounding remainder lands at the end.
    EXPECT_GE(static_cast<__int128>(a.final.fen()) * 100,
              static_cast<__int128>(fund) * p.final_percent);
  }
}

// RULES.md §7: counting working days. One more working day lands strictly
// later, always on a working day, and exactly n working days lie in
// (d, AddWorkingDays(d, n)].
TEST(WorkingDaysRule7, PropertyAddWorkingDaysIsStrictlyIncreasing) {
  std::mt19937 rng(15);
  const WorkingDayCalendar& calendar = Calendar();
  const Date first(2024, 6, 1);
  const int span = static_cast<int>(Date(2027, 6, 30) - first);
  for (int i = 0; i < kCases; ++i) {
    const Date d = first + std::uniform_int_distribution<int>(0, span)(rng);
    const int n = std::uniform_int_distribution<int>(0, 40)(rng);
    SCOPED_TRACE(absl::StrCat(FormatDate(d), " + ", n));
    const CalendarDate a = calendar.AddWorkingDays(d, n);
    const CalendarDate b = calendar.AddWorkingDays(d, n + 1);
    EXPECT_GT(b.date, a.date);
    EXPECT_TRUE(calendar.IsWorkingDay(b.date)) << FormatDate(b.date);
    if (n > 0) {
      EXPECT_GT(a.date, d);
      EXPECT_TRUE(calendar.IsWorkingDay(a.date)) << FormatDate(a.date);
    }
    // No working day is skipped between a and b.
    for (Date x = a.date + 1; x < b.date; ++x) {
      EXPECT_FALSE(calendar.IsWorkingDay(x)) << FormatDate(x);
    }
    int counted = 0;
    for (Date x = d + 1; x <= a.date; ++x) counted += calendar.IsWorkingDay(x);
    EXPECT_EQ(counted, n);
    // Provisional exactly when a day examined lies outside 2019..2026.
    const bool outside =
        (n > 0 && (a.date.year() > 2026 || (d + 1).year() < 2019));
    EXPECT_EQ(a.provisional, outside);
  }
}

// Everything about the tranches that a finance system or a dashboard sees.
std::string DescribeTranches(const std::vector<Tranche>& tranches) {
  std::string out;
  for (const Tranche& t : tranches) {
    absl::StrAppend(&out, t.service_year, "/", TrancheKindName(t.kind), " ",
                    t.amount.fen(), " ", TrancheStateCode(t.state));
    if (t.payable_from)
      absl::StrAppend(&out, " from ", FormatDate(*t.payable_from));
    if (t.due) {
      absl::StrAppend(&out, " due ", FormatDate(t.due->date),
                      t.due->provisional ? "?" : "");
    }
    absl::StrAppend(&out, "; ");
  }
  return out;
}

// A command of any kind with random arguments: many are refused, which is
// as it should be in a random walk.
Command RandomCommand(std::mt19937& rng, Date around) {
  auto pick = [&](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  const Date day = around + pick(120);
  const Score score =
      Score::FromHundredths(std::uniform_int_distribution<int64_t>(
          4000, Nansha().score_max.hundredths())(rng));
  switch (pick(11)) {
    case 0:
    case 1: {
      static constexpr Party kParties[] = {Party::kThirdParty, Party::kTownship,
                                           Party::kBureau, Party::kVillage};
      const Party party = kParties[pick(4)];
      return SubmitProfessional{party, party == Party::kVillage ? "V1" : "",
                                score, pick(2) == 0};
    }
    case 2:
      return SubmitFinancial{
          {score, fixtures::HealthyExpenditure(), pick(2) == 0}};
    case 3:
      return RaiseVeto{
          pick(2) == 0 ? VetoKind::kProfessional : VetoKind::kFinancial, "V-01",
          "evidence", "agency-a"};
    case 4:
      return ConfirmVeto{1 + pick(3)};
    case 5:
      return DismissVeto{1 + pick(3), "no finding"};
    case 6:
      return Finalise{day};
    case 7:
      return ApplyRectification{day};
    case 8:
      return DecideReevaluation{pick(2) == 0, day};
    case 9:
      return ExpireRectification{day};
    default:
      return Reopen{"review"};
  }
}

// The server skips re-deriving a contract's tranches after a command that
// keeps SameTrancheInputs: then the tranches (RULES.md §7) and the
// contract's termination must indeed be unchanged. Random walks over a
// two-year contract, each command applied to a random phase.
TEST(TrancheRule7, PropertyCommandsThatKeepTrancheInputsChangeNoTranche) {
  std::mt19937 rng(70007);
  const ContractTerms terms{"P1", Date(2025, 2, 10), 2,
                            Money::FromFen(260'000'000)};
  int kept = 0, changed = 0;
  for (int walk = 0; walk < 100; ++walk) {
    std::vector<Evaluation> evals;
    for (int k = 1; k <= 2; ++k) {
      for (Phase phase : {Phase::kMidTerm, Phase::kFinal}) {
        evals.push_back(
            NewEvaluation("P1", 2024 + k, k, phase, {"V1"}, "nansha-2019"));
      }
    }
    for (int step = 0; step < 300; ++step) {
      const size_t i =
          std::uniform_int_distribution<size_t>(0, evals.size() - 1)(rng);
      const Command command =
          RandomCommand(rng, Date(2025, 6, 1) + 180 * static_cast<int>(i));
      DecisionContext context;
      context.contract_terminated = ContractTerminated(evals);
      absl::StatusOr<Decision> d =
          DecidePhase(evals[i], command, Nansha(), Calendar(), context);
      if (!d.ok()) continue;
      std::vector<Evaluation> after = evals;
      after[i] = d->next;
      if (SameTrancheInputs(evals[i], d->next)) {
        ++kept;
        SCOPED_TRACE(absl::StrCat("walk ", walk, " step ", step, ": ",
                                  CommandName(command), " on ",
                                  evals[i].Name()));
        EXPECT_EQ(DescribeTranches(
                      DeriveTranches(terms, Nansha(), Calendar(), after, {})),
                  DescribeTranches(
                      DeriveTranches(terms, Nansha(), Calendar(), evals, {})));
        EXPECT_EQ(ContractTerminated(after), ContractTerminated(evals));
      } else {
        ++changed;
      }
      evals = std::move(after);
    }
  }
  // Both kinds of command occurred often: the property was exercised.
  EXPECT_GT(kept, 1000);
  EXPECT_GT(changed, 200) << kept;
}

// A command that moves `phase` along its life cycle (RULES.md §7), with
// random scores and dates: submissions while it collects them, finalising
// once scored, applying, re-evaluating or expiring while in rectification,
// and now and then a reopening. Dates wander over half a year after the
// phase opens, so results, passes and releases come in every order.
Command LifeCycleCommand(std::mt19937& rng, const Evaluation& phase) {
  auto pick = [&](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  const Date day = *phase.opens_on + pick(180);
  const Score score = Score::FromHundredths(
      std::uniform_int_distribution<int64_t>(3000, 10000)(rng));
  switch (phase.state) {
    case PhaseState::kOpen:
    case PhaseState::kScored: {
      const std::vector<std::string> missing = phase.Missing();
      if (missing.empty()) {
        return pick(8) == 0 ? Command(SubmitProfessional{Party::kThirdParty, "",
                                                         score, pick(2) == 0})
                            : Command(Finalise{day});
      }
      const std::string& who = missing[pick(static_cast<int>(missing.size()))];
      if (who == "financial") {
        return SubmitFinancial{
            {score, fixtures::HealthyExpenditure(), pick(2) == 0}};
      }
      if (who == "third_party") {
        return SubmitProfessional{Party::kThirdParty, "", score, pick(3) != 0};
      }
      if (who == "township") {
        return SubmitProfessional{Party::kTownship, "", score, false};
      }
      if (who == "bureau") return SubmitProfessional{Party::kBureau, "", score};
      return SubmitProfessional{Party::kVillage, who.substr(8), score};
    }
    case PhaseState::kRectifying:
      if (pick(3) == 0) return ExpireRectification{day + 60};
      return ApplyRectification{*phase.result_date + pick(30)};
    case PhaseState::kReevaluating:
      return DecideReevaluation{pick(3) != 0,
                                *phase.application_date + pick(90)};
    default:
      return Reopen{"review", day};
  }
}

// RULES.md §7, no money past an unresolved rectification: over random
// walks of phase commands and releases on a two-year contract, no release
// is ever accepted for a tranche that became payable after the result date
// of a phase that then, or at any later step, has FAILED (and so ended the
// contract as of that date).
TEST(TrancheRule7, PropertyNoReleaseIsAcceptedPastAFailureThatEndsTheContract) {
  std::mt19937 rng(1010);
  auto pick = [&](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  int accepted = 0, held = 0, failures = 0;
  for (int walk = 0; walk < 150; ++walk) {
    fixtures::Book book(Date(2025, 7, 1), 2, {"V1"});
    struct Paid {
      std::string tranche;
      Date payable_from;
    };
    std::vector<Paid> paid;
    for (int step = 0; step < 200; ++step) {
      if (pick(4) == 0) {
        const Tranche t =
            book.tranches()[pick(static_cast<int>(book.tranches().size()))];
        const Date on =
            (t.payable_from ? *t.payable_from : Date(2025, 7, 1) + pick(700)) +
            pick(60);
        absl::StatusOr<ContractDecision> d = book.Apply(ReleaseTranche{
            t.year, t.kind, Release{absl::StrCat("PAY-", step), on, "fin"}});
        if (d.ok() && !d->already_recorded) {
          ++accepted;
          const Tranche& now = book.TrancheAt(t.year, t.kind);
          paid.push_back({TrancheLabel("P1", now), *now.payable_from});
        } else if (!d.ok() &&
                   absl::StrContains(d.status().message(), "is HELD")) {
          ++held;
        }
      } else {
        const Evaluation& phase = book.evaluations()[pick(
            static_cast<int>(book.evaluations().size()))];
        (void)book.Apply(
            OnPhase{phase.year, phase.phase, LifeCycleCommand(rng, phase)});
      }
      for (const Evaluation& e : book.evaluations()) {
        if (e.state != PhaseState::kFailed) continue;
        ++failures;
        for (const Paid& p : paid) {
          EXPECT_FALSE(*e.result_date < p.payable_from)
              << "walk " << walk << " step " << step << ": " << p.tranche
              << " payable from " << FormatDate(p.payable_from)
              << " was released, and " << e.Name() << " failed as of "
              << FormatDate(*e.result_date);
        }
      }
    }
  }
  // Releases, refusals of held tranches and failures all occurred often:
  // the property was exercised.
  EXPECT_GT(accepted, 300);
  EXPECT_GT(held, 30) << accepted;
  EXPECT_GT(failures, 1000);
}

}  // namespace
}  // namespace evald::scoring
