// Request-field checks (server/validate.h): each refusal names the field
// and says why.

#include "server/validate.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evald::server {
namespace {

using ::testing::HasSubstr;

TEST(ValidateTest, IdsAreShortAndPlain) {
  EXPECT_TRUE(ValidateId("project_id", "P-1_a").ok());
  EXPECT_EQ(ValidateId("project_id", "").message(), "project_id: is required");
  EXPECT_EQ(ValidateId("township", std::string(65, 'a')).message(),
            "township: longer than 64 characters");
  EXPECT_EQ(ValidateId("township", "黄阁").message(),
            "township: \"黄阁\" may contain only letters, digits, '-' and '_'");
  EXPECT_FALSE(ValidateId("project_id", "a/b").ok());
}

TEST(ValidateTest, RequestIdsArePrintableAscii) {
  EXPECT_TRUE(ValidateRequestId("evalctl-0123").ok());
  EXPECT_THAT(ValidateRequestId("").message(),
              HasSubstr("request_id: is required on every change"));
  EXPECT_FALSE(ValidateRequestId("with space").ok());
  EXPECT_FALSE(ValidateRequestId(std::string(129, 'a')).ok());
}

TEST(ValidateTest, TextIsUtf8AndBounded) {
  EXPECT_TRUE(ValidateText("reason", "乡镇申请复核", 4000).ok());
  EXPECT_EQ(ValidateText("reason", "", 10).message(), "reason: is required");
  EXPECT_EQ(ValidateText("reason", "abcdefghijk", 10).message(),
            "reason: longer than 10 bytes");
  EXPECT_EQ(ValidateText("reason", "\xff\xfe", 10).message(),
            "reason: is not UTF-8");
}

TEST(ValidateTest, DatesAndMoney) {
  EXPECT_EQ(*ParseDateField("result_date", "2025-12-15"),
            scoring::Date(2025, 12, 15));
  EXPECT_THAT(ParseDateField("result_date", "").status().message(),
              HasSubstr("result_date: is required (YYYY-MM-DD)"));
  EXPECT_THAT(ParseDateField("result_date", "2025/12/15").status().message(),
              HasSubstr("result_date: "));
  EXPECT_EQ(*ParseDateOr("as_of", "", scoring::Date(2026, 1, 10)),
            scoring::Date(2026, 1, 10));
  EXPECT_EQ(MoneyField("amount", -1).status().message(), "amount: is negative");
  EXPECT_EQ(
      MoneyField("amount", scoring::Money::kMaxFen + 1).status().message(),
      "amount: is too large");
}

TEST(ValidateTest, AnEvaluationReference) {
  evaluation::v1::EvaluationRef ref;
  EXPECT_EQ(ValidateRef(ref).message(), "evaluation.project_id: is required");
  ref.set_project_id("P1");
  ref.set_year(25);
  EXPECT_EQ(ValidateRef(ref).message(),
            "evaluation.year: 25 is not a calendar year");
  ref.set_year(2025);
  EXPECT_EQ(ValidateRef(ref).message(),
            "evaluation.phase: want MID_TERM or FINAL");
  ref.set_phase(evaluation::v1::FINAL);
  EXPECT_TRUE(ValidateRef(ref).ok());
}

}  // namespace
}  // namespace evald::server
