// Operational tests of the real evald binary: what an operator relies on
// besides the API itself -- health checking and reflection are on, the
// message size limit holds, SIGTERM shuts down cleanly without losing an
// acknowledged call, and a database of a newer format is refused at start.

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/raw_db.h"
#include "tests/raw_grpc.h"
#include "tests/run_program.h"

#ifndef EVALD_BINARY
#error "EVALD_BINARY must name the evald executable"
#endif

namespace evald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Runs evald with `args` to completion (killing it after `timeout`).
RunResult RunEvald(const std::vector<std::string>& args,
                   std::chrono::seconds timeout = std::chrono::seconds(30)) {
  return RunProgram(EVALD_BINARY, args, timeout);
}

class EvaldOpsTest : public EvaldTest {
 protected:
  std::shared_ptr<grpc::Channel> Channel() const {
    return grpc::CreateChannel(evald_.address(),
                               grpc::InsecureChannelCredentials());
  }

  v1::Evaluation GetEvaluation(const v1::EvaluationRef& ref) {
    v1::GetEvaluationRequest r;
    *r.mutable_evaluation() = ref;
    v1::Evaluation e;
    grpc::Status s = stub_->GetEvaluation(Context(kBureau).get(), r, &e);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return e;
  }

  grpc::Status RaiseVeto(const v1::EvaluationRef& ref,
                         const std::string& evidence) {
    v1::RaiseVetoRequest r;
    r.set_request_id(NextRequestId());
    *r.mutable_evaluation() = ref;
    r.set_kind(v1::PROFESSIONAL);
    r.set_code("UNDERSTAFFING");
    r.set_evidence(evidence);
    v1::Evaluation reply;
    return stub_->RaiseVeto(Context(kAgency).get(), r, &reply);
  }

  static std::string Bytes(const std::vector<v1::AuditEvent>& events) {
    std::string out;
    for (const v1::AuditEvent& e : events) out += e.SerializeAsString();
    return out;
  }
};

TEST_F(EvaldOpsTest, HealthCheckReportsServing) {
  // grpc.health.v1.HealthCheckRequest{service: ""} is the empty message;
  // the reply HealthCheckResponse{status: SERVING} is field 1 = 1.
  RawReply reply = RawUnary(Channel(), "/grpc.health.v1.Health/Check", "");
  ASSERT_TRUE(reply.status.ok()) << reply.status.error_message();
  EXPECT_EQ(reply.bytes, std::string("\x08\x01", 2));
}

TEST_F(EvaldOpsTest, ReflectionListsAndDescribesTheService) {
  const std::string method =
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  // ServerReflectionRequest{list_services: ""} (field 7).
  RawReply listed = RawBidi(Channel(), method, {std::string("\x3a\x00", 2)});
  ASSERT_TRUE(listed.status.ok()) << listed.status.error_message();
  EXPECT_THAT(listed.bytes, HasSubstr("evaluation.v1.EvaluationService"));
  EXPECT_THAT(listed.bytes, HasSubstr("grpc.health.v1.Health"));

  // ServerReflectionRequest{file_containing_symbol: ...} (field 4): what a
  // tool such as grpcurl asks to learn the API.
  const std::string symbol = "evaluation.v1.EvaluationService";
  std::string request = "\x22";
  request += static_cast<char>(symbol.size());
  request += symbol;
  RawReply described = RawBidi(Channel(), method, {request});
  ASSERT_TRUE(described.status.ok()) << described.status.error_message();
  EXPECT_THAT(described.bytes, HasSubstr("evaluation/v1/evaluation.proto"));
  EXPECT_THAT(described.bytes, HasSubstr("SubmitProfessionalScore"));
  EXPECT_THAT(described.bytes, HasSubstr("ReleaseDisbursement"));
}

TEST_F(EvaldOpsTest, OversizedRequestIsRefusedAndChangesNothing) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  const v1::Evaluation before = GetEvaluation(mid);
  const std::vector<v1::AuditEvent> audit_before = Audit("P1");
  const std::string two_mib(2 << 20, 'x');

  // Above the default --max_message_bytes (1 MiB): refused in transport.
  grpc::Status s = RaiseVeto(mid, two_mib);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_EQ(GetEvaluation(mid).SerializeAsString(), before.SerializeAsString());
  EXPECT_EQ(Bytes(Audit("P1")), Bytes(audit_before));

  // Below it, the request reaches the service, which names the field.
  s = RaiseVeto(mid, std::string(5000, 'x'));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("evidence"));

  // The limit is the flag's: with 4 MiB the same 2 MiB request gets through
  // to the service (and is refused there for its evidence).
  ASSERT_EQ(evald_.Stop(), 0);
  ASSERT_TRUE(evald_.Start({"--max_message_bytes=4194304"}));
  stub_ = evald_.NewStub();
  s = RaiseVeto(mid, two_mib);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("evidence"));
  EXPECT_EQ(GetEvaluation(mid).SerializeAsString(), before.SerializeAsString());
  EXPECT_EQ(Bytes(Audit("P1")), Bytes(audit_before));
}

