// One evalctl invocation's connection to evald and its output settings:
// the channel and credentials, the bearer token, calls with a deadline,
// paging, and request ids.

#ifndef EVALD_CLIENT_SESSION_H_
#define EVALD_CLIENT_SESSION_H_

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "client/args.h"
#include "client/plain_words.h"
#include "evaluation/v1/evaluation.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace evald::client {

namespace v1 = ::evaluation::v1;
using Stub = v1::EvaluationService::Stub;

// Exit codes (evalctl.h).
inline constexpr int kOk = 0;
inline constexpr int kRefused = 1;
inline constexpr int kUsage = 2;

enum class OutputFormat { kTable, kJson, kCsv, kXlsx };

struct Session {
  std::unique_ptr<Stub> stub;
  std::string token;
  OutputFormat output = OutputFormat::kTable;
  int timeout_seconds = 30;
  // -v: say on stderr which request id each change was sent with.
  bool verbose = false;
  // --lang zh (or a Chinese locale): table and CSV headers in Chinese.
  bool chinese_headers = false;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  // The running command's request fields by flag (plain_words.h), so that
  // a refusal names what the user typed.
  std::map<std::string, std::string> field_flags;
  // The registry's names by code, once read (names.h).
  std::optional<std::map<std::string, std::string>> organisation_names;
  std::set<std::string> retired_organisations;
};

// "INVALID_ARGUMENT" for grpc::StatusCode::INVALID_ARGUMENT.
const char* CodeName(grpc::StatusCode code);

// Calls one RPC with the session's token and deadline. On failure prints
// "error: CODE: message" on stderr and returns false.
template <typename Request, typename Reply>
bool Call(Session& s,
          grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                       Reply*),
          const Request& request, Reply* reply) {
  grpc::ClientContext ctx;
  if (!s.token.empty()) ctx.AddMetadata("authorization", "Bearer " + s.token);
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::seconds(s.timeout_seconds));
  grpc::Status status = ((*s.stub).*method)(&ctx, request, reply);
  if (status.ok()) return true;
  *s.err << "error: " << CodeName(status.error_code()) << ": "
         << PlainWords(status.error_message(), s.field_flags) << "\n";
  return false;
}

// Follows next_page_token until the end, merging the pages into `all`.
template <typename Request, typename Reply>
bool ListAll(Session& s,
             grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                          Reply*),
             Request request, Reply* all) {
  for (;;) {
    Reply page;
    if (!Call(s, method, request, &page)) return false;
    std::string next = page.next_page_token();
    page.clear_next_page_token();
    all->MergeFrom(page);
    if (next.empty()) return true;
    request.set_page_token(next);
  }
}

// The --request-id flag, or a fresh random one. With -v, the id is named on
// stderr ("request-id: evalctl-...") so that a retry can reuse it.
std::string RequestId(Session& s, const Args& args);

// TLS when --ca-file is given (verifying evald against that CA, and
// presenting --cert-file/--key-file for mTLS); plaintext otherwise.
// InvalidArgument naming the flag for an unreadable file.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const Args& args);

}  // namespace evald::client

#endif  // EVALD_CLIENT_SESSION_H_
