// evald's durable state, behind one interface with two implementations:
// RocksDbStore (storage/rocksdb_store.h: embedded, one process, the
// default) and EtcdStore (storage/etcd_store.h: a 3-member etcd cluster,
// any number of evald replicas). The engine and everything above it sees
// only Store.
//
// A Store holds projects, evaluations, disbursements (tranches), request-id
// records, the append-only audit log, secondary indexes and the summary
// (key layout: storage/keys.h, docs/storage.md).
//
// Writes: Commit() applies one WriteSet -- new records, the index entries
// and counters they imply, audit events and the request record -- as one
// atomic write. When Commit returns OK the change is durable; when it fails
// nothing of it is visible.
//
// Concurrency: a Store is safe to use from many threads. Commit() derives
// index and counter changes from the previous records the WriteSet carries.
// With a single writer (SingleWriter() true) the caller must read those
// records and commit under one lock that serialises the commands of a
// project (the server holds a per-project lock across read -> decide ->
// commit). With several writers (etcd) Commit itself refuses, with
// Aborted and nothing written, a WriteSet whose `previous` records, chain
// tip or request record another writer changed since they were read; the
// caller decides again from fresh reads. Reads take no locks.

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
#include "storage/record_reader.h"
#include "storage/records.pb.h"

namespace rocksdb {
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
  // The revision the command read at (RecordReader::Revision()); 0: not
  // known. With it, an etcd Commit compares every record it writes on "not
  // changed since that revision" instead of on the bytes of `previous`.
  int64_t read_revision = 0;
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

// Errors of reads and writes: Unavailable when the store cannot be reached
// or its disk is full or fails (nothing was written; retry later), Aborted
// when another writer changed what a Commit was decided on, DataLoss when
// stored data is damaged, Internal otherwise; the message never names a
// file or host (StorageDetail has the rest).
class Store : public RecordReader {
 public:
  // Opens the embedded RocksDB store (rocksdb_store.h).
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const StoreOptions& options);

  virtual ~Store() = default;

  // Which implementation this is: "rocksdb" or "etcd".
  virtual absl::string_view Kind() const = 0;

  // Whether this process is the store's only writer. Only then may a caller
  // keep what it read (project records, chain tips) in memory between
  // commands, and rely on its own locks to keep a WriteSet's `previous`
  // exact.
  virtual bool SingleWriter() const = 0;

  virtual absl::Status Commit(const WriteSet& writes) = 0;

  // Whether Commit would try to write now (false while writes are stopped
  // for a full or failing disk, or the store is unreachable).
  virtual bool WritesAvailable() const = 0;

  // Whether writes stopped for a failure that only opening the store again
  // clears (RocksDB's failed log file); the server then exits for its
  // supervisor to restart it once DiskHasRoom().
  virtual bool NeedsReopen() const { return false; }
  virtual bool DiskHasRoom() const { return true; }

  // The engine's own gauges for /metrics (rocksdb_store.h names them);
  // empty where the engine has none to give.
  virtual std::map<std::string, uint64_t> EngineGauges() const { return {}; }
  struct EngineStatistics {
    uint64_t block_cache_hits = 0;
    uint64_t block_cache_misses = 0;
    uint64_t wal_syncs = 0;
    double wal_sync_seconds_sum = 0;
    double wal_sync_seconds_p50 = 0;
    double wal_sync_seconds_p99 = 0;
  };
  virtual EngineStatistics Statistics() const { return {}; }

  // Markers of one-time work done on the database (meta/{name}), e.g.
  // "registry_migrated": whether it was, and recording that it was.
  virtual absl::StatusOr<bool> HasMarker(absl::string_view name) const = 0;
  virtual absl::Status SetMarker(absl::string_view name) = 0;

  // The reads of one command (`plan`), at one moment of the store.
  // RocksDB: the store itself (its caller's locks keep it still). etcd:
  // one linearizable round fetches what the plan names; anything else the
  // command reads comes from the same revision, which the returned
  // reader's Revision() names for Commit's compares. Unavailable as the
  // store's reads are.
  virtual absl::StatusOr<std::shared_ptr<const RecordReader>> CommandReads(
      const ReadPlan& plan) const;

  // Lists. `page_token` is what the previous page returned ("" to start);
  // a token that this store did not issue is InvalidArgument.
  // `visible` (may be empty) further restricts what is returned.
  virtual absl::StatusOr<Page<v1::Project>> ListProjects(
      absl::string_view township, int page_size, absl::string_view page_token,
      const std::function<bool(const v1::Project&)>& visible = {}) const = 0;
  virtual absl::StatusOr<Page<v1::Evaluation>> ListEvaluations(
      const EvaluationFilter& filter, int page_size,
      absl::string_view page_token,
      const std::function<bool(const v1::Evaluation&)>& visible = {}) const = 0;
  virtual absl::StatusOr<Page<v1::Disbursement>> ListDisbursements(
      const DisbursementFilter& filter, int page_size,
      absl::string_view page_token,
      const std::function<bool(const v1::Disbursement&)>& visible = {})
      const = 0;
  virtual absl::StatusOr<Page<v1::AuditEvent>> ListAudit(
      absl::string_view project_id, int page_size,
      absl::string_view page_token) const = 0;

