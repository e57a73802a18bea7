// Service tests: refused calls change nothing; retries answer again.

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/service_fixture.h"

namespace evald::testing {
namespace {

// =====================================================================
// (a) Every refused call answers with the right code and a message naming
// the field or state, and changes nothing: the database is byte-for-byte
// the same, state and audit.
// =====================================================================

struct RefusedCase {
  std::string name;
  std::function<grpc::Status()> call;
  grpc::StatusCode code;
  std::vector<std::string> message_has;
};

TEST_F(ServiceTest, EveryRefusedCallNamesItsReasonAndChangesNothing) {
  // P1: huangge / PR1 / V01,V02 / AG1, from 2025-07-01 for 2 years.
  v1::CreateProjectRequest create_p1 =
      CreateReq("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 2, "AG1");
  create_p1.set_request_id("create-P1");
  ASSERT_TRUE(Call(&Stub::CreateProject, kBureau, create_p1).ok());
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  const v1::EvaluationRef fin = Ref("P1", 2025, v1::FINAL);
  // 2025 mid-term: passed, and both of its due tranches paid.
  SubmitAll(mid, kHuanggeBoth, "85");
  ASSERT_EQ(Finalize(mid, "2025-12-15").state(), v1::PASSED);
  Release("P1", 2025, v1::YEAR_START, "PAY-1", "2025-07-20");
  Release("P1", 2025, v1::MID_TERM_TRANCHE, "PAY-2", "2026-01-05");
  // 2025 final: only the agency and V01 have scored.
  ASSERT_TRUE(
      Call(&Stub::SubmitProfessionalScore, kAgency, ScoreReq(fin, "90")).ok());
  ASSERT_TRUE(
      Call(&Stub::SubmitProfessionalScore, kVillage1, ScoreReq(fin, "88"))
          .ok());

  auto valid_new_project = [&] {
    return CreateReq("N1", "huangge", "PR1", {"V01"}, "2025-07-01", 2, "AG1");
  };
  auto with = [&](auto request, auto edit) {
    edit(request);
    return request;
  };

  using Code = grpc::StatusCode;
  const std::vector<RefusedCase> cases = {
      // --- unknown things
      {"score for an unknown project",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kAgency,
                     ScoreReq(Ref("NOPE", 2025, v1::MID_TERM), "80"));
       },
       Code::NOT_FOUND,
       {"NOPE"}},
      {"release on an unknown project",
       [&] {
         return Call(&Stub::ReleaseDisbursement, kFinance,
                     ReleaseReq("NOPE", 2025, v1::YEAR_START, "X", ""));
       },
       Code::NOT_FOUND,
       {"NOPE"}},
      {"get an unknown project",
       [&] {
         v1::GetProjectRequest r;
         r.set_project_id("NOPE");
         return Call(&Stub::GetProject, kBureau, r);
       },
       Code::NOT_FOUND,
       {"NOPE"}},
      // A bureau reads an evaluation without the project record (it sees
      // every project); the answer still says which of the two is missing.
      {"bureau gets an evaluation of an unknown project",
       [&] {
         v1::GetEvaluationRequest r;
         *r.mutable_evaluation() = Ref("NOPE", 2025, v1::MID_TERM);
         return Call(&Stub::GetEvaluation, kBureau, r);
       },
       Code::NOT_FOUND,
       {"project NOPE not found"}},
      {"bureau gets an evaluation of a year the contract does not cover",
       [&] {
         v1::GetEvaluationRequest r;
         *r.mutable_evaluation() = Ref("P1", 2031, v1::FINAL);
         return Call(&Stub::GetEvaluation, kBureau, r);
       },
       Code::NOT_FOUND,
       {"P1", "final", "2031"}},
      {"another township gets an evaluation of P1",
       [&] {
         v1::GetEvaluationRequest r;
         *r.mutable_evaluation() = mid;
         return Call(&Stub::GetEvaluation, kTownshipDc, r);
       },
       Code::PERMISSION_DENIED,
       {"P1"}},
      {"another township gets a missing evaluation of P1",
       [&] {
         v1::GetEvaluationRequest r;
         *r.mutable_evaluation() = Ref("P1", 2031, v1::FINAL);
         return Call(&Stub::GetEvaluation, kTownshipDc, r);
       },
       Code::PERMISSION_DENIED,
       {"P1"}},
      {"score a year the contract does not cover",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kAgency,
                     ScoreReq(Ref("P1", 2031, v1::MID_TERM), "80"));
       },
       Code::NOT_FOUND,
       {"2031"}},
      {"confirm a veto finding that does not exist",
       [&] {
         return Call(&Stub::ConfirmVeto, kBureau, DecideVetoReq(fin, 99));
       },
       Code::NOT_FOUND,
       {"veto_id", "99"}},
      {"release a tranche of a year the contract does not cover",
       [&] {
         return Call(&Stub::ReleaseDisbursement, kFinance,
                     ReleaseReq("P1", 2031, v1::YEAR_START, "X", ""));
       },
       Code::NOT_FOUND,
       {"2031"}},

