// evald's durable state: the only code that knows RocksDB.
//
// A Store holds projects, evaluations, disbursements (tranches), request-id
// records, the append-only audit log, secondary indexes and summary counters
// in one RocksDB database (key layout: storage/keys.h, docs/storage.md).
//
// Writes: Commit() applies one WriteSet -- new records, the index entries and
// counters they imply, audit events and the request record -- as a single
// WriteBatch with a synced WAL. When Commit returns OK the change is on disk;
// when it fails nothing of it is visible.
//
// Concurrency: a Store is safe to use from many threads. Commit() derives
// index and counter changes from the previous records the WriteSet carries,
// so callers must read those records and commit under one lock that
// serialises the commands of a project (the server holds a per-project lock
// across read -> decide -> commit). Reads take no locks.

#ifndef EVALD_STORAGE_STORE_H_
#define EVALD_STORAGE_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "evaluation/v1/evaluation.pb.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "storage/feed.h"
#include "storage/records.pb.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
}  // namespace rocksdb

namespace evald::storage {

namespace v1 = ::evaluation::v1;

// The on-disk format this build writes and reads. A database of another
// format is refused at Open: a newer one needs a newer evald; format 1 (the
// audit events of evald 0.1 were prose, which cannot be replayed) is
// refused with what to do (docs/storage.md). Format 2 differs only in its
// dashboard counters: a read-write Open rebuilds them from the records and
// writes format 3; a read-only Open reads it as it is.
inline constexpr int kFormatVersion = 3;

// How opening treats damage in the write-ahead log.
enum class WalRecovery {
  // A torn last record (a crash mid-write: never acknowledged) is dropped;
  // any other damage refuses the open, naming it.
  kStrict,
  // Recovers everything before the first damaged record, drops the rest
  // (evalutl salvage, on a copy).
  kUpToTheDamage,
  // Skips damaged records and recovers the rest (evalutl salvage reads the
  // original this way, read-only, to learn what the copy lost).
  kSkipTheDamage,
};

struct StoreOptions {
  std::string path;
  // Block cache for reads; the benchmarks' memory figure depends on it.
  size_t block_cache_bytes = 64 << 20;
  // Memory for the latest writes (memtables) of all column families
  // together; the fullest is flushed when they exceed it. Without a cap
  // each family may hold up to twice 64 MiB.
  size_t memtable_bytes = 96 << 20;
  // Tests may turn fsync off to run faster; production never does.
  bool sync_writes = true;
  // Commit() reads every record it replaces and refuses (Internal, nothing
  // written) when it is not the WriteSet's `previous`. Costs a read per
  // record: on in the tests, off in production, where the per-project lock
  // is what keeps `previous` exact.
  bool verify_previous = false;
  // Opens without writing anything (evalutl); Commit() is refused.
  bool read_only = false;
  WalRecovery wal_recovery = WalRecovery::kStrict;
  // Tests only: the RocksDB environment to run on (one that injects disk
  // faults); the default one when null. Must outlive the store.
  rocksdb::Env* env_for_test = nullptr;
  // Free space on the data directory's filesystem below which the store
  // stops writing (docs/operations.md, "A full disk"): Open refuses, and
  // Commit answers Unavailable without touching the disk until space is
  // freed. It must hold a memtable flush (memtable_bytes).
  uint64_t disk_reserve_bytes = uint64_t{256} << 20;
};

// Where storage errors keep their detail (RocksDB's message, file paths):
// a Status payload under this URL, for the server's log, never for a
// reply.
inline constexpr char kStorageDetailUrl[] = "type.evald/storage.detail";

// The detail of a storage error, or "".
std::string StorageDetail(const absl::Status& status);

// A record to write, with the record it replaces as the command read it
// (absent: it is new). Commit() moves index entries and counters from what
// `previous` implies to what `record` implies.
template <typename Record>
struct Put {
  Record record;
  std::optional<Record> previous;
};

// One atomic change.
struct WriteSet {
  std::vector<Put<v1::Project>> projects;
  std::vector<Put<v1::Evaluation>> evaluations;
  std::vector<Put<v1::Disbursement>> disbursements;
  // Sequence numbers and chain hashes must already be assigned.
  std::vector<v1::AuditEvent> events;
  std::vector<PrincipalRecord> principals;
  std::vector<v1::Organisation> organisations;
  // Tranches announced overdue (AnnounceOverdue): the tranche's name and
  // the due date it was announced for.
  struct OverdueMark {
    std::string tranche;
    std::string due_date;
  };
  std::vector<OverdueMark> overdue_marks;
  // Stored under (principal, request_id) when set.
  std::optional<RequestRecord> request;
  std::string request_principal;
  std::string request_id;
};

// A page of a list: the items and the token to continue from ("" at end).
// The items are a RepeatedPtrField so that a reply can take them over with
// Swap instead of copying or moving each message.
template <typename T>
struct Page {
  google::protobuf::RepeatedPtrField<T> items;
  std::string next_page_token;
};

struct EvaluationFilter {
  std::string project_id;
  std::string township;
  int year = 0;
  v1::Phase phase = v1::PHASE_UNSPECIFIED;
  v1::EvaluationState state = v1::EVALUATION_STATE_UNSPECIFIED;
};

struct DisbursementFilter {
  std::string project_id;
  std::string township;
  v1::DisbursementState state = v1::DISBURSEMENT_STATE_UNSPECIFIED;
};

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
class Store {
 public:
  // Opens (creating if absent) the database at options.path. Upgrades a
  // format-2 database (above); refuses any other format version that is
  // not kFormatVersion (FailedPrecondition naming both versions), and a data
  // directory whose disk has less free space than options.disk_reserve_bytes
  // (Unavailable, nothing changed).
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const StoreOptions& options);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  absl::Status Commit(const WriteSet& writes);

