// The fixture of the in-process service tests (service_*_test.cc): evald's
// pieces over a real loopback channel.
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

#ifndef EVALD_TESTS_SERVICE_FIXTURE_H_
#define EVALD_TESTS_SERVICE_FIXTURE_H_

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
#include "server/organisation_file.h"
#include "server/policy_set.h"
#include "server/principals.h"
#include "server/service.h"
#include "server/worker_pool.h"
#include "storage/etcd_store.h"
#include "storage/store.h"
#include "tests/etcd_test_store.h"
#include "tests/raw_db.h"
#include "tests/raw_grpc.h"

namespace evald::testing {

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
inline constexpr char kBureau[] = "demo-bureau";
inline constexpr char kAdmin[] = "demo-admin";
inline constexpr char kAgency[] = "demo-agency";         // AG1
inline constexpr char kTownship[] = "demo-township";     // huangge
inline constexpr char kVillage1[] = "demo-village-v01";  // V01
inline constexpr char kVillage2[] = "demo-village-v02";  // V02
inline constexpr char kProvider[] = "demo-provider";     // PR1
inline constexpr char kFinance[] = "demo-finance";
inline constexpr char kTownshipDc[] = "test-township-dc";  // dongchong
inline constexpr char kVillage3[] = "test-village-v03";    // V03
inline constexpr char kAgency2[] = "test-agency-ag2";      // AG2
inline constexpr char kProvider2[] = "test-provider-pr2";  // PR2

struct TestPrincipal {
  const char* token;
  const char* role;
  const char* organisation;
  const char* name;
};
inline constexpr TestPrincipal kPrincipals[] = {
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

// The registry of the fixture's world (server/organisation_file.h): two
// townships, the villages, providers and agencies of the principals above.
// V03 is dongchong's here (in the demo file it is huangge's).
inline constexpr char kOrganisations[] =
    "nansha\tdistrict\t南沙区\n"
    "huangge\ttownship\t黄阁镇\tHuangge Town\n"
    "dongchong\ttownship\t东涌镇\tDongchong Town\n"
    "V01\tvillage\t大塘村\t\thuangge\n"
    "V02\tvillage\t莲溪村\t\thuangge\n"
    "V03\tvillage\t大稳村\t\tdongchong\n"
    "PR1\tprovider\t启航社工服务中心\n"
    "PR2\tprovider\t同心社工服务中心\n"
    "AG1\tagency\t明衡评估中心\n"
    "AG2\tagency\t正信评估所\n";

inline constexpr int kMaxMessageBytes = 1 << 20;  // evald's --max_message_bytes

// The server's clock: 2026-01-10 10:00 in China (02:00 UTC).
inline absl::Time Now() {
  return absl::FromCivil(absl::CivilSecond(2026, 1, 10, 10, 0, 0),
                         absl::FixedTimeZone(8 * 3600));
}

inline std::string EvalName(const std::string& project, int year,
                            v1::Phase phase) {
  return absl::StrCat("projects/", project, "/years/", year, "/phases/",
                      phase == v1::MID_TERM ? "mid-term" : "final");
}

inline std::string TrancheName(const std::string& project, int year,
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
inline const Parties kHuanggeBoth = {
    kAgency, kTownship, {kVillage1, kVillage2}};
inline const Parties kHuanggeV01 = {kAgency, kTownship, {kVillage1}};
inline const Parties kDongchong = {kAgency2, kTownshipDc, {kVillage3}};

class ServiceTest : public ::testing::Test {
 public:
  // Whether the feed's cursors are gap-free (RocksDB), or only grow (etcd:
  // they derive from its revision, storage/etcd_store.h).
  bool GapFreeFeed() const { return store_->Kind() == "rocksdb"; }

  // Raw access to one record of the state (storage/keys.h) of the stopped
  // store, on either backend: for tests of what evald does with a damaged
  // record. "" on success, else the error. (They hide raw_db.h's of the
  // same names inside the tests.)
  std::string ReadRecord(const std::string& dir, const std::string& key,
                         std::string* value) {
    if (!TestsUseEtcd()) return testing::ReadRecord(dir, key, value);
    absl::StatusOr<std::optional<storage::EtcdKv::Value>> got =
        RawEtcd()->Get(etcd_prefix_ + "s/" + key);
    if (!got.ok()) return got.status().ToString();
    if (!*got) return "not found";
    *value = (*got)->value;
    return "";
  }
  std::string WriteRecord(const std::string& dir, const std::string& key,
                          const std::string& value) {
    if (!TestsUseEtcd()) return testing::WriteRecord(dir, key, value);
    etcdserverpb::TxnRequest txn;
    etcdserverpb::PutRequest* put = txn.add_success()->mutable_request_put();
    put->set_key(etcd_prefix_ + "s/" + key);
    put->set_value(value);
    return RawEtcd()->Txn(txn).status().ok() ? "" : "the put failed";
  }
  // Deletes the state records in [begin, end).
  std::string DeleteRecords(const std::string& begin, const std::string& end) {
    if (!TestsUseEtcd()) {
      return WithRawDb(
          data_dir(), [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* state) {
            return db->DeleteRange(rocksdb::WriteOptions(), state, begin, end);
          });
    }
    etcdserverpb::TxnRequest txn;
    etcdserverpb::DeleteRangeRequest* d =
        txn.add_success()->mutable_request_delete_range();
    d->set_key(etcd_prefix_ + "s/" + begin);
    d->set_range_end(etcd_prefix_ + "s/" + end);
    return RawEtcd()->Txn(txn).status().ok() ? "" : "the delete failed";
  }
  static std::unique_ptr<storage::EtcdKv> RawEtcd() {
    return storage::EtcdKv::Connect(SharedEtcdCluster().endpoints());
  }

  void SetUp() override {
    char pattern[] = "/tmp/evald-service-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    std::string text;
    for (const TestPrincipal& p : kPrincipals) {
      absl::StrAppend(&text, Sha256Hex(p.token), " ", p.role, " ",
                      p.organisation, " ", p.name, "\n");
    }
    auto registry = server::PrincipalRegistry::Parse(text);
    ASSERT_TRUE(registry.ok()) << registry.status();
    principals_ =
        std::make_unique<server::PrincipalRegistry>(*std::move(registry));
    Start();
  }

  void TearDown() override {
    Stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Opens the store and serves it (SetUp does; after Stop, again).
  void Start(server::PolicySet policies = server::PolicySet()) {
    storage::StoreOptions options;
    options.path = data_dir();
    options.block_cache_bytes = 8 << 20;
    options.sync_writes = false;  // a test database; faster
    options.verify_previous = true;
    if (TestsUseEtcd()) {
      // The same prefix after a Stop: Start again finds the state.
      if (etcd_prefix_.empty()) etcd_prefix_ = FreshEtcdPrefix();
      storage::EtcdStoreOptions etcd;
      etcd.endpoints = SharedEtcdCluster().endpoints();
      etcd.prefix = etcd_prefix_;
      auto store = storage::EtcdStore::Open(etcd);
      ASSERT_TRUE(store.ok()) << store.status();
      store_ = *std::move(store);
    } else {
      auto store = storage::Store::Open(options);
      ASSERT_TRUE(store.ok()) << store.status();
      store_ = *std::move(store);
    }
    engine_ = std::make_unique<server::Engine>(
        store_.get(), std::move(policies),
        scoring::WorkingDayCalendar::BuiltIn(), [] { return Now(); });
    // The stories run months past the fixture's clock (2026-01-10), so
    // they are told as loaded records; FutureDateTest turns this off.
    engine_->AllowFutureDates(allow_future_dates_);
    auto organisations = server::ParseOrganisationsFile(organisations_file_);
    ASSERT_TRUE(organisations.ok()) << organisations.status();
    auto seeded = engine_->SeedOrganisations(*organisations, *principals_);
    ASSERT_TRUE(seeded.ok()) << seeded.status();
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

  // Stops serving and closes the store: the database may then be edited
  // with RocksDB directly (tests/raw_db.h).
  void Stop() {
    if (server_) {
      server_->Shutdown(std::chrono::system_clock::now() +
                        std::chrono::seconds(5));
    }
    server_.reset();
    pool_.reset();  // runs queued work before the engine and store go
    service_.reset();
    engine_.reset();
    store_.reset();
  }

  std::string data_dir() const { return dir_ + "/data"; }

  // Whether Start() lets the engine admit dates after its clock's today.
  bool allow_future_dates_ = true;
  // What Start() seeds the registry with (kOrganisations unless a test
  // starts on a database from before the registry).
  std::string organisations_file_ = kOrganisations;

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
  std::string etcd_prefix_;  // under EVALD_TEST_STORE=etcd
  std::unique_ptr<server::PrincipalRegistry> principals_;
  std::unique_ptr<server::Engine> engine_;
  std::unique_ptr<server::WorkerPool> pool_;
  std::unique_ptr<server::EvaluationServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Stub> stub_;
  int request_counter_ = 0;
};

}  // namespace evald::testing

#endif  // EVALD_TESTS_SERVICE_FIXTURE_H_
