// Service tests of issue #10's money integrity, through the API: held
// tranches, lapsed deadlines shown on every read, provisional results, a
// pass after rectification that reads as one, stored data that fails
// closed, and the order of authorization, idempotency and validation.
//
// The server's clock is 2026-01-10 (service_fixture.h). Dates counted by
// hand against calendars.md are in the comments.

#include <string>
#include <vector>

#include "scoring/policy.h"
#include "tests/raw_db.h"
#include "tests/service_fixture.h"

namespace evald::testing {
namespace {

// A project from 2024-07-01 whose 2024 mid-term failed rectifiably on
// 2024-12-20 (deadline 2025-01-19) and was never applied for, while its
// 2024 final passed on 2025-06-20.
class MoneyTest : public ServiceTest {
 public:
  void SetUp() override {
    ServiceTest::SetUp();
    if (HasFatalFailure()) return;
    Create("P1", "huangge", "PR1", {"V01", "V02"}, "2024-07-01", 3, "AG1");
    Release("P1", 2024, v1::YEAR_START, "PAY-1", "2024-07-10");
    SubmitAll(Ref("P1", 2024, v1::MID_TERM), kHuanggeBoth, "55",
              /*rectifiable=*/true);
    ASSERT_EQ(Finalize(Ref("P1", 2024, v1::MID_TERM), "2024-12-20").state(),
              v1::RECTIFYING);
    SubmitAll(Ref("P1", 2024, v1::FINAL), kHuanggeBoth, "85");
    ASSERT_EQ(Finalize(Ref("P1", 2024, v1::FINAL), "2025-06-20").state(),
              v1::PASSED);
  }

