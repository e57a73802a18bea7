// What the files of Store share (store.cc, store_feed.cc): the column
// family handles and the conversion of RocksDB's errors. Not for use
// outside storage/.

#ifndef EVALD_STORAGE_STORE_INTERNAL_H_
#define EVALD_STORAGE_STORE_INTERNAL_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"
#include "storage/rocksdb_store.h"

namespace evald::storage {

struct RocksDbStore::Handles {
  rocksdb::ColumnFamilyHandle* state = nullptr;
  rocksdb::ColumnFamilyHandle* index = nullptr;
  rocksdb::ColumnFamilyHandle* audit = nullptr;
  rocksdb::ColumnFamilyHandle* summary = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  // The database's statistics (Store::Statistics).
  std::shared_ptr<rocksdb::Statistics> statistics;
};

namespace internal {

// The status for callers; RocksDB's own words (which name files) go into
// the payload only (kStorageDetailUrl).
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what);

}  // namespace internal
}  // namespace evald::storage

#endif  // EVALD_STORAGE_STORE_INTERNAL_H_
