#include "server/service.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/authz.h"
#include "server/dispatch.h"
#include "server/watch_reactor.h"
#include "spdlog/spdlog.h"
#include "storage/store.h"

namespace evald::server {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // The message only: payloads (storage detail, file paths) stay here.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

EvaluationServiceImpl::EvaluationServiceImpl(
    Engine* engine, const PrincipalRegistry* principals, WorkerPool* pool,
    RateLimiter* limiter, RpcMetrics* metrics)
    : engine_(engine),
      principals_(principals),
      pool_(pool),
      limiter_(limiter),
      metrics_(metrics) {}

absl::StatusOr<Principal> EvaluationServiceImpl::Authenticate(
    const grpc::CallbackServerContext& ctx) const {
  const auto& metadata = ctx.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "missing bearer token (metadata \"authorization: Bearer <token>\")");
  }
  const absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWithIgnoreCase(value, kBearer)) {
    return absl::UnauthenticatedError(
        "authorization metadata is not \"Bearer <token>\"");
  }
  std::optional<Principal> who =
      principals_->Authenticate(value.substr(kBearer.size()));
  if (!who) return absl::UnauthenticatedError("unknown or revoked token");
  if (limiter_ != nullptr && !limiter_->Allow(who->name, absl::Now())) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "principal ", who->name, " is over its rate limit; retry later"));
  }
  return *who;
}

#define EVALD_RPC(Method, Request, Reply)                                    \
  grpc::ServerUnaryReactor* EvaluationServiceImpl::Method(                   \
      grpc::CallbackServerContext* ctx, const v1::Request* request,          \
      v1::Reply* reply) {                                                    \
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();               \
    const absl::Time started = absl::Now();                                  \
    if (metrics_ != nullptr) metrics_->Started(#Method);                     \
    auto finish = [this, reactor, started](const grpc::Status& status) {     \
      if (metrics_ != nullptr) {                                             \
        metrics_->Handled(#Method, status.error_code(),                      \
                          absl::ToDoubleSeconds(absl::Now() - started));     \
      }                                                                      \
      reactor->Finish(status);                                               \
    };                                                                       \
    absl::StatusOr<Principal> who = Authenticate(*ctx);                      \
    if (!who.ok()) {                                                         \
      finish(ToGrpcStatus(who.status()));                                    \
      return reactor;                                                        \
    }                                                                        \
    auto work = [this, finish, request, reply, who = *std::move(who)] {      \
      absl::StatusOr<v1::Reply> result = engine_->Method(who, *request);     \
      if (result.ok()) {                                                     \
        *reply = *std::move(result);                                         \
      } else if (result.status().code() == absl::StatusCode::kInternal ||    \
                 result.status().code() == absl::StatusCode::kDataLoss ||    \
                 result.status().code() == absl::StatusCode::kUnavailable) { \
        spdlog::error("{} by {}: {} {}", #Method, who.name,                  \
                      std::string(result.status().message()),                \
                      storage::StorageDetail(result.status()));              \
      }                                                                      \
      finish(ToGrpcStatus(result.status()));                                 \
    };                                                                       \
    if (RunsInline(*request)) {                                              \
      work();                                                                \
    } else {                                                                 \
      pool_->Submit(std::move(work));                                        \
    }                                                                        \
    return reactor;                                                          \
  }
#include "server/rpc_list.inc"
#undef EVALD_RPC

grpc::ServerWriteReactor<v1::WatchEventsResponse>*
EvaluationServiceImpl::WatchEvents(grpc::CallbackServerContext* ctx,
                                   const v1::WatchEventsRequest* request) {
  if (metrics_ != nullptr) metrics_->Started("WatchEvents");
  absl::StatusOr<Principal> who = Authenticate(*ctx);
  absl::Status refused =
      who.ok() ? AuthorizeMethod("WatchEvents", *who) : who.status();
  if (refused.ok() && stopping_.load()) {
    refused = absl::UnavailableError("evald is shutting down");
  }
  // Counted up first, so that concurrent calls cannot both take the last
  // place.
  if (refused.ok() && open_streams_.fetch_add(1) >= kMaxWatchStreams) {
    open_streams_.fetch_sub(1);
    refused = absl::ResourceExhaustedError(
        absl::StrCat(kMaxWatchStreams,
                     " watch streams are open, the most evald serves; "
                     "close one or read with ListEvents"));
  }
  if (!refused.ok()) {
    // A stream that ends at once, with the reason.
    class Refused : public grpc::ServerWriteReactor<v1::WatchEventsResponse> {
     public:
      explicit Refused(grpc::Status status) { Finish(status); }
      void OnDone() override { delete this; }
    };
    return new Refused(ToGrpcStatus(refused));
  }
  const auto& metadata = ctx->client_metadata();
  auto it = metadata.find("authorization");
  std::string token(it->second.data(), it->second.size());
  token = token.substr(std::string("Bearer ").size());
  return new WatchReactor(
      engine_, *who, *request,
      [principals = principals_, token] {
        return principals->Authenticate(token).has_value();
      },
      &open_streams_, &stopping_);
}

void EvaluationServiceImpl::StopWatches() {
  stopping_ = true;
  engine_->store().WakeFeedWaiters();
}

}  // namespace evald::server
