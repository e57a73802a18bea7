// Store's few shared definitions; the implementations are in
// rocksdb_store.cc and etcd_store.cc.

#include "storage/store.h"

#include "absl/strings/str_cat.h"
#include "storage/rocksdb_store.h"

namespace evald::storage {

absl::StatusOr<std::unique_ptr<Store>> Store::Open(
    const StoreOptions& options) {
  absl::StatusOr<std::unique_ptr<RocksDbStore>> store =
      RocksDbStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(*store));
}

absl::StatusOr<std::shared_ptr<const RecordReader>> Store::CommandReads(
    const ReadPlan&) const {
  // The store itself, not owned: the aliasing constructor with no owner.
  return std::shared_ptr<const RecordReader>(std::shared_ptr<void>(), this);
}

absl::StatusOr<BackupManifest> Store::Backup(const std::string&, int) {
  return absl::UnimplementedError(absl::StrCat(
      "backup: the ", Kind(),
      " store is backed up with its own tools (docs/deployment.md)"));
}

}  // namespace evald::storage
