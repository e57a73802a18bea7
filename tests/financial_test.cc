// Tests of the financial evaluation (RULES.md §5): the pass mark of the
// financial score and the cost structure the service checks itself
// (personnel ≥ 70 %, personnel + service quality ≥ 85 %, provider
// management ≤ 15 % of the total), all in integer fen.

#include "scoring/financial.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/phase_result.h"
#include "scoring/policy.h"
#include "tests/scoring_fixtures.h"

namespace evald::scoring {
namespace {

using ::evald::scoring::fixtures::Fen;
using ::evald::scoring::fixtures::Nansha;
using ::evald::scoring::fixtures::Sc;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kPersonnel[] = "personnel share";
constexpr char kWithQuality[] = "personnel + service-quality share";
constexpr char kManagement[] = "provider-management share";

struct BreachCase {
  const char* name;
  Expenditure spent;
  std::vector<std::string> breaches;  // exact messages, in order
};

void CheckBreaches(const Policy& policy, const BreachCase& c) {
  SCOPED_TRACE(c.name);
  EXPECT_THAT(CostStructureBreaches(policy, c.spent),
              ElementsAreArray(c.breaches));
}

TEST(CostStructureRule5, EachBreachAloneUnderNansha) {
  const BreachCase kCases[] = {
      // 699,900 / 1,000,000 = 69.99 %; with quality 86 %; management 10 %.
      {"personnel 69.99%",
       {Fen(699'900), Fen(160'100), Fen(100'000), Fen(40'000)},
       {"cost structure: personnel share 69.99% is below the minimum 70%"}},
      // Personnel 70 %; with quality 849,900 = 84.99 %; management 10 %.
      {"personnel + quality 84.99%",
       {Fen(700'000), Fen(149'900), Fen(100'000), Fen(50'100)},
       {"cost structure: personnel + service-quality share 84.99% is below "
        "the minimum 85%"}},
  };
  for (const BreachCase& c : kCases) CheckBreaches(Nansha(), c);
}

TEST(CostStructureRule5, ManagementAboveFifteenPercent) {
  // Under 70/85/15, management above 15 % leaves less than 85 % for
  // personnel + quality, so the two always come together: 700,000 +
  // 149,900 = 84.99 %, management 150,100 = 15.01 %.
  CheckBreaches(
      Nansha(),
      {"management 15.01% under nansha",
       {Fen(700'000), Fen(149'900), Fen(150'100), Fen(0)},
       {"cost structure: personnel + service-quality share 84.99% is below "
        "the minimum 85%",
        "cost structure: provider-management share 15.01% is above the "
        "maximum 15%"}});
  // With personnel + quality lowered to 80 % the management rule is seen
  // alone: 70 % + 14 % = 84 % >= 80 %, management 15.01 % > 15 %.
  Policy p = Nansha();
  p.personnel_plus_quality_min_percent = 80;
  CheckBreaches(
      p, {"management 15.01% alone",
          {Fen(700'000), Fen(140'000), Fen(150'100), Fen(9'900)},
          {"cost structure: provider-management share 15.01% is above the "
           "maximum 15%"}});
}

TEST(CostStructureRule5, AllBreachesTogether) {
  // 500,000 / 1,000,000 = 50 %; with quality 60 %; management 30 %.
  CheckBreaches(
      Nansha(),
      {"all three",
       {Fen(500'000), Fen(100'000), Fen(300'000), Fen(100'000)},
       {"cost structure: personnel share 50.00% is below the minimum 70%",
        "cost structure: personnel + service-quality share 60.00% is below "
        "the minimum 85%",
        "cost structure: provider-management share 30.00% is above the "
        "maximum 15%"}});
}

TEST(CostStructureRule5, ExactBoundariesPass) {
  const BreachCase kCases[] = {
      // Exactly 70 %, 85 %, 15 % of 1,000,000 fen.
      {"70/85/15 exactly",
       {Fen(700'000), Fen(150'000), Fen(150'000), Fen(0)},
       {}},
      // Exactly 70 %, 85 %, 15 % of 20 fen: 14, 14 + 3 = 17, 3.
      {"tiny amounts exactly on the boundaries",
       {Fen(14), Fen(3), Fen(3), Fen(0)},
       {}},
      // Everything on personnel.
      {"all personnel", {Fen(1), Fen(0), Fen(0), Fen(0)}, {}},
      // A total that is not a multiple of 100: 70 % of 3,000,001 fen is
      // 2,100,000.7; 2,100,001 is enough.
      {"just above 70% of an odd total",
       {Fen(2'100'001), Fen(450'000), Fen(300'000), Fen(150'000)},
       {}},
  };
  for (const BreachCase& c : kCases) CheckBreaches(Nansha(), c);
}

TEST(CostStructureRule5, ComparesExactlyNotOnRoundedShares) {
  // 2,100,000 / 3,000,001 = 69.99998 %: below 70 % although it shows as
  // 70.00 % to two decimals. With quality 2,550,001 >= 2,550,000.85;
  // management 300,000 <= 450,000.15.
  std::vector<std::string> breaches = CostStructureBreaches(
      Nansha(), {Fen(2'100'000), Fen(450'001), Fen(300'000), Fen(150'000)});
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_THAT(breaches[0], HasSubstr(kPersonnel));
  EXPECT_THAT(breaches[0], HasSubstr("below the minimum 70%"));
  // 450,001 / 3,000,001 = 15.00001 %, above 15 % although it shows as
  // 15.00 %: 450,001 × 100 = 45,000,100 > 15 × 3,000,001 = 45,000,015. With
  // personnel + quality lowered to 80 % the breach is alone: personnel
  // 2,100,001 >= 2,100,000.7, with quality 2,400,001 >= 2,400,000.8.
  Policy p = Nansha();
  p.personnel_plus_quality_min_percent = 80;
  breaches = CostStructureBreaches(
      p, {Fen(2'100'001), Fen(300'000), Fen(450'001), Fen(149'999)});
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_THAT(breaches[0], HasSubstr(kManagement));
  EXPECT_THAT(breaches[0], HasSubstr("above the maximum 15%"));
  // One fen less of management passes: 450,000 × 100 = 45,000,000 <=
  // 45,000,015 (the fen moves to "other", the total is unchanged).
  EXPECT_THAT(CostStructureBreaches(p, {Fen(2'100'001), Fen(300'000),
                                        Fen(450'000), Fen(150'000)}),
              IsEmpty());
}

TEST(CostStructureRule5, ZeroTotalIsABreach) {
  EXPECT_THAT(CostStructureBreaches(Nansha(), {}),
              ElementsAre("cost structure: total reported expenditure is "
                          "zero"));
}

TEST(CostStructureRule5, ThresholdsComeFromThePolicy) {
  Policy p = Nansha();
  p.personnel_min_percent = 50;
  p.personnel_plus_quality_min_percent = 60;
  p.management_max_percent = 30;
  EXPECT_THAT(CostStructureBreaches(
                  p, {Fen(500'000), Fen(100'000), Fen(300'000), Fen(100'000)}),
              IsEmpty());
  p.personnel_min_percent = 51;
  EXPECT_THAT(CostStructureBreaches(
                  p, {Fen(500'000), Fen(100'000), Fen(300'000), Fen(100'000)}),
              ElementsAre(HasSubstr("below the minimum 51%")));
}

TEST(FinancialScoreRule5, PassMarkIsInclusive) {
  const struct {
    const char* score;
    bool passed;
  } kCases[] = {
      {"59.99", false}, {"60", true},  {"60.00", true},
      {"0", false},     {"100", true},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.score);
    FinancialResult r = EvaluateFinancial(
        Nansha(), {Sc(c.score), fixtures::HealthyExpenditure(), false});
    EXPECT_EQ(r.passed, c.passed);
    if (c.passed) {
      EXPECT_THAT(r.reasons, IsEmpty());
    } else {
      EXPECT_THAT(r.reasons,
                  ElementsAre("financial score " + Sc(c.score).ToString() +
                              " is below the pass mark 60.00"));
    }
  }
}

TEST(FinancialScoreRule5, ScoreAndStructureReasonsTogether) {
  FinancialResult r = EvaluateFinancial(
      Nansha(), {Sc("59.99"),
                 {Fen(699'900), Fen(160'100), Fen(100'000), Fen(40'000)},
                 true});
  EXPECT_FALSE(r.passed);
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[0], "financial score 59.99 is below the pass mark 60.00");
  EXPECT_THAT(r.reasons[1], HasSubstr(kPersonnel));
}

TEST(FinancialScoreRule5, GoodScoreWithBadStructureFails) {
  FinancialResult r = EvaluateFinancial(
      Nansha(), {Sc("95"),
                 {Fen(700'000), Fen(149'900), Fen(100'000), Fen(50'100)},
                 false});
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.reasons, ElementsAre(HasSubstr(kWithQuality)));
}

TEST(FinancialVetoRule5, ConfirmedFinancialVetoFailsTheFinancialPart) {
  // A perfect financial submission and a good professional score; a
  // confirmed FIN_MISAPPROPRIATION (not curable) fails the phase finally.
  PhaseInputs in;
  in.professional.rounded = Sc("85");
  in.professional.grade = Grade::kGood;
  in.financial = {Sc("100"), fixtures::HealthyExpenditure(), true};
  in.confirmed_vetoes = {{VetoKind::kFinancial, "FIN_MISAPPROPRIATION"}};
  PhaseResult r = DecidePhaseResult(Nansha(), in);
  EXPECT_FALSE(r.financial.passed);
  EXPECT_TRUE(r.professional_passed);
  EXPECT_EQ(r.grade, Grade::kGood);
  EXPECT_EQ(r.outcome, Outcome::kFailFinal);
  EXPECT_THAT(r.financial.reasons,
              ElementsAre(HasSubstr("financial veto FIN_MISAPPROPRIATION")));
}

}  // namespace
}  // namespace evald::scoring
