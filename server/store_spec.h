// Naming a store on the command line, for evalutl (replay, copy): a
// RocksDB data directory or a prefix on an etcd cluster.
//
//   rocksdb:/var/lib/evald
//   etcd:10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379/evald/nansha/
//
// (the etcd prefix starts at the first '/' and ends in '/').

#ifndef EVALD_SERVER_STORE_SPEC_H_
#define EVALD_SERVER_STORE_SPEC_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/etcd_kv.h"
#include "storage/store.h"

namespace evald::server {

// Opens the store `spec` names. `flag` names the flag it came from, for
// the error: InvalidArgument for a spec of neither form, with both forms
// shown; otherwise what opening the store answers. A RocksDB directory is
// opened read-only when `read_only`; it must exist unless `create`. An
// etcd cluster is reached over `tls` when given.
absl::StatusOr<std::unique_ptr<storage::Store>> OpenStoreSpec(
    absl::string_view flag, absl::string_view spec, bool read_only, bool create,
    const std::optional<storage::EtcdTls>& tls = std::nullopt);

}  // namespace evald::server

#endif  // EVALD_SERVER_STORE_SPEC_H_
