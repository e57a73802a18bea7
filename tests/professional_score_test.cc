// Tests of the four-party professional-service score (RULES.md §3):
//   S = 0.70 × third_party + 0.10 × township + 0.10 × village
//       + 0.10 × bureau
// computed exactly, rounded half up to two decimals for the grade. Every
// expected S below is worked out by hand in the comment next to it.

#include "scoring/professional_score.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/policy.h"
#include "tests/scoring_fixtures.h"

namespace evald::scoring {
namespace {

using ::evald::scoring::fixtures::Nansha;
using ::evald::scoring::fixtures::Sc;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

ProfessionalScores Scores(const char* third_party, const char* township,
                          std::map<std::string, Score> villages,
                          const char* bureau) {
  ProfessionalScores s;
  s.third_party = Sc(third_party);
  s.township = Sc(township);
  s.bureau = Sc(bureau);
  s.villages = std::move(villages);
  return s;
}

struct Case {
  const char* name;
  const char* third_party;
  const char* township;
  std::vector<const char*> villages;  // V1, V2, ...
  const char* bureau;
  int64_t exact_ten_thousandths;  // S exactly
  const char* exact_text;         // FormatExactScore
  int64_t rounded_hundredths;     // S rounded half up
  int64_t village_mean_hundredths;
  Grade grade;
};

void Check(const Case& c) {
  SCOPED_TRACE(c.name);
  std::vector<std::string> served;
  std::map<std::string, Score> villages;
  for (size_t i = 0; i < c.villages.size(); ++i) {
    const std::string id = "V" + std::to_string(i + 1);
    served.push_back(id);
    villages[id] = Sc(c.villages[i]);
  }
  absl::StatusOr<ProfessionalScore> s = ComputeProfessionalScore(
      Nansha(), served, Scores(c.third_party, c.township, villages, c.bureau));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->exact_ten_thousandths, c.exact_ten_thousandths);
  EXPECT_EQ(FormatExactScore(s->exact_ten_thousandths), c.exact_text);
  EXPECT_EQ(s->rounded.hundredths(), c.rounded_hundredths);
  EXPECT_EQ(s->village_mean.hundredths(), c.village_mean_hundredths);
  EXPECT_EQ(s->grade, c.grade) << GradeCode(s->grade);
}

TEST(ProfessionalScoreRule3, WorkedExampleOfRulesMd) {
  // clang-format off
  const Case kCases[] = {
      // 0.7 × 59.99 = 41.993; 0.1 × 60.02 = 6.002; 0.1 × 60 = 6;
      // 0.1 × 60 = 6.
      // S = 59.995 exactly, shown as 60.00, graded 合格.
      {"rules example", "59.99", "60.02", {"60.00"}, "60", 599950, "59.995",
       6000, 6000, Grade::kQualified},
  };
  // clang-format on
  for (const Case& c : kCases) Check(c);
}

TEST(ProfessionalScoreRule3, MixedScores) {
  // clang-format off
  const Case kCases[] = {
      // 0.7 × 85.5 = 59.85; 0.1 × 72.25 = 7.225; villages (88 + 91.5) / 2 =
      // 89.75, 0.1 × 89.75 = 8.975; 0.1 × 60 = 6. S = 82.05.
      {"mixed", "85.5", "72.25", {"88", "91.5"}, "60", 820500, "82.05", 8205,
       8975, Grade::kGood},
      // 0.7 × 100 = 70, the rest 0: weights are not re-normalised, S = 70.
      {"only the third party scores", "100", "0", {"0", "0"}, "0", 700000,
       "70.00", 7000, 0, Grade::kQualified},
      // 0.7 × 0 + 0.1 × 100 × 3 = 30.
      {"everyone but the third party", "0", "100", {"100"}, "100", 300000,
       "30.00", 3000, 10000, Grade::kUnqualified},
  };
  // clang-format on
  for (const Case& c : kCases) Check(c);
}

TEST(GradeBandsRule3, BoundariesLowerBoundInclusive) {
  // When every party gives x, S = (0.7 + 0.1 + 0.1 + 0.1) × x = x exactly.
  const struct {
    const char* x;
    int64_t hundredths;
    const char* exact_text;
    Grade grade;
  } kCases[] = {
      {"0", 0, "0.00", Grade::kUnqualified},
      {"59.99", 5999, "59.99", Grade::kUnqualified},
      {"60", 6000, "60.00", Grade::kQualified},
      {"79.99", 7999, "79.99", Grade::kQualified},
      {"80", 8000, "80.00", Grade::kGood},
      {"89.99", 8999, "89.99", Grade::kGood},
      {"90", 9000, "90.00", Grade::kExcellent},
      {"100", 10000, "100.00", Grade::kExcellent},
  };
  for (const auto& c : kCases) {
    Case same{};
    same.name = same.third_party = same.township = same.bureau = c.x;
    same.villages = {c.x, c.x};
    same.exact_ten_thousandths = c.hundredths * 100;
    same.exact_text = c.exact_text;
    same.rounded_hundredths = same.village_mean_hundredths = c.hundredths;
    same.grade = c.grade;
    Check(same);
  }
}

TEST(GradeBandsRule3, ExactThirdDecimalRoundsHalfUpBeforeGrading) {
  // clang-format off
  const Case kCases[] = {
      // 0.7 × 89.99 = 62.993; 0.1 × 90.02 = 9.002; 9; 9. S = 89.995 -> 90.00.
      {"89.995 is EXCELLENT", "89.99", "90.02", {"90"}, "90", 899950,
       "89.995", 9000, 9000, Grade::kExcellent},
      // 0.7 × 89.99 = 62.993; 0.1 × 90.01 = 9.001; 9; 9. S = 89.994 -> 89.99.
      {"89.994 is GOOD", "89.99", "90.01", {"90"}, "90", 899940, "89.994",
       8999, 9000, Grade::kGood},
      // 0.7 × 59.99 = 41.993; 0.1 × 60.01 = 6.001; 6; 6. S = 59.994 -> 59.99.
      {"59.994 is UNQUALIFIED", "59.99", "60.01", {"60"}, "60", 599940,
       "59.994", 5999, 6000, Grade::kUnqualified},
      // 0.7 × 79.99 = 55.993; 0.1 × 80.02 = 8.002; 8; 8. S = 79.995 -> 80.00.
      {"79.995 is GOOD", "79.99", "80.02", {"80"}, "80", 799950, "79.995",
       8000, 8000, Grade::kGood},
      // 0.7 × 0.01 = 0.007, the rest 0: S = 0.007 -> 0.01.
      {"0.007", "0.01", "0", {"0"}, "0", 70, "0.007", 1, 0,
       Grade::kUnqualified},
  };
  // clang-format on
  for (const Case& c : kCases) Check(c);
}

TEST(VillageMeanRule3, RoundedHalfUpMeanEntersS) {
  // clang-format off
  const Case kCases[] = {
      // (80 + 80 + 80.01) / 3 = 80.00333 -> 80.00; S = 56 + 8 + 8 + 8 = 80.
      // Had the unrounded mean entered S, S would be 80.000333.
      {"three villages", "80", "80", {"80", "80", "80.01"}, "80", 800000,
       "80.00", 8000, 8000, Grade::kGood},
      // (80 + 80.01) / 2 = 80.005 -> 80.01; S = 56 + 8 + 8.001 + 8 = 80.001.
      {"two villages tie", "80", "80", {"80.00", "80.01"}, "80", 800010,
       "80.001", 8000, 8001, Grade::kGood},
  };
  // clang-format on
  for (const Case& c : kCases) Check(c);
}

TEST(VillageMeanRule3, MeanTable) {
  const struct {
    std::vector<const char*> scores;
    int64_t mean_hundredths;
  } kCases[] = {
      {{"80"}, 8000},
      {{"80", "80", "80.01"}, 8000},     // 80.00333
      {{"80.00", "80.01"}, 8001},        // 80.005 ties up
      {{"0.01", "0"}, 1},                // 0.005 ties up
      {{"0.01", "0.01", "0"}, 1},        // 0.00667
      {{"0.01", "0", "0"}, 0},           // 0.00333
      {{"100", "100", "99.99"}, 10000},  // 99.99667
      {{"60", "70", "80", "90"}, 7500},
      {{"59.99", "60"}, 6000},  // 59.995
  };
  for (const auto& c : kCases) {
    std::vector<std::string> served;
    std::map<std::string, Score> scores;
    std::string trace;
    for (size_t i = 0; i < c.scores.size(); ++i) {
      served.push_back("V" + std::to_string(i + 1));
      scores[served.back()] = Sc(c.scores[i]);
      trace += std::string(c.scores[i]) + " ";
    }
    SCOPED_TRACE(trace);
    absl::StatusOr<Score> mean = VillageMean(Nansha(), served, scores);
    ASSERT_TRUE(mean.ok()) << mean.status();
    EXPECT_EQ(mean->hundredths(), c.mean_hundredths);
  }
}

TEST(VillageMeanRule3, ScoresOfVillagesNotServedAreIgnored) {
  // Served V1, V2: (70 + 90) / 2 = 80; "V9" is not served.
  absl::StatusOr<Score> mean =
      VillageMean(Nansha(), {"V1", "V2"},
                  {{"V1", Sc("70")}, {"V2", Sc("90")}, {"V9", Sc("0")}});
  ASSERT_TRUE(mean.ok()) << mean.status();
  EXPECT_EQ(mean->hundredths(), 8000);
}

TEST(VillageMeanRule3, EveryServedVillageMustSubmit) {
  absl::StatusOr<Score> mean =
      VillageMean(Nansha(), {"V1", "V2", "V3"}, {{"V2", Sc("70")}});
  ASSERT_FALSE(mean.ok());
  EXPECT_EQ(mean.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(mean.status().message(), HasSubstr("village:V1, village:V3"));
}

TEST(VillageMeanRule3, NoServedVillageIsInvalid) {
  absl::StatusOr<Score> mean = VillageMean(Nansha(), {}, {{"V1", Sc("70")}});
  ASSERT_FALSE(mean.ok());
  EXPECT_EQ(mean.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(mean.status().message(), HasSubstr("served_villages"));
}

TEST(MissingPartiesRule3, ListsEveryPartyNotIn) {
  ProfessionalScores scores;
  EXPECT_THAT(MissingParties({"V1", "V2"}, scores),
              ElementsAre("third_party", "township", "bureau", "village:V1",
                          "village:V2"));
  scores.township = Sc("80");
  scores.villages["V2"] = Sc("80");
  EXPECT_THAT(MissingParties({"V1", "V2"}, scores),
              ElementsAre("third_party", "bureau", "village:V1"));
  scores.third_party = Sc("80");
  scores.bureau = Sc("80");
  scores.villages["V1"] = Sc("80");
  EXPECT_THAT(MissingParties({"V1", "V2"}, scores), IsEmpty());
}

TEST(MissingPartiesRule3, RefusesToComputeWithoutRenormalising) {
  // Every submitted score is 100; the township and V2 are late. Computing
  // over the others would give 100 (re-normalised) or 90 (missing as 0):
  // the rule is to refuse.
  ProfessionalScores scores;
  scores.third_party = Sc("100");
  scores.bureau = Sc("100");
  scores.villages["V1"] = Sc("100");
  absl::StatusOr<ProfessionalScore> s =
      ComputeProfessionalScore(Nansha(), {"V1", "V2"}, scores);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("missing township, village:V2"));
}

TEST(MissingPartiesRule3, EachSinglePartyMissingIsRefused) {
  const char* kParties[] = {"third_party", "township", "bureau", "village:V1"};
  for (const char* party : kParties) {
    SCOPED_TRACE(party);
    ProfessionalScores scores = Scores("90", "90", {{"V1", Sc("90")}}, "90");
    const std::string p = party;
    if (p == "third_party") scores.third_party.reset();
    if (p == "township") scores.township.reset();
    if (p == "bureau") scores.bureau.reset();
    if (p == "village:V1") scores.villages.clear();
    absl::StatusOr<ProfessionalScore> s =
        ComputeProfessionalScore(Nansha(), {"V1"}, scores);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(s.status().message(),
                HasSubstr(std::string("missing ") + party));
  }
}

TEST(ProfessionalScoreRule3, WeightsAndBandsComeFromThePolicy) {
  Policy p = Nansha();
  p.third_party_percent = 60;
  p.township_percent = 20;
  p.excellent_min = Sc("95");
  p.good_min = Sc("85");
  p.qualified_min = Sc("70");
  // 0.6 × 90 = 54; 0.2 × 80 = 16; 0.1 × 100 = 10; 0.1 × 70 = 7. S = 87.
  absl::StatusOr<ProfessionalScore> s = ComputeProfessionalScore(
      p, {"V1"}, Scores("90", "80", {{"V1", Sc("100")}}, "70"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->exact_ten_thousandths, 870000);
  EXPECT_EQ(s->grade, Grade::kGood);  // 85 <= 87 < 95
  EXPECT_EQ(GradeFor(p, Sc("84.99")), Grade::kQualified);
  EXPECT_EQ(GradeFor(p, Sc("69.99")), Grade::kUnqualified);
  EXPECT_EQ(GradeFor(p, Sc("95")), Grade::kExcellent);
}

TEST(ProfessionalScoreRule3, FormatExactScore) {
  const struct {
    int64_t ten_thousandths;
    const char* text;
  } kCases[] = {
      {599950, "59.995"}, {600000, "60.00"},  {1000000, "100.00"},
      {0, "0.00"},        {820500, "82.05"},  {123456, "12.3456"},
      {100, "0.01"},      {10, "0.001"},      {5, "0.0005"},
      {899950, "89.995"}, {800010, "80.001"}, {10000, "1.00"},
      {15000, "1.50"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.ten_thousandths);
    EXPECT_EQ(FormatExactScore(c.ten_thousandths), c.text);
  }
}

TEST(GradeBandsRule3, NamesInEnglishAndChinese) {
  EXPECT_STREQ(GradeCode(Grade::kExcellent), "EXCELLENT");
  EXPECT_STREQ(GradeNameZh(Grade::kExcellent), "优秀");
  EXPECT_STREQ(GradeCode(Grade::kGood), "GOOD");
  EXPECT_STREQ(GradeNameZh(Grade::kGood), "良好");
  EXPECT_STREQ(GradeCode(Grade::kQualified), "QUALIFIED");
  EXPECT_STREQ(GradeNameZh(Grade::kQualified), "合格");
  EXPECT_STREQ(GradeCode(Grade::kUnqualified), "UNQUALIFIED");
  EXPECT_STREQ(GradeNameZh(Grade::kUnqualified), "不合格");
}

}  // namespace
}  // namespace evald::scoring