  // Whether Commit would try to write now (false while writes are stopped
  // for a full or failing disk).
  bool WritesAvailable() const { return !writes_stopped_.load(); }

  // Whether writes stopped for a failure that only opening the database
  // again clears (see the class comment).
  bool NeedsReopen() const { return needs_reopen_.load(); }

  // Whether the data disk has room to open the database again: at least
  // the reserve and at least 8 MiB (recovery writes a new log and may
  // flush a memtable).
  bool DiskHasRoom() const;

  // RocksDB's own gauges over every column family, for /metrics:
  // "live_sst_bytes", "pending_compaction_bytes", "memtable_bytes",
  // "block_cache_bytes". A property RocksDB cannot give is left out.
  std::map<std::string, uint64_t> EngineGauges() const;

  // RocksDB's statistics since the store opened, for /metrics: block cache
  // hits and misses (their ratio is the hit ratio), and the write-ahead
  // log's syncs -- how many, their total time and the median and 99th
  // percentile of one.
  struct EngineStatistics {
    uint64_t block_cache_hits = 0;
    uint64_t block_cache_misses = 0;
    uint64_t wal_syncs = 0;
    double wal_sync_seconds_sum = 0;
    double wal_sync_seconds_p50 = 0;
    double wal_sync_seconds_p99 = 0;
  };
  EngineStatistics Statistics() const;

  absl::StatusOr<std::optional<v1::Project>> GetProject(
      absl::string_view project_id) const;
  absl::StatusOr<std::optional<v1::Evaluation>> GetEvaluation(
      absl::string_view project_id, int year, v1::Phase phase) const;
  // Every evaluation of a project, in (year, phase) order.
  absl::StatusOr<std::vector<v1::Evaluation>> ProjectEvaluations(
      absl::string_view project_id) const;
  // Every tranche of a project, in (year, kind) order.
  absl::StatusOr<std::vector<v1::Disbursement>> ProjectDisbursements(
      absl::string_view project_id) const;
  absl::StatusOr<std::optional<RequestRecord>> GetRequest(
      absl::string_view principal, absl::string_view request_id) const;
  // The project's latest audit event, if any (the audit chain's tip).
  absl::StatusOr<std::optional<v1::AuditEvent>> LastAuditEvent(
      absl::string_view project_id) const;

  // Every principal record, in name order.
  absl::StatusOr<std::vector<PrincipalRecord>> ListPrincipals() const;

  // The due date a tranche (its resource name) was announced overdue for,
  // if it was.
  absl::StatusOr<std::optional<std::string>> GetOverdueMark(
      absl::string_view tranche) const;

  // Markers of one-time work done on the database (meta/{name}), e.g.
  // "registry_migrated": whether it was, and recording that it was.
  absl::StatusOr<bool> HasMarker(absl::string_view name) const;
  absl::Status SetMarker(absl::string_view name);

  // The registry of organisations: one by code, or all in code order.
  absl::StatusOr<std::optional<v1::Organisation>> GetOrganisation(
      absl::string_view code) const;
  absl::StatusOr<std::vector<v1::Organisation>> ListOrganisations() const;

  // Lists. `page_token` is what the previous page returned ("" to start);
  // a token that this store did not issue is InvalidArgument.
  // `visible` (may be empty) further restricts what is returned.
  absl::StatusOr<Page<v1::Project>> ListProjects(
      absl::string_view township, int page_size, absl::string_view page_token,
      const std::function<bool(const v1::Project&)>& visible = {}) const;
  absl::StatusOr<Page<v1::Evaluation>> ListEvaluations(
      const EvaluationFilter& filter, int page_size,
      absl::string_view page_token,
      const std::function<bool(const v1::Evaluation&)>& visible = {}) const;
  absl::StatusOr<Page<v1::Disbursement>> ListDisbursements(
      const DisbursementFilter& filter, int page_size,
      absl::string_view page_token,
      const std::function<bool(const v1::Disbursement&)>& visible = {}) const;
  absl::StatusOr<Page<v1::AuditEvent>> ListAudit(
      absl::string_view project_id, int page_size,
      absl::string_view page_token) const;