  // Summary counters: (township, year) -> {"state/OPEN": n, "grade/GOOD": n,
  // "score/086": n} (storage/counters.h). Empty filters match everything.
  using SummaryCounters =
      std::map<std::pair<std::string, int>, std::map<std::string, int64_t>>;
  virtual absl::StatusOr<SummaryCounters> Summary(absl::string_view township,
                                                  int year) const = 0;

  // The event feed: every audit event Commit writes gets a cursor, in the
  // same atomic write; cursors only grow, in commit order. On RocksDB they
  // are gap-free (feed.h); on etcd they derive from etcd's revision and may
  // skip numbers. One position of it:
  struct FeedEntry {
    int64_t cursor = 0;
    // The audit event committed there; absent for a void position (a write
    // that failed, feed.h).
    std::optional<v1::AuditEvent> event;
  };
  // Up to `limit` positions after `after`, no further than FeedLatest(),
  // in cursor order. DataLoss if a stored pointer or event does not parse
  // or is missing.
  virtual absl::StatusOr<std::vector<FeedEntry>> ReadFeed(int64_t after,
                                                          int limit) const = 0;
  // The latest cursor readers may see (0: nothing committed yet).
  virtual int64_t FeedLatest() const = 0;
  // The oldest cursor retained; FeedLatest() + 1 when none is.
  virtual absl::StatusOr<int64_t> FeedOldest() const = 0;
  // Waits until FeedLatest() > after, `timeout` passes or
  // WakeFeedWaiters(); returns FeedLatest().
  virtual int64_t WaitForFeed(int64_t after, absl::Duration timeout) const = 0;
  virtual void WakeFeedWaiters() const = 0;
  // Forgets the feed positions of the events committed before `before`
  // (the audit log keeps the events): the feed's retention. Returns how
  // many were dropped; Unavailable while writes are stopped.
  virtual absl::StatusOr<int64_t> TrimFeed(absl::Time before) = 0;

  // Webhook deliveries (server/webhooks.h): each endpoint's cursor (0 when
  // it has none yet), and its log, keyed by cursor. A delivery is recorded
  // with the endpoint's new cursor in one write.
  virtual absl::StatusOr<int64_t> GetWebhookCursor(
      absl::string_view endpoint) const = 0;
  virtual absl::Status SetWebhookCursor(absl::string_view endpoint,
                                        int64_t cursor) = 0;
  virtual absl::Status RecordWebhookDelivery(
      const v1::WebhookDelivery& delivery) = 0;
  virtual absl::StatusOr<std::vector<v1::WebhookDelivery>>
  ListWebhookDeliveries(absl::string_view endpoint, int64_t after,
                        int limit) const = 0;

  // Calls fn(tip) with every audit stream's latest event, in stream order,
  // until it returns false. DataLoss if one does not parse.
  virtual absl::Status ForEachChainTip(
      const std::function<bool(const v1::AuditEvent&)>& fn) const = 0;

  // Calls fn(event) for every audit event of every stream, stream by stream
  // and each in sequence order, until it returns false. DataLoss if a
  // stored event does not parse.
  virtual absl::Status ForEachAuditEvent(
      const std::function<bool(const v1::AuditEvent&)>& fn) const = 0;

  // A SHA-256 over every key and value the store holds: tests use it to
  // show that a refused call changed nothing.
  virtual absl::StatusOr<std::string> ContentDigest() const = 0;

  // The raw value of one entry of a family ("default", "index", "audit",
  // "summary"), if present (evalutl compares two stores with it).
  virtual absl::StatusOr<std::optional<std::string>> GetEntry(
      absl::string_view family, absl::string_view key) const = 0;

  // Calls fn(family, key, value) for every entry of every family, in family
  // then key order, until it returns false (evalutl compares and copies
  // stores with it).
  virtual absl::Status ForEachEntry(
      const std::function<bool(absl::string_view family, absl::string_view key,
                               absl::string_view value)>& fn) const = 0;

  // An online backup into `dir` on the server's host (backup.h), keeping
  // the newest `keep` (0: all). Unimplemented where the engine has its own
  // (etcd: `etcdctl snapshot save`, docs/deployment.md).
  virtual absl::StatusOr<BackupManifest> Backup(const std::string& dir,
                                                int keep);
};

}  // namespace evald::storage

#endif  // EVALD_STORAGE_STORE_H_
