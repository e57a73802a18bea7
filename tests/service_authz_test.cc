// Service tests: the authorization matrix, role by role and project by project.

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/authz_matrix.h"
#include "tests/service_fixture.h"

namespace evald::testing {
namespace {

// =====================================================================
// (b) The authorization matrix: each role against each mutating RPC, and
// the scoped cases (the right role, but no part in the project).
// =====================================================================

// The world every authorization case starts from. All of P1..P4 and R1
// belong to huangge / PR1 / V01,V02; AG1 is the agency of P1..P4, R1 has
// none. Q1 belongs to dongchong / PR2 / V03 / AG2.
//   P1 2025 mid-term  SCORED (everyone submitted 85)      -> finalise
//   P1 2025 final     OPEN with veto finding 1 raised     -> submit, veto
//   P1 2025 year-start tranche DUE                        -> release
//   P2 2025 mid-term  RECTIFYING (deadline 2026-02-19)    -> apply, expire
//   P3 2025 mid-term  REEVALUATING                        -> decide
//   P4 2025 mid-term  PASSED                              -> reopen
//   Q1 2025 mid-term  OPEN                                -> scoped OK cases
//   R1 2025 mid-term  OPEN, no agency assigned
class AuthzTest : public ServiceTest {
 public:
  void BuildWorld() {
    const std::vector<std::string> both = {"V01", "V02"};
    for (const char* id : {"P1", "P2", "P3", "P4"}) {
      Create(id, "huangge", "PR1", both, "2025-07-01", 2, "AG1");
    }
    Create("Q1", "dongchong", "PR2", {"V03"}, "2025-07-01", 2, "AG2");
    Create("R1", "huangge", "PR1", both, "2025-07-01", 2, "");
    SubmitAll(Ref("P1", 2025, v1::MID_TERM), kHuanggeBoth, "85");
    ASSERT_TRUE(Call(&Stub::RaiseVeto, kAgency,
                     VetoReq(Ref("P1", 2025, v1::FINAL), "UNDERSTAFFING",
                             "社工配备不足"))
                    .ok());
    for (const char* id : {"P2", "P3"}) {
      SubmitAll(Ref(id, 2025, v1::MID_TERM), kHuanggeBoth, "55",
                /*rectifiable=*/true);
      ASSERT_EQ(Finalize(Ref(id, 2025, v1::MID_TERM), "2026-01-20").state(),
                v1::RECTIFYING);
    }
    ASSERT_TRUE(Call(&Stub::ApplyRectification, kProvider,
                     ApplyReq(Ref("P3", 2025, v1::MID_TERM), "2026-02-10"))
                    .ok());
    SubmitAll(Ref("P4", 2025, v1::MID_TERM), kHuanggeBoth, "85");
    ASSERT_EQ(Finalize(Ref("P4", 2025, v1::MID_TERM), "2025-12-15").state(),
              v1::PASSED);
  }
};

using AuthzCall = std::function<grpc::Status(AuthzTest&, const std::string&)>;

struct AuthzCase {
  std::string name;  // test name: letters, digits, '_'
  std::string token;
  AuthzCall call;
  bool allowed;
  // For a denial: what its message must name.
  std::string denial_names;
};

void PrintTo(const AuthzCase& c, std::ostream* os) { *os << c.name; }

// The mutating RPCs, each aimed at the world's evaluation where it is legal.
const std::vector<std::pair<std::string, AuthzCall>>& MutatingCalls() {
  static const auto* const calls =
      new std::vector<std::pair<std::string, AuthzCall>>{
          {"CreateProject",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(&Stub::CreateProject, token,
                           t.CreateReq("N1", "huangge", "PR1", {"V01"},
                                       "2026-07-01", 2, "AG1"));
           }},
          {"AssignAgency",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(&Stub::AssignAgency, token,
                           t.AssignReq("P1", "AG1"));
           }},
          {"SubmitProfessionalScore",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(
                 &Stub::SubmitProfessionalScore, token,
                 t.ScoreReq(AuthzTest::Ref("P1", 2025, v1::FINAL), "88"));
           }},
          {"SubmitFinancialEvaluation",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(
                 &Stub::SubmitFinancialEvaluation, token,
                 t.FinancialReq(AuthzTest::Ref("P1", 2025, v1::FINAL), "80"));
           }},
          {"RaiseVeto",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(&Stub::RaiseVeto, token,
                           t.VetoReq(AuthzTest::Ref("P1", 2025, v1::FINAL),
                                     "UNRESOLVED_COMPLAINT", "投诉未处理"));
           }},
          {"ConfirmVeto",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(
                 &Stub::ConfirmVeto, token,
                 t.DecideVetoReq(AuthzTest::Ref("P1", 2025, v1::FINAL), 1));
           }},
          {"DismissVeto",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(
                 &Stub::DismissVeto, token,
                 t.DecideVetoReq(AuthzTest::Ref("P1", 2025, v1::FINAL), 1,
                                 "证据不足"));
           }},
          {"FinalizeEvaluation",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(
                 &Stub::FinalizeEvaluation, token,
                 t.FinalizeReq(AuthzTest::Ref("P1", 2025, v1::MID_TERM),
                               "2025-12-15"));
           }},
          {"ApplyRectification",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(&Stub::ApplyRectification, token,
                           t.ApplyReq(AuthzTest::Ref("P2", 2025, v1::MID_TERM),
                                      "2026-02-10"));
           }},
          {"DecideReevaluation",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(&Stub::DecideReevaluation, token,
                           t.DecideReq(AuthzTest::Ref("P3", 2025, v1::MID_TERM),
                                       true, "2026-03-02"));
           }},
          {"ExpireRectification",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(&Stub::ExpireRectification, token,
                           t.ExpireReq(AuthzTest::Ref("P2", 2025, v1::MID_TERM),
                                       "2026-03-01"));
           }},
          {"ReopenEvaluation",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(
                 &Stub::ReopenEvaluation, token,
                 t.ReopenReq(AuthzTest::Ref("P4", 2025, v1::MID_TERM), "复核"));
           }},
          {"ReleaseDisbursement",
           [](AuthzTest& t, const std::string& token) {
             return t.Call(&Stub::ReleaseDisbursement, token,
                           t.ReleaseReq("P1", 2025, v1::YEAR_START, "PAY-1",
                                        "2025-07-20"));
           }},
      };
  return *calls;
}

