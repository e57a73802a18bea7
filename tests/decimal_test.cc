// Tests of exact scores and money (RULES.md §3: a score is in [0, 100] with
// at most two decimals, never binary floating point; §7: money is integer
// fen).

#include "scoring/decimal.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evald::scoring {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(ScoreParsingRule3, AcceptsAtMostTwoDecimalsInRange) {
  const struct {
    const char* text;
    int64_t hundredths;
  } kCases[] = {
      {"85", 8500},   {"85.5", 8550},    {"85.50", 8550},  {"0", 0},
      {"100", 10000}, {"100.00", 10000}, {"100.0", 10000}, {"0.01", 1},
      {"0.00", 0},    {"59.99", 5999},   {"60.02", 6002},  {"9.09", 909},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<Score> score = Score::Parse(c.text, "township");
    ASSERT_TRUE(score.ok()) << score.status();
    EXPECT_EQ(score->hundredths(), c.hundredths);
  }
}

TEST(ScoreParsingRule3, RejectsWithFieldAndReason) {
  const struct {
    const char* text;
    const char* reason;
  } kCases[] = {
      {"85.555", "has more than two decimals"},
      {"85.001", "has more than two decimals"},
      {"-1", "is negative"},
      {"-0.5", "is negative"},
      // The sanity bound only: a policy's own range is checked by
      // Policy::CheckScore (policy_test.cc, ScoreScaleRule3).
      {"1000.01", "is above the maximum 1000.00"},
      {"NaN", "is not a plain decimal number"},
      {"nan", "is not a plain decimal number"},
      {"inf", "is not a plain decimal number"},
      {"8e1", "is not a plain decimal number"},
      {"", "is empty"},
      {" 85", "is not a plain decimal number"},
      {"85 ", "is not a plain decimal number"},
      {"85.", "has no digits after the decimal point"},
      {".5", "has no digits before the decimal point"},
      {"+5", "is not a plain decimal number"},
      {"85,5", "is not a plain decimal number"},
      {"8.5.1", "is not a plain decimal number"},
      {"0x10", "is not a plain decimal number"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string("\"") + c.text + "\"");
    absl::StatusOr<Score> score = Score::Parse(c.text, "township score");
    ASSERT_FALSE(score.ok()) << score->ToString();
    EXPECT_EQ(score.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(score.status().message()),
                StartsWith("township score: "));
    EXPECT_THAT(score.status().message(),
                HasSubstr(std::string("\"") + c.text + "\""));
    EXPECT_THAT(score.status().message(), HasSubstr(c.reason));
  }
}

TEST(ScoreParsingRule3, DefaultFieldNameIsScore) {
  absl::StatusOr<Score> score = Score::Parse("85.555");
  ASSERT_FALSE(score.ok());
  EXPECT_THAT(std::string(score.status().message()), StartsWith("score: "));
}

TEST(ScoreParsingRule3, ToStringAlwaysHasTwoDecimals) {
  EXPECT_EQ(Score::FromHundredths(6000).ToString(), "60.00");
  EXPECT_EQ(Score::FromHundredths(8950).ToString(), "89.50");
  EXPECT_EQ(Score::FromHundredths(10000).ToString(), "100.00");
  EXPECT_EQ(Score::FromHundredths(5).ToString(), "0.05");
  EXPECT_EQ(Score::FromHundredths(0).ToString(), "0.00");
}

TEST(ScoreParsingRule3, ComparesByValue) {
  EXPECT_EQ(*Score::Parse("85.5"), *Score::Parse("85.50"));
  EXPECT_LT(*Score::Parse("59.99"), *Score::Parse("60"));
  EXPECT_GE(*Score::Parse("60"), *Score::Parse("60.00"));
  EXPECT_NE(*Score::Parse("60.01"), *Score::Parse("60"));
}

TEST(MoneyRule7, ParsesYuanIntoFen) {
  const struct {
    const char* text;
    int64_t fen;
  } kCases[] = {
      {"2600000.00", 260'000'000},
      {"2600000", 260'000'000},
      {"2600000.5", 260'000'050},
      {"130000", 13'000'000},
      {"100000.01", 10'000'001},
      {"0.01", 1},
      {"0", 0},
      {"10000000000000", Money::kMaxFen},  // the largest amount accepted
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<Money> money = Money::ParseYuan(c.text, "annual_fund");
    ASSERT_TRUE(money.ok()) << money.status();
    EXPECT_EQ(money->fen(), c.fen);
  }
}

TEST(MoneyRule7, RejectsWithFieldAndReason) {
  const struct {
    const char* text;
    const char* reason;
  } kCases[] = {
      {"1,000", "is not a plain decimal number"},
      {"-5", "is negative"},
      {"1.234", "has more than two decimals"},
      {"1e3", "is not a plain decimal number"},
      {" 5", "is not a plain decimal number"},
      {"¥5", "is not a plain decimal number"},
      {"", "is empty"},
      {"5.", "has no digits after the decimal point"},
      {"10000000000000.01", "is above the maximum"},
      {"99999999999999999999", "is too large"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string("\"") + c.text + "\"");
    absl::StatusOr<Money> money = Money::ParseYuan(c.text, "annual_fund");
    ASSERT_FALSE(money.ok()) << money->ToYuanString();
    EXPECT_EQ(money.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(money.status().message()),
                StartsWith("annual_fund: "));
    EXPECT_THAT(money.status().message(), HasSubstr(c.reason));
  }
}

TEST(MoneyRule7, FormatsYuanWithTwoDecimals) {
  EXPECT_EQ(Money::FromFen(260'000'000).ToYuanString(), "2600000.00");
  EXPECT_EQ(Money::FromFen(10'000'001).ToYuanString(), "100000.01");
  EXPECT_EQ(Money::FromFen(1).ToYuanString(), "0.01");
  EXPECT_EQ(Money::FromFen(0).ToYuanString(), "0.00");
}

TEST(MoneyRule7, AddsAndSubtractsExactly) {
  EXPECT_EQ(Money::FromFen(10) + Money::FromFen(5), Money::FromFen(15));
  EXPECT_EQ(Money::FromFen(10) - Money::FromFen(3), Money::FromFen(7));
  EXPECT_LT(Money::FromFen(1), Money::FromFen(2));
  EXPECT_NE(Money::FromFen(1), Money::FromFen(2));
}

TEST(RoundHalfUpRule3, TiesGoUp) {
  const struct {
    int64_t num, den, want;
  } kCases[] = {
      {5, 10, 1},           // 0.5 -> 1
      {4, 10, 0},           // 0.4 -> 0
      {15, 10, 2},          // 1.5 -> 2
      {14, 10, 1},          // 1.4 -> 1
      {0, 3, 0},            // 0 -> 0
      {1, 3, 0},            // 0.33 -> 0
      {2, 3, 1},            // 0.67 -> 1
      {24001, 3, 8000},     // 8000.33 -> 8000
      {16001, 2, 8001},     // 8000.5 -> 8001
      {599950, 100, 6000},  // 5999.5 -> 6000
      {599949, 100, 5999},  // 5999.49 -> 5999
      {7, 1, 7},            // exact
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.num << "/" << c.den);
    EXPECT_EQ(DivideRoundHalfUp(c.num, c.den), c.want);
  }
}

}  // namespace
}  // namespace evald::scoring
