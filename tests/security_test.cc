// Security tests (docs/security.md) against the real evald binary: the
// authorization matrix over every RPC and role, principal management,
// the audit hash chain, TLS and mTLS, and per-principal rate limits.

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/audit_chain.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "server/authz.h"
#include "storage/store.h"
#include "tests/authz_matrix.h"
#include "tests/e2e_fixture.h"
#include "tests/raw_db.h"

#ifndef EVALCTL_BINARY
#error "EVALCTL_BINARY must name the evalctl executable"
#endif
#ifndef EVALD_SOURCE_DIR
#error "EVALD_SOURCE_DIR must name the source tree"
#endif

namespace evald::testing {
namespace {

using ::testing::HasSubstr;
using Stub = v1::EvaluationService::Stub;
using Call = std::function<grpc::Status(Stub&, grpc::ClientContext*)>;

v1::EvaluationRef P1Mid() {
  v1::EvaluationRef ref;
  ref.set_project_id("P1");
  ref.set_year(2025);
  ref.set_phase(v1::MID_TERM);
  return ref;
}

// One call of every RPC, aimed at project P1 where it takes a project. The
// requests are valid enough to reach the project check; whether they then
// succeed does not matter here.
std::map<std::string, Call> EveryRpc() {
  std::map<std::string, Call> calls;
  int n = 0;
  auto id = [&n] { return absl::StrCat("matrix-", ++n); };
#define EVALD_CALL(Method, Request, Reply, fill)                \
  calls[#Method] = [id](Stub& stub, grpc::ClientContext* ctx) { \
    v1::Request r;                                              \
    fill;                                                       \
    v1::Reply reply;                                            \
    return stub.Method(ctx, r, &reply);                         \
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
    const bool confirm = std::string(m) == "ConfirmVeto";
    calls[m] = [id, confirm](Stub& stub, grpc::ClientContext* ctx) {
      v1::DecideVetoRequest r;
      r.set_request_id(id());
      *r.mutable_evaluation() = P1Mid();
      r.set_veto_id(99);
      r.set_reason("matrix test");
      v1::Evaluation reply;
      return confirm ? stub.ConfirmVeto(ctx, r, &reply)
                     : stub.DismissVeto(ctx, r, &reply);
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
  EVALD_CALL(GetSummary, GetSummaryRequest, Summary, {});
  EVALD_CALL(ListAuditEvents, ListAuditEventsRequest, ListAuditEventsResponse,
             r.set_project_id("P1"));
  EVALD_CALL(GetPolicy, GetPolicyRequest, Policy, {});
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
#undef EVALD_CALL
  return calls;
}

class SecurityTest : public EvaldTest {
 protected:
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

  grpc::Status Revoke(const std::string& name) {
    v1::RevokePrincipalRequest r;
    r.set_request_id(NextRequestId());
    r.set_name(name);
    v1::PrincipalInfo reply;
    return stub_->RevokePrincipal(Context(kAdmin).get(), r, &reply);
  }

  grpc::Status GetPolicy(const std::string& token) {
    v1::Policy policy;
    return stub_->GetPolicy(Context(token).get(), v1::GetPolicyRequest(),
                            &policy);
  }
};

TEST_F(SecurityTest, EveryRpcHasAMatrixRowAndATestCall) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::EvaluationService::service_full_name());
  ASSERT_NE(service, nullptr);
  const std::map<std::string, Call> calls = EveryRpc();
  std::set<std::string> in_matrix;
  for (const server::MatrixRow& row : server::AuthorizationMatrix()) {
    in_matrix.insert(row.method);
  }
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string method = service->method(i)->name();
    EXPECT_TRUE(in_matrix.count(method)) << method << " has no matrix row";
    EXPECT_TRUE(DocumentedMatrix().count(method))
        << method << " is not in the documented matrix";
    EXPECT_TRUE(calls.count(method)) << method << " has no test call";
  }
  EXPECT_EQ(in_matrix.size(), static_cast<size_t>(service->method_count()));
}

TEST_F(SecurityTest, EveryRpcAsEveryRoleMatchesTheDocumentedMatrix) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  // Right role, wrong organisation: related to no project here.
  const std::map<std::string, std::string> outsiders = {
      {"agency", AddPrincipal("outside-agency", "agency", "AG9")},
      {"township", AddPrincipal("outside-township", "township", "nanshajie")},
      {"village", AddPrincipal("outside-village", "village", "V99")},
      {"provider", AddPrincipal("outside-provider", "provider", "PR9")},
  };
  const std::map<std::string, std::string> insiders = {
      {"agency", kAgency}, {"township", kTownship}, {"village", kVillage1},
      {"bureau", kBureau}, {"provider", kProvider}, {"finance", kFinance},
      {"admin", kAdmin},
  };
  const std::string revoked =
      AddPrincipal("revoked-bureau", "bureau", "nansha");
  ASSERT_TRUE(Revoke("revoked-bureau").ok());

