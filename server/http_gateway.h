// evald's second port: every unary method of a gRPC service over HTTP/1.1
// in the Connect protocol's unary form, plus the dashboard's static files
// and a health probe.
//
//   POST /<package.Service>/<Method>   Content-Type: application/json
//        (or application/proto); body and reply in protobuf's canonical
//        JSON (or binary); "Authorization: Bearer <token>" as on gRPC;
//        errors as Connect error JSON with the HTTP status for their code.
//   GET  /healthz                      no token; {"status":"SERVING",
//                                      "writes":"SERVING"|"NOT_SERVING"}
//   GET  /<anything else>              files under web_dir (the built app)
//
// The gateway is generic over the service's descriptor: it decodes the
// request as the method's input type, makes the call over the gRPC server's
// in-process channel -- so authentication, authorization, rate limits,
// validation and idempotency are those of the gRPC method itself -- and
// encodes the reply. It implements no method of its own.
//
// Thread-safe: calls are served on cpp-httplib's worker threads.

#ifndef EVALD_SERVER_HTTP_GATEWAY_H_
#define EVALD_SERVER_HTTP_GATEWAY_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/channel.h"

namespace httplib {
class Server;
}

namespace evald::server {

struct HttpGatewayOptions {
  // HOST:PORT to listen on; port 0 lets the kernel pick. Plaintext only on a
  // literal loopback address (as gRPC), TLS with cert_file + key_file.
  std::string listen;
  std::string cert_file;
  std::string key_file;
  // With a CA, clients must present a certificate that chains to it.
  std::string client_ca_file;
  // Bodies larger than this are refused (resource_exhausted, HTTP 413).
  size_t max_body_bytes = 1 << 20;
  // The longest a call may take; a client's Connect-Timeout-Ms may shorten
  // it.
  absl::Duration max_call_time = absl::Seconds(30);
  // Directory of the built web app ("" serves none): index.html revalidated
  // on every load, files under assets/ (content-hashed names) cached a year.
  std::string web_dir;
  // Whether the store accepts writes, for /healthz.
  std::function<bool()> writes_available;
  // The text of GET /metrics (Prometheus); none served when empty.
  std::function<std::string()> metrics;
};

class HttpGateway {
 public:
  // Binds the port and starts serving `service` by calling `channel`.
  // InvalidArgument for a bad address or plaintext off loopback,
  // Unavailable when the port cannot be bound, NotFound for unreadable
  // certificate files or web_dir.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(
      const google::protobuf::ServiceDescriptor* service,
      std::shared_ptr<grpc::Channel> channel, HttpGatewayOptions options);

  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;
  // Stops serving (see Stop).
  ~HttpGateway();

  // The port bound (the kernel's choice when the address said 0).
  int port() const { return port_; }

  // Stops accepting connections and waits for calls in progress. Call before
  // the gRPC server shuts down: calls go through its in-process channel.
  void Stop();

 private:
  HttpGateway() = default;

  const google::protobuf::ServiceDescriptor* service_ = nullptr;
  std::shared_ptr<grpc::Channel> channel_;
  HttpGatewayOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::thread serving_;
  int port_ = 0;
};

}  // namespace evald::server

#endif  // EVALD_SERVER_HTTP_GATEWAY_H_
