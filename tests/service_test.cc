// In-process tests of the evald service over a real loopback channel.
//
// The test process builds what main.cc builds -- storage::Store on a
// temporary directory, server::Engine, server::WorkerPool,
// server::EvaluationServiceImpl behind a grpc::Server on 127.0.0.1:0 -- and
// talks to it with the generated stub. Being in-process lets the tests read
// Store::ContentDigest() (every key and value of every column family) before
// and after a call, to show that a refused call changed nothing, state and
// audit alike.
//
// Expected values are computed by hand from RULES.md and the API comments in
// evaluation.proto, never by calling the code under test.

#include "server/service.h"

#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/sha256.h"
#include "evaluation/v1/evaluation.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "scoring/calendar.h"
#include "server/engine.h"
#include "server/policy_set.h"
#include "server/principals.h"
#include "server/worker_pool.h"
#include "storage/store.h"
#include "tests/raw_db.h"
#include "tests/raw_grpc.h"

namespace evald::testing {
namespace {

namespace v1 = ::evaluation::v1;
using Stub = v1::EvaluationService::Stub;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

// The principals: the demo roles of deploy/demo/tokens.txt, plus principals
// of the right role for a second township (dongchong) whose organisations
// have no part in huangge's projects.
constexpr char kBureau[] = "demo-bureau";
constexpr char kAdmin[] = "demo-admin";
constexpr char kAgency[] = "demo-agency";         // AG1
constexpr char kTownship[] = "demo-township";     // huangge
constexpr char kVillage1[] = "demo-village-v01";  // V01
constexpr char kVillage2[] = "demo-village-v02";  // V02
constexpr char kProvider[] = "demo-provider";     // PR1
constexpr char kFinance[] = "demo-finance";
constexpr char kTownshipDc[] = "test-township-dc";  // dongchong
constexpr char kVillage3[] = "test-village-v03";    // V03
constexpr char kAgency2[] = "test-agency-ag2";      // AG2
constexpr char kProvider2[] = "test-provider-pr2";  // PR2

struct TestPrincipal {
  const char* token;
  const char* role;
  const char* organisation;
  const char* name;
};
constexpr TestPrincipal kPrincipals[] = {
    {kBureau, "bureau", "nansha", "bureau"},
    {kAdmin, "admin", "nansha", "admin"},
    {kAgency, "agency", "AG1", "agency-ag1"},
    {kTownship, "township", "huangge", "township-huangge"},
    {kVillage1, "village", "V01", "village-v01"},
    {kVillage2, "village", "V02", "village-v02"},
    {kProvider, "provider", "PR1", "provider-pr1"},
    {kFinance, "finance", "nansha", "finance"},
    {kTownshipDc, "township", "dongchong", "township-dongchong"},
    {kVillage3, "village", "V03", "village-v03"},
    {kAgency2, "agency", "AG2", "agency-ag2"},
    {kProvider2, "provider", "PR2", "provider-pr2"},
};

constexpr int kMaxMessageBytes = 1 << 20;  // evald's --max_message_bytes

// The server's clock: 2026-01-10 10:00 in China (02:00 UTC).
absl::Time Now() {
  return absl::FromCivil(absl::CivilSecond(2026, 1, 10, 10, 0, 0),
                         absl::FixedTimeZone(8 * 3600));
}

std::string EvalName(const std::string& project, int year, v1::Phase phase) {
  return absl::StrCat("projects/", project, "/years/", year, "/phases/",
                      phase == v1::MID_TERM ? "mid-term" : "final");
}

std::string TrancheName(const std::string& project, int year,
                        v1::TrancheKind kind) {
  const char* k = kind == v1::YEAR_START         ? "year-start"
                  : kind == v1::MID_TERM_TRANCHE ? "mid-term"
                                                 : "final";
  return absl::StrCat("projects/", project, "/years/", year, "/tranches/", k);
}

// Who scores a project: its agency, township and village committees.
struct Parties {
  const char* agency;
  const char* township;
  std::vector<const char*> villages;
};
const Parties kHuanggeBoth = {kAgency, kTownship, {kVillage1, kVillage2}};
const Parties kHuanggeV01 = {kAgency, kTownship, {kVillage1}};
const Parties kDongchong = {kAgency2, kTownshipDc, {kVillage3}};

class ServiceTest : public ::testing::Test {
 public:
  void SetUp() override {
    char pattern[] = "/tmp/evald-service-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    storage::StoreOptions options;
    options.path = dir_ + "/data";
    options.block_cache_bytes = 8 << 20;
    options.sync_writes = false;  // a test database; faster
    options.verify_previous = true;
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);

    std::string text;
    for (const TestPrincipal& p : kPrincipals) {
      absl::StrAppend(&text, Sha256Hex(p.token), " ", p.role, " ",
                      p.organisation, " ", p.name, "\n");
    }
    auto registry = server::PrincipalRegistry::Parse(text);
    ASSERT_TRUE(registry.ok()) << registry.status();
    principals_ =
        std::make_unique<server::PrincipalRegistry>(*std::move(registry));

    engine_ = std::make_unique<server::Engine>(
        store_.get(), server::PolicySet(),
        scoring::WorkingDayCalendar::BuiltIn(), [] { return Now(); });
    pool_ = std::make_unique<server::WorkerPool>(4);
    service_ = std::make_unique<server::EvaluationServiceImpl>(
        engine_.get(), principals_.get(), pool_.get());

    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port, 0);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::EvaluationService::NewStub(channel_);
  }