      // --- scores out of range or malformed
      {"score 100.01",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kAgency,
                     ScoreReq(fin, "100.01"));
       },
       Code::INVALID_ARGUMENT,
       {"score", "100.01"}},
      {"score 85.555",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kTownship,
                     ScoreReq(fin, "85.555"));
       },
       Code::INVALID_ARGUMENT,
       {"score", "85.555", "two decimals"}},
      {"empty score",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kBureau,
                     ScoreReq(fin, ""));
       },
       Code::INVALID_ARGUMENT,
       {"score"}},
      {"negative score",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kVillage2,
                     ScoreReq(fin, "-5"));
       },
       Code::INVALID_ARGUMENT,
       {"score", "negative"}},
      {"score with an exponent",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kAgency,
                     ScoreReq(fin, "8e1"));
       },
       Code::INVALID_ARGUMENT,
       {"score", "8e1"}},
      {"financial score 100.5",
       [&] {
         return Call(&Stub::SubmitFinancialEvaluation, kAgency,
                     FinancialReq(fin, "100.5"));
       },
       Code::INVALID_ARGUMENT,
       {"score", "100.5"}},
      {"negative expenditure",
       [&] {
         return Call(&Stub::SubmitFinancialEvaluation, kAgency,
                     with(FinancialReq(fin, "80"), [](auto& r) {
                       r.mutable_expenditure()->set_personnel_fen(-1);
                     }));
       },
       Code::INVALID_ARGUMENT,
       {"expenditure.personnel_fen", "negative"}},

      // --- illegal transitions, naming the state
      {"a second professional submission after finalise",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kAgency,
                     ScoreReq(mid, "90"));
       },
       Code::FAILED_PRECONDITION,
       {"PASSED"}},
      {"a financial submission after finalise",
       [&] {
         return Call(&Stub::SubmitFinancialEvaluation, kAgency,
                     FinancialReq(mid, "90"));
       },
       Code::FAILED_PRECONDITION,
       {"PASSED"}},
      {"finalise twice",
       [&] {
         return Call(&Stub::FinalizeEvaluation, kBureau,
                     FinalizeReq(mid, "2025-12-16"));
       },
       Code::FAILED_PRECONDITION,
       {"PASSED"}},
      {"apply for rectification of a passed phase",
       [&] {
         return Call(&Stub::ApplyRectification, kProvider,
                     ApplyReq(mid, "2026-01-05"));
       },
       Code::FAILED_PRECONDITION,
       {"PASSED"}},
      {"decide a re-evaluation of an open phase",
       [&] {
         return Call(&Stub::DecideReevaluation, kBureau,
                     DecideReq(fin, true, "2026-01-05"));
       },
       Code::FAILED_PRECONDITION,
       {"OPEN"}},
      {"finalise while parties are missing",
       [&] {
         return Call(&Stub::FinalizeEvaluation, kBureau,
                     FinalizeReq(fin, "2026-07-10"));
       },
       Code::FAILED_PRECONDITION,
       {"OPEN", "township", "bureau", "village:V02", "financial"}},
      {"release a PENDING tranche",
       [&] {
         return Call(
             &Stub::ReleaseDisbursement, kFinance,
             ReleaseReq("P1", 2025, v1::FINAL_TRANCHE, "PAY-3", "2026-01-09"));
       },
       Code::FAILED_PRECONDITION,
       {"PENDING"}},
      {"release an already released tranche with a new request id",
       [&] {
         return Call(
             &Stub::ReleaseDisbursement, kFinance,
             ReleaseReq("P1", 2025, v1::YEAR_START, "PAY-9", "2026-01-09"));
       },
       Code::FAILED_PRECONDITION,
       {"already released", "PAY-1"}},
      {"reopen a phase whose tranche was released",
       [&] {
         return Call(&Stub::ReopenEvaluation, kBureau, ReopenReq(mid, "复核"));
       },
       Code::FAILED_PRECONDITION,
       {"released"}},

      // --- authentication
      {"no token",
       [&] { return Call(&Stub::CreateProject, "", valid_new_project()); },
       Code::UNAUTHENTICATED,
       {"token"}},
      {"forged token",
       [&] {
         return Call(&Stub::CreateProject, "demo-bureau-forged",
                     valid_new_project());
       },
       Code::UNAUTHENTICATED,
       {"token"}},
      {"the stored token hash presented as the token",
       [&] {
         return Call(&Stub::CreateProject, Sha256Hex(kBureau),
                     valid_new_project());
       },
       Code::UNAUTHENTICATED,
       {"token"}},
      {"a token in another scheme",
       [&] {
         auto ctx = RawAuthContext(absl::StrCat("Basic ", kBureau));
         v1::Project reply;
         return stub_->CreateProject(ctx.get(), valid_new_project(), &reply);
       },
       Code::UNAUTHENTICATED,
       {"Bearer"}},

      // --- request ids
      {"missing request_id",
       [&] {
         return Call(
             &Stub::CreateProject, kBureau,
             with(valid_new_project(), [](auto& r) { r.clear_request_id(); }));
       },
       Code::INVALID_ARGUMENT,
       {"request_id"}},
      {"request_id with a space",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kTownship,
                     with(ScoreReq(fin, "80"),
                          [](auto& r) { r.set_request_id("a b"); }));
       },
       Code::INVALID_ARGUMENT,
       {"request_id"}},
      {"request_id reused for a different request",
       [&] {
         return Call(&Stub::CreateProject, kBureau,
                     with(valid_new_project(),
                          [](auto& r) { r.set_request_id("create-P1"); }));
       },
       Code::ALREADY_EXISTS,
       {"request_id", "create-P1"}},
      {"request_id reused for a different method",
       [&] {
         return Call(&Stub::AssignAgency, kBureau,
                     with(AssignReq("P1", "AG2"),
                          [](auto& r) { r.set_request_id("create-P1"); }));
       },
       Code::ALREADY_EXISTS,
       {"request_id", "create-P1"}},

      // --- projects
      {"duplicate project id",
       [&] {
         return Call(&Stub::CreateProject, kBureau,
                     CreateReq("P1", "huangge", "PR1", {"V01"}, "2025-07-01", 2,
                               "AG1"));
       },
       Code::ALREADY_EXISTS,
       {"P1"}},
      {"start date 2025-02-30",
       [&] {
         return Call(&Stub::CreateProject, kBureau,
                     with(valid_new_project(),
                          [](auto& r) { r.set_start_date("2025-02-30"); }));
       },
       Code::INVALID_ARGUMENT,
       {"start_date", "2025-02-30"}},
      {"start date 2025/07/01",
       [&] {
         return Call(&Stub::CreateProject, kBureau,
                     with(valid_new_project(),
                          [](auto& r) { r.set_start_date("2025/07/01"); }));
       },
       Code::INVALID_ARGUMENT,
       {"start_date"}},
      {"project id with a slash",
       [&] {
         return Call(&Stub::CreateProject, kBureau,
                     with(valid_new_project(),
                          [](auto& r) { r.set_project_id("N1/x"); }));
       },
       Code::INVALID_ARGUMENT,
       {"project_id"}},
      {"project without villages",
       [&] {
         return Call(
             &Stub::CreateProject, kBureau,
             with(valid_new_project(), [](auto& r) { r.clear_villages(); }));
       },
       Code::INVALID_ARGUMENT,
       {"villages"}},
      {"project without a fund",
       [&] {
         return Call(&Stub::CreateProject, kBureau,
                     with(valid_new_project(),
                          [](auto& r) { r.set_annual_fund_fen(0); }));
       },
       Code::INVALID_ARGUMENT,
       {"annual_fund_fen"}},

      // --- other bad fields
      {"result date 2025-02-30",
       [&] {
         return Call(&Stub::FinalizeEvaluation, kBureau,
                     FinalizeReq(fin, "2025-02-30"));
       },
       Code::INVALID_ARGUMENT,
       {"result_date", "2025-02-30"}},
      {"unknown veto code",
       [&] {
         return Call(&Stub::RaiseVeto, kAgency,
                     VetoReq(fin, "NO_SUCH_CODE", "证据"));
       },
       Code::INVALID_ARGUMENT,
       {"code", "NO_SUCH_CODE"}},
      {"veto without a kind",
       [&] {
         return Call(
             &Stub::RaiseVeto, kAgency,
             VetoReq(fin, "UNDERSTAFFING", "证据", v1::VETO_KIND_UNSPECIFIED));
       },
       Code::INVALID_ARGUMENT,
       {"kind"}},
      {"veto evidence over 4000 bytes",
       [&] {
         return Call(&Stub::RaiseVeto, kAgency,
                     VetoReq(fin, "UNDERSTAFFING", std::string(4001, 'x')));
       },
       Code::INVALID_ARGUMENT,
       {"evidence"}},
      {"evaluation without a phase",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kAgency,
                     ScoreReq(Ref("P1", 2025, v1::PHASE_UNSPECIFIED), "80"));
       },
       Code::INVALID_ARGUMENT,
       {"evaluation.phase"}},
      {"release without a tranche kind",
       [&] {
         return Call(&Stub::ReleaseDisbursement, kFinance,
                     ReleaseReq("P1", 2025, v1::TRANCHE_KIND_UNSPECIFIED,
                                "PAY-3", "2026-01-09"));
       },
       Code::INVALID_ARGUMENT,
       {"kind"}},
      {"dismiss a veto without a reason",
       [&] {
         return Call(&Stub::DismissVeto, kBureau, DecideVetoReq(fin, 1, ""));
       },
       Code::INVALID_ARGUMENT,
       {"reason"}},
      {"page size 5000",
       [&] {
         v1::ListEvaluationsRequest r;
         r.set_page_size(5000);
         return Call(&Stub::ListEvaluations, kBureau, r);
       },
       Code::INVALID_ARGUMENT,
       {"page_size"}},
      {"a page token this list did not issue",
       [&] {
         v1::ListEvaluationsRequest r;
         r.set_page_token("zz-not-a-token");
         return Call(&Stub::ListEvaluations, kBureau, r);
       },
       Code::INVALID_ARGUMENT,
       {"page_token"}},

      // --- who may do it
      {"finance scoring",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kFinance,
                     ScoreReq(fin, "80"));
       },
       Code::PERMISSION_DENIED,
       {"SubmitProfessionalScore"}},
      {"a township scoring another township's project",
       [&] {
         return Call(&Stub::SubmitProfessionalScore, kTownshipDc,
                     ScoreReq(fin, "80"));
       },
       Code::PERMISSION_DENIED,
       {"P1"}},

      // --- oversized: refused by the transport before the service
      {"a 2 MiB request",
       [&] {
         return Call(&Stub::RaiseVeto, kAgency,
                     VetoReq(fin, "UNDERSTAFFING",
                             std::string(2 * kMaxMessageBytes, 'x')));
       },
       Code::RESOURCE_EXHAUSTED,
       {}},
  };

  for (const RefusedCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string before = Digest();
    grpc::Status s = c.call();
    EXPECT_EQ(s.error_code(), c.code) << s.error_message();
    for (const std::string& part : c.message_has) {
      EXPECT_THAT(s.error_message(), HasSubstr(part));
    }
    EXPECT_EQ(Digest(), before) << "the refused call changed the database";
  }

  // The state the refused calls would have touched is as it was.
  v1::Evaluation final_phase = GetEval(fin);
  EXPECT_EQ(final_phase.state(), v1::OPEN);
  EXPECT_EQ(final_phase.third_party().score(), "90.00");
  EXPECT_THAT(
      final_phase.missing(),
      UnorderedElementsAre("township", "bureau", "village:V02", "financial"));
}

