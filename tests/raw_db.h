// Test support: reads and writes one key of a closed evald database with
// RocksDB directly, bypassing storage::Store (which has no API for it), to
// make databases that Store::Open must refuse.

#ifndef EVALD_TESTS_RAW_DB_H_
#define EVALD_TESTS_RAW_DB_H_

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rocksdb/db.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace evald::testing {

// The same int64 addition as the store's summary family, so that opening
// the database can replay and flush its merge operands.
class TestInt64Add : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger*) const override {
    int64_t a = 0, b = 0;
    if (existing != nullptr && existing->size() == sizeof(a)) {
      std::memcpy(&a, existing->data(), sizeof(a));
    }
    if (value.size() == sizeof(b)) std::memcpy(&b, value.data(), sizeof(b));
    a += b;
    new_value->assign(reinterpret_cast<const char*>(&a), sizeof(a));
    return true;
  }
  const char* Name() const override { return "evald.Int64Add"; }
};

// Opens the (closed) database at `path` with every column family it has
// and runs `fn(db, default_family)`. Returns the first error's text, or "".
// Opens the closed database at `path` with every column family and calls
// fn(db, handles by family name); returns "" or what failed.
template <typename Fn>
std::string WithRawDbFamilies(const std::string& path, Fn fn) {
  std::vector<std::string> names;
  rocksdb::Status s =
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
  if (!s.ok()) return s.ToString();
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) {
    rocksdb::ColumnFamilyOptions options;
    if (name == "summary") {
      options.merge_operator = std::make_shared<TestInt64Add>();
    }
    families.push_back({name, options});
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &raw);
  if (!s.ok()) return s.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name;
  for (size_t i = 0; i < names.size(); ++i) by_name[names[i]] = handles[i];
  s = fn(db.get(), by_name);
  for (rocksdb::ColumnFamilyHandle* h : handles)
    db->DestroyColumnFamilyHandle(h);
  rocksdb::Status closed = db->Close();
  if (!s.ok()) return s.ToString();
  return closed.ok() ? "" : closed.ToString();
}

// The same with the default ("state") family only: fn(db, handle).
template <typename Fn>
std::string WithRawDb(const std::string& path, Fn fn) {
  return WithRawDbFamilies(
      path, [&](rocksdb::DB* db,
                std::map<std::string, rocksdb::ColumnFamilyHandle*>& cfs) {
        return fn(db, cfs[rocksdb::kDefaultColumnFamilyName]);
      });
}

// Makes a closed database look as format 2 left it without its dashboard
// counters: every summary entry deleted, meta/format_version "2".
inline std::string DropCountersAsFormat2(const std::string& path) {
  return WithRawDbFamilies(
      path, [&](rocksdb::DB* db,
                std::map<std::string, rocksdb::ColumnFamilyHandle*>& cfs) {
        rocksdb::WriteBatch batch;
        std::unique_ptr<rocksdb::Iterator> it(
            db->NewIterator(rocksdb::ReadOptions(), cfs["summary"]));
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
          batch.Delete(cfs["summary"], it->key());
        }
        batch.Put(cfs[rocksdb::kDefaultColumnFamilyName], "meta/format_version",
                  "2");
        rocksdb::WriteOptions sync;
        sync.sync = true;
        return db->Write(sync, &batch);
      });
}

// Overwrites meta/format_version (storage/keys.h) of a closed database.
inline std::string WriteFormatVersion(const std::string& path,
                                      const std::string& version) {
  return WithRawDb(path, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    return db->Put(sync, cf, "meta/format_version", version);
  });
}

inline std::string ReadFormatVersion(const std::string& path) {
  std::string value;
  std::string error = WithRawDb(path, [&](rocksdb::DB* db,
                                          rocksdb::ColumnFamilyHandle* cf) {
    return db->Get(rocksdb::ReadOptions(), cf, "meta/format_version", &value);
  });
  return error.empty() ? value : "error: " + error;
}

// Reads and overwrites one record of the state family (storage/keys.h) of
// a closed database: for tests of what evald does with a damaged record.
inline std::string ReadRecord(const std::string& path, const std::string& key,
                              std::string* value) {
  return WithRawDb(path, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    return db->Get(rocksdb::ReadOptions(), cf, key, value);
  });
}

inline std::string WriteRecord(const std::string& path, const std::string& key,
                               const std::string& value) {
  return WithRawDb(path, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    return db->Put(sync, cf, key, value);
  });
}

}  // namespace evald::testing

#endif  // EVALD_TESTS_RAW_DB_H_
