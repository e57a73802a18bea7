// Tests of the policy: the rule set as data (RULES.md preamble and every
// [default]). Suites named "...Preamble" check RULES.md's unnumbered preamble,
// "the whole rule set is data". The built-in nansha-2019 must carry the
// values RULES.md states; a bad policy must be refused with every violation
// named.

#include "scoring/policy.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/date.h"

namespace evald::scoring {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// --- The built-in policy --------------------------------------------------

TEST(PolicyBuiltInPreamble, IdAndEffectiveDate) {
  const Policy& p = BuiltInPolicy();
  EXPECT_EQ(p.id, "nansha-2019");
  EXPECT_EQ(p.effective_date, Date(2019, 1, 1));
  EXPECT_EQ(p.proto.id(), "nansha-2019");
  EXPECT_EQ(&p, &BuiltInPolicy());  // loaded once
}

TEST(ProfessionalScoreRule3, BuiltInWeightsAre70And10And10And10) {
  const Policy& p = BuiltInPolicy();
  EXPECT_EQ(p.third_party_percent, 70);
  EXPECT_EQ(p.township_percent, 10);
  EXPECT_EQ(p.village_percent, 10);
  EXPECT_EQ(p.bureau_percent, 10);
}

TEST(GradeBandsRule3, BuiltInBandsAre90And80And60) {
  const Policy& p = BuiltInPolicy();
  EXPECT_EQ(p.excellent_min.hundredths(), 9000);
  EXPECT_EQ(p.good_min.hundredths(), 8000);
  EXPECT_EQ(p.qualified_min.hundredths(), 6000);
}

TEST(FinancialRule5, BuiltInPassMarkAndCostStructure) {
  const Policy& p = BuiltInPolicy();
  EXPECT_EQ(p.financial_pass_mark.hundredths(), 6000);
  EXPECT_EQ(p.personnel_min_percent, 70);
  EXPECT_EQ(p.personnel_plus_quality_min_percent, 85);
  EXPECT_EQ(p.management_max_percent, 15);
}

TEST(VetoRule4, BuiltInProfessionalCatalogueHasSevenWithCurableFlags) {
  const Policy& p = BuiltInPolicy();
  const struct {
    const char* code;
    bool curable;
  } kWant[] = {
      {"FALSIFIED_RECORDS", false},
      {"FUND_MISAPPROPRIATION", false},
      {"SAFETY_INCIDENT", false},
      {"POLITICAL_LEGAL_VIOLATION", false},
      {"UNAUTHORISED_SUBCONTRACTING", false},
      {"UNDERSTAFFING", true},
      {"UNRESOLVED_COMPLAINT", true},
  };
  ASSERT_EQ(p.professional_vetoes.size(), 7u);
  for (const auto& want : kWant) {
    SCOPED_TRACE(want.code);
    const VetoRule* rule = p.FindVeto(VetoKind::kProfessional, want.code);
    ASSERT_NE(rule, nullptr);
    EXPECT_EQ(rule->curable, want.curable);
    EXPECT_FALSE(rule->title_zh.empty());
    EXPECT_FALSE(rule->title_en.empty());
  }
}

TEST(VetoRule5, BuiltInFinancialCatalogue) {
  const Policy& p = BuiltInPolicy();
  const VetoRule* misappropriation =
      p.FindVeto(VetoKind::kFinancial, "FIN_MISAPPROPRIATION");
  ASSERT_NE(misappropriation, nullptr);
  EXPECT_FALSE(misappropriation->curable);  // RULES.md §5: not curable
  const VetoRule* missing =
      p.FindVeto(VetoKind::kFinancial, "FIN_MISSING_RECORDS");
  ASSERT_NE(missing, nullptr);
  EXPECT_TRUE(missing->curable);
}

TEST(VetoRule4, CataloguesAreSeparateByKind) {
  const Policy& p = BuiltInPolicy();
  EXPECT_EQ(p.FindVeto(VetoKind::kFinancial, "FALSIFIED_RECORDS"), nullptr);
  EXPECT_EQ(p.FindVeto(VetoKind::kProfessional, "FIN_MISAPPROPRIATION"),
            nullptr);
  EXPECT_EQ(p.FindVeto(VetoKind::kProfessional, "NO_SUCH_CODE"), nullptr);
  EXPECT_EQ(p.FindVeto(VetoKind::kProfessional, "understaffing"), nullptr);
}

TEST(TrancheRule7, BuiltInTranchesAndDeadlines) {
  const Policy& p = BuiltInPolicy();
  EXPECT_EQ(p.year_start_percent, 40);
  EXPECT_EQ(p.mid_term_percent, 30);
  EXPECT_EQ(p.final_percent, 30);
  EXPECT_EQ(p.rectification_calendar_days, 30);
  EXPECT_EQ(p.payment_working_days, 15);
  EXPECT_EQ(p.rectified_payment_working_days, 15);
  EXPECT_EQ(p.year_start_payment_working_days, 15);
}

TEST(ContractRule2, BuiltInFundPerStaffAndContractYears) {
  const Policy& p = BuiltInPolicy();
  EXPECT_EQ(p.annual_fund_per_staff.fen(), 130'000 * 100);
  EXPECT_EQ(p.contract_years, 5);
}

// --- Validation -----------------------------------------------------------

// The built-in policy's message, to break one field at a time.
evaluation::v1::Policy Valid() { return BuiltInPolicy().proto; }

TEST(PolicyValidationPreamble, BuiltInMessageIsValidAndRoundTrips) {
  absl::StatusOr<Policy> p = PolicyFromProto(Valid());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->id, "nansha-2019");
  EXPECT_EQ(p->third_party_percent, 70);
}

TEST(PolicyValidationPreamble, EachViolationIsNamedByField) {
  using Mutation = void (*)(evaluation::v1::Policy&);
  const struct {
    const char* name;
    Mutation mutate;
    std::vector<std::string> want;  // substrings of the message
  } kCases[] = {
      {"weights sum to 110",
       [](evaluation::v1::Policy& p) {
         p.mutable_weights()->set_township_percent(20);
       },
       {"weights: percentages sum to 110, want 100"}},
      {"weights sum to 90",
       [](evaluation::v1::Policy& p) {
         p.mutable_weights()->set_bureau_percent(0);
       },
       {"weights: percentages sum to 90, want 100"}},
      {"negative weight",
       [](evaluation::v1::Policy& p) {
         p.mutable_weights()->set_township_percent(-10);
         p.mutable_weights()->set_third_party_percent(90);
       },
       {"weights.township_percent: -10 is not a percentage"}},
      {"bands out of order",
       [](evaluation::v1::Policy& p) {
         p.mutable_grade_bands()->set_good_min("95");
       },
       {"grade_bands: must be ordered"}},
      {"bands equal",
       [](evaluation::v1::Policy& p) {
         p.mutable_grade_bands()->set_qualified_min("80");
       },
       {"grade_bands: must be ordered"}},
      {"tranches sum to 90",
       [](evaluation::v1::Policy& p) {
         p.mutable_tranches()->set_final_percent(20);
       },
       {"tranches: percentages sum to 90, want 100"}},
      {"duplicate professional veto code",
       [](evaluation::v1::Policy& p) {
         auto* dup = p.add_professional_vetoes();
         dup->set_code("UNDERSTAFFING");
         dup->set_title_en("again");
       },
       {"professional_vetoes[7]: code \"UNDERSTAFFING\" is repeated"}},
      {"duplicate financial veto code",
       [](evaluation::v1::Policy& p) {
         p.mutable_financial_vetoes(2)->set_code("FIN_MISAPPROPRIATION");
       },
       {"financial_vetoes[2]: code \"FIN_MISAPPROPRIATION\" is repeated"}},
      {"veto without code or title",
       [](evaluation::v1::Policy& p) { p.add_financial_vetoes(); },
       {"financial_vetoes[3]: code is empty",
        "financial_vetoes[3]: has no title"}},
      {"bad band text",
       [](evaluation::v1::Policy& p) {
         p.mutable_grade_bands()->set_excellent_min("90.005");
       },
       {"grade_bands.excellent_min: ", "has more than two decimals"}},
      {"bad pass-mark text",
       [](evaluation::v1::Policy& p) { p.set_financial_pass_mark("sixty"); },
       {"financial_pass_mark: ", "\"sixty\""}},
      {"bad date",
       [](evaluation::v1::Policy& p) { p.set_effective_date("2019-02-30"); },
       {"effective_date: ", "\"2019-02-30\"", "is not a day of the calendar"}},
      {"empty id",
       [](evaluation::v1::Policy& p) { p.clear_id(); },
       {"id: is empty"}},
      {"personnel+quality below personnel",
       [](evaluation::v1::Policy& p) {
         p.mutable_cost_structure()->set_personnel_plus_quality_min_percent(60);
       },
       {"cost_structure: personnel_plus_quality_min_percent is below"}},
      {"management above 100",
       [](evaluation::v1::Policy& p) {
         p.mutable_cost_structure()->set_management_max_percent(101);
       },
       {"cost_structure.management_max_percent: 101 is not a percentage"}},
      {"zero deadline",
       [](evaluation::v1::Policy& p) {
         p.mutable_deadlines()->set_rectification_calendar_days(0);
       },
       {"deadlines.rectification_calendar_days: 0 must be positive"}},
      {"bad fund",
       [](evaluation::v1::Policy& p) {
         p.set_annual_fund_per_staff_yuan("130,000");
       },
       {"annual_fund_per_staff_yuan: "}},
      {"no contract years",
       [](evaluation::v1::Policy& p) { p.set_contract_years(0); },
       {"contract_years: 0 is not in [1, 20]"}},
      {"no score scale",
       [](evaluation::v1::Policy& p) { p.clear_score_scale(); },
       {"score_scale.min: ", "score_scale.rounding: want HALF_UP or "}},
      {"three decimals",
       [](evaluation::v1::Policy& p) {
         p.mutable_score_scale()->set_decimals(3);
       },
       {"score_scale.decimals: 3 is not 0, 1 or 2"}},
      {"max below min",
       [](evaluation::v1::Policy& p) {
         p.mutable_score_scale()->set_min("100");
         p.mutable_score_scale()->set_max("10");
       },
       {"score_scale: min must be below max"}},
      {"a band outside the scale",
       [](evaluation::v1::Policy& p) {
         p.mutable_score_scale()->set_max("85");
       },
       {"grade_bands.excellent_min: \"90.00\" is above the maximum 85.00"}},
      {"a band finer than the scale's decimals",
       [](evaluation::v1::Policy& p) {
         p.mutable_score_scale()->set_decimals(0);
         p.mutable_grade_bands()->set_good_min("80.5");
       },
       {"grade_bands.good_min: \"80.50\" has more than 0 decimals"}},
      {"no evaluation windows",
       [](evaluation::v1::Policy& p) { p.clear_evaluation_windows(); },
       {"evaluation_windows: is missing"}},
      {"final window before the mid-term one",
       [](evaluation::v1::Policy& p) {
         p.mutable_evaluation_windows()->set_final_opens_after_months(3);
       },
       {"evaluation_windows.final_opens_after_months: 3 is not in "}},
      {"no contract dates",
       [](evaluation::v1::Policy& p) { p.clear_contract_dates(); },
       {"contract_dates.earliest_start: ", "contract_dates.latest_start: "}},
      {"contract dates reversed",
       [](evaluation::v1::Policy& p) {
         p.mutable_contract_dates()->set_latest_start("1999-12-31");
       },
       {"contract_dates: latest_start is before earliest_start"}},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    evaluation::v1::Policy proto = Valid();
    c.mutate(proto);
    absl::StatusOr<Policy> p = PolicyFromProto(proto);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(p.status().message()), StartsWith("policy \""));
    for (const std::string& want : c.want) {
      EXPECT_THAT(p.status().message(), HasSubstr(want));
    }
  }
}

