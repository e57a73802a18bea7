// Store's operational bookkeeping (store.h): the webhooks' delivery state
// (server/webhooks.h) and markers of one-time work -- not business
// records, so no audit event goes with them.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "storage/store.h"
#include "storage/store_internal.h"

namespace evald::storage {
namespace {

std::string CursorKey(absl::string_view endpoint) {
  return absl::StrCat("webhook-cursor/", endpoint);
}
std::string LogPrefix(absl::string_view endpoint) {
  return absl::StrCat("webhook-log/", endpoint, "/");
}
std::string LogKey(absl::string_view endpoint, int64_t cursor) {
  return absl::StrCat(LogPrefix(endpoint), absl::StrFormat("%020d", cursor));
}

}  // namespace

absl::StatusOr<int64_t> RocksDbStore::GetWebhookCursor(
    absl::string_view endpoint) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_->state,
                               CursorKey(endpoint), &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return internal::FromRocks(s, "webhook cursor");
  int64_t cursor = 0;
  if (!absl::SimpleAtoi(value, &cursor)) {
    return absl::DataLossError(absl::StrCat("storage: the webhook cursor of ",
                                            endpoint, " is not a number"));
  }
  return cursor;
}

absl::Status RocksDbStore::SetWebhookCursor(absl::string_view endpoint,
                                            int64_t cursor) {
  return PutBookkeeping(CursorKey(endpoint), absl::StrCat(cursor),
                        "webhook cursor");
}

absl::Status RocksDbStore::PutBookkeeping(const std::string& key,
                                          const std::string& value,
                                          absl::string_view what) {
  if (read_only_) return absl::FailedPreconditionError("storage: read-only");
  if (writes_stopped_.load()) {
    return absl::UnavailableError("the data disk is full; retry later");
  }
  rocksdb::WriteOptions options;
  options.sync = sync_writes_;
  return internal::FromRocks(db_->Put(options, handles_->state, key, value),
                             what);
}

absl::Status RocksDbStore::RecordWebhookDelivery(const v1::WebhookDelivery& d) {
  if (read_only_) return absl::FailedPreconditionError("storage: read-only");
  if (writes_stopped_.load()) {
    return absl::UnavailableError("the data disk is full; retry later");
  }
  rocksdb::WriteBatch batch;
  batch.Put(handles_->state, LogKey(d.endpoint(), d.cursor()),
            d.SerializeAsString());
  batch.Put(handles_->state, CursorKey(d.endpoint()), absl::StrCat(d.cursor()));
  rocksdb::WriteOptions options;
  options.sync = sync_writes_;
  return internal::FromRocks(db_->Write(options, &batch), "webhook delivery");
}

absl::StatusOr<std::vector<v1::WebhookDelivery>>
RocksDbStore::ListWebhookDeliveries(absl::string_view endpoint, int64_t after,
                                    int limit) const {
  const std::string prefix = LogPrefix(endpoint);
  const std::string upper = keys::PrefixEnd(prefix);
  rocksdb::ReadOptions ro;
  const rocksdb::Slice bound(upper);
  ro.iterate_upper_bound = &bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_->state));
  std::vector<v1::WebhookDelivery> out;
  for (it->Seek(LogKey(endpoint, after + 1));
       it->Valid() && static_cast<int>(out.size()) < limit; it->Next()) {
    v1::WebhookDelivery d;
    if (!d.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError("storage: a webhook delivery does not parse");
    }
    out.push_back(std::move(d));
  }
  if (!it->status().ok()) return internal::FromRocks(it->status(), "webhooks");
  return out;
}

absl::StatusOr<bool> RocksDbStore::HasMarker(absl::string_view name) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_->state,
                               absl::StrCat("meta/", name), &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return internal::FromRocks(s, "marker");
  return true;
}

absl::Status RocksDbStore::SetMarker(absl::string_view name) {
  return PutBookkeeping(absl::StrCat("meta/", name), "1", "marker");
}

}  // namespace evald::storage
