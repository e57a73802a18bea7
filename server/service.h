// The gRPC face of the Engine: evaluation.v1.EvaluationService over the
// callback API. It authenticates the bearer token, hands the call to the
// worker pool (or, for bounded reads, runs it inline: dispatch.h), and
// maps absl::Status to grpc::Status (the one place that does). Everything
// else is the Engine's.

#ifndef EVALD_SERVER_SERVICE_H_
#define EVALD_SERVER_SERVICE_H_

#include <atomic>
#include <memory>

#include "absl/status/status.h"
#include "evaluation/v1/evaluation.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "server/engine.h"
#include "server/metrics.h"
#include "server/principals.h"
#include "server/rate_limiter.h"
#include "server/worker_pool.h"

namespace evald::server {

// absl::Status and grpc::Status share their code numbers.
grpc::Status ToGrpcStatus(const absl::Status& status);

class EvaluationServiceImpl final
    : public evaluation::v1::EvaluationService::CallbackService {
 public:
  // `engine`, `principals`, `pool`, `limiter` (may be null: no limit) and
  // `metrics` (may be null: none counted) must outlive the service.
  EvaluationServiceImpl(Engine* engine, const PrincipalRegistry* principals,
                        WorkerPool* pool, RateLimiter* limiter = nullptr,
                        RpcMetrics* metrics = nullptr);

#define EVALD_RPC(Method, Request, Reply)                            \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, \
                                   const v1::Request* request,       \
                                   v1::Reply* reply) override;
#include "server/rpc_list.inc"
#undef EVALD_RPC

  // The event feed's server stream (watch_reactor.h).
  grpc::ServerWriteReactor<v1::WatchEventsResponse>* WatchEvents(
      grpc::CallbackServerContext* ctx,
      const v1::WatchEventsRequest* request) override;

  // Watch streams open now (for /metrics).
  int OpenWatchStreams() const { return open_streams_.load(); }

  // Ends every watch stream (UNAVAILABLE: reconnect) and refuses new ones:
  // before Server::Shutdown, which would otherwise wait for them.
  void StopWatches();

 private:
  // The principal of the call's "authorization: Bearer <token>" metadata,
  // if it is within its rate limit.
  absl::StatusOr<Principal> Authenticate(
      const grpc::CallbackServerContext& ctx) const;

  Engine* engine_;
  const PrincipalRegistry* principals_;
  WorkerPool* pool_;
  RateLimiter* limiter_;
  RpcMetrics* metrics_;
  std::atomic<int> open_streams_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace evald::server

#endif  // EVALD_SERVER_SERVICE_H_