  void TearDown() override {
    if (server_) {
      server_->Shutdown(std::chrono::system_clock::now() +
                        std::chrono::seconds(5));
    }
    server_.reset();
    pool_.reset();  // runs queued work before the engine and store go
    service_.reset();
    engine_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string Digest() {
    absl::StatusOr<std::string> d = store_->ContentDigest();
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? *d : "";
  }

  // ------------------------------------------------------------ calling

  // A context carrying `authorization` as is (none if empty).
  static std::unique_ptr<grpc::ClientContext> RawAuthContext(
      const std::string& authorization) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!authorization.empty())
      ctx->AddMetadata("authorization", authorization);
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(30));
    return ctx;
  }

  // Calls `method` as the principal of `token` ("" sends no token).
  template <typename Request, typename Reply>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Reply*),
                    const std::string& token, const Request& request,
                    Reply* reply = nullptr) {
    Reply ignored;
    auto ctx = RawAuthContext(token.empty() ? "" : "Bearer " + token);
    return (stub_.get()->*method)(ctx.get(), request,
                                  reply != nullptr ? reply : &ignored);
  }

  std::string NextId() { return absl::StrCat("req-", ++request_counter_); }

  static v1::EvaluationRef Ref(const std::string& project, int year,
                               v1::Phase phase) {
    v1::EvaluationRef ref;
    ref.set_project_id(project);
    ref.set_year(year);
    ref.set_phase(phase);
    return ref;
  }

  // ------------------------------------------------------------ requests

  v1::CreateProjectRequest CreateReq(const std::string& id,
                                     const std::string& township,
                                     const std::string& provider,
                                     const std::vector<std::string>& villages,
                                     const std::string& start, int years,
                                     const std::string& agency) {
    v1::CreateProjectRequest r;
    r.set_request_id(NextId());
    r.set_project_id(id);
    r.set_name(absl::StrCat(township, " station ", id));
    r.set_township(township);
    r.set_provider(provider);
    for (const std::string& v : villages) r.add_villages(v);
    r.set_start_date(start);
    r.set_years(years);
    r.set_annual_fund_fen(260000000);  // 2,600,000.00 yuan
    r.set_agency(agency);
    return r;
  }

  v1::AssignAgencyRequest AssignReq(const std::string& project,
                                    const std::string& agency) {
    v1::AssignAgencyRequest r;
    r.set_request_id(NextId());
    r.set_project_id(project);
    r.set_agency(agency);
    return r;
  }

  v1::SubmitProfessionalScoreRequest ScoreReq(const v1::EvaluationRef& ref,
                                              const std::string& score,
                                              bool rectifiable = false) {
    v1::SubmitProfessionalScoreRequest r;
    r.set_request_id(NextId());
    *r.mutable_evaluation() = ref;
    r.set_score(score);
    r.set_rectifiable(rectifiable);
    return r;
  }

  // A sound cost structure: 75 % personnel, 12 % service quality, 10 %
  // management, 3 % other of 1,000,000.00 yuan.
  v1::SubmitFinancialEvaluationRequest FinancialReq(
      const v1::EvaluationRef& ref, const std::string& score,
      bool rectifiable = false) {
    v1::SubmitFinancialEvaluationRequest r;
    r.set_request_id(NextId());
    *r.mutable_evaluation() = ref;
    r.set_score(score);
    r.set_rectifiable(rectifiable);
    r.mutable_expenditure()->set_personnel_fen(75000000);
    r.mutable_expenditure()->set_service_quality_fen(12000000);
    r.mutable_expenditure()->set_management_fen(10000000);
    r.mutable_expenditure()->set_other_fen(3000000);
    return r;
  }

  v1::RaiseVetoRequest VetoReq(const v1::EvaluationRef& ref,
                               const std::string& code,
                               const std::string& evidence,
                               v1::VetoKind kind = v1::PROFESSIONAL) {
    v1::RaiseVetoRequest r;
    r.set_request_id(NextId());
    *r.mutable_evaluation() = ref;
    r.set_kind(kind);
    r.set_code(code);
    r.set_evidence(evidence);
    return r;
  }

  v1::DecideVetoRequest DecideVetoReq(const v1::EvaluationRef& ref,
                                      int64_t veto_id,
                                      const std::string& reason = "") {
    v1::DecideVetoRequest r;
    r.set_request_id(NextId());
    *r.mutable_evaluation() = ref;
    r.set_veto_id(veto_id);
    r.set_reason(reason);
    return r;
  }

  v1::FinalizeEvaluationRequest FinalizeReq(const v1::EvaluationRef& ref,
                                            const std::string& date) {
    v1::FinalizeEvaluationRequest r;
    r.set_request_id(NextId());
    *r.mutable_evaluation() = ref;
    r.set_result_date(date);
    return r;
  }

  v1::ApplyRectificationRequest ApplyReq(const v1::EvaluationRef& ref,
                                         const std::string& date) {
    v1::ApplyRectificationRequest r;
    r.set_request_id(NextId());
    *r.mutable_evaluation() = ref;
    r.set_application_date(date);
    return r;
  }

  v1::DecideReevaluationRequest DecideReq(const v1::EvaluationRef& ref,
                                          bool passed,
                                          const std::string& date) {
    v1::DecideReevaluationRequest r;
    r.set_request_id(NextId());
    *r.mutable_evaluation() = ref;
    r.set_passed(passed);
    r.set_decision_date(date);
    return r;
  }

  v1::ExpireRectificationRequest ExpireReq(const v1::EvaluationRef& ref,
                                           const std::string& as_of) {
    v1::ExpireRectificationRequest r;
    r.set_request_id(NextId());
    *r.mutable_evaluation() = ref;
    r.set_as_of(as_of);
    return r;
  }

  v1::ReopenEvaluationRequest ReopenReq(const v1::EvaluationRef& ref,
                                        const std::string& reason) {
    v1::ReopenEvaluationRequest r;
    r.set_request_id(NextId());
    *r.mutable_evaluation() = ref;
    r.set_reason(reason);
    return r;
  }

  v1::ReleaseDisbursementRequest ReleaseReq(const std::string& project,
                                            int year, v1::TrancheKind kind,
                                            const std::string& reference,
                                            const std::string& released_on) {
    v1::ReleaseDisbursementRequest r;
    r.set_request_id(NextId());
    r.set_project_id(project);
    r.set_year(year);
    r.set_kind(kind);
    r.set_payment_reference(reference);
    r.set_released_on(released_on);
    return r;
  }

  // ------------------------------------------------------------ set-up steps

  void Create(const std::string& id, const std::string& township,
              const std::string& provider,
              const std::vector<std::string>& villages,
              const std::string& start, int years, const std::string& agency) {
    grpc::Status s =
        Call(&Stub::CreateProject, kBureau,
             CreateReq(id, township, provider, villages, start, years, agency));
    ASSERT_TRUE(s.ok()) << id << ": " << s.error_message();
  }

  // Every party of `who` scores `score` (the agency marks it rectifiable
  // when asked), the bureau scores `score`, the agency's financial score is
  // `financial` with a sound cost structure.
  void SubmitAll(const v1::EvaluationRef& ref, const Parties& who,
                 const std::string& score, bool rectifiable = false,
                 const std::string& financial = "80") {
    std::vector<const char*> tokens = {who.agency, who.township, kBureau};
    tokens.insert(tokens.end(), who.villages.begin(), who.villages.end());
    for (const char* token : tokens) {
      grpc::Status s =
          Call(&Stub::SubmitProfessionalScore, token,
               ScoreReq(ref, score, rectifiable && token == who.agency));
      ASSERT_TRUE(s.ok()) << token << ": " << s.error_message();
    }
    grpc::Status s = Call(&Stub::SubmitFinancialEvaluation, who.agency,
                          FinancialReq(ref, financial, rectifiable));
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::Evaluation Finalize(const v1::EvaluationRef& ref,
                          const std::string& date) {
    v1::Evaluation e;
    grpc::Status s =
        Call(&Stub::FinalizeEvaluation, kBureau, FinalizeReq(ref, date), &e);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return e;
  }

  void Release(const std::string& project, int year, v1::TrancheKind kind,
               const std::string& reference, const std::string& on) {
    grpc::Status s = Call(&Stub::ReleaseDisbursement, kFinance,
                          ReleaseReq(project, year, kind, reference, on));
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // --------------------------------------------------------------- reading

  // Every evaluation `token` lists with `filter`, walking pages of
  // `page_size`; `pages` receives each page's size.
  std::vector<std::string> ListEvaluationNames(
      const std::string& token, v1::ListEvaluationsRequest filter,
      int page_size = 0, std::vector<int>* pages = nullptr) {
    std::vector<std::string> names;
    filter.set_page_size(page_size);
    for (int guard = 0; guard < 100; ++guard) {
      v1::ListEvaluationsResponse reply;
      grpc::Status s = Call(&Stub::ListEvaluations, token, filter, &reply);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      if (pages != nullptr) pages->push_back(reply.evaluations_size());
      for (const v1::Evaluation& e : reply.evaluations()) {
        names.push_back(e.name());
      }
      if (reply.next_page_token().empty()) break;
      filter.set_page_token(reply.next_page_token());
    }
    return names;
  }

  std::vector<v1::Disbursement> ListTranches(const std::string& token,
                                             v1::ListDisbursementsRequest r) {
    std::vector<v1::Disbursement> out;
    for (int guard = 0; guard < 100; ++guard) {
      v1::ListDisbursementsResponse reply;
      grpc::Status s = Call(&Stub::ListDisbursements, token, r, &reply);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      out.insert(out.end(), reply.disbursements().begin(),
                 reply.disbursements().end());
      if (reply.next_page_token().empty()) break;
      r.set_page_token(reply.next_page_token());
    }
    return out;
  }

  std::vector<std::string> ListProjectIds(const std::string& token) {
    v1::ListProjectsResponse reply;
    grpc::Status s =
        Call(&Stub::ListProjects, token, v1::ListProjectsRequest(), &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const v1::Project& p : reply.projects()) ids.push_back(p.project_id());
    return ids;
  }

  v1::Evaluation GetEval(const v1::EvaluationRef& ref) {
    v1::GetEvaluationRequest r;
    *r.mutable_evaluation() = ref;
    v1::Evaluation e;
    grpc::Status s = Call(&Stub::GetEvaluation, kBureau, r, &e);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return e;
  }

  std::string dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<server::PrincipalRegistry> principals_;
  std::unique_ptr<server::Engine> engine_;
  std::unique_ptr<server::WorkerPool> pool_;
  std::unique_ptr<server::EvaluationServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Stub> stub_;
  int request_counter_ = 0;
};

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
  // Who may call each mutating RPC (RULES.md §1, §4, §7, §8 and the issue:
  // a provider may only apply for rectification, finance may only release).
  const std::map<std::string, std::set<std::string>> allowed = {
      {"CreateProject", {"bureau", "admin"}},
      {"AssignAgency", {"bureau", "admin"}},
      {"SubmitProfessionalScore", {"agency", "township", "village", "bureau"}},
      {"SubmitFinancialEvaluation", {"agency"}},
      {"RaiseVeto", {"agency", "bureau"}},
      {"ConfirmVeto", {"bureau"}},
      {"DismissVeto", {"bureau"}},
      {"FinalizeEvaluation", {"bureau"}},
      {"ApplyRectification", {"provider"}},
      {"DecideReevaluation", {"agency", "bureau"}},
      {"ExpireRectification", {"bureau"}},
      {"ReopenEvaluation", {"bureau"}},
      {"ReleaseDisbursement", {"finance"}},
  };
  // One principal per role, each related to P1..P4.
  const std::vector<std::pair<std::string, std::string>> roles = {
      {"bureau", kBureau},     {"admin", kAdmin},      {"agency", kAgency},
      {"township", kTownship}, {"village", kVillage1}, {"provider", kProvider},
      {"finance", kFinance},
  };
  std::vector<AuthzCase> cases;
  for (const auto& [method, call] : MutatingCalls()) {
    for (const auto& [role, token] : roles) {
      const bool ok = allowed.at(method).count(role) > 0;
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

// =====================================================================
// (c) Reads and lists.
// =====================================================================

// The world of the read tests (clock: 2026-01-10):
//   P1 huangge / PR1 / V01,V02 / AG1, from 2025-07-01, 3 years
//      2025 mid-term PASSED (all 85: GOOD), result 2025-12-15
//      2025 final    RECTIFYING (all 55: UNQUALIFIED), result 2026-07-10
//      2026 mid-term OPEN; agency, township, bureau and V01 have scored
//      2026 final, 2027 mid-term, 2027 final: OPEN, nothing submitted
//      year-start 2025 tranche released
//   P2 huangge / PR1 / V01 / AG1, from 2025-09-01, 2 years
//      2025 mid-term PASSED (all 92: EXCELLENT), result 2025-12-15
//      2025 final    SCORED (all 80)
//      2026 mid-term, 2026 final: OPEN
//   Q1 dongchong / PR2 / V03 / AG2, from 2026-03-01, 2 years
//      2026 mid-term PASSED (all 70: QUALIFIED), result 2026-11-02
//      2026 final, 2027 mid-term, 2027 final: OPEN
class ReadTest : public ServiceTest {
 public:
  void SetUp() override {
    ServiceTest::SetUp();
    if (HasFatalFailure()) return;
    Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 3, "AG1");
    Create("P2", "huangge", "PR1", {"V01"}, "2025-09-01", 2, "AG1");
    Create("Q1", "dongchong", "PR2", {"V03"}, "2026-03-01", 2, "AG2");

    SubmitAll(Ref("P1", 2025, v1::MID_TERM), kHuanggeBoth, "85");
    ASSERT_EQ(Finalize(Ref("P1", 2025, v1::MID_TERM), "2025-12-15").state(),
              v1::PASSED);
    SubmitAll(Ref("P1", 2025, v1::FINAL), kHuanggeBoth, "55",
              /*rectifiable=*/true);
    ASSERT_EQ(Finalize(Ref("P1", 2025, v1::FINAL), "2026-07-10").state(),
              v1::RECTIFYING);
    for (const char* token : {kAgency, kTownship, kBureau, kVillage1}) {
      ASSERT_TRUE(Call(&Stub::SubmitProfessionalScore, token,
                       ScoreReq(Ref("P1", 2026, v1::MID_TERM), "80"))
                      .ok());
    }
    Release("P1", 2025, v1::YEAR_START, "PAY-P1-1", "2025-07-20");

    SubmitAll(Ref("P2", 2025, v1::MID_TERM), kHuanggeV01, "92");
    ASSERT_EQ(Finalize(Ref("P2", 2025, v1::MID_TERM), "2025-12-15").state(),
              v1::PASSED);
    SubmitAll(Ref("P2", 2025, v1::FINAL), kHuanggeV01, "80");

    SubmitAll(Ref("Q1", 2026, v1::MID_TERM), kDongchong, "70");
    ASSERT_EQ(Finalize(Ref("Q1", 2026, v1::MID_TERM), "2026-11-02").state(),
              v1::PASSED);
  }

  static std::vector<std::string> AllNames(const std::string& project,
                                           std::vector<int> years) {
    std::vector<std::string> out;
    for (int y : years) {
      out.push_back(EvalName(project, y, v1::MID_TERM));
      out.push_back(EvalName(project, y, v1::FINAL));
    }
    return out;
  }
};

TEST_F(ReadTest, ListEvaluationsAppliesEveryFilter) {
  v1::ListEvaluationsRequest r;
  r.set_township("huangge");
  std::vector<std::string> huangge = AllNames("P1", {2025, 2026, 2027});
  for (const std::string& n : AllNames("P2", {2025, 2026})) {
    huangge.push_back(n);
  }
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              UnorderedElementsAreArray(huangge));

  r = v1::ListEvaluationsRequest();
  r.set_year(2026);
  EXPECT_THAT(
      ListEvaluationNames(kBureau, r),
      UnorderedElementsAre(
          EvalName("P1", 2026, v1::MID_TERM), EvalName("P1", 2026, v1::FINAL),
          EvalName("P2", 2026, v1::MID_TERM), EvalName("P2", 2026, v1::FINAL),
          EvalName("Q1", 2026, v1::MID_TERM), EvalName("Q1", 2026, v1::FINAL)));

  r = v1::ListEvaluationsRequest();
  r.set_phase(v1::FINAL);
  EXPECT_THAT(
      ListEvaluationNames(kBureau, r),
      UnorderedElementsAre(
          EvalName("P1", 2025, v1::FINAL), EvalName("P1", 2026, v1::FINAL),
          EvalName("P1", 2027, v1::FINAL), EvalName("P2", 2025, v1::FINAL),
          EvalName("P2", 2026, v1::FINAL), EvalName("Q1", 2026, v1::FINAL),
          EvalName("Q1", 2027, v1::FINAL)));

  r = v1::ListEvaluationsRequest();
  r.set_state(v1::PASSED);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              UnorderedElementsAre(EvalName("P1", 2025, v1::MID_TERM),
                                   EvalName("P2", 2025, v1::MID_TERM),
                                   EvalName("Q1", 2026, v1::MID_TERM)));

  r = v1::ListEvaluationsRequest();
  r.set_state(v1::RECTIFYING);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              ElementsAre(EvalName("P1", 2025, v1::FINAL)));

  r = v1::ListEvaluationsRequest();
  r.set_township("huangge");
  r.set_year(2026);
  r.set_state(v1::OPEN);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              UnorderedElementsAre(EvalName("P1", 2026, v1::MID_TERM),
                                   EvalName("P1", 2026, v1::FINAL),
                                   EvalName("P2", 2026, v1::MID_TERM),
                                   EvalName("P2", 2026, v1::FINAL)));

  r = v1::ListEvaluationsRequest();
  r.set_township("dongchong");
  r.set_phase(v1::MID_TERM);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              UnorderedElementsAre(EvalName("Q1", 2026, v1::MID_TERM),
                                   EvalName("Q1", 2027, v1::MID_TERM)));

  r = v1::ListEvaluationsRequest();
  r.set_project_id("P2");
  r.set_state(v1::SCORED);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              ElementsAre(EvalName("P2", 2025, v1::FINAL)));

  r = v1::ListEvaluationsRequest();
  r.set_township("huangge");
  r.set_year(2027);
  r.set_phase(v1::FINAL);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              ElementsAre(EvalName("P1", 2027, v1::FINAL)));
}

