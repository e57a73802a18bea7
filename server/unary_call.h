// One unary gRPC call made with serialized bytes, for callers that know a
// method only by name: the HTTP gateway (over evald's in-process channel) and
// tests that call every method of the service alike.

#ifndef EVALD_SERVER_UNARY_CALL_H_
#define EVALD_SERVER_UNARY_CALL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"

namespace evald::server {

struct UnaryCallResult {
  grpc::Status status;
  // The serialized reply; empty unless status is OK.
  std::string reply;
};

// Calls `path` ("/package.Service/Method") on `channel` with the serialized
// `request`, sending each (key, value) of `metadata` (keys in lower case),
// and waits at most `timeout` for the reply. Blocks the calling thread.
UnaryCallResult CallUnary(
    grpc::Channel& channel, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& metadata,
    const std::string& request, absl::Duration timeout);

}  // namespace evald::server

#endif  // EVALD_SERVER_UNARY_CALL_H_