TEST(PolicyValidationPreamble, SeveralViolationsAppearTogether) {
  evaluation::v1::Policy proto = Valid();
  proto.set_id("broken");
  proto.mutable_weights()->set_third_party_percent(60);  // sum 90
  proto.mutable_grade_bands()->set_good_min("90");       // == excellent
  proto.mutable_tranches()->set_year_start_percent(50);  // sum 110
  proto.mutable_professional_vetoes(1)->set_code("FALSIFIED_RECORDS");
  proto.set_financial_pass_mark("60.5.0");
  proto.set_effective_date("2019-1-1");
  absl::StatusOr<Policy> p = PolicyFromProto(proto);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(p.status().message());
  EXPECT_THAT(message, StartsWith("policy \"broken\": "));
  for (const char* want : {
           "weights: percentages sum to 90, want 100",
           "grade_bands: must be ordered",
           "tranches: percentages sum to 110, want 100",
           "professional_vetoes[1]: code \"FALSIFIED_RECORDS\" is repeated",
           "financial_pass_mark: ",
           "effective_date: ",
       }) {
    EXPECT_THAT(message, HasSubstr(want));
  }
}

TEST(ScoreScaleRule3, BuiltInScoresAre0To100WithTwoDecimalsRoundedHalfUp) {
  const Policy& p = BuiltInPolicy();
  EXPECT_EQ(p.score_min.hundredths(), 0);
  EXPECT_EQ(p.score_max.hundredths(), 10000);
  EXPECT_EQ(p.score_decimals, 2);
  EXPECT_EQ(p.rounding, Rounding::kHalfUp);
  EXPECT_TRUE(p.CheckScore(Score::FromHundredths(10000), "score").ok());
  EXPECT_TRUE(p.CheckScore(Score::FromHundredths(0), "score").ok());
  absl::Status above = p.CheckScore(Score::FromHundredths(10001), "score");
  EXPECT_EQ(above.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(above.message(), "score: \"100.01\" is above the maximum 100.00");
  // 59.995 exactly (599950 ten-thousandths) rounds half up to 60.00.
  EXPECT_EQ(p.RoundScore(599950, 100).hundredths(), 6000);
  EXPECT_EQ(p.RoundScore(599849, 100).hundredths(), 5998);
}

TEST(ScoreScaleRule3, APolicyMayNarrowTheRangeTheDecimalsAndTheRounding) {
  evaluation::v1::Policy proto = BuiltInPolicy().proto;
  proto.set_id("tenths");
  proto.mutable_score_scale()->set_min("10");
  proto.mutable_score_scale()->set_decimals(1);
  proto.mutable_score_scale()->set_rounding(evaluation::v1::HALF_EVEN);
  absl::StatusOr<Policy> p = PolicyFromProto(proto);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->CheckScore(Score::FromHundredths(999), "score").message(),
            "score: \"9.99\" is below the minimum 10.00");
  EXPECT_EQ(p->CheckScore(Score::FromHundredths(8555), "score").message(),
            "score: \"85.55\" has more than 1 decimal (policy tenths)");
  EXPECT_TRUE(p->CheckScore(Score::FromHundredths(8550), "score").ok());
  // Tenths, ties to even: 59.95 -> 60.0 (599 odd), 59.85 -> 59.8 (598
  // even), 59.86 -> 59.9.
  EXPECT_EQ(p->RoundScore(599500, 100).hundredths(), 6000);
  EXPECT_EQ(p->RoundScore(598500, 100).hundredths(), 5980);
  EXPECT_EQ(p->RoundScore(598600, 100).hundredths(), 5990);
}

