#include "server/http_gateway.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"
#include "server/connect_protocol.h"
#include "server/listen_address.h"
#include "server/unary_call.h"

namespace evald::server {
namespace {

using google::protobuf::MethodDescriptor;

void ReplyError(httplib::Response& res, grpc::StatusCode code,
                const std::string& message) {
  const grpc::Status status(code, message);
  res.status = ConnectHttpStatus(code);
  res.set_content(ConnectErrorJson(status), "application/json");
}

// A new, empty message of `descriptor`'s type (the generated one).
std::unique_ptr<google::protobuf::Message> NewMessage(
    const google::protobuf::Descriptor* descriptor) {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          descriptor);
  return std::unique_ptr<google::protobuf::Message>(prototype->New());
}

// Decodes, calls and encodes one unary call of `method`.
void ServeCall(const MethodDescriptor& method, grpc::Channel& channel,
               absl::Duration max_call_time, const httplib::Request& req,
               httplib::Response& res) {
  const std::optional<BodyCodec> codec =
      CodecOf(req.get_header_value("Content-Type"));
  if (!codec) {
    ReplyError(
        res, grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("Content-Type \"", req.get_header_value("Content-Type"),
                     "\" is not supported: send application/json "
                     "(or application/proto)"));
    res.status = 415;  // the Connect protocol's answer to a wrong type
    return;
  }
  const std::optional<int64_t> timeout_ms =
      TimeoutMs(req.get_header_value("Connect-Timeout-Ms"),
                absl::ToInt64Milliseconds(max_call_time));
  if (!timeout_ms) {
    ReplyError(res, grpc::StatusCode::INVALID_ARGUMENT,
               "Connect-Timeout-Ms must be 1 to 10 digits (milliseconds)");
    return;
  }

  std::unique_ptr<google::protobuf::Message> request =
      NewMessage(method.input_type());
  if (*codec == BodyCodec::kJson) {
    google::protobuf::util::JsonParseOptions parse;
    parse.ignore_unknown_fields = false;
    const absl::string_view body = req.body.empty()
                                       ? absl::string_view("{}")
                                       : absl::string_view(req.body);
    const auto parsed = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(body.data(), body.size()), request.get(),
        parse);
    if (!parsed.ok()) {
      ReplyError(res, grpc::StatusCode::INVALID_ARGUMENT,
                 absl::StrCat("the body is not a ", method.input_type()->name(),
                              " in JSON: ", parsed.message().as_string()));
      return;
    }
  } else if (!request->ParseFromString(req.body)) {
    ReplyError(
        res, grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("the body is not a binary ", method.input_type()->name()));
    return;
  }

  std::vector<std::pair<std::string, std::string>> metadata;
  if (req.has_header("Authorization")) {
    metadata.emplace_back("authorization",
                          req.get_header_value("Authorization"));
  }
  const std::string path =
      absl::StrCat("/", method.service()->full_name(), "/", method.name());
  UnaryCallResult result =
      CallUnary(channel, path, metadata, request->SerializeAsString(),
                absl::Milliseconds(*timeout_ms));
  if (!result.status.ok()) {
    res.status = ConnectHttpStatus(result.status.error_code());
    res.set_content(ConnectErrorJson(result.status), "application/json");
    return;
  }
  if (*codec == BodyCodec::kProto) {
    res.set_content(result.reply, "application/proto");
    return;
  }
  std::unique_ptr<google::protobuf::Message> reply =
      NewMessage(method.output_type());
  std::string json;
  if (!reply->ParseFromString(result.reply) ||
      !google::protobuf::util::MessageToJsonString(*reply, &json).ok()) {
    ReplyError(res, grpc::StatusCode::INTERNAL,
               absl::StrCat("the reply of ", method.name(),
                            " could not be encoded as JSON"));
    return;
  }
  res.set_content(json, "application/json");
}

// "HOST:PORT" or "[V6]:PORT" into host and port.
absl::StatusOr<std::pair<std::string, int>> SplitHostPort(
    const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_listen \"", listen,
                     "\" is not HOST:PORT (e.g. 127.0.0.1:8080)"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(host, port);
}

absl::Status CheckReadable(const std::string& path, const char* flag) {
  std::error_code ec;
  if (!path.empty() && !std::filesystem::exists(path, ec)) {
    return absl::NotFoundError(
        absl::StrCat(flag, " ", path, " does not exist"));
  }
  return absl::OkStatus();
}