  // Summary counters: (township, year) -> {"state/OPEN": n, "grade/GOOD": n,
  // "score/086": n}.
  // Empty filters match everything.
  absl::StatusOr<
      std::map<std::pair<std::string, int>, std::map<std::string, int64_t>>>
  Summary(absl::string_view township, int year) const;

  // The event feed (feed.h): every audit event Commit writes gets the next
  // cursor, in the same batch. One position of it:
  struct FeedEntry {
    int64_t cursor = 0;
    // The audit event committed there; absent for a void position (a write
    // that failed, feed.h).
    std::optional<v1::AuditEvent> event;
  };
  // Up to `limit` positions after `after`, no further than FeedLatest(),
  // in cursor order. DataLoss if a stored pointer or event does not parse
  // or is missing.
  absl::StatusOr<std::vector<FeedEntry>> ReadFeed(int64_t after,
                                                  int limit) const;
  // The latest cursor readers may see (0: nothing committed yet).
  int64_t FeedLatest() const { return feed_->Watermark(); }
  // The oldest cursor retained; FeedLatest() + 1 when none is.
  absl::StatusOr<int64_t> FeedOldest() const;
  // Waits until FeedLatest() > after, `timeout` passes or
  // WakeFeedWaiters(); returns FeedLatest().
  int64_t WaitForFeed(int64_t after, absl::Duration timeout) const {
    return feed_->WaitBeyond(after, timeout);
  }
  void WakeFeedWaiters() const { feed_->Wake(); }
  // Forgets the feed positions of the events committed before `before`
  // (the audit log keeps the events): the feed's retention. The latest
  // position always stays, so that cursors are never given twice. Returns
  // how many were dropped; Unavailable while writes are stopped.
  absl::StatusOr<int64_t> TrimFeed(absl::Time before);

  // Webhook deliveries (server/webhooks.h): each endpoint's cursor (0 when
  // it has none yet), and its log, keyed by cursor. A delivery is recorded
  // with the endpoint's new cursor in one batch.
  absl::StatusOr<int64_t> GetWebhookCursor(absl::string_view endpoint) const;
  absl::Status SetWebhookCursor(absl::string_view endpoint, int64_t cursor);
  absl::Status RecordWebhookDelivery(const v1::WebhookDelivery& delivery);
  absl::StatusOr<std::vector<v1::WebhookDelivery>> ListWebhookDeliveries(
      absl::string_view endpoint, int64_t after, int limit) const;

  // Calls fn(tip) with every audit stream's latest event, in stream order,
  // until it returns false. DataLoss if one does not parse.
  absl::Status ForEachChainTip(
      const std::function<bool(const v1::AuditEvent&)>& fn) const;

  // Writes a backup of the store, as it is now, into `dir` (backup.h),
  // with its manifest, and keeps the newest `keep` backups there (0: all).
  // One at a time (a second waits). Unavailable when the backup disk
  // fails or is full; the store is not affected either way.
  absl::StatusOr<BackupManifest> Backup(const std::string& dir, int keep);

  // Compacts every column family into its last level and waits for it.
  // For tools that bulk-load a database (bench/evald_seed), so that what
  // they leave behind is settled, as a database that has been serving for
  // a while is, instead of owing minutes of background compaction.
  absl::Status CompactAll();

  // A SHA-256 over every key and value of every column family: tests use it
  // to show that a refused call changed nothing.
  absl::StatusOr<std::string> ContentDigest() const;

  // The raw value of one entry of a column family ("default", "index",
  // "audit", "summary"), if present (evalutl compares two stores with it).
  absl::StatusOr<std::optional<std::string>> GetEntry(
      absl::string_view family, absl::string_view key) const;

  // Calls fn(family, key, value) for every entry of every column family, in
  // family then key order, until it returns false (evalutl compares two
  // stores with it).
  absl::Status ForEachEntry(
      const std::function<bool(absl::string_view family, absl::string_view key,
                               absl::string_view value)>& fn) const;

  // Calls fn(event) for every audit event of every stream, stream by stream
  // and each in sequence order, until it returns false. DataLoss if a
  // stored event does not parse.
  absl::Status ForEachAuditEvent(
      const std::function<bool(const v1::AuditEvent&)>& fn) const;

  // Overwrites one raw audit value: for tests of corruption detection only.
  absl::Status CorruptAuditEventForTest(absl::string_view project_id,
                                        int64_t sequence,
                                        absl::string_view raw_value);

 private:
  struct Handles;
  Store(std::unique_ptr<rocksdb::DB> db, std::unique_ptr<Handles> handles,
        const StoreOptions& options, int64_t feed_last);

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

#endif  // EVALD_STORAGE_STORE_H_
