// GET /metrics on the HTTP port: Prometheus's text exposition format.
//
// The RPC metrics follow the gRPC ecosystem's names (go-grpc-prometheus):
//   grpc_server_started_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}
//   grpc_server_handling_seconds{...,le} (histogram)
// counted by EvaluationServiceImpl for every call, gRPC and HTTP alike (the
// gateway calls through gRPC). Labels never name a project or a principal:
// their cardinality is the number of methods and codes.
//
// Thread-safety: every method may be called concurrently.

#ifndef EVALD_SERVER_METRICS_H_
#define EVALD_SERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/status.h"

namespace evald::server {

class RpcMetrics {
 public:
  // A call to `method` (of evaluation.v1.EvaluationService) began.
  void Started(absl::string_view method);
  // It ended with `code` after `seconds`.
  void Handled(absl::string_view method, grpc::StatusCode code, double seconds);

  // The three metric families, with HELP and TYPE lines.
  std::string Render() const;

 private:
  // Histogram bounds in seconds (le), as go-grpc-prometheus's defaults.
  static constexpr std::array<double, 12> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  struct Histogram {
    std::array<int64_t, kBuckets.size()> counts{};  // cumulative at render
    int64_t count = 0;
    double sum = 0;
  };

  mutable absl::Mutex mu_;
  std::map<std::string, int64_t> started_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, grpc::StatusCode>, int64_t> handled_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> seconds_ ABSL_GUARDED_BY(mu_);
};

// One gauge in the text format: "# HELP", "# TYPE" and its samples
// ({labels} -> value; labels "" for none).
std::string Gauge(absl::string_view name, absl::string_view help,
                  const std::map<std::string, double>& samples);

// "OK", "INVALID_ARGUMENT", ...: the names go-grpc-prometheus gives codes.
const char* CodeName(grpc::StatusCode code);

}  // namespace evald::server

#endif  // EVALD_SERVER_METRICS_H_
