// One request of every RPC of evaluation.v1.EvaluationService, and the
// check that every RPC called as every role gives the outcome of the
// documented matrix (authz_matrix.h) -- over any transport: the real gRPC
// port (security_test.cc) and the HTTP gateway (http_gateway_test.cc).

#ifndef EVALD_TESTS_EVERY_RPC_H_
#define EVALD_TESTS_EVERY_RPC_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "evaluation/v1/evaluation.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"
#include "tests/authz_matrix.h"

namespace evald::testing {

namespace v1 = ::evaluation::v1;

using RequestMaker =
    std::function<std::unique_ptr<google::protobuf::Message>()>;

// Calls `method` (a name such as "GetProject") with `request`, bearing
// `token` (none if empty), and returns the outcome as a gRPC status.
using Transport = std::function<grpc::Status(
    const std::string& method, const google::protobuf::Message& request,
    const std::string& token)>;

inline v1::EvaluationRef P1Mid() {
  v1::EvaluationRef ref;
  ref.set_project_id("P1");
  ref.set_year(2025);
  ref.set_phase(v1::MID_TERM);
  return ref;
}

// A request of every RPC, aimed at project P1 where it takes a project,
// made anew (with a new request id) each time its maker is called. The
// requests are valid enough to reach the project check; whether they then
// succeed does not matter to the matrix.
inline std::map<std::string, RequestMaker> EveryRpcRequest() {
  std::map<std::string, RequestMaker> makers;
  auto counter = std::make_shared<int>(0);
  auto id = [counter] { return absl::StrCat("matrix-", ++*counter); };
#define EVALD_CALL(Method, Request, Reply, fill) \
  makers[#Method] = [id] {                       \
    auto made = std::make_unique<v1::Request>(); \
    v1::Request& r = *made;                      \
    fill;                                        \
    return made;                                 \
  }
  EVALD_CALL(CreateProject, CreateProjectRequest, Project, {
    r.set_request_id(id());
    r.set_project_id(absl::StrCat("NEW", id().substr(7)));
    r.set_name("新项目");
    r.set_township("huangge");
    r.set_provider("PR1");
    r.add_villages("V01");
    r.set_start_date("2025-07-01");
    r.set_annual_fund_fen(100);
  });
  EVALD_CALL(AssignAgency, AssignAgencyRequest, Project, {
    r.set_request_id(id());
    r.set_project_id("P1");
    r.set_agency("AG1");
  });
  EVALD_CALL(GetProject, GetProjectRequest, Project, r.set_project_id("P1"));
  EVALD_CALL(ListProjects, ListProjectsRequest, ListProjectsResponse, {});
  EVALD_CALL(SubmitProfessionalScore, SubmitProfessionalScoreRequest,
             Evaluation, {
               r.set_request_id(id());
               *r.mutable_evaluation() = P1Mid();
               r.set_score("80");
             });
  EVALD_CALL(SubmitFinancialEvaluation, SubmitFinancialEvaluationRequest,
             Evaluation, {
               r.set_request_id(id());
               *r.mutable_evaluation() = P1Mid();
               r.set_score("80");
               r.mutable_expenditure()->set_personnel_fen(80);
               r.mutable_expenditure()->set_service_quality_fen(10);
               r.mutable_expenditure()->set_management_fen(10);
             });
  EVALD_CALL(RaiseVeto, RaiseVetoRequest, Evaluation, {
    r.set_request_id(id());
    *r.mutable_evaluation() = P1Mid();
    r.set_kind(v1::PROFESSIONAL);
    r.set_code("UNDERSTAFFING");
    r.set_evidence("matrix test");
  });
  for (const char* m : {"ConfirmVeto", "DismissVeto"}) {
    makers[m] = [id] {
      auto r = std::make_unique<v1::DecideVetoRequest>();
      r->set_request_id(id());
      *r->mutable_evaluation() = P1Mid();
      r->set_veto_id(99);
      r->set_reason("matrix test");
      return r;
    };
  }
  EVALD_CALL(FinalizeEvaluation, FinalizeEvaluationRequest, Evaluation, {
    r.set_request_id(id());
    *r.mutable_evaluation() = P1Mid();
    r.set_result_date("2025-12-15");
  });
  EVALD_CALL(ApplyRectification, ApplyRectificationRequest, Evaluation, {
    r.set_request_id(id());
    *r.mutable_evaluation() = P1Mid();
    r.set_application_date("2026-01-05");
  });
  EVALD_CALL(DecideReevaluation, DecideReevaluationRequest, Evaluation, {
    r.set_request_id(id());
    *r.mutable_evaluation() = P1Mid();
    r.set_decision_date("2026-01-20");
  });
  EVALD_CALL(ExpireRectification, ExpireRectificationRequest, Evaluation, {
    r.set_request_id(id());
    *r.mutable_evaluation() = P1Mid();
    r.set_as_of("2026-03-01");
  });
  EVALD_CALL(ReopenEvaluation, ReopenEvaluationRequest, Evaluation, {
    r.set_request_id(id());
    *r.mutable_evaluation() = P1Mid();
    r.set_reason("matrix test");
  });
  EVALD_CALL(GetEvaluation, GetEvaluationRequest, Evaluation,
             *r.mutable_evaluation() = P1Mid());
  EVALD_CALL(ListEvaluations, ListEvaluationsRequest, ListEvaluationsResponse,
             r.set_project_id("P1"));
  EVALD_CALL(ListLateParties, ListLatePartiesRequest, ListLatePartiesResponse,
             r.set_project_id("P1"));
  EVALD_CALL(ListDisbursements, ListDisbursementsRequest,
             ListDisbursementsResponse, r.set_project_id("P1"));
  EVALD_CALL(ReleaseDisbursement, ReleaseDisbursementRequest, Disbursement, {
    r.set_request_id(id());
    r.set_project_id("P1");
    r.set_year(2025);
    r.set_kind(v1::MID_TERM_TRANCHE);
    r.set_payment_reference("MATRIX");
  });
  EVALD_CALL(CorrectRelease, CorrectReleaseRequest, Disbursement, {
    r.set_request_id(id());
    r.set_project_id("P1");
    r.set_year(2025);
    r.set_kind(v1::YEAR_START);
    r.set_payment_reference("MATRIX-FIX");
    r.set_reason("matrix test");
  });
  EVALD_CALL(GetSummary, GetSummaryRequest, Summary, {});
  EVALD_CALL(GetYearOverview, GetYearOverviewRequest, YearOverview,
             r.set_year(2025));
  EVALD_CALL(ListAuditEvents, ListAuditEventsRequest, ListAuditEventsResponse,
             r.set_project_id("P1"));
  EVALD_CALL(GetPolicy, GetPolicyRequest, Policy, {});
  EVALD_CALL(WhoAmI, WhoAmIRequest, PrincipalInfo, {});
  EVALD_CALL(CreatePrincipal, CreatePrincipalRequest, CreatePrincipalResponse, {
    r.set_request_id(id());
    r.set_name(absl::StrCat("matrix-", id().substr(7)));
    r.set_role("village");
    r.set_organisation("V77");
  });
  EVALD_CALL(ListPrincipals, ListPrincipalsRequest, ListPrincipalsResponse, {});
  EVALD_CALL(RevokePrincipal, RevokePrincipalRequest, PrincipalInfo, {
    r.set_request_id(id());
    r.set_name("nobody-at-all");
  });
  EVALD_CALL(CreateOrganisation, CreateOrganisationRequest, Organisation, {
    r.set_request_id(id());
    r.set_code(absl::StrCat("NEWORG", id().substr(7)));
    r.set_kind(v1::PROVIDER);
    r.set_name_zh("新承办机构");
  });
  EVALD_CALL(RenameOrganisation, RenameOrganisationRequest, Organisation, {
    r.set_request_id(id());
    r.set_code("PR1");
    r.set_name_en("Renamed by the matrix test");
  });
  EVALD_CALL(RetireOrganisation, RetireOrganisationRequest, Organisation, {
    r.set_request_id(id());
    r.set_code("nobody-at-all");
    r.set_reason("matrix test");
  });
  EVALD_CALL(ListOrganisations, ListOrganisationsRequest,
             ListOrganisationsResponse, {});
  EVALD_CALL(ListEvents, ListEventsRequest, ListEventsResponse, {});
  EVALD_CALL(CreateBackup, CreateBackupRequest, BackupInfo, {});
  EVALD_CALL(ListWebhookDeliveries, ListWebhookDeliveriesRequest,
             ListWebhookDeliveriesResponse, {});
  EVALD_CALL(RedeliverWebhooks, RedeliverWebhooksRequest, WebhookEndpoint,
             r.set_endpoint("nobody"));
#undef EVALD_CALL
  return makers;
}

// Calls every RPC as every role and expects the documented matrix:
// `insiders` (role -> token) are related to project P1, `outsiders` have
// the role but no relation to P1; `revoked` is a revoked token. A refusal
// names the method; bad tokens are UNAUTHENTICATED.
inline void ExpectDocumentedMatrix(
    const Transport& call, const std::map<std::string, std::string>& insiders,
    const std::map<std::string, std::string>& outsiders,
    const std::string& revoked) {
  for (const auto& [method, make] : EveryRpcRequest()) {
    const Expected& want = DocumentedMatrix().at(method);
    for (const auto& [role, token] : insiders) {
      SCOPED_TRACE(absl::StrCat(method, " as ", role));
      grpc::Status s = call(method, *make(), token);
      if (want.roles.count(role)) {
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << s.error_message();
        EXPECT_THAT(s.error_message(), ::testing::HasSubstr(method));
      }
    }
    for (const auto& [role, token] : outsiders) {
      SCOPED_TRACE(absl::StrCat(method, " as an outside ", role));
      grpc::Status s = call(method, *make(), token);
      if (want.roles.count(role) && !want.project_scoped) {
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << s.error_message();
      }
    }
    for (const std::string& bad :
         {std::string(), std::string("forged-token"), revoked}) {
      SCOPED_TRACE(absl::StrCat(method, " with token \"", bad, "\""));
      EXPECT_EQ(call(method, *make(), bad).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
    }
  }
}

}  // namespace evald::testing

#endif  // EVALD_TESTS_EVERY_RPC_H_
