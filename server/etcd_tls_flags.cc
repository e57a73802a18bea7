#include "server/etcd_tls_flags.h"

#include <utility>

#include "absl/flags/flag.h"
#include "server/config.h"

ABSL_FLAG(std::string, etcd_ca_file, "",
          "etcd stores: PEM file of the CA that signed the etcd members' "
          "certificates; given, evald (evalutl) talks TLS to them");
ABSL_FLAG(std::string, etcd_cert_file, "",
          "etcd stores: PEM client certificate for etcd's "
          "--client-cert-auth (with --etcd_key_file)");
ABSL_FLAG(std::string, etcd_key_file, "",
          "etcd stores: the PEM key of --etcd_cert_file");
ABSL_FLAG(std::string, etcd_server_name, "",
          "etcd stores over TLS: the name every member's certificate "
          "carries (default: the host of the first endpoint)");

namespace evald::server {

absl::StatusOr<std::optional<storage::EtcdTls>> EtcdTlsFromFlags() {
  const std::string ca = absl::GetFlag(FLAGS_etcd_ca_file);
  const std::string cert = absl::GetFlag(FLAGS_etcd_cert_file);
  const std::string key = absl::GetFlag(FLAGS_etcd_key_file);
  if (ca.empty() && cert.empty() && key.empty()) return std::nullopt;
  if (ca.empty()) {
    return absl::InvalidArgumentError(
        "--etcd_ca_file is required with --etcd_cert_file and "
        "--etcd_key_file");
  }
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError(
        cert.empty() ? "--etcd_key_file needs --etcd_cert_file"
                     : "--etcd_cert_file needs --etcd_key_file");
  }
  storage::EtcdTls tls;
  for (auto [path, out] :
       {std::pair{&ca, &tls.ca_pem}, std::pair{&cert, &tls.cert_pem},
        std::pair{&key, &tls.key_pem}}) {
    if (path->empty()) continue;
    absl::StatusOr<std::string> text = ReadFile(*path);
    if (!text.ok()) return text.status();
    *out = *std::move(text);
  }
  tls.server_name = absl::GetFlag(FLAGS_etcd_server_name);
  return tls;
}

}  // namespace evald::server