TEST_F(ReadTest, PagesOfThreeWalkEveryEvaluationOnce) {
  // Everything, in key order: P1's six, P2's four, Q1's four.
  std::vector<std::string> all = AllNames("P1", {2025, 2026, 2027});
  for (const std::string& n : AllNames("P2", {2025, 2026})) all.push_back(n);
  for (const std::string& n : AllNames("Q1", {2026, 2027})) all.push_back(n);
  ASSERT_EQ(all.size(), 14u);
  std::vector<int> pages;
  std::vector<std::string> walked =
      ListEvaluationNames(kBureau, v1::ListEvaluationsRequest(), 3, &pages);
  EXPECT_THAT(walked, ElementsAreArray(all));
  EXPECT_THAT(pages, ElementsAre(3, 3, 3, 3, 2));

  // Through the state index: 9 OPEN evaluations make exactly three full
  // pages, and the third says there is no more.
  pages.clear();
  v1::ListEvaluationsRequest open;
  open.set_state(v1::OPEN);
  walked = ListEvaluationNames(kBureau, open, 3, &pages);
  EXPECT_THAT(
      walked,
      ElementsAre(
          EvalName("P1", 2026, v1::MID_TERM), EvalName("P1", 2026, v1::FINAL),
          EvalName("P1", 2027, v1::MID_TERM), EvalName("P1", 2027, v1::FINAL),
          EvalName("P2", 2026, v1::MID_TERM), EvalName("P2", 2026, v1::FINAL),
          EvalName("Q1", 2026, v1::FINAL), EvalName("Q1", 2027, v1::MID_TERM),
          EvalName("Q1", 2027, v1::FINAL)));
  EXPECT_THAT(pages, ElementsAre(3, 3, 3));

  // Through the township index, and for a principal who sees only part:
  // V01 serves P1 and P2 (10 evaluations).
  pages.clear();
  walked =
      ListEvaluationNames(kVillage1, v1::ListEvaluationsRequest(), 3, &pages);
  std::vector<std::string> v01(all.begin(), all.begin() + 10);
  EXPECT_THAT(walked, ElementsAreArray(v01));
  EXPECT_THAT(pages, ElementsAre(3, 3, 3, 1));

  pages.clear();
  v1::ListEvaluationsRequest huangge;
  huangge.set_township("huangge");
  walked = ListEvaluationNames(kTownship, huangge, 3, &pages);
  EXPECT_THAT(walked, ElementsAreArray(v01));
  EXPECT_THAT(pages, ElementsAre(3, 3, 3, 1));

  // A token is bound to its list: another filter refuses it.
  v1::ListEvaluationsRequest first;
  first.set_page_size(3);
  v1::ListEvaluationsResponse reply;
  ASSERT_TRUE(Call(&Stub::ListEvaluations, kBureau, first, &reply).ok());
  ASSERT_FALSE(reply.next_page_token().empty());
  v1::ListEvaluationsRequest other;
  other.set_state(v1::OPEN);
  other.set_page_token(reply.next_page_token());
  grpc::Status s = Call(&Stub::ListEvaluations, kBureau, other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
}

TEST_F(ReadTest, LatePartiesAreNamed) {
  // P1's 2026 service year starts 2026-07-01: its mid-term opens
  // 2026-12-01, its final 2027-06-01 (RULES.md §3 [default]: 5 and 11
  // months). As of 2027-06-03 both are late.
  v1::ListLatePartiesRequest r;
  r.set_project_id("P1");
  r.set_year(2026);
  r.set_as_of("2027-06-03");
  v1::ListLatePartiesResponse reply;
  ASSERT_TRUE(Call(&Stub::ListLateParties, kBureau, r, &reply).ok());
  ASSERT_EQ(reply.late_size(), 2);
  EXPECT_EQ(reply.late(0).evaluation(), EvalName("P1", 2026, v1::MID_TERM));
  EXPECT_EQ(reply.late(0).township(), "huangge");
  EXPECT_EQ(reply.late(0).phase(), v1::MID_TERM);
  EXPECT_EQ(reply.late(0).opens_on(), "2026-12-01");
  EXPECT_EQ(reply.late(0).days_late(), 184);  // 182 days to 06-01, + 2
  EXPECT_THAT(reply.late(0).missing(),
              UnorderedElementsAre("village:V02", "financial"));
  EXPECT_EQ(reply.late(1).evaluation(), EvalName("P1", 2026, v1::FINAL));
  EXPECT_EQ(reply.late(1).opens_on(), "2027-06-01");
  EXPECT_EQ(reply.late(1).days_late(), 2);
  EXPECT_THAT(reply.late(1).missing(),
              UnorderedElementsAre("third_party", "township", "bureau",
                                   "village:V01", "village:V02", "financial"));

  // RULES.md §3: a phase that has not opened waits for nobody. On its
  // opening day the mid-term is late (0 days), the final not yet; as of the
  // server's today (2026-01-10) neither.
  r.set_as_of("2026-12-01");
  ASSERT_TRUE(Call(&Stub::ListLateParties, kBureau, r, &reply).ok());
  ASSERT_EQ(reply.late_size(), 1);
  EXPECT_EQ(reply.late(0).evaluation(), EvalName("P1", 2026, v1::MID_TERM));
  EXPECT_EQ(reply.late(0).days_late(), 0);
  r.clear_as_of();
  ASSERT_TRUE(Call(&Stub::ListLateParties, kBureau, r, &reply).ok());
  EXPECT_EQ(reply.late_size(), 0);

  // Only OPEN phases wait for anyone: P2's SCORED 2025 final is not late.
  r = v1::ListLatePartiesRequest();
  r.set_project_id("P2");
  r.set_as_of("2027-09-01");
  ASSERT_TRUE(Call(&Stub::ListLateParties, kBureau, r, &reply).ok());
  std::vector<std::string> p2;
  for (const v1::LateEntry& e : reply.late()) p2.push_back(e.evaluation());
  EXPECT_THAT(p2, ElementsAre(EvalName("P2", 2026, v1::MID_TERM),
                              EvalName("P2", 2026, v1::FINAL)));

  // A village committee sees only the projects that serve it.
  r = v1::ListLatePartiesRequest();
  r.set_as_of("2028-12-31");
  ASSERT_TRUE(Call(&Stub::ListLateParties, kVillage3, r, &reply).ok());
  std::vector<std::string> v03;
  for (const v1::LateEntry& e : reply.late()) {
    v03.push_back(e.evaluation());
    EXPECT_THAT(e.missing(),
                UnorderedElementsAre("third_party", "township", "bureau",
                                     "village:V03", "financial"));
  }
  EXPECT_THAT(v03, ElementsAre(EvalName("Q1", 2026, v1::FINAL),
                               EvalName("Q1", 2027, v1::MID_TERM),
                               EvalName("Q1", 2027, v1::FINAL)));

  // An unknown project is NOT_FOUND, as GetProject says.
  r = v1::ListLatePartiesRequest();
  r.set_project_id("NOPE");
  grpc::Status unknown = Call(&Stub::ListLateParties, kBureau, r);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown.error_message(), "project NOPE not found");
}

