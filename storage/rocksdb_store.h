// The embedded store: evald's state in one RocksDB database on the local
// disk (key layout: storage/keys.h, docs/storage.md), one writer process.
//
// Writes: Commit() applies one WriteSet as a single WriteBatch with a
// synced WAL. Counters live in a merge-operator column family; the event
// feed's cursors are gap-free (feed.h).

#ifndef EVALD_STORAGE_ROCKSDB_STORE_H_
#define EVALD_STORAGE_ROCKSDB_STORE_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "storage/feed.h"
#include "storage/store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace evald::storage {

// Errors of reads and writes: Unavailable when the disk is full or fails
// (nothing was written; retry later), DataLoss when stored data is damaged,
// Internal otherwise; the message never names a file (StorageDetail has
// the rest).
//
// A full disk: free space falling below options.disk_reserve_bytes (a
// watchdog thread checks it every 500 ms) stops writes, and they resume by
// themselves once the space is back: RocksDB itself saw no error. A write
// that RocksDB fails (no space, an I/O error) also stops writes, but for
// good: the log file it was appending to is in an error state that only
// opening the database again clears (touching it, DB::Resume included,
// aborts Debian's assertion-enabled librocksdb). NeedsReopen() then turns
// true; once DiskHasRoom() evald exits for its supervisor to restart it,
// and the log replay keeps every acknowledged write. Reads go on
// throughout.
class RocksDbStore final : public Store {
 public:
  absl::string_view Kind() const override { return "rocksdb"; }
  bool SingleWriter() const override { return true; }

  // Opens (creating if absent) the database at options.path. Upgrades a
  // format-2 database (above); refuses any other format version that is
  // not kFormatVersion (FailedPrecondition naming both versions), and a data
  // directory whose disk has less free space than options.disk_reserve_bytes
  // (Unavailable, nothing changed).
  static absl::StatusOr<std::unique_ptr<RocksDbStore>> Open(
      const StoreOptions& options);

  ~RocksDbStore() override;
  RocksDbStore(const RocksDbStore&) = delete;
  RocksDbStore& operator=(const RocksDbStore&) = delete;

  absl::Status Commit(const WriteSet& writes) override;

  // Whether Commit would try to write now (false while writes are stopped
  // for a full or failing disk).
  bool WritesAvailable() const override { return !writes_stopped_.load(); }

  // Whether writes stopped for a failure that only opening the database
  // again clears (see the class comment).
  bool NeedsReopen() const override { return needs_reopen_.load(); }

  // Whether the data disk has room to open the database again: at least
  // the reserve and at least 8 MiB (recovery writes a new log and may
  // flush a memtable).
  bool DiskHasRoom() const override;

  // RocksDB's own gauges over every column family, for /metrics:
  // "live_sst_bytes", "pending_compaction_bytes", "memtable_bytes",
  // "block_cache_bytes". A property RocksDB cannot give is left out.
  std::map<std::string, uint64_t> EngineGauges() const override;

  // RocksDB's statistics since the store opened, for /metrics: block cache
  // hits and misses (their ratio is the hit ratio), and the write-ahead
  // log's syncs -- how many, their total time and the median and 99th
  // percentile of one.
  EngineStatistics Statistics() const override;

  absl::StatusOr<std::optional<v1::Project>> GetProject(
      absl::string_view project_id) const override;
  absl::StatusOr<std::optional<v1::Evaluation>> GetEvaluation(
      absl::string_view project_id, int year, v1::Phase phase) const override;
  // Every evaluation of a project, in (year, phase) order.
  absl::StatusOr<std::vector<v1::Evaluation>> ProjectEvaluations(
      absl::string_view project_id) const override;
  // Every tranche of a project, in (year, kind) order.
  absl::StatusOr<std::vector<v1::Disbursement>> ProjectDisbursements(
      absl::string_view project_id) const override;
  absl::StatusOr<std::optional<RequestRecord>> GetRequest(
      absl::string_view principal, absl::string_view request_id) const override;
  // The project's latest audit event, if any (the audit chain's tip).
  absl::StatusOr<std::optional<v1::AuditEvent>> LastAuditEvent(
      absl::string_view project_id) const override;

