// The etcd client's TLS flags, shared by evald (--store=etcd) and evalutl
// (etcd:... stores): --etcd_ca_file, --etcd_cert_file, --etcd_key_file and
// --etcd_server_name (docs/deployment.md, "Security").

#ifndef EVALD_SERVER_ETCD_TLS_FLAGS_H_
#define EVALD_SERVER_ETCD_TLS_FLAGS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "storage/etcd_kv.h"

namespace evald::server {

// The TLS the flags ask for, with the files read; nullopt when none of
// them is given (plain TCP). InvalidArgument naming the flag when a key
// comes without its certificate (or the reverse) or the CA is missing;
// the file's error when one cannot be read.
absl::StatusOr<std::optional<storage::EtcdTls>> EtcdTlsFromFlags();

}  // namespace evald::server

#endif  // EVALD_SERVER_ETCD_TLS_FLAGS_H_
