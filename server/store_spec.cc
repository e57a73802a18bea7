#include "server/store_spec.h"

#include <filesystem>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "storage/etcd_store.h"

namespace evald::server {

absl::StatusOr<std::unique_ptr<storage::Store>> OpenStoreSpec(
    absl::string_view flag, absl::string_view spec, bool read_only, bool create,
    const std::optional<storage::EtcdTls>& tls) {
  if (absl::ConsumePrefix(&spec, "rocksdb:") && !spec.empty()) {
    const std::string dir(spec);
    if (!create && !std::filesystem::is_directory(dir)) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": ", dir, " is not a directory"));
    }
    storage::StoreOptions options;
    options.path = dir;
    options.read_only = read_only;
    return storage::Store::Open(options);
  }
  if (absl::ConsumePrefix(&spec, "etcd:")) {
    const size_t slash = spec.find('/');
    if (slash != absl::string_view::npos && slash > 0) {
      storage::EtcdStoreOptions options;
      options.endpoints =
          absl::StrSplit(spec.substr(0, slash), ',', absl::SkipEmpty());
      options.prefix = std::string(spec.substr(slash));
      options.tls = tls;
      absl::StatusOr<std::unique_ptr<storage::EtcdStore>> store =
          storage::EtcdStore::Open(options);
      if (!store.ok()) return store.status();
      return std::unique_ptr<storage::Store>(*std::move(store));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      flag,
      ": name a store as rocksdb:DIR or etcd:HOST:PORT,HOST:PORT/PREFIX/ "
      "(e.g. etcd:10.0.0.1:2379/evald/nansha/)"));
}

}  // namespace evald::server
