// The parts of the Connect protocol (connectrpc.com/docs/protocol) that
// evald's HTTP gateway speaks: unary calls in JSON (and binary protobuf),
// and the error body and HTTP status that stand for each gRPC code.
//
// Pure functions: no I/O. The gateway (http_gateway.h) uses them; tests use
// them to check the gateway against the same table.

#ifndef EVALD_SERVER_CONNECT_PROTOCOL_H_
#define EVALD_SERVER_CONNECT_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace evald::server {

// The Connect name of a gRPC code: "permission_denied", "not_found", ...
// ("unknown" for a value outside the enum).
std::string ConnectCodeName(grpc::StatusCode code);

// The HTTP status the Connect protocol assigns to an error code
// (invalid_argument 400, unauthenticated 401, permission_denied 403,
// not_found 404, already_exists/aborted 409, resource_exhausted 429,
// canceled 499, unimplemented 501, unavailable 503, deadline_exceeded 504,
// the rest 500 or 400 as the protocol's table says).
int ConnectHttpStatus(grpc::StatusCode code);

// The Connect error body for `status` (not OK): {"code":..., "message":...}
// as JSON, correctly escaped.
std::string ConnectErrorJson(const grpc::Status& status);

// How a request body is encoded, from its Content-Type header.
enum class BodyCodec { kJson, kProto };

// The codec of a Connect unary request's Content-Type ("application/json",
// optionally with "; charset=utf-8", or "application/proto"); nullopt for
// anything else.
std::optional<BodyCodec> CodecOf(absl::string_view content_type);

// The deadline a client asked for in the Connect-Timeout-Ms header, in
// milliseconds: at most `cap_ms`, `cap_ms` when absent; nullopt when the
// header is not 1 to 10 digits (the protocol's form).
std::optional<int64_t> TimeoutMs(absl::string_view header, int64_t cap_ms);

}  // namespace evald::server

#endif  // EVALD_SERVER_CONNECT_PROTOCOL_H_