  for (const auto& [method, call] : EveryRpc()) {
    const Expected& want = DocumentedMatrix().at(method);
    for (const auto& [role, token] : insiders) {
      SCOPED_TRACE(absl::StrCat(method, " as ", role));
      grpc::Status s = call(*stub_, Context(token).get());
      if (want.roles.count(role)) {
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << s.error_message();
        EXPECT_THAT(s.error_message(), HasSubstr(method));
      }
    }
    for (const auto& [role, token] : outsiders) {
      SCOPED_TRACE(absl::StrCat(method, " as an outside ", role));
      grpc::Status s = call(*stub_, Context(token).get());
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
      EXPECT_EQ(call(*stub_, Context(bad).get()).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
    }
  }
}

TEST_F(SecurityTest, IssuedTokensWorkAndRevocationIsImmediateAndDurable) {
  const std::string token = AddPrincipal("village-v03", "village", "V03");
  EXPECT_TRUE(GetPolicy(token).ok());

  v1::ListPrincipalsResponse list;
  ASSERT_TRUE(stub_
                  ->ListPrincipals(Context(kAdmin).get(),
                                   v1::ListPrincipalsRequest(), &list)
                  .ok());
  bool found = false;
  for (const v1::PrincipalInfo& p : list.principals()) {
    if (p.name() == "village-v03") {
      found = true;
      EXPECT_EQ(p.role(), "village");
      EXPECT_EQ(p.organisation(), "V03");
      EXPECT_EQ(p.created_by(), "admin");
    }
  }
  EXPECT_TRUE(found);
  // No secret anywhere in the listing: neither the token nor its full hash.
  EXPECT_THAT(list.DebugString(), ::testing::Not(HasSubstr(token)));
  EXPECT_THAT(list.DebugString(), ::testing::Not(HasSubstr(Sha256Hex(token))));

  ASSERT_TRUE(Revoke("village-v03").ok());
  EXPECT_EQ(GetPolicy(token).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Revoke("village-v03").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // The seed file does not bring a revoked principal back, and the demo
  // seeds stay in force.
  ASSERT_TRUE(Revoke("village-v02").ok());
  ASSERT_EQ(evald_.Stop(), 0);
  Restart();
  EXPECT_EQ(GetPolicy(token).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetPolicy(kVillage2).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(GetPolicy(kVillage1).ok());
}

TEST_F(SecurityTest, OnlyAdminsManagePrincipalsAndNamesAreNeverReused) {
  v1::CreatePrincipalRequest r;
  r.set_request_id("p-1");
  r.set_name("bureau");
  r.set_role("bureau");
  r.set_organisation("nansha");
  v1::CreatePrincipalResponse reply;
  EXPECT_EQ(
      stub_->CreatePrincipal(Context(kAdmin).get(), r, &reply).error_code(),
      grpc::StatusCode::ALREADY_EXISTS);
  r.set_name("new-one");
  r.set_role("superuser");
  grpc::Status s = stub_->CreatePrincipal(Context(kAdmin).get(), r, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("role"));
  v1::RevokePrincipalRequest self;
  self.set_request_id("p-2");
  self.set_name("admin");
  v1::PrincipalInfo info;
  EXPECT_EQ(
      stub_->RevokePrincipal(Context(kAdmin).get(), self, &info).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SecurityTest, AuditChainVerifiesAndACorruptedEventIsFound) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  SubmitAll(Ref("P1", 2025, v1::MID_TERM), "85");
  const std::vector<v1::AuditEvent> events = Audit("P1");
  ASSERT_EQ(events.size(), 7u);  // created + 5 scores + financial
  EXPECT_EQ(events[0].prev_hash(), "");
  EXPECT_EQ(events[1].prev_hash(), events[0].hash());
  EXPECT_EQ(VerifyAuditChain(events), std::nullopt);

  auto verify = [&] {
    const std::string cmd =
        absl::StrCat(EVALCTL_BINARY, " --server ", evald_.address(),
                     " --token demo-bureau audit verify --project P1 >",
                     evald_.data_dir(), "/../verify.out 2>&1");
    return WEXITSTATUS(std::system(cmd.c_str()));
  };
  EXPECT_EQ(verify(), 0);

  // Someone with access to the disk edits event 3's detail.
  evald_.Kill();
  {
    storage::StoreOptions options;
    options.path = evald_.data_dir();
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    v1::AuditEvent forged = events[2];
    forged.set_detail("township score 99.00");
    ASSERT_TRUE(
        (*store)
            ->CorruptAuditEventForTest("P1", 3, forged.SerializeAsString())
            .ok());
  }
  Restart();
  std::optional<ChainBreak> broken = VerifyAuditChain(Audit("P1"));
  ASSERT_TRUE(broken.has_value());
  EXPECT_EQ(broken->sequence, 3);
  EXPECT_THAT(broken->reason, HasSubstr("altered"));

  EXPECT_EQ(verify(), 1);
  std::ifstream out(evald_.data_dir() + "/../verify.out");
  std::stringstream text;
  text << out.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("broken at event 3"));
}

TEST(AuditChainUnit, MissingOrReorderedEventsBreakTheChain) {
  std::vector<v1::AuditEvent> events(3);
  std::string prev;
  for (int i = 0; i < 3; ++i) {
    events[i].set_project_id("P1");
    events[i].set_sequence(i + 1);
    events[i].set_action("x");
    events[i].set_prev_hash(prev);
    events[i].set_hash(AuditEventHash(events[i]));
    prev = events[i].hash();
  }
  EXPECT_EQ(VerifyAuditChain(events), std::nullopt);
  std::vector<v1::AuditEvent> dropped = {events[0], events[2]};
  ASSERT_TRUE(VerifyAuditChain(dropped).has_value());
  EXPECT_EQ(VerifyAuditChain(dropped)->sequence, 2);
  std::vector<v1::AuditEvent> relinked = events;
  relinked[2].set_prev_hash(events[0].hash());
  relinked[2].set_hash(AuditEventHash(relinked[2]));
  ASSERT_TRUE(VerifyAuditChain(relinked).has_value());
  EXPECT_EQ(VerifyAuditChain(relinked)->sequence, 3);
}

// --- TLS ------------------------------------------------------------------

// Every command continues the chain from the copy of the project's latest
// event (storage/keys.h, audit-tip); a log without that copy (written
// before it was kept) is continued from the log itself.
TEST_F(SecurityTest, AuditChainContinuesFromALogWithoutItsTipCopy) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  SubmitAll(Ref("P1", 2025, v1::MID_TERM), "85");
  ASSERT_EQ(Audit("P1").size(), 7u);
  evald_.Kill();
  ASSERT_EQ(WithRawDb(evald_.data_dir(),
                      [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
                        std::string tip;
                        rocksdb::Status s = db->Get(rocksdb::ReadOptions(), cf,
                                                    "audit-tip/P1", &tip);
                        if (!s.ok()) return s;  // the copy must exist
                        rocksdb::WriteOptions sync;
                        sync.sync = true;
                        return db->Delete(sync, cf, "audit-tip/P1");
                      }),
            "");
  Restart();
  SubmitAll(Ref("P1", 2025, v1::FINAL), "90");
  SubmitAll(Ref("P1", 2026, v1::MID_TERM), "70");
  const std::vector<v1::AuditEvent> events = Audit("P1");
  ASSERT_EQ(events.size(), 19u);
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence(), static_cast<int64_t>(i + 1));
  }
  EXPECT_EQ(events[7].prev_hash(), events[6].hash());
  EXPECT_EQ(events[13].prev_hash(), events[12].hash());
  EXPECT_EQ(VerifyAuditChain(events), std::nullopt);
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = std::filesystem::temp_directory_path() /
             absl::StrCat("evald-certs-", getpid());
    const std::string cmd =
        absl::StrCat(EVALD_SOURCE_DIR, "/scripts/make-certs.sh ",
                     certs_.string(), " >/dev/null 2>&1");
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  void TearDown() override { std::filesystem::remove_all(certs_); }

  std::string File(const std::string& name) const {
    std::ifstream in(certs_ / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string Path(const std::string& name) const {
    return (certs_ / name).string();
  }

  grpc::Status Ping(const std::string& address,
                    std::shared_ptr<grpc::ChannelCredentials> creds) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto stub = v1::EvaluationService::NewStub(
        grpc::CreateCustomChannel(address, creds, args));
    auto ctx = Context(kBureau);
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(5));
    v1::Policy policy;
    return stub->GetPolicy(ctx.get(), v1::GetPolicyRequest(), &policy);
  }

  std::filesystem::path certs_;
};