TEST_F(ReadTest, ATerminatedContractHasNoLateParties) {
  // Q1's 2026 mid-term passed; its final fails for good, which terminates
  // the contract: its 2027 phases wait for nobody.
  SubmitAll(Ref("Q1", 2026, v1::FINAL), kDongchong, "40");
  ASSERT_EQ(Finalize(Ref("Q1", 2026, v1::FINAL), "2027-03-01").state(),
            v1::FAILED);
  v1::ListLatePartiesRequest r;
  r.set_project_id("Q1");
  r.set_as_of("2028-12-31");
  v1::ListLatePartiesResponse reply;
  ASSERT_TRUE(Call(&Stub::ListLateParties, kBureau, r, &reply).ok());
  EXPECT_EQ(reply.late_size(), 0);
}

using Counts = std::map<std::string, int64_t>;
struct SummaryCounts {
  Counts by_state;
  Counts by_grade;
  bool operator==(const SummaryCounts& o) const {
    return by_state == o.by_state && by_grade == o.by_grade;
  }
};
void PrintTo(const SummaryCounts& c, std::ostream* os) {
  *os << "{states:";
  for (const auto& [k, v] : c.by_state) *os << " " << k << "=" << v;
  *os << "; grades:";
  for (const auto& [k, v] : c.by_grade) *os << " " << k << "=" << v;
  *os << "}";
}
using SummaryMap = std::map<std::pair<std::string, int>, SummaryCounts>;

