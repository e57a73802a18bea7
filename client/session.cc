#include "client/session.h"

#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"

namespace evald::client {
namespace {

std::string NewRequestId() {
  std::random_device random;
  std::string id = "evalctl-";
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&id, absl::Hex(random(), absl::kZeroPad8));
  }
  return id;
}

absl::StatusOr<std::string> ReadFlagFile(absl::string_view flag,
                                         const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read ", path));
  }
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

}  // namespace

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

std::string RequestId(Session& s, const Args& args) {
  if (std::optional<std::string> id = args.Get("request-id")) return *id;
  std::string id = NewRequestId();
  if (s.verbose) *s.err << "request-id: " << id << "\n";
  return id;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const Args& args) {
  const std::string ca = args.GetOr("ca-file", "");
  const std::string cert = args.GetOr("cert-file", "");
  const std::string key = args.GetOr("key-file", "");
  if (ca.empty()) {
    if (!cert.empty() || !key.empty()) {
      return absl::InvalidArgumentError(
          "--cert-file and --key-file need --ca-file (TLS)");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError("--cert-file and --key-file go together");
  }
  grpc::SslCredentialsOptions options;
  absl::StatusOr<std::string> roots = ReadFlagFile("ca-file", ca);
  if (!roots.ok()) return roots.status();
  options.pem_root_certs = *roots;
  if (!cert.empty()) {
    absl::StatusOr<std::string> chain = ReadFlagFile("cert-file", cert);
    if (!chain.ok()) return chain.status();
    absl::StatusOr<std::string> private_key = ReadFlagFile("key-file", key);
    if (!private_key.ok()) return private_key.status();
    options.pem_cert_chain = *chain;
    options.pem_private_key = *private_key;
  }
  return grpc::SslCredentials(options);
}

}  // namespace evald::client