TEST_F(TlsTest, ServesTlsAndRefusesPlaintextClients) {
  EvaldProcess evald;
  ASSERT_TRUE(evald.Start({"--tls_cert_file=" + Path("server.pem"),
                           "--tls_key_file=" + Path("server.key")}));
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = File("ca.pem");
  EXPECT_TRUE(Ping(evald.address(), grpc::SslCredentials(tls)).ok());
  EXPECT_FALSE(Ping(evald.address(), grpc::InsecureChannelCredentials()).ok());
  // A client that trusts another CA refuses the server.
  const std::string other = (certs_ / "other").string();
  ASSERT_EQ(
      std::system(absl::StrCat(EVALD_SOURCE_DIR, "/scripts/make-certs.sh ",
                               other, " >/dev/null 2>&1")
                      .c_str()),
      0);
  grpc::SslCredentialsOptions wrong;
  wrong.pem_root_certs = File("other/ca.pem");
  EXPECT_FALSE(Ping(evald.address(), grpc::SslCredentials(wrong)).ok());
}

TEST_F(TlsTest, MutualTlsRequiresAClientCertificateFromTheCa) {
  EvaldProcess evald;
  ASSERT_TRUE(evald.Start({"--tls_cert_file=" + Path("server.pem"),
                           "--tls_key_file=" + Path("server.key"),
                           "--tls_client_ca_file=" + Path("ca.pem"),
                           "--require_client_cert"}));
  grpc::SslCredentialsOptions no_cert;
  no_cert.pem_root_certs = File("ca.pem");
  EXPECT_FALSE(Ping(evald.address(), grpc::SslCredentials(no_cert)).ok());
  grpc::SslCredentialsOptions with_cert = no_cert;
  with_cert.pem_cert_chain = File("client.pem");
  with_cert.pem_private_key = File("client.key");
  EXPECT_TRUE(Ping(evald.address(), grpc::SslCredentials(with_cert)).ok());

  // evalctl speaks TLS with --ca-file and presents its certificate.
  const std::string evalctl = absl::StrCat(
      EVALCTL_BINARY, " --server ", evald.address(), " --token demo-bureau",
      " --ca-file ", Path("ca.pem"), " --cert-file ", Path("client.pem"),
      " --key-file ", Path("client.key"), " policy show >/dev/null 2>&1");
  EXPECT_EQ(WEXITSTATUS(std::system(evalctl.c_str())), 0);
}