  // Every principal record, in name order.
  absl::StatusOr<std::vector<PrincipalRecord>> ListPrincipals() const override;

  // The due date a tranche (its resource name) was announced overdue for,
  // if it was.
  absl::StatusOr<std::optional<std::string>> GetOverdueMark(
      absl::string_view tranche) const override;

  // Markers of one-time work done on the database (meta/{name}), e.g.
  // "registry_migrated": whether it was, and recording that it was.
  absl::StatusOr<bool> HasMarker(absl::string_view name) const override;
  absl::Status SetMarker(absl::string_view name) override;

  // The registry of organisations: one by code, or all in code order.
  absl::StatusOr<std::optional<v1::Organisation>> GetOrganisation(
      absl::string_view code) const override;
  absl::StatusOr<std::vector<v1::Organisation>> ListOrganisations()
      const override;

  // Lists. `page_token` is what the previous page returned ("" to start);
  // a token that this store did not issue is InvalidArgument.
  // `visible` (may be empty) further restricts what is returned.
  absl::StatusOr<Page<v1::Project>> ListProjects(
      absl::string_view township, int page_size, absl::string_view page_token,
      const std::function<bool(const v1::Project&)>& visible = {})
      const override;
  absl::StatusOr<Page<v1::Evaluation>> ListEvaluations(
      const EvaluationFilter& filter, int page_size,
      absl::string_view page_token,
      const std::function<bool(const v1::Evaluation&)>& visible = {})
      const override;
  absl::StatusOr<Page<v1::Disbursement>> ListDisbursements(
      const DisbursementFilter& filter, int page_size,
      absl::string_view page_token,
      const std::function<bool(const v1::Disbursement&)>& visible = {})
      const override;
  absl::StatusOr<Page<v1::AuditEvent>> ListAudit(
      absl::string_view project_id, int page_size,
      absl::string_view page_token) const override;

  // Summary counters: (township, year) -> {"state/OPEN": n, "grade/GOOD": n,
  // "score/086": n}.
  // Empty filters match everything.
  absl::StatusOr<SummaryCounters> Summary(absl::string_view township,
                                          int year) const override;

  // The event feed (feed.h): every audit event Commit writes gets the next
  // cursor, gap-free, in the same batch.
  // Up to `limit` positions after `after`, no further than FeedLatest(),
  // in cursor order. DataLoss if a stored pointer or event does not parse
  // or is missing.
  absl::StatusOr<std::vector<FeedEntry>> ReadFeed(int64_t after,
                                                  int limit) const override;
  // The latest cursor readers may see (0: nothing committed yet).
  int64_t FeedLatest() const override { return feed_->Watermark(); }
  // The oldest cursor retained; FeedLatest() + 1 when none is.
  absl::StatusOr<int64_t> FeedOldest() const override;
  // Waits until FeedLatest() > after, `timeout` passes or
  // WakeFeedWaiters(); returns FeedLatest().
  int64_t WaitForFeed(int64_t after, absl::Duration timeout) const override {
    return feed_->WaitBeyond(after, timeout);
  }
  void WakeFeedWaiters() const override { feed_->Wake(); }
  // Forgets the feed positions of the events committed before `before`
  // (the audit log keeps the events): the feed's retention. The latest
  // position always stays, so that cursors are never given twice. Returns
  // how many were dropped; Unavailable while writes are stopped.
  absl::StatusOr<int64_t> TrimFeed(absl::Time before) override;

  // Webhook deliveries (server/webhooks.h): each endpoint's cursor (0 when
  // it has none yet), and its log, keyed by cursor. A delivery is recorded
  // with the endpoint's new cursor in one batch.
  absl::StatusOr<int64_t> GetWebhookCursor(
      absl::string_view endpoint) const override;
  absl::Status SetWebhookCursor(absl::string_view endpoint,
                                int64_t cursor) override;
  absl::Status RecordWebhookDelivery(
      const v1::WebhookDelivery& delivery) override;
  absl::StatusOr<std::vector<v1::WebhookDelivery>> ListWebhookDeliveries(
      absl::string_view endpoint, int64_t after, int limit) const override;

