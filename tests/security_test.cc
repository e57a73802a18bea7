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
#include "server/unary_call.h"
#include "storage/rocksdb_store.h"
#include "storage/store.h"
#include "tests/authz_matrix.h"
#include "tests/e2e_fixture.h"
#include "tests/every_rpc.h"
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

class SecurityTest : public EvaldTest {
 protected:
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
  const std::map<std::string, RequestMaker> calls = EveryRpcRequest();
  std::set<std::string> in_matrix;
  for (const server::MatrixRow& row : server::AuthorizationMatrix()) {
    in_matrix.insert(row.method);
  }
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string method = service->method(i)->name();
    EXPECT_TRUE(in_matrix.count(method)) << method << " has no matrix row";
    EXPECT_TRUE(DocumentedMatrix().count(method))
        << method << " is not in the documented matrix";
    // A server stream cannot be called as a unary call; WatchEvents' rights
    // are tested by FeedTest.AWatchNeedsAValidTokenAndEndsWhenItIsRevoked.
    if (service->method(i)->server_streaming()) continue;
    EXPECT_TRUE(calls.count(method)) << method << " has no test call";
  }
  EXPECT_EQ(in_matrix.size(), static_cast<size_t>(service->method_count()));
}

TEST_F(SecurityTest, EveryRpcAsEveryRoleMatchesTheDocumentedMatrix) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  const MatrixParties parties = AddMatrixParties();
  auto channel =
      grpc::CreateChannel(evald_.address(), grpc::InsecureChannelCredentials());
  const Transport over_grpc = [&](const std::string& method,
                                  const google::protobuf::Message& request,
                                  const std::string& token) {
    std::vector<std::pair<std::string, std::string>> metadata;
    if (!token.empty())
      metadata.emplace_back("authorization", "Bearer " + token);
    return server::CallUnary(
               *channel,
               absl::StrCat("/", v1::EvaluationService::service_full_name(),
                            "/", method),
               metadata, request.SerializeAsString(), absl::Seconds(30))
        .status;
  };
  ExpectDocumentedMatrix(over_grpc, parties.insiders, parties.outsiders,
                         parties.revoked);
}

TEST_F(SecurityTest, IssuedTokensWorkAndRevocationIsImmediateAndDurable) {
  AddOrganisation("V09", v1::VILLAGE, "新村", "huangge");
  const std::string token = AddPrincipal("village-v09", "village", "V09");
  EXPECT_TRUE(GetPolicy(token).ok());

  v1::ListPrincipalsResponse list;
  ASSERT_TRUE(stub_
                  ->ListPrincipals(Context(kAdmin).get(),
                                   v1::ListPrincipalsRequest(), &list)
                  .ok());
  bool found = false;
  for (const v1::PrincipalInfo& p : list.principals()) {
    if (p.name() == "village-v09") {
      found = true;
      EXPECT_EQ(p.role(), "village");
      EXPECT_EQ(p.organisation(), "V09");
      EXPECT_EQ(p.created_by(), "admin");
    }
  }
  EXPECT_TRUE(found);
  // No secret anywhere in the listing: neither the token nor its full hash.
  EXPECT_THAT(list.DebugString(), ::testing::Not(HasSubstr(token)));
  EXPECT_THAT(list.DebugString(), ::testing::Not(HasSubstr(Sha256Hex(token))));

  ASSERT_TRUE(Revoke("village-v09").ok());
  EXPECT_EQ(GetPolicy(token).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Revoke("village-v09").error_code(),
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
    auto store = storage::RocksDbStore::Open(options);
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
