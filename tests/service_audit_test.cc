// Service tests: the history, and what the engine keeps in memory.

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
// (d) The history: a project's audit events replay its life in order.
// =====================================================================

// The engine keeps each project's record in memory for its commands (after
// the first): a change of the project -- a new agency, the contract's
// termination -- must govern the very next command.
TEST_F(ServiceTest, AProjectChangeGovernsTheNextCommandAtOnce) {
  ASSERT_TRUE(Call(&Stub::CreateProject, kBureau,
                   CreateReq("P1", "huangge", "PR1", {"V01", "V02"},
                             "2025-07-01", 2, "AG1"))
                  .ok());
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  ASSERT_TRUE(
      Call(&Stub::SubmitProfessionalScore, kAgency, ScoreReq(mid, "50")).ok());
  EXPECT_EQ(Call(&Stub::SubmitProfessionalScore, kAgency2, ScoreReq(mid, "51"))
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_TRUE(Call(&Stub::AssignAgency, kBureau, AssignReq("P1", "AG2")).ok());
  EXPECT_EQ(Call(&Stub::SubmitProfessionalScore, kAgency, ScoreReq(mid, "52"))
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      Call(&Stub::SubmitProfessionalScore, kAgency2, ScoreReq(mid, "53")).ok());

  // A non-rectifiable fail terminates the contract: the next command on
  // another phase is refused.
  const Parties ag2 = {kAgency2, kTownship, {kVillage1, kVillage2}};
  SubmitAll(mid, ag2, "40");
  EXPECT_EQ(Finalize(mid, "2025-12-15").state(), v1::FAILED);
  grpc::Status s = Call(&Stub::SubmitProfessionalScore, kAgency2,
                        ScoreReq(Ref("P1", 2025, v1::FINAL), "90"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("terminated"));
}

TEST_F(ServiceTest, AuditEventsReplayTheHistoryInSequence) {
  v1::CreateProjectRequest create =
      CreateReq("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 2, "AG1");
  create.set_request_id("h-create");
  ASSERT_TRUE(Call(&Stub::CreateProject, kBureau, create).ok());
  // Another project's events must not appear in P1's history.
  Create("Q1", "dongchong", "PR2", {"V03"}, "2025-07-01", 2, "AG2");

  struct Step {
    const char* token;
    const char* principal;
    const char* role;
    const char* action;
    std::string request_id;
    std::string target;
    std::string detail_has;
  };
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  const std::string mid_name = EvalName("P1", 2025, v1::MID_TERM);
  std::vector<Step> expected = {
      {kBureau, "bureau", "bureau", "project.created", "h-create",
       "projects/P1", "huangge"},
  };
  int n = 0;
  for (auto [token, principal, role, score] :
       {std::tuple{kAgency, "agency-ag1", "agency", "85.25"},
        std::tuple{kTownship, "township-huangge", "township", "86"},
        std::tuple{kVillage1, "village-v01", "village", "87.5"},
        std::tuple{kVillage2, "village-v02", "village", "88"},
        std::tuple{kBureau, "bureau", "bureau", "84"}}) {
    v1::SubmitProfessionalScoreRequest r = ScoreReq(mid, score);
    r.set_request_id(absl::StrCat("h-score-", ++n));
    ASSERT_TRUE(Call(&Stub::SubmitProfessionalScore, token, r).ok());
    expected.push_back({token, principal, role, "professional.submitted",
                        r.request_id(), mid_name, ""});
  }
  expected[1].detail_has = "85.25";
  expected[3].detail_has = "87.50";
  v1::SubmitFinancialEvaluationRequest f = FinancialReq(mid, "81");
  f.set_request_id("h-financial");
  ASSERT_TRUE(Call(&Stub::SubmitFinancialEvaluation, kAgency, f).ok());
  expected.push_back({kAgency, "agency-ag1", "agency", "financial.submitted",
                      "h-financial", mid_name, "81.00"});

  // Refused calls and a retry leave no trace.
  ASSERT_FALSE(
      Call(&Stub::SubmitProfessionalScore, kFinance, ScoreReq(mid, "80")).ok());
  ASSERT_FALSE(
      Call(&Stub::FinalizeEvaluation, kBureau, FinalizeReq(mid, "2025-13-01"))
          .ok());
  ASSERT_TRUE(Call(&Stub::SubmitFinancialEvaluation, kAgency, f).ok());

  v1::FinalizeEvaluationRequest fin = FinalizeReq(mid, "2025-12-15");
  fin.set_request_id("h-finalise");
  ASSERT_TRUE(Call(&Stub::FinalizeEvaluation, kBureau, fin).ok());
  expected.push_back({kBureau, "bureau", "bureau", "evaluation.finalised",
                      "h-finalise", mid_name, "2026-01-06"});
  v1::ReleaseDisbursementRequest rel =
      ReleaseReq("P1", 2025, v1::MID_TERM_TRANCHE, "BANK-42", "2026-01-05");
  rel.set_request_id("h-release");
  ASSERT_TRUE(Call(&Stub::ReleaseDisbursement, kFinance, rel).ok());
  expected.push_back(
      {kFinance, "finance", "finance", "disbursement.released", "h-release",
       TrancheName("P1", 2025, v1::MID_TERM_TRANCHE), "BANK-42"});
  v1::AssignAgencyRequest assign = AssignReq("P1", "AG2");
  assign.set_request_id("h-assign");
  ASSERT_TRUE(Call(&Stub::AssignAgency, kAdmin, assign).ok());
  expected.push_back({kAdmin, "admin", "admin", "project.agency_assigned",
                      "h-assign", "projects/P1", "AG2"});

  // Read the history back two events a page.
  std::vector<v1::AuditEvent> events;
  v1::ListAuditEventsRequest r;
  r.set_project_id("P1");
  r.set_page_size(2);
  for (int guard = 0; guard < 50; ++guard) {
    v1::ListAuditEventsResponse reply;
    ASSERT_TRUE(Call(&Stub::ListAuditEvents, kBureau, r, &reply).ok());
    events.insert(events.end(), reply.events().begin(), reply.events().end());
    if (reply.next_page_token().empty()) break;
    r.set_page_token(reply.next_page_token());
  }

  ASSERT_EQ(events.size(), expected.size());
  for (size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("event ", i + 1));
    const v1::AuditEvent& e = events[i];
    const Step& want = expected[i];
    EXPECT_EQ(e.project_id(), "P1");
    EXPECT_EQ(e.sequence(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(e.principal(), want.principal);
    EXPECT_EQ(e.role(), want.role);
    EXPECT_EQ(e.action(), want.action);
    EXPECT_EQ(e.request_id(), want.request_id);
    EXPECT_EQ(e.target(), want.target);
    EXPECT_EQ(e.policy_id(), "nansha-2019");
    // The server's clock, 2026-01-10 10:00 China time, in UTC.
    EXPECT_THAT(e.time(), HasSubstr("2026-01-10T02:00:00"));
    EXPECT_FALSE(e.detail().empty());
    EXPECT_THAT(e.detail(), HasSubstr(want.detail_has));
  }
  // The finalisation's detail states its result.
  EXPECT_THAT(events[7].detail(), HasSubstr("PASSED"));

  // Q1 has its own history, numbered from 1.
  v1::ListAuditEventsRequest q;
  q.set_project_id("Q1");
  v1::ListAuditEventsResponse q_events;
  ASSERT_TRUE(Call(&Stub::ListAuditEvents, kBureau, q, &q_events).ok());
  ASSERT_EQ(q_events.events_size(), 1);
  EXPECT_EQ(q_events.events(0).sequence(), 1);
  EXPECT_EQ(q_events.events(0).action(), "project.created");
}

}  // namespace
}  // namespace evald::testing