  // Calls fn(tip) with every audit stream's latest event, in stream order,
  // until it returns false. DataLoss if one does not parse.
  absl::Status ForEachChainTip(
      const std::function<bool(const v1::AuditEvent&)>& fn) const override;

  // Writes a backup of the store, as it is now, into `dir` (backup.h),
  // with its manifest, and keeps the newest `keep` backups there (0: all).
  // One at a time (a second waits). Unavailable when the backup disk
  // fails or is full; the store is not affected either way.
  absl::StatusOr<BackupManifest> Backup(const std::string& dir,
                                        int keep) override;

  // Compacts every column family into its last level and waits for it.
  // For tools that bulk-load a database (bench/evald_seed), so that what
  // they leave behind is settled, as a database that has been serving for
  // a while is, instead of owing minutes of background compaction.
  absl::Status CompactAll();

  // A SHA-256 over every key and value of every column family: tests use it
  // to show that a refused call changed nothing.
  absl::StatusOr<std::string> ContentDigest() const override;

  // The raw value of one entry of a column family ("default", "index",
  // "audit", "summary"), if present (evalutl compares two stores with it).
  absl::StatusOr<std::optional<std::string>> GetEntry(
      absl::string_view family, absl::string_view key) const override;

  // Calls fn(family, key, value) for every entry of every column family, in
  // family then key order, until it returns false (evalutl compares two
  // stores with it).
  absl::Status ForEachEntry(
      const std::function<bool(absl::string_view family, absl::string_view key,
                               absl::string_view value)>& fn) const override;

  // Calls fn(event) for every audit event of every stream, stream by stream
  // and each in sequence order, until it returns false. DataLoss if a
  // stored event does not parse.
  absl::Status ForEachAuditEvent(
      const std::function<bool(const v1::AuditEvent&)>& fn) const override;

  // Overwrites one raw audit value: for tests of corruption detection only.
  absl::Status CorruptAuditEventForTest(absl::string_view project_id,
                                        int64_t sequence,
                                        absl::string_view raw_value);

 private:
  struct Handles;
  RocksDbStore(std::unique_ptr<rocksdb::DB> db,
               std::unique_ptr<Handles> handles, const StoreOptions& options,
               int64_t feed_last);

  // At open: the highest cursor stored. Read-write, it first writes a void
  // pointer at each hole in the feed's tail (feed.h). store_feed.cc.
  static absl::StatusOr<int64_t> OpenFeed(rocksdb::DB* db,
                                          rocksdb::ColumnFamilyHandle* state,
                                          bool read_only);

  // Internal unless every Put's previous is what is stored.
  absl::Status VerifyPrevious(const WriteSet& writes) const;

  // Puts one entry of operational bookkeeping (webhook cursors, markers)
  // in the state family; refused while read-only or writes are stopped.
  absl::Status PutBookkeeping(const std::string& key, const std::string& value,
                              absl::string_view what);

  // Stops writes after `failure` (a disk error) or a lack of space.
  void StopWrites(const absl::Status& failure);
  // The watchdog thread's loop (see the class comment).
  void WatchDisk();

  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<Handles> handles_;
  std::string path_;
  bool sync_writes_;
  bool verify_previous_;
  bool read_only_;
  uint64_t disk_reserve_bytes_;
  std::atomic<bool> writes_stopped_{false};
  std::atomic<bool> needs_reopen_{false};
  std::unique_ptr<FeedSequencer> feed_;
  absl::Mutex backup_mu_;
  absl::Notification closing_;
  std::thread watchdog_;
};

}  // namespace evald::storage

#endif  // EVALD_STORAGE_ROCKSDB_STORE_H_
