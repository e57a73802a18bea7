// A fixture for end-to-end tests: a real evald process and helpers that
// drive it as each party would.

#ifndef EVALD_TESTS_E2E_FIXTURE_H_
#define EVALD_TESTS_E2E_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/evald_process.h"

namespace evald::testing {

namespace v1 = ::evaluation::v1;

class EvaldTest : public ::testing::Test {
 protected:
  // Flags evald gets besides the test defaults (EvaldProcess::Start).
  virtual std::vector<std::string> ExtraFlags() const { return {}; }

  void SetUp() override {
    ASSERT_TRUE(evald_.Start(ExtraFlags()));
    stub_ = evald_.NewStub();
  }

  // Stops evald gracefully; returns its exit status. The test's channel is
  // closed first: gRPC's shutdown waits for open connections to go.
  int StopEvald() {
    stub_.reset();
    return evald_.Stop();
  }

  // Restarts evald on the same data directory (after Kill or Stop).
  void Restart() {
    ASSERT_TRUE(evald_.Start(ExtraFlags()));
    stub_ = evald_.NewStub();
  }

  std::string NextRequestId() {
    return absl::StrCat("req-", ++request_counter_);
  }

  static v1::EvaluationRef Ref(const std::string& project, int year,
                               v1::Phase phase) {
    v1::EvaluationRef ref;
    ref.set_project_id(project);
    ref.set_year(year);
    ref.set_phase(phase);
    return ref;
  }

  // Creates a project of township huangge / provider PR1 / villages V01,V02
  // with agency AG1, annual fund 2,600,000.00 yuan.
  grpc::Status CreateProject(const std::string& id, const std::string& start,
                             v1::Project* out = nullptr) {
    v1::CreateProjectRequest r;
    r.set_request_id(NextRequestId());
    r.set_project_id(id);
    r.set_name("黄阁镇社工站");
    r.set_township("huangge");
    r.set_provider("PR1");
    r.add_villages("V01");
    r.add_villages("V02");
    r.set_start_date(start);
    r.set_annual_fund_fen(260000000);
    r.set_agency("AG1");
    v1::Project reply;
    grpc::Status s = stub_->CreateProject(Context(kBureau).get(), r, &reply);
    if (out != nullptr) *out = reply;
    return s;
  }

  grpc::Status Score(const std::string& token, const v1::EvaluationRef& ref,
                     const std::string& score, bool rectifiable = false,
                     v1::Evaluation* out = nullptr) {
    v1::SubmitProfessionalScoreRequest r;
    r.set_request_id(NextRequestId());
    *r.mutable_evaluation() = ref;
    r.set_score(score);
    r.set_rectifiable(rectifiable);
    v1::Evaluation reply;
    grpc::Status s =
        stub_->SubmitProfessionalScore(Context(token).get(), r, &reply);
    if (out != nullptr) *out = reply;
    return s;
  }

  // Financial evaluation with a sound cost structure: 75 % personnel, 12 %
  // service quality, 10 % management, 3 % other of 1,000,000.00 yuan.
  grpc::Status Financial(const v1::EvaluationRef& ref, const std::string& score,
                         bool rectifiable = false) {
    v1::SubmitFinancialEvaluationRequest r;
    r.set_request_id(NextRequestId());
    *r.mutable_evaluation() = ref;
    r.set_score(score);
    r.set_rectifiable(rectifiable);
    r.mutable_expenditure()->set_personnel_fen(75000000);
    r.mutable_expenditure()->set_service_quality_fen(12000000);
    r.mutable_expenditure()->set_management_fen(10000000);
    r.mutable_expenditure()->set_other_fen(3000000);
    v1::Evaluation reply;
    return stub_->SubmitFinancialEvaluation(Context(kAgency).get(), r, &reply);
  }

