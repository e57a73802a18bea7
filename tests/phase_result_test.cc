// Tests of the phase result (RULES.md §4, §5, §6): PASS when the
// professional result is 合格 or better and the financial evaluation passes;
// otherwise FAIL, rectifiable only when every failed part is marked
// rectifiable and no confirmed veto is non-curable.

#include "scoring/phase_result.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/financial.h"
#include "scoring/policy.h"
#include "scoring/professional_score.h"
#include "tests/scoring_fixtures.h"

namespace evald::scoring {
namespace {

using ::evald::scoring::fixtures::Fen;
using ::evald::scoring::fixtures::Nansha;
using ::evald::scoring::fixtures::Sc;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A computed professional score where every party gave `score`: S = score.
ProfessionalScore AllGave(const char* score) {
  ProfessionalScores s;
  s.third_party = s.township = s.bureau = Sc(score);
  s.villages["V1"] = Sc(score);
  absl::StatusOr<ProfessionalScore> out =
      ComputeProfessionalScore(Nansha(), {"V1"}, s);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : ProfessionalScore();
}

// 69.99 % personnel: a cost-structure breach.
Expenditure BadStructure() {
  return {Fen(699'900), Fen(160'100), Fen(100'000), Fen(40'000)};
}

struct Case {
  const char* name;
  const char* s;  // every party's score
  bool professional_rectifiable;
  const char* financial_score;
  bool bad_structure;
  bool financial_rectifiable;
  std::vector<ConfirmedVeto> vetoes;
  Outcome outcome;
  bool professional_passed;
  bool financial_passed;
  Grade grade;
  std::vector<std::string> reasons;  // substrings, one per reason, in order
};

constexpr char kS5999[] =
    "professional-service score 59.99 is below 60.00 (不合格)";
constexpr char kFin5999[] =
    "financial score 59.99 is below the pass mark 60.00";
constexpr char kPersonnel[] = "personnel share 69.99% is below the minimum 70%";

void Check(const Case& c) {
  SCOPED_TRACE(c.name);
  PhaseInputs in;
  in.professional = AllGave(c.s);
  in.professional_rectifiable = c.professional_rectifiable;
  in.financial = {
      Sc(c.financial_score),
      c.bad_structure ? BadStructure() : fixtures::HealthyExpenditure(),
      c.financial_rectifiable};
  in.confirmed_vetoes = c.vetoes;
  PhaseResult r = DecidePhaseResult(Nansha(), in);
  EXPECT_EQ(r.outcome, c.outcome) << OutcomeCode(r.outcome);
  EXPECT_EQ(r.professional_passed, c.professional_passed);
  EXPECT_EQ(r.financial.passed, c.financial_passed);
  EXPECT_EQ(r.grade, c.grade) << GradeCode(r.grade);
  EXPECT_EQ(r.professional.rounded, in.professional.rounded);
  ASSERT_EQ(r.reasons.size(), c.reasons.size())
      << ::testing::PrintToString(r.reasons);
  for (size_t i = 0; i < c.reasons.size(); ++i) {
    EXPECT_THAT(r.reasons[i], HasSubstr(c.reasons[i]));
  }
}

TEST(PhaseResultRule6, PassAndFailCases) {
  // Columns: name; every party's score S; professional "rectifiable" mark;
  // financial score; bad cost structure; financial mark; confirmed vetoes ->
  // outcome; professional passed; financial passed; grade; reasons.
  // clang-format off
  const Case kCases[] = {
      {"both pass", "80", false, "80", false, false, {}, Outcome::kPass, true,
       true, Grade::kGood, {}},
      {"exactly on both pass marks", "60", false, "60", false, false, {},
       Outcome::kPass, true, true, Grade::kQualified, {}},
      {"professional fails, marked rectifiable", "59.99", true, "80", false,
       false, {}, Outcome::kFailRectifiable, false, true, Grade::kUnqualified,
       {kS5999}},
      {"professional fails, not marked", "59.99", false, "80", false, true, {},
       Outcome::kFailFinal, false, true, Grade::kUnqualified, {kS5999}},
      {"financial score fails, marked rectifiable", "80", false, "59.99",
       false, true, {}, Outcome::kFailRectifiable, true, false, Grade::kGood,
       {kFin5999}},
      {"financial score fails, not marked", "80", true, "59.99", false, false,
       {}, Outcome::kFailFinal, true, false, Grade::kGood, {kFin5999}},
      {"cost structure fails, marked rectifiable", "90", false, "90", true,
       true, {}, Outcome::kFailRectifiable, true, false, Grade::kExcellent,
       {kPersonnel}},
      {"both fail, both marked", "59.99", true, "59.99", true, true, {},
       Outcome::kFailRectifiable, false, false, Grade::kUnqualified,
       {kS5999, kFin5999, kPersonnel}},
      {"both fail, only professional marked", "59.99", true, "59.99", false,
       false, {}, Outcome::kFailFinal, false, false, Grade::kUnqualified,
       {kS5999, kFin5999}},
      {"both fail, only financial marked", "59.99", false, "59.99", false,
       true, {}, Outcome::kFailFinal, false, false, Grade::kUnqualified,
       {kS5999, kFin5999}},
  };
  // clang-format on
  for (const Case& c : kCases) Check(c);
}

TEST(VetoRule4, ConfirmedProfessionalVetoOverridesAnyScore) {
  // Columns: name; every party's score S; professional "rectifiable" mark;
  // financial score; bad cost structure; financial mark; confirmed vetoes ->
  // outcome; professional passed; financial passed; grade; reasons.
  // clang-format off
  const Case kCases[] = {
      // S = 98 (EXCELLENT) but a veto stands: 不合格, phase fails.
      {"curable veto over 98, marked rectifiable", "98", true, "80", false,
       false, {{VetoKind::kProfessional, "UNDERSTAFFING"}},
       Outcome::kFailRectifiable, false, true, Grade::kUnqualified,
       {"professional veto UNDERSTAFFING (curable)"}},
      {"curable veto over 98, not marked", "98", false, "80", false, false,
       {{VetoKind::kProfessional, "UNRESOLVED_COMPLAINT"}}, Outcome::kFailFinal,
       false, true, Grade::kUnqualified,
       {"professional veto UNRESOLVED_COMPLAINT (curable)"}},
      {"non-curable veto even if marked rectifiable", "98", true, "80", false,
       true, {{VetoKind::kProfessional, "FALSIFIED_RECORDS"}},
       Outcome::kFailFinal, false, true, Grade::kUnqualified,
       {"professional veto FALSIFIED_RECORDS (not curable)"}},
      {"veto and low score both listed", "59.99", true, "80", false, false,
       {{VetoKind::kProfessional, "UNDERSTAFFING"}}, Outcome::kFailRectifiable,
       false, true, Grade::kUnqualified,
       {"professional veto UNDERSTAFFING", kS5999}},
      {"curable and non-curable together", "98", true, "80", false, false,
       {{VetoKind::kProfessional, "UNDERSTAFFING"},
        {VetoKind::kProfessional, "SAFETY_INCIDENT"}},
       Outcome::kFailFinal, false, true, Grade::kUnqualified,
       {"professional veto", "professional veto"}},
      {"unknown code counts as not curable", "98", true, "80", false, false,
       {{VetoKind::kProfessional, "NOT_IN_CATALOGUE"}}, Outcome::kFailFinal,
       false, true, Grade::kUnqualified,
       {"professional veto NOT_IN_CATALOGUE (not curable)"}},
  };
  // clang-format on
  for (const Case& c : kCases) Check(c);
}

TEST(VetoRule5, ConfirmedFinancialVetoFailsTheFinancialPart) {
  // Columns: name; every party's score S; professional "rectifiable" mark;
  // financial score; bad cost structure; financial mark; confirmed vetoes ->
  // outcome; professional passed; financial passed; grade; reasons.
  // clang-format off
  const Case kCases[] = {
      {"curable financial veto, marked rectifiable", "98", false, "100", false,
       true, {{VetoKind::kFinancial, "FIN_MISSING_RECORDS"}},
       Outcome::kFailRectifiable, true, false, Grade::kExcellent,
       {"financial veto FIN_MISSING_RECORDS (curable)"}},
      {"curable financial veto, not marked", "98", true, "100", false, false,
       {{VetoKind::kFinancial, "FIN_MISSING_RECORDS"}}, Outcome::kFailFinal,
       true, false, Grade::kExcellent, {"financial veto FIN_MISSING_RECORDS"}},
      {"non-curable financial veto", "98", true, "100", false, true,
       {{VetoKind::kFinancial, "FIN_FALSE_ACCOUNTS"}}, Outcome::kFailFinal,
       true, false, Grade::kExcellent,
       {"financial veto FIN_FALSE_ACCOUNTS (not curable)"}},
      {"financial veto with low score", "98", false, "59.99", false, true,
       {{VetoKind::kFinancial, "FIN_MISSING_RECORDS"}},
       Outcome::kFailRectifiable, true, false, Grade::kExcellent,
       {kFin5999, "financial veto FIN_MISSING_RECORDS"}},
      // A professional code raised as a financial veto is not in the
      // financial catalogue: it counts as not curable.
      {"professional code as financial veto", "98", true, "100", false, true,
       {{VetoKind::kFinancial, "UNDERSTAFFING"}}, Outcome::kFailFinal, true,
       false, Grade::kExcellent,
       {"financial veto UNDERSTAFFING (not curable)"}},
  };
  // clang-format on
  for (const Case& c : kCases) Check(c);
}

TEST(PhaseResultRule6, ProfessionalReasonsComeFirst) {
  PhaseInputs in;
  in.professional = AllGave("59.99");
  in.professional_rectifiable = true;
  in.financial = {Sc("59.99"), BadStructure(), true};
  in.confirmed_vetoes = {{VetoKind::kFinancial, "FIN_MISSING_RECORDS"},
                         {VetoKind::kProfessional, "UNDERSTAFFING"}};
  PhaseResult r = DecidePhaseResult(Nansha(), in);
  EXPECT_EQ(r.outcome, Outcome::kFailRectifiable);
  EXPECT_THAT(
      r.reasons,
      ElementsAre(HasSubstr("professional veto UNDERSTAFFING"),
                  HasSubstr(kS5999), HasSubstr(kFin5999), HasSubstr(kPersonnel),
                  HasSubstr("financial veto FIN_MISSING_RECORDS")));
  // The financial result lists its own reasons only.
  EXPECT_THAT(r.financial.reasons,
              ElementsAre(HasSubstr(kFin5999), HasSubstr(kPersonnel),
                          HasSubstr("financial veto FIN_MISSING_RECORDS")));
}

TEST(PhaseResultRule6, PassHasNoReasons) {
  PhaseInputs in;
  in.professional = AllGave("89.99");
  in.financial = {Sc("60"), fixtures::HealthyExpenditure(), false};
  PhaseResult r = DecidePhaseResult(Nansha(), in);
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_THAT(r.reasons, IsEmpty());
  EXPECT_THAT(r.financial.reasons, IsEmpty());
}

TEST(PhaseResultRule6, OutcomeCodes) {
  EXPECT_STREQ(OutcomeCode(Outcome::kPass), "PASS");
  EXPECT_STREQ(OutcomeCode(Outcome::kFailRectifiable), "FAIL_RECTIFIABLE");
  EXPECT_STREQ(OutcomeCode(Outcome::kFailFinal), "FAIL_FINAL");
}

}  // namespace
}  // namespace evald::scoring