TEST_F(EvaldOpsTest, SigtermExitsZeroAndKeepsEveryAcknowledgedCall) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  // Four clients keep submitting while the signal arrives.
  std::atomic<int> acknowledged{0};
  std::atomic<bool> started{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (int k = 0; k < 500; ++k) {
        v1::SubmitProfessionalScoreRequest r;
        r.set_request_id(absl::StrCat("c", t, "-", k));
        *r.mutable_evaluation() = Ref("P1", 2025, v1::MID_TERM);
        r.set_score(absl::StrCat(60 + k % 40));
        v1::Evaluation reply;
        grpc::Status s =
            stub_->SubmitProfessionalScore(Context(kAgency).get(), r, &reply);
        if (!s.ok()) return;
        ++acknowledged;
        started = true;
      }
    });
  }
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int status = evald_.Stop();
  for (std::thread& c : clients) c.join();
  ASSERT_TRUE(WIFEXITED(status)) << "wait status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);

  // Everything acknowledged is there after a restart, and nothing else.
  Restart();
  int submitted = 0;
  for (const v1::AuditEvent& e : Audit("P1")) {
    if (e.action() == "professional.submitted") ++submitted;
  }
  EXPECT_GT(acknowledged.load(), 0);
  EXPECT_EQ(submitted, acknowledged.load());
  EXPECT_EQ(
      GetEvaluation(Ref("P1", 2025, v1::MID_TERM)).third_party().version(),
      acknowledged.load());
}

TEST_F(EvaldOpsTest, NewerFormatVersionIsRefusedAtStart) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  ASSERT_EQ(evald_.Stop(), 0);
  ASSERT_EQ(WriteFormatVersion(evald_.data_dir(), "4"), "");

  char pattern[] = "/tmp/evald-ops-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string principals = std::string(pattern) + "/principals.txt";
  std::ofstream(principals) << Sha256Hex(kBureau) << " bureau nansha bureau\n";
  RunResult run =
      RunEvald({"--listen=127.0.0.1:0", "--data_dir=" + evald_.data_dir(),
                "--principals=" + principals});
  std::error_code ec;
  std::filesystem::remove_all(pattern, ec);

  ASSERT_TRUE(WIFEXITED(run.status)) << "wait status " << run.status;
  EXPECT_NE(WEXITSTATUS(run.status), 0);
  EXPECT_THAT(run.err, HasSubstr("format version 4"));
  EXPECT_THAT(run.err, HasSubstr("newer"));
  EXPECT_THAT(run.out, Not(HasSubstr("listening")));
  EXPECT_EQ(ReadFormatVersion(evald_.data_dir()), "4");

  // Back at this build's version, evald serves the same data again.
  ASSERT_EQ(WriteFormatVersion(evald_.data_dir(), "3"), "");
  Restart();
  v1::GetProjectRequest get;
  get.set_project_id("P1");
  v1::Project p;
  grpc::Status s = stub_->GetProject(Context(kBureau).get(), get, &p);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(p.township(), "huangge");
}

}  // namespace
}  // namespace evald::testing

namespace evald::testing {
namespace {

// Bytes that are no protobuf message at all (a truncated length-delimited
// field) never reach the service: gRPC 1.51's callback server answers them
// itself, and this pins down how (docs/security.md "Limits").
TEST_F(EvaldOpsTest, UnparsableRequestBytesAreRefusedByGrpcAndChangeNothing) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  const std::vector<v1::AuditEvent> audit_before = Audit("P1");
  RawReply reply =
      RawUnary(Channel(), "/evaluation.v1.EvaluationService/RaiseVeto",
               std::string("\x0a\xff\xff\xff\x0f", 5));
  // gRPC's own answer, with no message, given before evald's handler runs.
  // Pinned so that a gRPC that answers INVALID_ARGUMENT is noticed and the
  // docs updated.
  EXPECT_EQ(reply.status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(reply.status.error_message(), "");
  EXPECT_EQ(Bytes(Audit("P1")), Bytes(audit_before));
  // The HTTP gateway decodes bodies itself and names the problem
  // (HttpGatewayTest.BadBodiesAreInvalidArgumentAndChangeNothing).
}

}  // namespace
}  // namespace evald::testing