// A script of the dashboard. cpp-httplib 0.11 compresses a reply itself
// when its type is one it knows, and picks brotli at quality 11: about
// 1 MB/s, a second for the dashboard's bundle before its first byte. So a
// script goes out under a type it leaves alone (the charset parameter
// makes the difference), and gzipped when the client takes gzip and
// scripts/build-web.sh made the .gz beside it.
void ServeScript(const std::string& web_dir, const httplib::Request& req,
                 httplib::Response& res) {
  res.headers.erase("Content-Type");
  res.set_header("Content-Type", "application/javascript; charset=utf-8");
  res.set_header("Vary", "Accept-Encoding");
  if (req.get_header_value("Accept-Encoding").find("gzip") ==
      std::string::npos) {
    return;
  }
  std::ifstream gz(web_dir + req.path + ".gz", std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(gz)),
                   std::istreambuf_iterator<char>());
  if (!gz.good() && !gz.eof()) return;
  if (body.empty()) return;
  res.body = std::move(body);
  res.set_header("Content-Encoding", "gzip");
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(
    const google::protobuf::ServiceDescriptor* service,
    std::shared_ptr<grpc::Channel> channel, HttpGatewayOptions options) {
  absl::StatusOr<std::pair<std::string, int>> address =
      SplitHostPort(options.listen);
  if (!address.ok()) return address.status();
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }
  for (const auto& [path, flag] :
       {std::pair{options.cert_file, "--tls_cert_file"},
        std::pair{options.key_file, "--tls_key_file"},
        std::pair{options.client_ca_file, "--tls_client_ca_file"},
        std::pair{options.web_dir, "--web_dir"}}) {
    if (absl::Status s = CheckReadable(path, flag); !s.ok()) return s;
  }

  auto gateway = std::unique_ptr<HttpGateway>(new HttpGateway());
  gateway->service_ = service;
  gateway->channel_ = std::move(channel);
  gateway->options_ = std::move(options);
  const HttpGatewayOptions& opts = gateway->options_;

  if (opts.cert_file.empty()) {
    if (!IsLiteralLoopback(opts.listen)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "refusing plaintext HTTP on ", opts.listen,
          ": plaintext is allowed only on a literal loopback address "
          "(127.0.0.1, [::1]); give --tls_cert_file and --tls_key_file"));
    }
    gateway->http_ = std::make_unique<httplib::Server>();
  } else {
    auto tls = std::make_unique<httplib::SSLServer>(
        opts.cert_file.c_str(), opts.key_file.c_str(),
        opts.client_ca_file.empty() ? nullptr : opts.client_ca_file.c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(
          "the TLS certificate or key (or client CA) could not be loaded");
    }
    gateway->http_ = std::move(tls);
  }
  httplib::Server& http = *gateway->http_;
  http.set_payload_max_length(opts.max_body_bytes);
  http.set_read_timeout(10, 0);
  http.set_write_timeout(10, 0);
  http.set_keep_alive_timeout(30);
  // Without it a reply larger than a segment waits for delayed ACKs: the
  // dashboard's 700 KB script took a second to cross loopback.
  http.set_tcp_nodelay(true);

  HttpGateway* self = gateway.get();
  http.Post(R"(/([A-Za-z0-9_.]+)/([A-Za-z0-9_]+))",
            [self](const httplib::Request& req, httplib::Response& res) {
              const MethodDescriptor* method =
                  req.matches[1] == self->service_->full_name()
                      ? self->service_->FindMethodByName(req.matches[2])
                      : nullptr;
              if (method == nullptr || method->client_streaming() ||
                  method->server_streaming()) {
                ReplyError(res, grpc::StatusCode::UNIMPLEMENTED,
                           absl::StrCat("no unary method ", req.path,
                                        " on this server"));
                res.status = 404;
                return;
              }
              ServeCall(*method, *self->channel_, self->options_.max_call_time,
                        req, res);
            });
  http.Get("/healthz", [self](const httplib::Request&, httplib::Response& res) {
    const bool writes =
        !self->options_.writes_available || self->options_.writes_available();
    res.set_header("Cache-Control", "no-store");
    res.set_content(absl::StrCat(R"({"status":"SERVING","writes":")",
                                 writes ? "SERVING" : "NOT_SERVING", "\"}"),
                    "application/json");
  });
  if (opts.metrics) {
    // Aggregates only (metrics.h): no token, as /healthz, for the scraper.
    http.Get("/metrics",
             [self](const httplib::Request&, httplib::Response& res) {
               res.set_header("Cache-Control", "no-store");
               res.set_content(self->options_.metrics(),
                               "text/plain; version=0.0.4; charset=utf-8");
             });
  }
  if (!opts.web_dir.empty()) {
    http.set_mount_point("/", opts.web_dir);
    http.set_file_request_handler(
        [web_dir = opts.web_dir](const httplib::Request& req,
                                 httplib::Response& res) {
          res.set_header("Cache-Control",
                         absl::StartsWith(req.path, "/assets/")
                             ? "public, max-age=31536000, immutable"
                             : "no-cache");
          if (absl::EndsWith(req.path, ".js")) ServeScript(web_dir, req, res);
        });
  }
  // Errors the library itself answers (413 too large, 404 no such file)
  // still get a Connect error body.
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        const grpc::StatusCode code =
            res.status == 413   ? grpc::StatusCode::RESOURCE_EXHAUSTED
            : res.status == 404 ? grpc::StatusCode::NOT_FOUND
            : res.status == 400 ? grpc::StatusCode::INVALID_ARGUMENT
                                : grpc::StatusCode::UNKNOWN;
        const int status = res.status;
        res.set_content(
            ConnectErrorJson(grpc::Status(
                code, status == 413 ? "the request body is too large"
                                    : absl::StrCat("HTTP ", status))),
            "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));

  const auto& [host, port] = *address;
  gateway->port_ = port == 0 ? http.bind_to_any_port(host)
                             : (http.bind_to_port(host, port) ? port : -1);
  if (gateway->port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", opts.listen));
  }
  gateway->serving_ = std::thread([self] { self->http_->listen_after_bind(); });
  return gateway;
}

void HttpGateway::Stop() {
  if (!serving_.joinable()) return;
  http_->stop();
  serving_.join();
}

HttpGateway::~HttpGateway() { Stop(); }

}  // namespace evald::server