TEST_F(ServiceTest, MalformedRequestBytesAreRefusedAndChangeNothing) {
  Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 2, "AG1");
  const std::string method = "/evaluation.v1.EvaluationService/CreateProject";
  const std::string before = Digest();
  // Field 2 (project_id) claims 5 bytes but the message ends after one.
  // (gRPC 1.51's callback API answers a request it cannot parse with
  // UNIMPLEMENTED and no message, before evald sees it; the code is
  // gRPC's, so only the refusal itself is asserted.)
  RawReply reply =
      RawUnary(channel_, method, std::string("\x0a\x01r\x12\x05N", 6), kBureau);
  EXPECT_FALSE(reply.status.ok());
  EXPECT_EQ(Digest(), before);

  // The same path with well-formed bytes does reach the service.
  const v1::CreateProjectRequest valid =
      CreateReq("N1", "huangge", "PR1", {"V01"}, "2025-07-01", 2, "AG1");
  reply = RawUnary(channel_, method, valid.SerializeAsString(), kBureau);
  ASSERT_TRUE(reply.status.ok()) << reply.status.error_message();
  v1::Project created;
  ASSERT_TRUE(created.ParseFromString(reply.bytes));
  EXPECT_EQ(created.project_id(), "N1");
}

TEST_F(ServiceTest, RetryWithTheSameRequestIdAnswersAgainAndChangesNothing) {
  Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 2, "AG1");
  const v1::SubmitProfessionalScoreRequest r =
      ScoreReq(Ref("P1", 2025, v1::MID_TERM), "85.5");
  v1::Evaluation first, again;
  ASSERT_TRUE(Call(&Stub::SubmitProfessionalScore, kAgency, r, &first).ok());
  EXPECT_EQ(first.third_party().version(), 1);
  const std::string before = Digest();
  ASSERT_TRUE(Call(&Stub::SubmitProfessionalScore, kAgency, r, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Digest(), before);
  // Request ids are per principal: the township may use the same id.
  v1::SubmitProfessionalScoreRequest township = r;
  ASSERT_TRUE(
      Call(&Stub::SubmitProfessionalScore, kTownship, township, &again).ok());
  EXPECT_EQ(again.township_score().score(), "85.50");
  EXPECT_NE(Digest(), before);
}

}  // namespace
}  // namespace evald::testing
