// noop_server: the transport ceiling of the benchmarks.
//
//   noop_server [--listen=127.0.0.1:0] [--workers=32]
//
// Serves evaluation.v1.EvaluationService with the same structure as evald
// (server/service.cc): gRPC's callback API, the bearer token read from the
// metadata, and the work handed to the same WorkerPool (server/
// worker_pool.h) before Finish, or done inline where evald does it inline
// (server/dispatch.h). The work is nothing: SubmitProfessionalScore
// and GetEvaluation answer one fixed Evaluation shaped like evald's reply
// (the same fields set, about the same size), ListEvaluations ten of them,
// GetSummary a fixed summary. Every other method is UNIMPLEMENTED.
//
// It implements EvaluationService rather than a proto of its own so that
// the load generator sends byte-for-byte the same requests to both servers
// and the only difference left is what happens between receiving a call
// and finishing it: authentication, validation, RocksDB and the domain.
//
// Prints "noop_server listening on HOST:PORT" once it serves; SIGTERM or
// SIGINT stops it.

#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/mutex_mode.h"
#include "evaluation/v1/evaluation.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "server/dispatch.h"
#include "server/worker_pool.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "address to serve on");
ABSL_FLAG(int, workers, 32, "worker threads (as evald's --workers)");

namespace evald::bench {
namespace {

namespace v1 = ::evaluation::v1;

// An evaluation as evald returns it after the agency's first score on a
// project with three villages: the same fields, about the same size.
v1::Evaluation FixedEvaluation() {
  v1::Evaluation e;
  e.set_name("projects/p000042/years/2021/phases/mid-term");
  e.set_project_id("p000042");
  e.set_year(2021);
  e.set_service_year(1);
  e.set_phase(v1::MID_TERM);
  e.set_township("t042");
  e.set_policy_id("nansha-2019");
  e.set_state(v1::OPEN);
  e.mutable_third_party()->set_score("85.50");
  e.mutable_third_party()->set_submitted_by("agency-ag1");
  e.mutable_third_party()->set_version(1);
  for (const char* v : {"V01", "V02", "V03"}) {
    e.add_villages()->set_village(v);
  }
  for (const char* m : {"township", "village:V01", "village:V02", "village:V03",
                        "bureau", "financial"}) {
    e.add_missing(m);
  }
  e.set_submission_versions(1);
  return e;
}

class NoopService final : public v1::EvaluationService::CallbackService {
 public:
  explicit NoopService(server::WorkerPool* pool)
      : pool_(pool), evaluation_(FixedEvaluation()) {
    for (int i = 0; i < 10; ++i) *list_.add_evaluations() = evaluation_;
    for (int year = 2019; year < 2029; ++year) {
      v1::SummaryRow* row = summary_.add_rows();
      row->set_township("t042");
      row->set_year(year);
      (*row->mutable_by_state())["OPEN"] = 100;
    }
  }

  grpc::ServerUnaryReactor* SubmitProfessionalScore(
      grpc::CallbackServerContext* ctx,
      const v1::SubmitProfessionalScoreRequest* q,
      v1::Evaluation* reply) override {
    return Answer(ctx, *q, [this, reply] { *reply = evaluation_; });
  }
  grpc::ServerUnaryReactor* GetEvaluation(grpc::CallbackServerContext* ctx,
                                          const v1::GetEvaluationRequest* q,
                                          v1::Evaluation* reply) override {
    return Answer(ctx, *q, [this, q, reply] {
      *reply = evaluation_;
      reply->set_year(q->evaluation().year());
    });
  }
  grpc::ServerUnaryReactor* ListEvaluations(
      grpc::CallbackServerContext* ctx, const v1::ListEvaluationsRequest* q,
      v1::ListEvaluationsResponse* reply) override {
    return Answer(ctx, *q, [this, reply] { *reply = list_; });
  }
  grpc::ServerUnaryReactor* GetSummary(grpc::CallbackServerContext* ctx,
                                       const v1::GetSummaryRequest* q,
                                       v1::Summary* reply) override {
    return Answer(ctx, *q, [this, reply] { *reply = summary_; });
  }

 private:
  // evald's path without the engine: read the token, hop to a worker
  // unless evald would answer inline (server/dispatch.h), build the reply,
  // finish.
  template <typename Request, typename Fn>
  grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* ctx,
                                   const Request& request, Fn fill) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    const auto& metadata = ctx->client_metadata();
    auto it = metadata.find("authorization");
    if (it == metadata.end() ||
        !absl::StartsWithIgnoreCase(
            absl::string_view(it->second.data(), it->second.size()),
            "Bearer ")) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                   "missing bearer token"));
      return reactor;
    }
    if (server::RunsInline(request)) {
      fill();
      reactor->Finish(grpc::Status::OK);
    } else {
      pool_->Submit([reactor, fill] {
        fill();
        reactor->Finish(grpc::Status::OK);
      });
    }
    return reactor;
  }

  server::WorkerPool* pool_;
  const v1::Evaluation evaluation_;
  v1::ListEvaluationsResponse list_;
  v1::Summary summary_;
};

int Run() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto pool =
      std::make_unique<server::WorkerPool>(absl::GetFlag(FLAGS_workers));
  NoopService service(pool.get());
  grpc::ServerBuilder builder;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "noop_server: cannot listen on %s\n", listen.c_str());
    return 1;
  }
  std::printf("noop_server listening on %s:%d\n",
              listen.substr(0, listen.rfind(':')).c_str(), port);
  std::fflush(stdout);
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
  });
  server->Wait();
  waiter.join();
  pool.reset();
  return 0;
}

}  // namespace
}  // namespace evald::bench

int main(int argc, char** argv) {
  evald::TurnOffMutexDeadlockDetection();
  absl::ParseCommandLine(argc, argv);
  return evald::bench::Run();
}
