// Request-field checks (server/validate.h): each refusal names the field
// and says why.

#include "server/validate.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/listen_address.h"

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

// Nothing that could act on an operator's terminal gets in (issue #16).
TEST(ValidateTest, TextRefusesControlAndDirectionCharacters) {
  const struct {
    const char* text;
    const char* character;
  } kCases[] = {
      {"BANK\x1b[2J", "U+001B"},  // ESC: clears the screen
      {"line\none", "U+000A"},    // a reference is one line
      {"tab\there", "U+0009"},
      {"del\x7f", "U+007F"},
      {"c1 \xc2\x9b", "U+009B"},  // CSI as a C1 control
      {"\xe2\x80\xae"
       "fed.exe",
       "U+202E"},  // right-to-left override
      {"\xe2\x81\xa6"
       "x",
       "U+2066"},  // left-to-right isolate
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.character);
    absl::Status s = ValidateText("payment_reference", c.text, 128);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(),
              std::string("payment_reference: contains the control or "
                          "direction character ") +
                  c.character + "; use plain text on one line");
  }
  // Evidence and reasons may run over several lines.
  EXPECT_TRUE(
      ValidateText("evidence", "第一行\n第二行\tend", 4000, Lines::kMany).ok());
  EXPECT_FALSE(ValidateText("evidence", "x\x1b[31m", 4000, Lines::kMany).ok());
  EXPECT_TRUE(ValidateText("name", "黄阁镇社工站 (Huangge)", 200).ok());
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

// Plaintext only on a literal loopback address: a name that merely starts
// with "127." is not one (issue #16).
TEST(ListenAddressTest, OnlyLiteralLoopbackAddresses) {
  for (const char* ok :
       {"127.0.0.1:50051", "127.0.0.1:0", "127.1.2.3:8080", "[::1]:50051"}) {
    EXPECT_TRUE(IsLiteralLoopback(ok)) << ok;
  }
  for (const char* no :
       {"127.0.0.1.nip.io:50051", "localhost:50051", "0.0.0.0:50051",
        "10.0.0.1:50051", "[::]:50051", "127.1:50051", "127.0.0.1",
        "[::ffff:10.0.0.1]:1", "evil.127.0.0.1:1", ":50051"}) {
    EXPECT_FALSE(IsLiteralLoopback(no)) << no;
  }
}

}  // namespace
}  // namespace evald::server
