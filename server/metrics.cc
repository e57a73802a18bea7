#include "server/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace evald::server {
namespace {

constexpr absl::string_view kService = "evaluation.v1.EvaluationService";

std::string Labels(absl::string_view method) {
  return absl::StrCat("grpc_type=\"unary\",grpc_service=\"", kService,
                      "\",grpc_method=\"", method, "\"");
}

// Prometheus writes floats in Go's formatting; %.17g round-trips.
std::string Number(double v) { return absl::StrFormat("%.17g", v); }

}  // namespace

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "Canceled",
                                       "Unknown",
                                       "InvalidArgument",
                                       "DeadlineExceeded",
                                       "NotFound",
                                       "AlreadyExists",
                                       "PermissionDenied",
                                       "ResourceExhausted",
                                       "FailedPrecondition",
                                       "Aborted",
                                       "OutOfRange",
                                       "Unimplemented",
                                       "Internal",
                                       "Unavailable",
                                       "DataLoss",
                                       "Unauthenticated"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : "Unknown";
}

void RpcMetrics::Started(absl::string_view method) {
  absl::MutexLock lock(&mu_);
  ++started_[std::string(method)];
}

void RpcMetrics::Handled(absl::string_view method, grpc::StatusCode code,
                         double seconds) {
  absl::MutexLock lock(&mu_);
  ++handled_[{std::string(method), code}];
  Histogram& h = seconds_[std::string(method)];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++h.counts[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
}

std::string RpcMetrics::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out =
      "# HELP grpc_server_started_total Total number of RPCs started on the "
      "server.\n# TYPE grpc_server_started_total counter\n";
  for (const auto& [method, n] : started_) {
    absl::StrAppend(&out, "grpc_server_started_total{", Labels(method), "} ", n,
                    "\n");
  }
  absl::StrAppend(&out,
                  "# HELP grpc_server_handled_total Total number of RPCs "
                  "completed on the server, regardless of success or "
                  "failure.\n# TYPE grpc_server_handled_total counter\n");
  for (const auto& [key, n] : handled_) {
    absl::StrAppend(&out, "grpc_server_handled_total{", Labels(key.first),
                    ",grpc_code=\"", CodeName(key.second), "\"} ", n, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP grpc_server_handling_seconds Histogram of response "
                  "latency (seconds) of gRPC that had been application-level "
                  "handled by the server.\n# TYPE grpc_server_handling_seconds "
                  "histogram\n");
  for (const auto& [method, h] : seconds_) {
    int64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      absl::StrAppend(&out, "grpc_server_handling_seconds_bucket{",
                      Labels(method), ",le=\"", Number(kBuckets[i]), "\"} ",
                      cumulative, "\n");
    }
    absl::StrAppend(&out, "grpc_server_handling_seconds_bucket{",
                    Labels(method), ",le=\"+Inf\"} ", h.count, "\n");
    absl::StrAppend(&out, "grpc_server_handling_seconds_sum{", Labels(method),
                    "} ", Number(h.sum), "\n");
    absl::StrAppend(&out, "grpc_server_handling_seconds_count{", Labels(method),
                    "} ", h.count, "\n");
  }
  return out;
}

std::string Gauge(absl::string_view name, absl::string_view help,
                  const std::map<std::string, double>& samples) {
  std::string out =
      absl::StrCat("# HELP ", name, " ", help, "\n# TYPE ", name, " gauge\n");
  for (const auto& [labels, value] : samples) {
    absl::StrAppend(&out, name, labels.empty() ? "" : "{", labels,
                    labels.empty() ? "" : "}", " ", Number(value), "\n");
  }
  return out;
}

}  // namespace evald::server