  // Every party submits `score`; the agency's financial score is `financial`.
  void SubmitAll(const v1::EvaluationRef& ref, const std::string& score,
                 const std::string& financial = "80",
                 bool rectifiable = false) {
    for (const char* token :
         {kAgency, kTownship, kVillage1, kVillage2, kBureau}) {
      grpc::Status s = Score(token, ref, score,
                             rectifiable && token == std::string(kAgency));
      ASSERT_TRUE(s.ok()) << token << ": " << s.error_message();
    }
    grpc::Status s = Financial(ref, financial, rectifiable);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status Finalize(const v1::EvaluationRef& ref, const std::string& date,
                        v1::Evaluation* out) {
    v1::FinalizeEvaluationRequest r;
    r.set_request_id(NextRequestId());
    *r.mutable_evaluation() = ref;
    r.set_result_date(date);
    return stub_->FinalizeEvaluation(Context(kBureau).get(), r, out);
  }

  std::vector<v1::Disbursement> Disbursements(const std::string& project) {
    v1::ListDisbursementsRequest r;
    r.set_project_id(project);
    r.set_as_of("2026-01-01");
    v1::ListDisbursementsResponse reply;
    grpc::Status s =
        stub_->ListDisbursements(Context(kFinance).get(), r, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {reply.disbursements().begin(), reply.disbursements().end()};
  }

  // The tranche of `project` for (year, kind), or an empty message.
  v1::Disbursement Tranche(const std::string& project, int year,
                           v1::TrancheKind kind) {
    for (const v1::Disbursement& d : Disbursements(project)) {
      if (d.year() == year && d.kind() == kind) return d;
    }
    return v1::Disbursement();
  }

  grpc::Status Release(const std::string& project, int year,
                       v1::TrancheKind kind, const std::string& reference,
                       const std::string& request_id,
                       v1::Disbursement* out = nullptr,
                       const std::string& released_on = "2026-03-20") {
    v1::ReleaseDisbursementRequest r;
    r.set_request_id(request_id);
    r.set_project_id(project);
    r.set_year(year);
    r.set_kind(kind);
    r.set_payment_reference(reference);
    r.set_released_on(released_on);
    v1::Disbursement reply;
    grpc::Status s =
        stub_->ReleaseDisbursement(Context(kFinance).get(), r, &reply);
    if (out != nullptr) *out = reply;
    return s;
  }

  std::vector<v1::AuditEvent> Audit(const std::string& project) {
    std::vector<v1::AuditEvent> all;
    std::string token;
    do {
      v1::ListAuditEventsRequest r;
      r.set_project_id(project);
      r.set_page_token(token);
      v1::ListAuditEventsResponse reply;
      grpc::Status s =
          stub_->ListAuditEvents(Context(kBureau).get(), r, &reply);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      all.insert(all.end(), reply.events().begin(), reply.events().end());
      token = reply.next_page_token();
    } while (!token.empty());
    return all;
  }

  // Issues a principal through the API and returns its token.
  std::string AddPrincipal(const std::string& name, const std::string& role,
                           const std::string& org) {
    v1::CreatePrincipalRequest r;
    r.set_request_id(NextRequestId());
    r.set_name(name);
    r.set_role(role);
    r.set_organisation(org);
    v1::CreatePrincipalResponse reply;
    grpc::Status s = stub_->CreatePrincipal(Context(kAdmin).get(), r, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(reply.token().size(), 64u);  // 256 bits in hex
    return reply.token();
  }

  // Registers an organisation through the API, as the bureau.
  void AddOrganisation(const std::string& code, v1::OrganisationKind kind,
                       const std::string& name_zh,
                       const std::string& township = "") {
    v1::CreateOrganisationRequest r;
    r.set_request_id(NextRequestId());
    r.set_code(code);
    r.set_kind(kind);
    r.set_name_zh(name_zh);
    r.set_township(township);
    v1::Organisation reply;
    grpc::Status s =
        stub_->CreateOrganisation(Context(kBureau).get(), r, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status Revoke(const std::string& name) {
    v1::RevokePrincipalRequest r;
    r.set_request_id(NextRequestId());
    r.set_name(name);
    v1::PrincipalInfo reply;
    return stub_->RevokePrincipal(Context(kAdmin).get(), r, &reply);
  }

  // The principals the authorization matrix is checked with: role ->
  // token, related to project P1 (the demo ones) or not (issued here), and
  // a revoked bureau token.
  struct MatrixParties {
    std::map<std::string, std::string> insiders;
    std::map<std::string, std::string> outsiders;
    std::string revoked;
  };
  MatrixParties AddMatrixParties() {
    MatrixParties p;
    // Right role, wrong organisation: related to no project here.
    p.outsiders = {
        {"agency", AddPrincipal("outside-agency", "agency", "AG9")},
        {"township", AddPrincipal("outside-township", "township", "nanshajie")},
        {"village", AddPrincipal("outside-village", "village", "V11")},
        {"provider", AddPrincipal("outside-provider", "provider", "PR2")},
    };
    p.insiders = {
        {"agency", kAgency}, {"township", kTownship}, {"village", kVillage1},
        {"bureau", kBureau}, {"provider", kProvider}, {"finance", kFinance},
        {"admin", kAdmin},
    };
    p.revoked = AddPrincipal("revoked-bureau", "bureau", "nansha");
    EXPECT_TRUE(Revoke("revoked-bureau").ok());
    return p;
  }

  EvaldProcess evald_;
  std::unique_ptr<v1::EvaluationService::Stub> stub_;
  int request_counter_ = 0;
};

}  // namespace evald::testing

#endif  // EVALD_TESTS_E2E_FIXTURE_H_
