// Store's event feed (store.h, feed.h): reading, retention, and the holes
// a failed write leaves.

#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "storage/store.h"
#include "storage/store_internal.h"

namespace evald::storage {
namespace {

// How far back from the feed's end Open looks for holes: more than the
// writes that can be in flight at once.
constexpr int kTailToCheck = 4096;

const rocksdb::Slice kPrefix(keys::kFeedPrefix.data(),
                             keys::kFeedPrefix.size());

absl::StatusOr<int64_t> CursorOf(const rocksdb::Slice& key) {
  int64_t cursor = 0;
  const absl::string_view digits(key.data() + keys::kFeedPrefix.size(),
                                 key.size() - keys::kFeedPrefix.size());
  if (!absl::SimpleAtoi(digits, &cursor)) {
    return absl::DataLossError(
        absl::StrCat("storage: feed key ", key.ToString(), " is damaged"));
  }
  return cursor;
}

}  // namespace

absl::StatusOr<int64_t> RocksDbStore::OpenFeed(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* state, bool read_only) {
  rocksdb::ReadOptions ro;
  const std::string upper = keys::PrefixEnd(keys::kFeedPrefix);
  const rocksdb::Slice bound(upper);
  ro.iterate_upper_bound = &bound;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, state));
  it->SeekForPrev(upper);
  std::set<int64_t> seen;
  int64_t last = 0;
  for (int n = 0;
       it->Valid() && it->key().starts_with(kPrefix) && n < kTailToCheck;
       it->Prev(), ++n) {
    absl::StatusOr<int64_t> cursor = CursorOf(it->key());
    if (!cursor.ok()) return cursor.status();
    if (last == 0) last = *cursor;
    seen.insert(*cursor);
  }
  if (!it->status().ok()) return internal::FromRocks(it->status(), "feed");
  if (read_only || seen.empty()) return last;
  rocksdb::WriteBatch holes;
  FeedPointer hole;
  hole.set_hole(true);
  const std::string value = hole.SerializeAsString();
  for (int64_t c = *seen.begin(); c < last; ++c) {
    if (!seen.count(c)) holes.Put(state, keys::Feed(c), value);
  }
  if (holes.Count() > 0) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    if (rocksdb::Status s = db->Write(sync, &holes); !s.ok()) {
      return internal::FromRocks(s, "feed holes");
    }
    std::fprintf(stderr,
                 "storage: %d feed positions below cursor %lld held no event "
                 "(writes that failed); marked as holes\n",
                 holes.Count(), static_cast<long long>(last));
  }
  return last;
}

absl::StatusOr<std::vector<RocksDbStore::FeedEntry>> RocksDbStore::ReadFeed(
    int64_t after, int limit) const {
  const int64_t latest = FeedLatest();
  std::vector<FeedEntry> out;
  if (after >= latest || limit <= 0) return out;
  rocksdb::ReadOptions ro;
  // No further than the watermark: a later position may be written while
  // an earlier one is still in flight.
  const std::string upper = keys::Feed(latest + 1);
  const rocksdb::Slice bound(upper);
  ro.iterate_upper_bound = &bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_->state));
  for (it->Seek(keys::Feed(after + 1));
       it->Valid() && static_cast<int>(out.size()) < limit; it->Next()) {
    absl::StatusOr<int64_t> cursor = CursorOf(it->key());
    if (!cursor.ok()) return cursor.status();
    FeedPointer pointer;
    if (!pointer.ParseFromArray(it->value().data(),
                                static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat(
          "storage: the feed pointer at cursor ", *cursor, " does not parse"));
    }
    FeedEntry entry;
    entry.cursor = *cursor;
    if (!pointer.hole()) {
      std::string raw;
      rocksdb::Status s =
          db_->Get(rocksdb::ReadOptions(), handles_->audit,
                   keys::Audit(pointer.stream(), pointer.sequence()), &raw);
      if (s.IsNotFound()) {
        return absl::DataLossError(
            absl::StrCat("storage: the feed names audit event ",
                         pointer.stream(), "/", pointer.sequence(),
                         " at cursor ", *cursor, ", which is not stored"));
      }
      if (!s.ok()) return internal::FromRocks(s, "feed event");
      v1::AuditEvent event;
      if (!event.ParseFromString(raw)) {
        return absl::DataLossError(
            absl::StrCat("storage: audit event ", pointer.stream(), "/",
                         pointer.sequence(), " does not parse"));
      }
      entry.event = std::move(event);
    }
    out.push_back(std::move(entry));
  }
  if (!it->status().ok()) return internal::FromRocks(it->status(), "feed");
  return out;
}

absl::StatusOr<int64_t> RocksDbStore::FeedOldest() const {
  rocksdb::ReadOptions ro;
  const std::string upper = keys::PrefixEnd(keys::kFeedPrefix);
  const rocksdb::Slice bound(upper);
  ro.iterate_upper_bound = &bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_->state));
  it->Seek(kPrefix);
  if (!it->status().ok()) return internal::FromRocks(it->status(), "feed");
  if (!it->Valid()) return FeedLatest() + 1;
  return CursorOf(it->key());
}

absl::StatusOr<int64_t> RocksDbStore::TrimFeed(absl::Time before) {
  if (read_only_) {
    return absl::FailedPreconditionError("storage: opened read-only");
  }
  if (writes_stopped_.load()) {
    return absl::UnavailableError("storage: writes are stopped");
  }
  const std::string cutoff =
      absl::FormatTime(absl::RFC3339_full, before, absl::UTCTimeZone());
  rocksdb::ReadOptions ro;
  // The latest position always stays, however old: it is where the
  // cursors go on from when the store is opened again (OpenFeed), so that
  // a cursor is never given twice.
  const std::string upper = keys::Feed(FeedLatest());
  const rocksdb::Slice bound(upper);
  ro.iterate_upper_bound = &bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_->state));
  std::string first, end;
  int64_t dropped = 0;
  for (it->Seek(kPrefix); it->Valid(); it->Next()) {
    FeedPointer pointer;
    if (!pointer.ParseFromArray(it->value().data(),
                                static_cast<int>(it->value().size()))) {
      return absl::DataLossError("storage: a feed pointer does not parse");
    }
    // RFC 3339 times in UTC with the same layout order as text.
    if (!pointer.hole() && pointer.time() >= cutoff) break;
    if (first.empty()) first = it->key().ToString();
    end = it->key().ToString();
    ++dropped;
  }
  if (!it->status().ok()) return internal::FromRocks(it->status(), "feed");
  if (dropped == 0) return 0;
  rocksdb::WriteOptions options;
  options.sync = sync_writes_;
  rocksdb::Status s =
      db_->DeleteRange(options, handles_->state, first, keys::PrefixEnd(end));
  if (!s.ok()) return internal::FromRocks(s, "feed retention");
  return dropped;
}

}  // namespace evald::storage