  v1::Disbursement TrancheOf(int year, v1::TrancheKind kind) {
    v1::ListDisbursementsRequest r;
    r.set_project_id("P1");
    for (const v1::Disbursement& d : ListTranches(kFinance, r)) {
      if (d.year() == year && d.kind() == kind) return d;
    }
    ADD_FAILURE() << "no tranche " << year << " " << kind;
    return {};
  }
};

TEST_F(MoneyTest, TrancheRule7HeldTranchesAreListedWithTheirReason) {
  v1::ListDisbursementsRequest held;
  held.set_state(v1::HELD);
  std::vector<v1::Disbursement> list = ListTranches(kFinance, held);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name(), TrancheName("P1", 2024, v1::FINAL_TRANCHE));
  EXPECT_EQ(list[1].name(), TrancheName("P1", 2025, v1::YEAR_START));
  for (const v1::Disbursement& d : list) {
    EXPECT_EQ(d.hold_reason(),
              "held: 2024 mid-term in rectification, deadline 2025-01-19");
    EXPECT_EQ(d.held_by(), EvalName("P1", 2024, v1::MID_TERM));
    EXPECT_TRUE(d.due_date().empty());
    EXPECT_FALSE(d.overdue());
  }
  // Paid before the failure: untouched.
  EXPECT_EQ(TrancheOf(2024, v1::YEAR_START).state(), v1::RELEASED);
}

TEST_F(MoneyTest,
       TrancheRule7AReleaseOfAHeldTrancheIsRefusedAndChangesNothing) {
  const std::string before = Digest();
  grpc::Status s =
      Call(&Stub::ReleaseDisbursement, kFinance,
           ReleaseReq("P1", 2024, v1::FINAL_TRANCHE, "PAY-2", "2025-07-01"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("tranche P1/2024/final is HELD: P1/2024/mid-term is in "
                        "rectification (deadline 2025-01-19)"));
  EXPECT_EQ(Digest(), before);
}

TEST_F(MoneyTest, TrancheRule7AnExpiredRectificationForfeitsWhatItHeld) {
  v1::Evaluation expired;
  ASSERT_TRUE(Call(&Stub::ExpireRectification, kBureau,
                   ExpireReq(Ref("P1", 2024, v1::MID_TERM), "2025-07-01"),
                   &expired)
                  .ok());
  EXPECT_EQ(expired.state(), v1::FAILED);
  EXPECT_EQ(TrancheOf(2024, v1::FINAL_TRANCHE).state(), v1::FORFEITED);
  EXPECT_EQ(TrancheOf(2025, v1::YEAR_START).state(), v1::FORFEITED);
  EXPECT_EQ(TrancheOf(2024, v1::YEAR_START).state(), v1::RELEASED);
  v1::GetProjectRequest get;
  get.set_project_id("P1");
  v1::Project p;
  ASSERT_TRUE(Call(&Stub::GetProject, kBureau, get, &p).ok());
  EXPECT_TRUE(p.terminated());
}

TEST_F(MoneyTest, TrancheRule7APassedRectificationReleasesTheHold) {
  ASSERT_TRUE(Call(&Stub::ApplyRectification, kProvider,
                   ApplyReq(Ref("P1", 2024, v1::MID_TERM), "2025-01-10"))
                  .ok());
  v1::Evaluation passed;
  ASSERT_TRUE(Call(&Stub::DecideReevaluation, kBureau,
                   DecideReq(Ref("P1", 2024, v1::MID_TERM), true, "2025-07-01"),
                   &passed)
                  .ok());
  // The final passed 2025-06-20, inside the hold; it is payable from the
  // lifting, Tue 2025-07-01, and due 15 working days later: 07-02..04 (3),
  // 07-07..11 (8), 07-14..18 (13), 07-21 (14), 07-22 (15). Its own date
  // (2025-06-20 + 15 = 2025-07-11) is earlier.
  const v1::Disbursement final_tranche = TrancheOf(2024, v1::FINAL_TRANCHE);
  EXPECT_EQ(final_tranche.state(), v1::DUE);
  EXPECT_EQ(final_tranche.payable_from(), "2025-07-01");
  EXPECT_EQ(final_tranche.due_date(), "2025-07-22");
  EXPECT_TRUE(final_tranche.hold_reason().empty());
  // RULES.md §8: it reads as a pass; the failure stays in the history.
  EXPECT_EQ(passed.result().outcome(), v1::PASS_AFTER_RECTIFICATION);
  EXPECT_EQ(passed.result().grade(), v1::QUALIFIED_AFTER_RECTIFICATION);
  ASSERT_EQ(passed.history_size(), 1);
  EXPECT_EQ(passed.history(0).outcome(), v1::FAIL_RECTIFIABLE);
  EXPECT_EQ(passed.history(0).grade(), v1::UNQUALIFIED);
  EXPECT_EQ(passed.history(0).result_date(), "2024-12-20");
  EXPECT_EQ(passed.history(0).superseded_on(), "2025-07-01");
  EXPECT_EQ(passed.history(0).superseded_because(), "passed its re-evaluation");
  // The summary's grade mix says so too.
  v1::GetSummaryRequest r;
  r.set_year(2024);
  v1::Summary summary;
  ASSERT_TRUE(Call(&Stub::GetSummary, kBureau, r, &summary).ok());
  ASSERT_EQ(summary.rows_size(), 1);
  EXPECT_THAT(summary.rows(0).by_grade(),
              UnorderedElementsAre(Pair("QUALIFIED_AFTER_RECTIFICATION", 1),
                                   Pair("GOOD", 1)));
  EXPECT_THAT(summary.rows(0).by_state(),
              UnorderedElementsAre(Pair("PASSED_AFTER_RECTIFICATION", 1),
                                   Pair("PASSED", 1)));
}

TEST_F(MoneyTest, TrancheRule7ALapsedDeadlineShowsOnEveryRead) {
  // Deadline 2025-01-19; today 2026-01-10: 356 days past (12 days of
  // January 2025, then 2025-02-01 .. 2026-01-10 is 344).
  const v1::Evaluation mid = GetEval(Ref("P1", 2024, v1::MID_TERM));
  EXPECT_EQ(mid.state(), v1::RECTIFYING);
  EXPECT_EQ(mid.as_of(), "2026-01-10");
  EXPECT_TRUE(mid.deadline_passed());
  EXPECT_EQ(mid.days_overdue(), 356);
  EXPECT_EQ(mid.days_left(), 0);

  // The bureau lists the lapsed ones.
  v1::ListEvaluationsRequest lapsed;
  lapsed.set_lapsed_only(true);
  EXPECT_THAT(ListEvaluationNames(kBureau, lapsed),
              ElementsAre(EvalName("P1", 2024, v1::MID_TERM)));
  // As of a day before the deadline nothing has lapsed, and 9 days are left.
  lapsed.set_as_of("2025-01-10");
  EXPECT_THAT(ListEvaluationNames(kBureau, lapsed), IsEmpty());
  v1::ListEvaluationsRequest soon;
  soon.set_as_of("2025-01-10");
  soon.set_deadline_within_days(9);
  v1::ListEvaluationsResponse reply;
  ASSERT_TRUE(Call(&Stub::ListEvaluations, kBureau, soon, &reply).ok());
  ASSERT_EQ(reply.evaluations_size(), 1);
  EXPECT_EQ(reply.evaluations(0).days_left(), 9);
  EXPECT_FALSE(reply.evaluations(0).deadline_passed());
  soon.set_deadline_within_days(8);
  EXPECT_THAT(ListEvaluationNames(kBureau, soon), IsEmpty());
  // A filter that cannot mean anything is refused.
  v1::ListEvaluationsRequest bad;
  bad.set_lapsed_only(true);
  bad.set_state(v1::PASSED);
  EXPECT_EQ(Call(&Stub::ListEvaluations, kBureau, bad).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// --- Provisional results (RULES.md §3) --------------------------------------

TEST_F(ServiceTest, ProvisionalResultRule3ShownOnceEveryPartyIsIn) {
  Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 2, "AG1");
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  SubmitAll(mid, kHuanggeBoth, "85");
  const v1::Evaluation scored = GetEval(mid);
  EXPECT_EQ(scored.state(), v1::SCORED);
  EXPECT_TRUE(scored.result().provisional());
  EXPECT_EQ(scored.result().score(), "85.00");
  EXPECT_EQ(scored.result().grade(), v1::GOOD);
  EXPECT_EQ(scored.result().outcome(), v1::PASS);
  EXPECT_TRUE(scored.result().result_date().empty());
  // The summary counts grades of results that stand only.
  v1::GetSummaryRequest r;
  r.set_year(2025);
  v1::Summary summary;
  ASSERT_TRUE(Call(&Stub::GetSummary, kBureau, r, &summary).ok());
  ASSERT_EQ(summary.rows_size(), 1);
  EXPECT_THAT(summary.rows(0).by_grade(), IsEmpty());

  const v1::Evaluation finalised = Finalize(mid, "2025-12-15");
  EXPECT_FALSE(finalised.result().provisional());
  EXPECT_EQ(finalised.result().score(), "85.00");
  ASSERT_TRUE(Call(&Stub::GetSummary, kBureau, r, &summary).ok());
  EXPECT_THAT(summary.rows(0).by_grade(), ElementsAre(Pair("GOOD", 1)));
}

// --- Stored data that does not parse (fail closed)
// ----------------------------

TEST_F(ServiceTest, AReleasedTrancheWhoseRecordDoesNotParseIsNeverPaidAgain) {
  Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 2, "AG1");
  Release("P1", 2025, v1::YEAR_START, "PAY-1", "2025-07-10");
  Stop();
  // Damage the RELEASED record's kind, as a flipped byte would.
  const std::string key = "tranche/P1/2025/0-year-start";
  std::string value;
  ASSERT_EQ(ReadRecord(data_dir(), key, &value), "");
  v1::Disbursement d;
  ASSERT_TRUE(d.ParseFromString(value));
  ASSERT_EQ(d.state(), v1::RELEASED);
  d.set_kind(static_cast<v1::TrancheKind>(7));
  ASSERT_EQ(WriteRecord(data_dir(), key, d.SerializeAsString()), "");
  Start();

  const std::string before = Digest();
  grpc::Status s =
      Call(&Stub::ReleaseDisbursement, kFinance,
           ReleaseReq("P1", 2025, v1::YEAR_START, "PAY-2", "2025-07-20"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(s.error_message(),
              HasSubstr("stored tranche projects/P1/years/2025/tranches/"
                        "year-start is malformed: kind"));
  // Any command that reads the contract's tranches fails closed the same
  // way; nothing is written.
  SubmitAll(Ref("P1", 2025, v1::MID_TERM), kHuanggeBoth, "85");
  EXPECT_EQ(Call(&Stub::FinalizeEvaluation, kBureau,
                 FinalizeReq(Ref("P1", 2025, v1::MID_TERM), "2025-12-15"))
                .error_code(),
            grpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(GetEval(Ref("P1", 2025, v1::MID_TERM)).state(), v1::SCORED);
}

TEST_F(ServiceTest, AnEvaluationWithAnUnknownStateIsDataLossNamingIt) {
  Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 2, "AG1");
  Stop();
  const std::string key = "eval/P1/2025/1-mid-term";
  std::string value;
  ASSERT_EQ(ReadRecord(data_dir(), key, &value), "");
  v1::Evaluation e;
  ASSERT_TRUE(e.ParseFromString(value));
  e.set_state(static_cast<v1::EvaluationState>(42));
  ASSERT_EQ(WriteRecord(data_dir(), key, e.SerializeAsString()), "");
  Start();
  const std::string before = Digest();
  grpc::Status s = Call(&Stub::SubmitProfessionalScore, kTownship,
                        ScoreReq(Ref("P1", 2025, v1::MID_TERM), "80"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(s.error_message(),
            "stored evaluation projects/P1/years/2025/phases/mid-term is "
            "malformed: state: 42 is not a valid value (want an evaluation "
            "state)");
  EXPECT_EQ(Digest(), before);
}

// --- Authorize first; idempotency before validation -------------------------

TEST_F(ServiceTest, AnUnauthorizedCallerLearnsNothingAboutPolicies) {
  v1::CreateProjectRequest r =
      CreateReq("P1", "huangge", "PR1", {"V01"}, "2025-07-01", 2, "AG1");
  r.set_policy_id("secret-policy");
  grpc::Status s = Call(&Stub::CreateProject, kVillage1, r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), Not(HasSubstr("policy")));
  // A malformed request from the wrong role is refused for the role too.
  r.set_project_id("bad id!");
  EXPECT_EQ(Call(&Stub::CreateProject, kVillage1, r).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ServiceTest, ACommittedRequestAnswersAgainAfterItsPolicyIsUnloaded) {
  // Served with an extra policy, the bureau creates a project under it.
  auto extra_policies = [] {
    evaluation::v1::Policy proto = scoring::BuiltInPolicy().proto;
    proto.set_id("nansha-2026");
    server::PolicySet policies;
    EXPECT_TRUE(policies.Add(*scoring::PolicyFromProto(proto)).ok());
    return policies;
  };
  Stop();
  Start(extra_policies());
  v1::CreateProjectRequest r =
      CreateReq("P1", "huangge", "PR1", {"V01"}, "2025-07-01", 2, "AG1");
  r.set_policy_id("nansha-2026");
  v1::Project first;
  ASSERT_TRUE(Call(&Stub::CreateProject, kBureau, r, &first).ok());
  EXPECT_EQ(first.policy_id(), "nansha-2026");

  // Restarted without it, the retry still gets its stored answer ...
  Stop();
  Start();
  v1::Project again;
  grpc::Status retry = Call(&Stub::CreateProject, kBureau, r, &again);
  ASSERT_TRUE(retry.ok()) << retry.error_message();
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  // ... while a new request under it is refused, naming the field.
  v1::CreateProjectRequest other =
      CreateReq("P2", "huangge", "PR1", {"V01"}, "2025-07-01", 2, "AG1");
  other.set_policy_id("nansha-2026");
  grpc::Status refused = Call(&Stub::CreateProject, kBureau, other);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.error_message(),
            "policy_id: \"nansha-2026\" is not loaded");
}

// --- Historic calendars (RULES.md §7) ---------------------------------------

TEST_F(ServiceTest, WorkingDaysRule7ContractsFrom2019CountOnTheirCalendars) {
  // From Mon 2019-01-28: across the Spring Festival of 2019 (02-04..02-10
  // off, Sat 02-02 and Sun 02-03 worked) the year-start tranche is due on
  // 2019-02-21, not provisional (calendar_test.cc lists the days).
  Create("OLD", "huangge", "PR1", {"V01"}, "2019-01-28", 1, "AG1");
  v1::ListDisbursementsRequest r;
  r.set_project_id("OLD");
  std::vector<v1::Disbursement> tranches = ListTranches(kFinance, r);
  ASSERT_EQ(tranches.size(), 3u);
  EXPECT_EQ(tranches[0].due_date(), "2019-02-21");
  EXPECT_FALSE(tranches[0].due_date_provisional());
}

}  // namespace
}  // namespace evald::testing