std::vector<AuthzCase> AuthzCases() {
  // One principal per role, each related to P1..P4.
  const std::vector<std::pair<std::string, std::string>> roles = {
      {"bureau", kBureau},     {"admin", kAdmin},      {"agency", kAgency},
      {"township", kTownship}, {"village", kVillage1}, {"provider", kProvider},
      {"finance", kFinance},
  };
  std::vector<AuthzCase> cases;
  for (const auto& [method, call] : MutatingCalls()) {
    for (const auto& [role, token] : roles) {
      // Who may call each mutating RPC: the documented matrix.
      const bool ok = DocumentedMatrix().at(method).roles.count(role) > 0;
      cases.push_back({absl::StrCat(role, "_", method), token, call, ok,
                       ok ? "" : "may not call"});
    }
  }

  auto score = [](const std::string& project) -> AuthzCall {
    return [project](AuthzTest& t, const std::string& token) {
      return t.Call(
          &Stub::SubmitProfessionalScore, token,
          t.ScoreReq(AuthzTest::Ref(project, 2025, v1::MID_TERM), "77"));
    };
  };
  auto get = [](const std::string& project) -> AuthzCall {
    return [project](AuthzTest& t, const std::string& token) {
      v1::GetEvaluationRequest r;
      *r.mutable_evaluation() = AuthzTest::Ref(project, 2025, v1::MID_TERM);
      return t.Call(&Stub::GetEvaluation, token, r);
    };
  };
  auto call_of = [](const std::string& method) {
    for (const auto& [m, call] : MutatingCalls()) {
      if (m == method) return call;
    }
    return AuthzCall();
  };
  const std::vector<AuthzCase> scoped = {
      // A township scores only its own projects.
      {"township_of_another_township_scores", kTownshipDc, score("P4"), false,
       "P4"},
      {"township_scores_its_own_project", kTownshipDc, score("Q1"), true, ""},
      // A village committee scores only projects serving its village.
      {"village_not_served_scores", kVillage3, score("P4"), false, "P4"},
      {"village_served_scores", kVillage3, score("Q1"), true, ""},
      {"second_served_village_scores", kVillage2, score("P1"), true, ""},
      // The agency acts only on projects it is assigned.
      {"agency_not_assigned_scores", kAgency2, score("P4"), false, "P4"},
      {"agency_not_assigned_submits_financial", kAgency2,
       call_of("SubmitFinancialEvaluation"), false, "P1"},
      {"agency_not_assigned_raises_veto", kAgency2, call_of("RaiseVeto"), false,
       "P1"},
      {"agency_not_assigned_decides_reevaluation", kAgency2,
       call_of("DecideReevaluation"), false, "P3"},
      {"agency_scores_project_without_agency", kAgency, score("R1"), false,
       "R1"},
      {"agency_assigned_scores", kAgency2, score("Q1"), true, ""},
      {"agency_scores_after_assignment", kAgency,
       [](AuthzTest& t, const std::string& token) {
         grpc::Status s =
             t.Call(&Stub::AssignAgency, kBureau, t.AssignReq("R1", "AG1"));
         if (!s.ok()) return s;
         return t.Call(
             &Stub::SubmitProfessionalScore, token,
             t.ScoreReq(AuthzTest::Ref("R1", 2025, v1::MID_TERM), "77"));
       },
       true, ""},
      // A provider applies only for its own projects, and sees only them.
      {"provider_of_another_project_applies", kProvider2,
       call_of("ApplyRectification"), false, "P2"},
      {"provider_of_another_project_reads", kProvider2, get("P4"), false, "P4"},
      {"provider_reads_its_own_project", kProvider, get("P4"), true, ""},
      {"village_not_served_reads", kVillage3, get("P4"), false, "P4"},
      {"township_of_another_township_reads", kTownshipDc, get("P4"), false,
       "P4"},
      // Finance only lists and releases: it neither scores nor reads
      // evaluations.
      {"finance_scores_open_phase", kFinance, score("Q1"), false,
       "may not call"},
      {"finance_reads_evaluation", kFinance, get("P4"), false, "may not call"},
      {"finance_lists_disbursements", kFinance,
       [](AuthzTest& t, const std::string& token) {
         v1::ListDisbursementsRequest r;
         r.set_project_id("P1");
         return t.Call(&Stub::ListDisbursements, token, r);
       },
       true, ""},
      // The audit log is the bureau's (and admin's).
      {"township_reads_audit", kTownship,
       [](AuthzTest& t, const std::string& token) {
         v1::ListAuditEventsRequest r;
         r.set_project_id("P1");
         return t.Call(&Stub::ListAuditEvents, token, r);
       },
       false, "may not call"},
      {"township_summary_of_another_township", kTownshipDc,
       [](AuthzTest& t, const std::string& token) {
         v1::GetSummaryRequest r;
         r.set_township("huangge");
         return t.Call(&Stub::GetSummary, token, r);
       },
       false, "dongchong"},
  };
  cases.insert(cases.end(), scoped.begin(), scoped.end());
  return cases;
}

class AuthzMatrixTest : public AuthzTest,
                        public ::testing::WithParamInterface<AuthzCase> {};

TEST_P(AuthzMatrixTest, AllowsOrDeniesWithoutSideEffects) {
  const AuthzCase& c = GetParam();
  BuildWorld();
  if (HasFatalFailure()) return;
  const std::string before = Digest();
  grpc::Status s = c.call(*this, c.token);
  if (c.allowed) {
    EXPECT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();
  } else {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.denial_names));
    EXPECT_EQ(Digest(), before) << "a denied call changed the database";
  }
}

INSTANTIATE_TEST_SUITE_P(Matrix, AuthzMatrixTest,
                         ::testing::ValuesIn(AuthzCases()),
                         [](const ::testing::TestParamInfo<AuthzCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace evald::testing