TEST_F(ReadTest, SummaryCountsByStateAndGradePerTownshipAndYear) {
  auto summary = [&](const std::string& token, const std::string& township,
                     int year) {
    v1::GetSummaryRequest r;
    r.set_township(township);
    r.set_year(year);
    v1::Summary reply;
    grpc::Status s = Call(&Stub::GetSummary, token, r, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    SummaryMap out;
    for (const v1::SummaryRow& row : reply.rows()) {
      SummaryCounts& c = out[{row.township(), row.year()}];
      c.by_state = Counts(row.by_state().begin(), row.by_state().end());
      c.by_grade = Counts(row.by_grade().begin(), row.by_grade().end());
    }
    return out;
  };
  const SummaryCounts huangge_2025 = {
      {{"PASSED", 2}, {"RECTIFYING", 1}, {"SCORED", 1}},
      {{"GOOD", 1}, {"EXCELLENT", 1}, {"UNQUALIFIED", 1}}};
  const SummaryCounts huangge_2026 = {{{"OPEN", 4}}, {}};
  const SummaryCounts huangge_2027 = {{{"OPEN", 2}}, {}};
  const SummaryCounts dongchong_2026 = {{{"PASSED", 1}, {"OPEN", 1}},
                                        {{"QUALIFIED", 1}}};
  const SummaryCounts dongchong_2027 = {{{"OPEN", 2}}, {}};

  EXPECT_EQ(summary(kBureau, "", 0),
            (SummaryMap{{{"huangge", 2025}, huangge_2025},
                        {{"huangge", 2026}, huangge_2026},
                        {{"huangge", 2027}, huangge_2027},
                        {{"dongchong", 2026}, dongchong_2026},
                        {{"dongchong", 2027}, dongchong_2027}}));
  EXPECT_EQ(summary(kFinance, "", 2026),
            (SummaryMap{{{"huangge", 2026}, huangge_2026},
                        {{"dongchong", 2026}, dongchong_2026}}));
  EXPECT_EQ(summary(kBureau, "dongchong", 0),
            (SummaryMap{{{"dongchong", 2026}, dongchong_2026},
                        {{"dongchong", 2027}, dongchong_2027}}));
  // A township sees its own rows only, whatever it asks for.
  EXPECT_EQ(summary(kTownship, "", 0),
            (SummaryMap{{{"huangge", 2025}, huangge_2025},
                        {{"huangge", 2026}, huangge_2026},
                        {{"huangge", 2027}, huangge_2027}}));

  // Reopening P2's passed mid-term moves it back to SCORED and takes its
  // EXCELLENT out of the grade counts.
  ASSERT_TRUE(Call(&Stub::ReopenEvaluation, kBureau,
                   ReopenReq(Ref("P2", 2025, v1::MID_TERM), "复核评分"))
                  .ok());
  EXPECT_EQ(summary(kBureau, "huangge", 2025),
            (SummaryMap{{{"huangge", 2025},
                         {{{"PASSED", 1}, {"RECTIFYING", 1}, {"SCORED", 2}},
                          {{"GOOD", 1}, {"UNQUALIFIED", 1}}}}}));
}

TEST_F(ReadTest, OverdueDisbursementsAsOfADate) {
  // DUE tranches (hand-computed, 15 working days, RULES.md §7):
  //   P1 2025 mid-term   2026-01-06  (from 2025-12-15, across New Year)
  //   P2 2025 year-start 2025-09-22  (from Mon 2025-09-01)
  //   P2 2025 mid-term   2026-01-06
  //   Q1 2026 year-start 2026-03-20  (from Sun 2026-03-01)
  //   Q1 2026 mid-term   2026-11-23  (from Mon 2026-11-02)
  // P1's 2025 year-start is released; P1's 2025 final tranche is withheld.
  auto overdue = [&](const std::string& token, const std::string& as_of,
                     const std::string& township = "") {
    v1::ListDisbursementsRequest r;
    r.set_overdue_only(true);
    r.set_as_of(as_of);
    r.set_township(township);
    std::vector<std::string> names;
    for (const v1::Disbursement& d : ListTranches(token, r)) {
      EXPECT_TRUE(d.overdue()) << d.name();
      EXPECT_EQ(d.state(), v1::DUE) << d.name();
      names.push_back(d.name());
    }
    return names;
  };
  const std::string p1_mid = TrancheName("P1", 2025, v1::MID_TERM_TRANCHE);
  const std::string p2_start = TrancheName("P2", 2025, v1::YEAR_START);
  const std::string p2_mid = TrancheName("P2", 2025, v1::MID_TERM_TRANCHE);
  const std::string q1_start = TrancheName("Q1", 2026, v1::YEAR_START);
  const std::string q1_mid = TrancheName("Q1", 2026, v1::MID_TERM_TRANCHE);

  // Paying on the due day is on time: not overdue on 2026-01-06.
  EXPECT_THAT(overdue(kFinance, "2026-01-06"), ElementsAre(p2_start));
  EXPECT_THAT(overdue(kFinance, "2026-01-07"),
              UnorderedElementsAre(p1_mid, p2_start, p2_mid));
  EXPECT_THAT(overdue(kFinance, "2026-03-20"),
              UnorderedElementsAre(p1_mid, p2_start, p2_mid));
  EXPECT_THAT(overdue(kFinance, "2026-03-21"),
              UnorderedElementsAre(p1_mid, p2_start, p2_mid, q1_start));
  EXPECT_THAT(overdue(kFinance, "2026-12-01", "dongchong"),
              UnorderedElementsAre(q1_start, q1_mid));
  EXPECT_THAT(overdue(kBureau, "2025-09-22"), IsEmpty());
  // A township sees its own only.
  EXPECT_THAT(overdue(kTownship, "2026-12-01"),
              UnorderedElementsAre(p1_mid, p2_start, p2_mid));
  EXPECT_THAT(overdue(kTownshipDc, "2026-12-01"),
              UnorderedElementsAre(q1_start, q1_mid));

  // Without overdue_only every DUE tranche is listed, flagged by as_of.
  v1::ListDisbursementsRequest due;
  due.set_state(v1::DUE);
  due.set_as_of("2026-01-07");
  std::map<std::string, bool> flags;
  for (const v1::Disbursement& d : ListTranches(kFinance, due)) {
    flags[d.name()] = d.overdue();
  }
  EXPECT_EQ(flags, (std::map<std::string, bool>{{p1_mid, true},
                                                {p2_start, true},
                                                {p2_mid, true},
                                                {q1_start, false},
                                                {q1_mid, false}}));
  std::map<std::string, std::string> due_dates;
  for (const v1::Disbursement& d : ListTranches(kFinance, due)) {
    due_dates[d.name()] = d.due_date();
  }
  EXPECT_EQ(due_dates,
            (std::map<std::string, std::string>{{p1_mid, "2026-01-06"},
                                                {p2_start, "2025-09-22"},
                                                {p2_mid, "2026-01-06"},
                                                {q1_start, "2026-03-20"},
                                                {q1_mid, "2026-11-23"}}));

  v1::ListDisbursementsRequest released;
  released.set_state(v1::RELEASED);
  std::vector<v1::Disbursement> paid = ListTranches(kFinance, released);
  ASSERT_EQ(paid.size(), 1u);
  EXPECT_EQ(paid[0].name(), TrancheName("P1", 2025, v1::YEAR_START));
  EXPECT_EQ(paid[0].payment_reference(), "PAY-P1-1");
  EXPECT_FALSE(paid[0].overdue());

  v1::ListDisbursementsRequest withheld;
  withheld.set_state(v1::WITHHELD);
  std::vector<v1::Disbursement> held = ListTranches(kBureau, withheld);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].name(), TrancheName("P1", 2025, v1::FINAL_TRANCHE));
}