TEST_F(TlsTest, PlaintextIsRefusedOffLoopback) {
  EvaldProcess evald;
  EXPECT_FALSE(evald.Start({"--listen=0.0.0.0:0"}));
  EvaldProcess with_tls;
  EXPECT_TRUE(with_tls.Start({"--listen=0.0.0.0:0",
                              "--tls_cert_file=" + Path("server.pem"),
                              "--tls_key_file=" + Path("server.key")}));
}

// --- Limits ---------------------------------------------------------------

TEST(RateLimit, AFloodFromOneTokenIsRefusedWithoutSlowingOthers) {
  EvaldProcess evald;
  ASSERT_TRUE(evald.Start({"--rate_limit_qps=0.001", "--rate_limit_burst=3"}));
  auto stub = evald.NewStub();
  auto ping = [&](const char* token) {
    v1::Policy policy;
    return stub->GetPolicy(Context(token).get(), v1::GetPolicyRequest(),
                           &policy);
  };
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(ping(kAgency).ok()) << i;
  grpc::Status flooded = ping(kAgency);
  EXPECT_EQ(flooded.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(flooded.error_message(), HasSubstr("agency-ag1"));
  EXPECT_TRUE(ping(kBureau).ok());
}

}  // namespace
}  // namespace evald::testing
