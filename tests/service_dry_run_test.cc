// Service tests: what cannot be undone is guarded. FinalizeEvaluation with
// validate_only (the dry run that shows a finalisation's outcome and money
// effects and writes nothing), and dates after today refused.

#include <string>

#include "tests/service_fixture.h"

namespace evald::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class DryRunTest : public ServiceTest {
 public:
  void SetUp() override {
    ServiceTest::SetUp();
    if (HasFatalFailure()) return;
    Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 3, "AG1");
  }

  grpc::Status Finalise(const char* token, const std::string& request_id,
                        bool validate_only, v1::Evaluation* reply) {
    v1::FinalizeEvaluationRequest r =
        FinalizeReq(Ref("P1", 2025, v1::MID_TERM), "2025-12-15");
    r.set_request_id(request_id);
    r.set_validate_only(validate_only);
    return Call(&Stub::FinalizeEvaluation, token, r, reply);
  }
};

TEST_F(DryRunTest, ShowsATerminationAndItsMoneyAndWritesNothing) {
  // All 50, not rectifiable: the phase fails and the contract ends.
  SubmitAll(Ref("P1", 2025, v1::MID_TERM), kHuanggeBoth, "50");
  const std::string before = Digest();
  v1::Evaluation would;
  grpc::Status s = Finalise(kBureau, "fin-1", true, &would);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(would.state(), v1::FAILED);
  EXPECT_EQ(would.result().outcome(), v1::FAIL_FINAL);
  EXPECT_EQ(would.result().score(), "50.00");
  EXPECT_EQ(would.result().result_date(), "2025-12-15");
  EXPECT_THAT(would.effects(), Contains(HasSubstr("terminated")));
  EXPECT_EQ(Digest(), before) << "a dry run wrote to the database";
  EXPECT_EQ(GetEval(Ref("P1", 2025, v1::MID_TERM)).state(), v1::SCORED);

  // The dry run did not take the request id: the real call under it
  // finalises, and says the same.
  v1::Evaluation done;
  s = Finalise(kBureau, "fin-1", false, &done);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(done.state(), v1::FAILED);
  EXPECT_THAT(done.effects(), ::testing::ElementsAreArray(would.effects()));
  EXPECT_THAT(done.result().reasons(),
              ::testing::ElementsAreArray(would.result().reasons()));
}

TEST_F(DryRunTest, ShowsThePassAndTheTrancheItMakesDue) {
  SubmitAll(Ref("P1", 2025, v1::MID_TERM), kHuanggeBoth, "85");
  v1::Evaluation would;
  ASSERT_TRUE(Finalise(kBureau, "fin-2", true, &would).ok());
  EXPECT_EQ(would.state(), v1::PASSED);
  EXPECT_EQ(would.result().grade(), v1::GOOD);
  // 15 working days from Mon 2025-12-15, across New Year (RULES.md §7).
  EXPECT_THAT(would.effects(), Contains(HasSubstr("due by 2026-01-06")));
  v1::ListDisbursementsRequest mid_term;
  mid_term.set_kind(v1::MID_TERM_TRANCHE);
  for (const v1::Disbursement& d : ListTranches(kFinance, mid_term)) {
    EXPECT_EQ(d.state(), v1::PENDING) << d.name() << ": a dry run changed it";
  }
}

TEST_F(DryRunTest, IsRefusedAsTheRealCallWouldBe) {
  const std::string before = Digest();
  v1::Evaluation reply;
  // Nothing submitted yet: not scored.
  grpc::Status s = Finalise(kBureau, "fin-3", true, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Only the bureau finalises, in a dry run as well.
  s = Finalise(kTownship, "fin-4", true, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Digest(), before);
}

// The fixture's clock says 2026-01-10 (China): the day something happened
// may be today, never later.
class FutureDateTest : public ServiceTest {
 public:
  void SetUp() override {
    allow_future_dates_ = false;
    ServiceTest::SetUp();
    if (HasFatalFailure()) return;
    Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 3, "AG1");
    SubmitAll(Ref("P1", 2025, v1::MID_TERM), kHuanggeBoth, "55",
              /*rectifiable=*/true);
  }
};

TEST_F(FutureDateTest, DatesAfterTodayAreRefusedNamingTheField) {
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  const std::string before = Digest();
  grpc::Status s =
      Call(&Stub::FinalizeEvaluation, kBureau, FinalizeReq(mid, "2026-01-11"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "result_date: 2026-01-11 is after today (2026-01-10 in China): "
            "give the day it happened, not a day to come");
  EXPECT_EQ(Digest(), before);

  // Today itself is fine.
  ASSERT_EQ(Finalize(mid, "2026-01-10").state(), v1::RECTIFYING);
  s = Call(&Stub::ApplyRectification, kProvider, ApplyReq(mid, "2026-02-01"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), StartsWith("application_date: 2026-02-01"));
  ASSERT_TRUE(
      Call(&Stub::ApplyRectification, kProvider, ApplyReq(mid, "2026-01-10"))
          .ok());
  s = Call(&Stub::DecideReevaluation, kBureau,
           DecideReq(mid, true, "2026-03-01"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), StartsWith("decision_date: 2026-03-01"));

  s = Call(&Stub::ReleaseDisbursement, kFinance,
           ReleaseReq("P1", 2025, v1::YEAR_START, "PAY-1", "2026-01-12"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), StartsWith("released_on: 2026-01-12"));
  EXPECT_TRUE(
      Call(&Stub::ReleaseDisbursement, kFinance,
           ReleaseReq("P1", 2025, v1::YEAR_START, "PAY-1", "2025-07-20"))
          .ok());
}

}  // namespace
}  // namespace evald::testing