TEST_F(ReadTest, EachPartySeesOnlyItsOwnProjects) {
  EXPECT_THAT(ListProjectIds(kBureau), ElementsAre("P1", "P2", "Q1"));
  EXPECT_THAT(ListProjectIds(kFinance), ElementsAre("P1", "P2", "Q1"));
  EXPECT_THAT(ListProjectIds(kProvider), ElementsAre("P1", "P2"));
  EXPECT_THAT(ListProjectIds(kProvider2), ElementsAre("Q1"));
  EXPECT_THAT(ListProjectIds(kVillage1), ElementsAre("P1", "P2"));
  EXPECT_THAT(ListProjectIds(kVillage2), ElementsAre("P1"));
  EXPECT_THAT(ListProjectIds(kVillage3), ElementsAre("Q1"));
  EXPECT_THAT(ListProjectIds(kTownshipDc), ElementsAre("Q1"));
  EXPECT_THAT(ListProjectIds(kAgency2), ElementsAre("Q1"));

  // Evaluations: V02 is served by P1 only.
  EXPECT_THAT(ListEvaluationNames(kVillage2, v1::ListEvaluationsRequest()),
              ElementsAreArray(AllNames("P1", {2025, 2026, 2027})));
  EXPECT_THAT(ListEvaluationNames(kProvider2, v1::ListEvaluationsRequest()),
              ElementsAreArray(AllNames("Q1", {2026, 2027})));
  // Asking for another township's evaluations shows nothing.
  v1::ListEvaluationsRequest huangge;
  huangge.set_township("huangge");
  EXPECT_THAT(ListEvaluationNames(kTownshipDc, huangge), IsEmpty());
  EXPECT_THAT(ListEvaluationNames(kVillage3, huangge), IsEmpty());
  v1::ListEvaluationsRequest p1;
  p1.set_project_id("P1");
  EXPECT_THAT(ListEvaluationNames(kProvider2, p1), IsEmpty());

  // Money: a provider lists only its own projects' tranches.
  std::set<std::string> projects;
  std::vector<v1::Disbursement> pr2 =
      ListTranches(kProvider2, v1::ListDisbursementsRequest());
  for (const v1::Disbursement& d : pr2) projects.insert(d.project_id());
  EXPECT_EQ(pr2.size(), 6u);  // 2 years x 3 tranches
  EXPECT_EQ(projects, std::set<std::string>{"Q1"});
  projects.clear();
  std::vector<v1::Disbursement> pr1 =
      ListTranches(kProvider, v1::ListDisbursementsRequest());
  for (const v1::Disbursement& d : pr1) projects.insert(d.project_id());
  EXPECT_EQ(pr1.size(), 15u);  // P1 3 years + P2 2 years, 3 tranches each
  EXPECT_EQ(projects, (std::set<std::string>{"P1", "P2"}));

  // Single reads outside one's projects are refused.
  v1::GetProjectRequest get;
  get.set_project_id("P1");
  EXPECT_EQ(Call(&Stub::GetProject, kProvider2, get).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(&Stub::GetProject, kVillage3, get).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Call(&Stub::GetProject, kVillage2, get).ok());
  get.set_project_id("P2");
  EXPECT_EQ(Call(&Stub::GetProject, kVillage2, get).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

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

// =====================================================================
// Format version: a database written by a newer format is refused.
// =====================================================================

TEST(StoreFormatTest, NewerFormatVersionIsRefusedAtOpen) {
  char pattern[] = "/tmp/evald-format-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  storage::StoreOptions options;
  options.path = dir + "/data";
  {
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  EXPECT_EQ(ReadFormatVersion(options.path), "2");

  ASSERT_EQ(WriteFormatVersion(options.path, "3"), "");
  auto refused = storage::Store::Open(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              AllOf(HasSubstr("format version 3"), HasSubstr("newer"),
                    HasSubstr(options.path)));
  // Refusing did not rewrite the version.
  EXPECT_EQ(ReadFormatVersion(options.path), "3");

  // Format 1 (evald 0.1, prose events) is refused with what to do.
  ASSERT_EQ(WriteFormatVersion(options.path, "1"), "");
  auto old = storage::Store::Open(options);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(old.status().message(),
              AllOf(HasSubstr("format version 1"), HasSubstr("prose"),
                    HasSubstr("Nothing was changed")));
  EXPECT_EQ(ReadFormatVersion(options.path), "1");

  // The same database at this build's version opens again.
  ASSERT_EQ(WriteFormatVersion(options.path, "2"), "");
  {
    auto reopened = storage::Store::Open(options);
    EXPECT_TRUE(reopened.ok()) << reopened.status();
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace evald::testing
