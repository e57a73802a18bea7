#include "server/connect_protocol.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace evald::server {

std::string ConnectCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "ok";
    case grpc::StatusCode::CANCELLED:
      return "canceled";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "invalid_argument";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "deadline_exceeded";
    case grpc::StatusCode::NOT_FOUND:
      return "not_found";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "already_exists";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "permission_denied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "resource_exhausted";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "failed_precondition";
    case grpc::StatusCode::ABORTED:
      return "aborted";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "out_of_range";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "unimplemented";
    case grpc::StatusCode::INTERNAL:
      return "internal";
    case grpc::StatusCode::UNAVAILABLE:
      return "unavailable";
    case grpc::StatusCode::DATA_LOSS:
      return "data_loss";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "unauthenticated";
    default:
      return "unknown";
  }
}

int ConnectHttpStatus(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    default:  // unknown, internal, data_loss
      return 500;
  }
}

std::string ConnectErrorJson(const grpc::Status& status) {
  google::protobuf::Struct body;
  (*body.mutable_fields())["code"].set_string_value(
      ConnectCodeName(status.error_code()));
  (*body.mutable_fields())["message"].set_string_value(status.error_message());
  std::string json;
  // A Struct of two strings always prints.
  (void)google::protobuf::util::MessageToJsonString(body, &json);
  return json;
}

std::optional<BodyCodec> CodecOf(absl::string_view content_type) {
  absl::string_view type = content_type;
  const size_t semicolon = type.find(';');
  absl::string_view params;
  if (semicolon != absl::string_view::npos) {
    params = absl::StripAsciiWhitespace(type.substr(semicolon + 1));
    type = type.substr(0, semicolon);
  }
  type = absl::StripAsciiWhitespace(type);
  if (absl::EqualsIgnoreCase(type, "application/json")) {
    if (!params.empty() && !absl::EqualsIgnoreCase(params, "charset=utf-8")) {
      return std::nullopt;
    }
    return BodyCodec::kJson;
  }
  if (absl::EqualsIgnoreCase(type, "application/proto") && params.empty()) {
    return BodyCodec::kProto;
  }
  return std::nullopt;
}

std::optional<int64_t> TimeoutMs(absl::string_view header, int64_t cap_ms) {
  if (header.empty()) return cap_ms;
  if (header.size() > 10) return std::nullopt;
  for (char c : header) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
  }
  int64_t ms = 0;
  if (!absl::SimpleAtoi(header, &ms)) return std::nullopt;
  return ms < cap_ms ? ms : cap_ms;
}

}  // namespace evald::server