TEST(EvaluationWindowsRule3, BuiltInMidTermAfter5AndFinalAfter11Months) {
  const Policy& p = BuiltInPolicy();
  EXPECT_EQ(p.mid_term_opens_after_months, 5);
  EXPECT_EQ(p.final_opens_after_months, 11);
  EXPECT_EQ(p.earliest_start, Date(2000, 1, 1));
  EXPECT_EQ(p.latest_start, Date(2099, 12, 31));
}

TEST(PolicyTextPreamble, ParsesAValidPolicy) {
  absl::StatusOr<Policy> p = ParsePolicyText(R"pb(
    id: "test-2030"
    effective_date: "2030-01-01"
    weights {
      third_party_percent: 60
      township_percent: 20
      village_percent: 10
      bureau_percent: 10
    }
    grade_bands { excellent_min: "95" good_min: "85.5" qualified_min: "70" }
    financial_pass_mark: "65"
    cost_structure {
      personnel_min_percent: 60
      personnel_plus_quality_min_percent: 80
      management_max_percent: 20
    }
    professional_vetoes { code: "X" title_en: "x" curable: true }
    tranches { year_start_percent: 50 mid_term_percent: 25 final_percent: 25 }
    deadlines {
      rectification_calendar_days: 20
      payment_working_days: 10
      rectified_payment_working_days: 15
      year_start_payment_working_days: 5
    }
    annual_fund_per_staff_yuan: "150000.50"
    contract_years: 3
    score_scale { min: "0" max: "100" decimals: 1 rounding: HALF_EVEN }
    evaluation_windows {
      mid_term_opens_after_months: 4
      final_opens_after_months: 10
    }
    contract_dates { earliest_start: "2030-01-01" latest_start: "2040-12-31" }
  )pb");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->id, "test-2030");
  EXPECT_EQ(p->effective_date, Date(2030, 1, 1));
  EXPECT_EQ(p->third_party_percent, 60);
  EXPECT_EQ(p->township_percent, 20);
  EXPECT_EQ(p->good_min.hundredths(), 8550);
  EXPECT_EQ(p->financial_pass_mark.hundredths(), 6500);
  EXPECT_EQ(p->personnel_min_percent, 60);
  ASSERT_EQ(p->professional_vetoes.size(), 1u);
  EXPECT_TRUE(p->professional_vetoes[0].curable);
  EXPECT_TRUE(p->financial_vetoes.empty());
  EXPECT_EQ(p->year_start_percent, 50);
  EXPECT_EQ(p->rectification_calendar_days, 20);
  EXPECT_EQ(p->year_start_payment_working_days, 5);
  EXPECT_EQ(p->annual_fund_per_staff.fen(), 15'000'050);
  EXPECT_EQ(p->contract_years, 3);
  EXPECT_EQ(p->score_decimals, 1);
  EXPECT_EQ(p->rounding, Rounding::kHalfEven);
  EXPECT_EQ(p->mid_term_opens_after_months, 4);
  EXPECT_EQ(p->latest_start, Date(2040, 12, 31));
}

TEST(PolicyTextPreamble, SyntaxErrorNamesTheLine) {
  absl::StatusOr<Policy> p = ParsePolicyText(
      "id: \"x\"\n"
      "weights {\n"
      "  third_party_percent: seventy\n"
      "}\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("line 3"));
}

TEST(PolicyTextPreamble, UnknownFieldNamesTheLine) {
  absl::StatusOr<Policy> p =
      ParsePolicyText("id: \"x\"\n\n\nweight_of_village: 10\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("line 4"));
  EXPECT_THAT(p.status().message(), HasSubstr("weight_of_village"));
}

TEST(PolicyTextPreamble, WellFormedButInvalidIsValidated) {
  // Parses, but nothing is set: every required field is reported.
  absl::StatusOr<Policy> p = ParsePolicyText("id: \"empty\"\n");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("policy \"empty\""));
  EXPECT_THAT(p.status().message(),
              HasSubstr("weights: percentages sum to 0, want 100"));
  EXPECT_THAT(p.status().message(),
              HasSubstr("tranches: percentages sum to 0, want 100"));
  EXPECT_THAT(p.status().message(), HasSubstr("effective_date: "));
}

}  // namespace
}  // namespace evald::scoring
