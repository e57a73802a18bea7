#include "storage/rocksdb_store.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/sha256.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/options.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage/counters.h"
#include "storage/keys.h"
#include "storage/stderr_logger.h"
#include "storage/store.h"
#include "storage/store_internal.h"

namespace evald::storage {

using internal::FromRocks;
namespace {

constexpr char kIndexFamily[] = "index";
constexpr char kAuditFamily[] = "audit";
constexpr char kSummaryFamily[] = "summary";

constexpr char kDiskFull[] =
    "the data disk is full; nothing was written; retry later";
constexpr char kDiskFailed[] =
    "the data disk could not be read or written; nothing was written; retry "
    "later";

bool DiskTrouble(const rocksdb::Status& s) {
  return s.IsNoSpace() || s.IsIOError() || s.IsBusy() || s.IsTimedOut() ||
         s.IsTryAgain() || s.IsAborted();
}

// Free bytes of the filesystem that holds `path`, or nullopt.
std::optional<uint64_t> FreeBytes(const std::string& path) {
  struct statvfs fs;
  if (statvfs(path.c_str(), &fs) != 0) return std::nullopt;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

std::string EncodeCount(int64_t n) {
  std::string out(sizeof(n), '\0');
  std::memcpy(out.data(), &n, sizeof(n));
  return out;
}

int64_t DecodeCount(const rocksdb::Slice& s) {
  int64_t n = 0;
  if (s.size() == sizeof(n)) std::memcpy(&n, s.data(), sizeof(n));
  return n;
}

// Summary counters are updated by +1/-1 merges, so concurrent commits on
// different projects of one township never contend for a lock.
class Int64AddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger*) const override {
    const int64_t base = existing ? DecodeCount(*existing) : 0;
    *new_value = EncodeCount(base + DecodeCount(value));
    return true;
  }
  const char* Name() const override { return "evald.Int64Add"; }
};

template <typename Message>
absl::StatusOr<std::optional<Message>> ReadRecord(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const std::string& key) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), cf, key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, absl::StrCat("read ", key));
  Message m;
  if (!m.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("storage: record ", key, " does not parse"));
  }
  return m;
}

// Secondary keys an evaluation implies.
std::vector<std::string> IndexKeys(const v1::Evaluation& e) {
  return {keys::EvaluationByState(e),
          absl::StrCat("et/", e.township(), "/", e.project_id(), "/",
                       keys::Evaluation("", e.year(), e.phase()).substr(6))};
}

std::vector<std::string> IndexKeys(const v1::Disbursement& d) {
  return {keys::DisbursementByState(d),
          absl::StrCat("dt/", d.township(), "/",
                       keys::Tranche("", d.year(), d.kind()).substr(9), "/",
                       d.project_id())};
}

std::vector<std::string> IndexKeys(const v1::Project& p) {
  return {keys::ProjectByTownship(p.township(), p.project_id())};
}

std::string EncodeToken(absl::string_view key) {
  return absl::BytesToHexString(key);
}

absl::StatusOr<std::string> DecodeToken(absl::string_view token,
                                        absl::string_view scan_prefix) {
  if (token.empty()) return std::string();
  std::string key = absl::HexStringToBytes(token);
  if (absl::BytesToHexString(key) != absl::AsciiStrToLower(token) ||
      !absl::StartsWith(key, scan_prefix)) {
    return absl::InvalidArgumentError(
        "page_token: not a token of this list (start again without one)");
  }
  return key;
}

int ClampPageSize(int page_size) {
  if (page_size <= 0) return 100;
  return page_size > 1000 ? 1000 : page_size;
}

}  // namespace

namespace internal {

// The status for callers; RocksDB's own words (which name files) go into
// the payload only.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  absl::Status out;
  if (s.IsNoSpace()) {
    out = absl::UnavailableError(kDiskFull);
  } else if (DiskTrouble(s)) {
    out = absl::UnavailableError(kDiskFailed);
  } else if (s.IsCorruption()) {
    out = absl::DataLossError(
        "stored data is damaged (the storage engine reports corruption); "
        "nothing was written; restore from a backup (docs/operations.md)");
  } else {
    out = absl::InternalError(absl::StrCat("storage: ", what, " failed"));
  }
  out.SetPayload(kStorageDetailUrl,
                 absl::Cord(absl::StrCat(what, ": ", s.ToString())));
  return out;
}

}  // namespace internal

std::string StorageDetail(const absl::Status& status) {
  absl::optional<absl::Cord> detail = status.GetPayload(kStorageDetailUrl);
  return detail ? std::string(*detail) : "";
}

RocksDbStore::RocksDbStore(std::unique_ptr<rocksdb::DB> db,
                           std::unique_ptr<Handles> handles,
                           const StoreOptions& options, int64_t feed_last)
    : db_(std::move(db)),
      handles_(std::move(handles)),
      path_(options.path),
      sync_writes_(options.sync_writes),
      verify_previous_(options.verify_previous),
      read_only_(options.read_only),
      disk_reserve_bytes_(options.disk_reserve_bytes),
      feed_(std::make_unique<FeedSequencer>(feed_last)) {
  if (!read_only_) watchdog_ = std::thread([this] { WatchDisk(); });
}

void RocksDbStore::StopWrites(const absl::Status& failure) {
  if (!writes_stopped_.exchange(true)) {
    std::fprintf(stderr, "storage: writes stopped: %s %s\n",
                 std::string(failure.message()).c_str(),
                 StorageDetail(failure).c_str());
  }
}

std::map<std::string, uint64_t> RocksDbStore::EngineGauges() const {
  std::map<std::string, uint64_t> out;
  for (const auto& [name, property] :
       {std::pair{"live_sst_bytes", "rocksdb.live-sst-files-size"},
        std::pair{"pending_compaction_bytes",
                  "rocksdb.estimate-pending-compaction-bytes"},
        std::pair{"memtable_bytes", "rocksdb.cur-size-all-mem-tables"},
        std::pair{"block_cache_bytes", "rocksdb.block-cache-usage"}}) {
    uint64_t value = 0;
    if (db_->GetAggregatedIntProperty(property, &value)) out[name] = value;
  }
  return out;
}

RocksDbStore::EngineStatistics RocksDbStore::Statistics() const {
  EngineStatistics out;
  const rocksdb::Statistics* s = handles_->statistics.get();
  if (s == nullptr) return out;
  out.block_cache_hits = s->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
  out.block_cache_misses = s->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  rocksdb::HistogramData sync;
  s->histogramData(rocksdb::WAL_FILE_SYNC_MICROS, &sync);
  out.wal_syncs = sync.count;
  out.wal_sync_seconds_sum = static_cast<double>(sync.sum) / 1e6;
  out.wal_sync_seconds_p50 = sync.median / 1e6;
  out.wal_sync_seconds_p99 = sync.percentile99 / 1e6;
  return out;
}

bool RocksDbStore::DiskHasRoom() const {
  constexpr uint64_t kRoomToReopen = uint64_t{8} << 20;
  const std::optional<uint64_t> free = FreeBytes(path_);
  return free && *free >= disk_reserve_bytes_ && *free >= kRoomToReopen;
}

void RocksDbStore::WatchDisk() {
  while (!closing_.WaitForNotificationWithTimeout(absl::Milliseconds(500))) {
    const std::optional<uint64_t> free = FreeBytes(path_);
    const bool room = free && *free >= disk_reserve_bytes_;
    if (!room && !writes_stopped_.load()) {
      absl::Status low = absl::UnavailableError(kDiskFull);
      low.SetPayload(
          kStorageDetailUrl,
          absl::Cord(absl::StrCat(path_, " has ", free ? *free >> 20 : 0,
                                  " MiB free, below the reserve")));
      StopWrites(low);
    } else if (room && writes_stopped_.load() && !needs_reopen_.load()) {
      // Stopped by the reserve alone: RocksDB saw no error, so there is
      // nothing to resume in it.
      writes_stopped_.store(false);
      std::fprintf(stderr, "storage: writes resumed (%llu MiB free)\n",
                   static_cast<unsigned long long>(*free >> 20));
    }
  }
}

RocksDbStore::~RocksDbStore() {
  closing_.Notify();
  if (watchdog_.joinable()) watchdog_.join();
  for (rocksdb::ColumnFamilyHandle* h : handles_->all) {
    db_->DestroyColumnFamilyHandle(h);
  }
  db_->Close();
}

namespace {
absl::Status RebuildCounters(rocksdb::DB* db,
                             rocksdb::ColumnFamilyHandle* state,
                             rocksdb::ColumnFamilyHandle* summary);
}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbStore>> RocksDbStore::Open(
    const StoreOptions& options) {
  if (!options.read_only) {
    // Opening writes a new log and manifest: on a full disk it would fail
    // half-way, so it is not tried.
    std::error_code ec;
    std::filesystem::create_directories(options.path, ec);
    const std::optional<uint64_t> free = FreeBytes(options.path);
    if (free && *free < options.disk_reserve_bytes) {
      return absl::UnavailableError(absl::StrCat(
          "storage: the disk of data directory ", options.path, " has ",
          *free >> 20, " MiB free, less than the ",
          options.disk_reserve_bytes >> 20,
          " MiB evald keeps in reserve; free some space and start again "
          "(nothing was changed)"));
    }
  }
  rocksdb::Options db_options;
  if (options.env_for_test != nullptr) db_options.env = options.env_for_test;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  // On two cores, writers inserting into the memtable side by side gain
  // nothing over the write group's leader inserting the whole group, and
  // lose the skiplist's insertion hints.
  db_options.allow_concurrent_memtable_write = false;
  db_options.db_write_buffer_size = options.memtable_bytes;
  // Counters and histograms for /metrics (RocksDbStore::Statistics), without
  // the per-operation timers that cost most.
  db_options.statistics = rocksdb::CreateDBStatistics();
  db_options.statistics->set_stats_level(rocksdb::kExceptDetailedTimers);
  // No LOG file on the data disk: on a full disk a failed append to it
  // makes Debian's librocksdb abort (stderr_logger.h). Warnings and errors
  // go to evald's stderr.
  db_options.info_log = NewStderrLogger(rocksdb::InfoLogLevel::WARN_LEVEL);
  // A torn last record is what a crash leaves, and was never acknowledged:
  // it is dropped. Damage anywhere else in the log refuses the open rather
  // than silently dropping every acknowledged write after it, which the
  // default (point-in-time recovery) would do.
  switch (options.wal_recovery) {
    case WalRecovery::kStrict:
      db_options.wal_recovery_mode =
          rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
      break;
    case WalRecovery::kUpToTheDamage:
      db_options.wal_recovery_mode =
          rocksdb::WALRecoveryMode::kPointInTimeRecovery;
      break;
    case WalRecovery::kSkipTheDamage:
      db_options.wal_recovery_mode =
          rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords;
      break;
  }

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  // Every command looks up its request id, which is new (absent) nearly
  // always: without a filter such a miss reads a data block of every
  // level. 10 bits a key: about 1% false positives.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The same for the memtable, which holds the latest writes: without a
  // filter every absent key (a new request id; a record last written
  // before the last flush) costs a skiplist search, 5 % of a durable
  // submission's CPU in a profile, 1.4 % with it.
  cf_options.memtable_whole_key_filtering = true;
  cf_options.memtable_prefix_bloom_size_ratio = 0.02;
  rocksdb::ColumnFamilyOptions summary_options = cf_options;
  summary_options.merge_operator = std::make_shared<Int64AddOperator>();

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, cf_options},
      {kIndexFamily, cf_options},
      {kAuditFamily, cf_options},
      {kSummaryFamily, summary_options},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(db_options),
                                         options.path, families, &handles, &raw)
          : rocksdb::DB::Open(rocksdb::DBOptions(db_options), options.path,
                              families, &handles, &raw);
  if (s.IsCorruption()) {
    return absl::DataLossError(absl::StrCat(
        "storage: data directory ", options.path, " is damaged: ", s.ToString(),
        ". Nothing was changed. Restore it from a backup or a replica "
        "(docs/operations.md); evalutl salvage can recover what precedes the "
        "damage and report exactly which events are lost"));
  }
  if (!s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("storage: cannot open data directory ", options.path, ": ",
                     s.ToString()));
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  auto h = std::make_unique<Handles>();
  h->state = handles[0];
  h->index = handles[1];
  h->audit = handles[2];
  h->summary = handles[3];
  h->all = handles;
  h->statistics = db_options.statistics;

  std::string version;
  s = db->Get(rocksdb::ReadOptions(), h->state,
              std::string(keys::kFormatVersion), &version);
  if (s.IsNotFound() && !options.read_only) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    s = db->Put(sync, h->state, std::string(keys::kFormatVersion),
                absl::StrCat(kFormatVersion));
  } else if (s.ok()) {
    int found = 0;
    if (!absl::SimpleAtoi(version, &found)) {
      s = rocksdb::Status::Corruption("format version is not a number");
    } else if (found == 2 && !options.read_only) {
      // Format 2 counted states and grades only: derive every counter of
      // counters.h from the records, and write format 3, in one batch.
      absl::Status upgraded = RebuildCounters(db.get(), h->state, h->summary);
      if (!upgraded.ok()) {
        for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
        return upgraded;
      }
    } else if (found != kFormatVersion && !(found == 2 && options.read_only)) {
      for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
      if (found > kFormatVersion) {
        return absl::FailedPreconditionError(absl::StrCat(
            "storage: data directory ", options.path, " has format version ",
            found, ", newer than the version ", kFormatVersion,
            " this evald understands; run a newer evald"));
      }
      return absl::FailedPreconditionError(absl::StrCat(
          "storage: data directory ", options.path, " has format version ",
          found,
          " (evald 0.1, whose audit events are prose); this evald "
          "writes format ",
          kFormatVersion,
          ", whose events carry the typed commands it replays, and cannot "
          "read it. Nothing was changed. Keep running evald 0.1 on it, or "
          "start this evald on a new data directory (docs/storage.md)"));
    }
  }
  if (!s.ok()) {
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    return FromRocks(s, "format version");
  }
  absl::StatusOr<int64_t> feed_last =
      OpenFeed(db.get(), h->state, options.read_only);
  if (!feed_last.ok()) {
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    return feed_last.status();
  }
  return std::unique_ptr<RocksDbStore>(
      new RocksDbStore(std::move(db), std::move(h), options, *feed_last));
}

absl::Status RocksDbStore::VerifyPrevious(const WriteSet& w) const {
  auto check = [&](const std::string& key, const auto& put) -> absl::Status {
    std::string stored;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), handles_->state, key, &stored);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "verify");
    const bool same = s.IsNotFound()
                          ? !put.previous.has_value()
                          : put.previous.has_value() &&
                                put.previous->SerializeAsString() == stored;
    if (same) return absl::OkStatus();
    return absl::InternalError(absl::StrCat(
        "storage: the previous record of ", key,
        " given to Commit is not the stored one; nothing was written"));
  };
  for (const auto& p : w.projects) {
    if (absl::Status s = check(keys::Project(p.record.project_id()), p);
        !s.ok()) {
      return s;
    }
  }
  for (const auto& e : w.evaluations) {
    const v1::Evaluation& r = e.record;
    if (absl::Status s =
            check(keys::Evaluation(r.project_id(), r.year(), r.phase()), e);
        !s.ok()) {
      return s;
    }
  }
  for (const auto& d : w.disbursements) {
    const v1::Disbursement& r = d.record;
    if (absl::Status s =
            check(keys::Tranche(r.project_id(), r.year(), r.kind()), d);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status RocksDbStore::Commit(const WriteSet& w) {
  if (read_only_) {
    return absl::FailedPreconditionError("storage: opened read-only");
  }
  if (writes_stopped_.load()) return absl::UnavailableError(kDiskFull);
  if (verify_previous_) {
    if (absl::Status s = VerifyPrevious(w); !s.ok()) return s;
  }
  rocksdb::WriteBatch batch;
  // Index entries and counters that a change leaves as they were are not
  // rewritten (most commands keep an evaluation's state): each write costs
  // a memtable insert, and a batch without merges can be inserted into the
  // memtable in parallel with the rest of its write group.
  auto contains = [](const std::vector<std::string>& v, const std::string& k) {
    return std::find(v.begin(), v.end(), k) != v.end();
  };
  auto replace_index = [&](const std::vector<std::string>& old_keys,
                           const std::vector<std::string>& new_keys) {
    for (const std::string& k : old_keys) {
      if (!contains(new_keys, k)) batch.Delete(handles_->index, k);
    }
    for (const std::string& k : new_keys) {
      if (!contains(old_keys, k)) batch.Put(handles_->index, k, "");
    }
  };
  auto keys_of = [](const auto& previous) {
    return previous ? IndexKeys(*previous) : std::vector<std::string>{};
  };
  for (const Put<v1::Project>& p : w.projects) {
    replace_index(keys_of(p.previous), IndexKeys(p.record));
    batch.Put(handles_->state, keys::Project(p.record.project_id()),
              p.record.SerializeAsString());
  }
  // The counters: the difference this write makes to them (counters.h).
  // Whether a contract is terminated decides whether its OPEN phases count
  // as waiting; a write that ends (or revives) a contract moves all of them.
  Counters counters;
  std::map<std::string, std::pair<bool, bool>> terminated;  // before, after
  for (const Put<v1::Project>& p : w.projects) {
    terminated[p.record.project_id()] = {p.previous && p.previous->terminated(),
                                         p.record.terminated()};
  }
  auto terminated_of =
      [&](const std::string& project) -> absl::StatusOr<std::pair<bool, bool>> {
    auto it = terminated.find(project);
    if (it != terminated.end()) return it->second;
    absl::StatusOr<std::optional<v1::Project>> p = GetProject(project);
    if (!p.ok()) return p.status();
    const bool t = *p && (*p)->terminated();
    return terminated.emplace(project, std::pair{t, t}).first->second;
  };
  std::set<std::string> evaluations_written;
  for (const Put<v1::Evaluation>& put : w.evaluations) {
    const v1::Evaluation& e = put.record;
    evaluations_written.insert(
        keys::Evaluation(e.project_id(), e.year(), e.phase()));
    // Termination matters only where the phase's opened/ counter changes:
    // a submission that keeps it OPEN adds and takes away the same one, so
    // it costs no read of the project.
    const bool was_open = put.previous && put.previous->state() == v1::OPEN;
    const bool is_open = e.state() == v1::OPEN;
    const bool opened_moves =
        was_open != is_open ||
        (is_open && put.previous->opens_on() != e.opens_on()) ||
        terminated.count(e.project_id()) > 0;
    std::pair<bool, bool> ended{false, false};
    if (opened_moves) {
      absl::StatusOr<std::pair<bool, bool>> t = terminated_of(e.project_id());
      if (!t.ok()) return t.status();
      ended = *t;
    }
    if (put.previous) AddCounters(*put.previous, ended.first, -1, counters);
    AddCounters(e, ended.second, +1, counters);
    replace_index(keys_of(put.previous), IndexKeys(e));
    batch.Put(handles_->state,
              keys::Evaluation(e.project_id(), e.year(), e.phase()),
              e.SerializeAsString());
  }
  for (const Put<v1::Project>& p : w.projects) {
    const auto [before, after] = terminated[p.record.project_id()];
    if (before == after || !p.previous) continue;
    absl::StatusOr<std::vector<v1::Evaluation>> others =
        ProjectEvaluations(p.record.project_id());
    if (!others.ok()) return others.status();
    for (const v1::Evaluation& e : *others) {
      if (evaluations_written.count(
              keys::Evaluation(e.project_id(), e.year(), e.phase())))
        continue;
      AddCounters(e, before, -1, counters);
      AddCounters(e, after, +1, counters);
    }
  }
  for (const Put<v1::Disbursement>& put : w.disbursements) {
    const v1::Disbursement& d = put.record;
    if (put.previous) AddCounters(*put.previous, -1, counters);
    AddCounters(d, +1, counters);
    replace_index(keys_of(put.previous), IndexKeys(d));
    batch.Put(handles_->state,
              keys::Tranche(d.project_id(), d.year(), d.kind()),
              d.SerializeAsString());
  }
  // Most commands change no counter (a submission keeps its phase OPEN): a
  // batch without merges inserts into the memtable in parallel.
  for (const auto& [key, n] : counters) {
    if (n != 0) batch.Merge(handles_->summary, key, EncodeCount(n));
  }
  std::map<std::string, const v1::AuditEvent*> tips;
  for (const v1::AuditEvent& event : w.events) {
    batch.Put(handles_->audit,
              keys::Audit(event.project_id(), event.sequence()),
              event.SerializeAsString());
    const v1::AuditEvent*& tip = tips[event.project_id()];
    if (tip == nullptr || tip->sequence() < event.sequence()) tip = &event;
  }
  for (const auto& [project_id, tip] : tips) {
    batch.Put(handles_->state, keys::AuditTip(project_id),
              tip->SerializeAsString());
  }
  for (const PrincipalRecord& p : w.principals) {
    batch.Put(handles_->state, keys::Principal(p.name()),
              p.SerializeAsString());
  }
  for (const WriteSet::OverdueMark& m : w.overdue_marks) {
    batch.Put(handles_->state, keys::OverdueMark(m.tranche), m.due_date);
  }
  for (const v1::Organisation& o : w.organisations) {
    batch.Put(handles_->state, keys::Organisation(o.code()),
              o.SerializeAsString());
  }
  if (w.request) {
    batch.Put(handles_->state, keys::Request(w.request_principal, w.request_id),
              w.request->SerializeAsString());
  }
  // The feed's cursors, reserved last: the watermark waits for this write.
  const int feed_positions = static_cast<int>(w.events.size());
  int64_t first_cursor = 0;
  if (feed_positions > 0) {
    first_cursor = feed_->Reserve(feed_positions);
    for (int i = 0; i < feed_positions; ++i) {
      FeedPointer pointer;
      pointer.set_stream(w.events[i].project_id());
      pointer.set_sequence(w.events[i].sequence());
      pointer.set_time(w.events[i].time());
      batch.Put(handles_->state, keys::Feed(first_cursor + i),
                pointer.SerializeAsString());
    }
  }
  rocksdb::WriteOptions options;
  options.sync = sync_writes_;
  rocksdb::Status written = db_->Write(options, &batch);
  if (feed_positions > 0) {
    bool filled = written.ok();
    if (!filled && !DiskTrouble(written)) {
      // The store goes on writing: mark the positions void now rather than
      // holding every reader of the feed back until a restart.
      rocksdb::WriteBatch voids;
      FeedPointer pointer;
      pointer.set_hole(true);
      for (int i = 0; i < feed_positions; ++i) {
        voids.Put(handles_->state, keys::Feed(first_cursor + i),
                  pointer.SerializeAsString());
      }
      rocksdb::Status voided = db_->Write(options, &voids);
      filled = voided.ok();
      if (DiskTrouble(voided)) written = voided;  // stops writes below
    }
    feed_->Finish(first_cursor, feed_positions, filled);
  }
  absl::Status status = FromRocks(written, "commit");
  // After a failed write nothing more is written: the log file RocksDB was
  // appending to is in an error state, and touching it again -- another
  // write, or DB::Resume, which syncs it -- trips an assertion in Debian's
  // librocksdb (built with assertions) and aborts the process. Only opening
  // the database again recovers; its log replay drops the failed record,
  // which was never acknowledged.
  if (DiskTrouble(written)) {
    StopWrites(status);
    if (!needs_reopen_.exchange(true)) {
      std::fprintf(stderr,
                   "storage: a write to the log failed; writes resume only "
                   "when the database is opened again\n");
    }
  }
  return status;
}

absl::StatusOr<std::optional<v1::Project>> RocksDbStore::GetProject(
    absl::string_view project_id) const {
  return ReadRecord<v1::Project>(db_.get(), handles_->state,
                                 keys::Project(project_id));
}

absl::StatusOr<std::optional<v1::Evaluation>> RocksDbStore::GetEvaluation(
    absl::string_view project_id, int year, v1::Phase phase) const {
  return ReadRecord<v1::Evaluation>(db_.get(), handles_->state,
                                    keys::Evaluation(project_id, year, phase));
}

namespace {

// Calls `fn(key, value)` for each key with `prefix` after `after` (all of
// them if `after` is empty) until it returns false. `key` is valid only
// during the call.
template <typename Fn>
absl::Status Scan(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                  absl::string_view prefix, absl::string_view after, Fn fn) {
  rocksdb::ReadOptions ro;
  const std::string upper = keys::PrefixEnd(prefix);
  rocksdb::Slice upper_slice(upper);
  if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
  if (after.empty()) {
    it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
  } else {
    it->Seek(rocksdb::Slice(after.data(), after.size()));
    if (it->Valid() &&
        it->key() == rocksdb::Slice(after.data(), after.size())) {
      it->Next();
    }
  }
  for (; it->Valid(); it->Next()) {
    if (!fn(absl::string_view(it->key().data(), it->key().size()),
            it->value())) {
      break;
    }
  }
  return FromRocks(it->status(), "scan");
}

template <typename Message>
absl::StatusOr<std::vector<Message>> ReadAll(rocksdb::DB* db,
                                             rocksdb::ColumnFamilyHandle* cf,
                                             const std::string& prefix) {
  std::vector<Message> out;
  bool ok = true;
  absl::Status s =
      Scan(db, cf, prefix, "", [&](absl::string_view, const rocksdb::Slice& v) {
        Message m;
        ok = m.ParseFromArray(v.data(), static_cast<int>(v.size()));
        out.push_back(std::move(m));
        return ok;
      });
  if (!s.ok()) return s;
  if (!ok) return absl::DataLossError("storage: a record does not parse");
  return out;
}

// Recomputes every counter from the stored records and writes format
// version 3 with them, in one synced batch.
absl::Status RebuildCounters(rocksdb::DB* db,
                             rocksdb::ColumnFamilyHandle* state,
                             rocksdb::ColumnFamilyHandle* summary) {
  std::map<std::string, bool> terminated;
  Counters counters;
  std::string bad;
  auto parse = [&](auto& m, absl::string_view key, const rocksdb::Slice& v) {
    if (m.ParseFromArray(v.data(), static_cast<int>(v.size()))) return true;
    bad = std::string(key);
    return false;
  };
  absl::Status s = Scan(db, state, keys::kProjectPrefix, "",
                        [&](absl::string_view k, const rocksdb::Slice& v) {
                          v1::Project p;
                          if (!parse(p, k, v)) return false;
                          terminated[p.project_id()] = p.terminated();
                          return true;
                        });
  if (s.ok() && bad.empty()) {
    s = Scan(db, state, keys::kEvaluationPrefix, "",
             [&](absl::string_view k, const rocksdb::Slice& v) {
               v1::Evaluation e;
               if (!parse(e, k, v)) return false;
               AddCounters(e, terminated[e.project_id()], +1, counters);
               return true;
             });
  }
  if (s.ok() && bad.empty()) {
    s = Scan(db, state, keys::kTranchePrefix, "",
             [&](absl::string_view k, const rocksdb::Slice& v) {
               v1::Disbursement d;
               if (!parse(d, k, v)) return false;
               AddCounters(d, +1, counters);
               return true;
             });
  }
  rocksdb::WriteBatch batch;
  if (s.ok() && bad.empty()) {
    s = Scan(db, summary, "", "",
             [&](absl::string_view k, const rocksdb::Slice&) {
               batch.Delete(summary, rocksdb::Slice(k.data(), k.size()));
               return true;
             });
  }
  if (!s.ok()) return s;
  if (!bad.empty()) {
    return absl::DataLossError(absl::StrCat(
        "storage: record ", bad, " does not parse (upgrading to format 3)"));
  }
  for (const auto& [key, n] : counters) {
    if (n != 0) batch.Put(summary, key, EncodeCount(n));
  }
  batch.Put(state, std::string(keys::kFormatVersion),
            absl::StrCat(kFormatVersion));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocks(db->Write(sync, &batch), "format upgrade");
}

// Lists records of type Message found either directly (scan of the state
// family) or through an index whose keys name the record.
template <typename Message>
struct Lister {
  rocksdb::DB* db;
  rocksdb::ColumnFamilyHandle* scan_cf;   // where the scanned keys live
  rocksdb::ColumnFamilyHandle* state_cf;  // where records live
  std::string prefix;
  // For index scans: the state key of the record an index key names.
  std::function<std::string(absl::string_view)> record_key;
  std::function<bool(const Message&)> match;

  absl::StatusOr<Page<Message>> Run(int page_size,
                                    absl::string_view page_token) {
    absl::StatusOr<std::string> after = DecodeToken(page_token, prefix);
    if (!after.ok()) return after.status();
    const int limit = ClampPageSize(page_size);
    Page<Message> page;
    std::string last_key;
    absl::Status error;
    absl::Status s = Scan(
        db, scan_cf, prefix, *after,
        [&](absl::string_view key, const rocksdb::Slice& v) {
          // Parsed in place; taken back off the page if it does not match.
          Message* m = page.items.Add();
          if (record_key) {
            std::string value;
            rocksdb::Status got = db->Get(rocksdb::ReadOptions(), state_cf,
                                          record_key(key), &value);
            if (got.IsNotFound()) {  // index entry without record: skip
              page.items.RemoveLast();
              return true;
            }
            if (!got.ok()) {
              error = FromRocks(got, "list");
              return false;
            }
            if (!m->ParseFromString(value)) {
              error = absl::DataLossError(absl::StrCat(
                  "storage: the record of ", key, " does not parse"));
              return false;
            }
          } else if (!m->ParseFromArray(v.data(), static_cast<int>(v.size()))) {
            error = absl::DataLossError(
                absl::StrCat("storage: record ", key, " does not parse"));
            return false;
          }
          if (match && !match(*m)) {
            page.items.RemoveLast();
            return true;
          }
          if (page.items.size() > limit) {
            // One more match exists: the page ends at the previous item.
            page.items.RemoveLast();
            page.next_page_token = EncodeToken(last_key);
            return false;
          }
          last_key.assign(key.data(), key.size());
          return true;
        });
    if (!s.ok()) return s;
    if (!error.ok()) return error;
    return page;
  }
};

}  // namespace

absl::StatusOr<std::vector<v1::Evaluation>> RocksDbStore::ProjectEvaluations(
    absl::string_view project_id) const {
  return ReadAll<v1::Evaluation>(db_.get(), handles_->state,
                                 keys::EvaluationPrefix(project_id));
}

absl::StatusOr<std::vector<v1::Disbursement>>
RocksDbStore::ProjectDisbursements(absl::string_view project_id) const {
  return ReadAll<v1::Disbursement>(db_.get(), handles_->state,
                                   keys::TranchePrefix(project_id));
}

absl::StatusOr<std::vector<PrincipalRecord>> RocksDbStore::ListPrincipals()
    const {
  return ReadAll<PrincipalRecord>(db_.get(), handles_->state,
                                  std::string(keys::kPrincipalPrefix));
}

absl::StatusOr<std::optional<std::string>> RocksDbStore::GetOverdueMark(
    absl::string_view tranche) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_->state,
                               keys::OverdueMark(tranche), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "overdue mark");
  return value;
}

absl::StatusOr<std::optional<v1::Organisation>> RocksDbStore::GetOrganisation(
    absl::string_view code) const {
  return ReadRecord<v1::Organisation>(db_.get(), handles_->state,
                                      keys::Organisation(code));
}

absl::StatusOr<std::vector<v1::Organisation>> RocksDbStore::ListOrganisations()
    const {
  return ReadAll<v1::Organisation>(db_.get(), handles_->state,
                                   std::string(keys::kOrganisationPrefix));
}

absl::StatusOr<std::optional<RequestRecord>> RocksDbStore::GetRequest(
    absl::string_view principal, absl::string_view request_id) const {
  return ReadRecord<RequestRecord>(db_.get(), handles_->state,
                                   keys::Request(principal, request_id));
}

absl::StatusOr<std::optional<v1::AuditEvent>> RocksDbStore::LastAuditEvent(
    absl::string_view project_id) const {
  absl::StatusOr<std::optional<v1::AuditEvent>> tip =
      ReadRecord<v1::AuditEvent>(db_.get(), handles_->state,
                                 keys::AuditTip(project_id));
  if (!tip.ok() || *tip) return tip;
  // No copy: a project without events yet, or a log written before the
  // copy was kept. The log itself is the truth.
  const std::string prefix = keys::AuditPrefix(project_id);
  const std::string end = keys::PrefixEnd(prefix);
  // Bounded to the project's events: every command reads its project's
  // tip, and an unbounded backwards seek costs much more in a log of a
  // million events (the table files and entries outside the range are
  // skipped instead of stepped through).
  const rocksdb::Slice lower(prefix), upper(end);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower;
  if (!end.empty()) ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_->audit));
  if (end.empty()) {
    it->SeekToLast();
  } else {
    it->SeekForPrev(end);
  }
  if (!it->Valid() || !it->key().starts_with(prefix)) {
    if (!it->status().ok()) return FromRocks(it->status(), "audit tip");
    return std::nullopt;
  }
  v1::AuditEvent event;
  if (!event.ParseFromArray(it->value().data(),
                            static_cast<int>(it->value().size()))) {
    return absl::DataLossError(absl::StrCat(
        "storage: the latest audit event of ", project_id, " does not parse"));
  }
  return event;
}

absl::StatusOr<Page<v1::Project>> RocksDbStore::ListProjects(
    absl::string_view township, int page_size, absl::string_view page_token,
    const std::function<bool(const v1::Project&)>& visible) const {
  Lister<v1::Project> l{db_.get(),       handles_->state,
                        handles_->state, std::string(keys::kProjectPrefix),
                        nullptr,         visible};
  if (!township.empty()) {
    l.scan_cf = handles_->index;
    l.prefix = keys::ProjectByTownshipPrefix(township);
    const size_t skip = l.prefix.size();
    l.record_key = [skip](absl::string_view k) {
      return keys::Project(k.substr(skip));
    };
  }
  return l.Run(page_size, page_token);
}

absl::StatusOr<Page<v1::Evaluation>> RocksDbStore::ListEvaluations(
    const EvaluationFilter& f, int page_size, absl::string_view page_token,
    const std::function<bool(const v1::Evaluation&)>& visible) const {
  Lister<v1::Evaluation> l{
      db_.get(),       handles_->state,
      handles_->state, std::string(keys::kEvaluationPrefix),
      nullptr,         {}};
  // Drive the scan by the most selective filter; check the rest per record.
  if (!f.project_id.empty()) {
    l.prefix = keys::EvaluationPrefix(f.project_id);
  } else if (f.state != v1::EVALUATION_STATE_UNSPECIFIED) {
    l.scan_cf = handles_->index;
    l.prefix = keys::EvaluationByStatePrefix(f.state);
    const size_t skip = l.prefix.size();
    l.record_key = [skip](absl::string_view k) {
      return absl::StrCat(keys::kEvaluationPrefix, k.substr(skip));
    };
  } else if (!f.township.empty()) {
    l.scan_cf = handles_->index;
    l.prefix = absl::StrCat("et/", f.township, "/");
    const size_t skip = l.prefix.size();
    l.record_key = [skip](absl::string_view k) {
      return absl::StrCat(keys::kEvaluationPrefix, k.substr(skip));
    };
  }
  l.match = [f, visible](const v1::Evaluation& e) {
    if (!f.project_id.empty() && e.project_id() != f.project_id) return false;
    if (!f.township.empty() && e.township() != f.township) return false;
    if (f.year != 0 && e.year() != f.year) return false;
    if (f.phase != v1::PHASE_UNSPECIFIED && e.phase() != f.phase) return false;
    if (f.state != v1::EVALUATION_STATE_UNSPECIFIED && e.state() != f.state) {
      return false;
    }
    return !visible || visible(e);
  };
  return l.Run(page_size, page_token);
}

absl::StatusOr<Page<v1::Disbursement>> RocksDbStore::ListDisbursements(
    const DisbursementFilter& f, int page_size, absl::string_view page_token,
    const std::function<bool(const v1::Disbursement&)>& visible) const {
  Lister<v1::Disbursement> l{db_.get(),       handles_->state,
                             handles_->state, std::string(keys::kTranchePrefix),
                             nullptr,         {}};
  if (!f.project_id.empty()) {
    l.prefix = keys::TranchePrefix(f.project_id);
  } else if (f.state != v1::DISBURSEMENT_STATE_UNSPECIFIED) {
    l.scan_cf = handles_->index;
    l.prefix = keys::DisbursementByStatePrefix(f.state);
    const size_t skip = l.prefix.size();
    l.record_key = [skip](absl::string_view k) {
      return absl::StrCat(keys::kTranchePrefix, k.substr(skip));
    };
  } else if (!f.township.empty()) {
    l.scan_cf = handles_->index;
    l.prefix = absl::StrCat("dt/", f.township, "/");
    const size_t skip = l.prefix.size();
    l.record_key = [skip](absl::string_view k) {
      // dt/{township}/{year}/{kind}/{project} ->
      // tranche/{project}/{year}/{kind}
      std::vector<std::string> parts = absl::StrSplit(k.substr(skip), '/');
      return absl::StrCat(keys::kTranchePrefix, parts[2], "/", parts[0], "/",
                          parts[1]);
    };
  }
  l.match = [f, visible](const v1::Disbursement& d) {
    if (!f.project_id.empty() && d.project_id() != f.project_id) return false;
    if (!f.township.empty() && d.township() != f.township) return false;
    if (f.state != v1::DISBURSEMENT_STATE_UNSPECIFIED && d.state() != f.state) {
      return false;
    }
    return !visible || visible(d);
  };
  return l.Run(page_size, page_token);
}

absl::StatusOr<Page<v1::AuditEvent>> RocksDbStore::ListAudit(
    absl::string_view project_id, int page_size,
    absl::string_view page_token) const {
  Lister<v1::AuditEvent> l{db_.get(),       handles_->audit,
                           handles_->audit, keys::AuditPrefix(project_id),
                           nullptr,         {}};
  return l.Run(page_size, page_token);
}

absl::StatusOr<
    std::map<std::pair<std::string, int>, std::map<std::string, int64_t>>>
RocksDbStore::Summary(absl::string_view township, int year) const {
  std::map<std::pair<std::string, int>, std::map<std::string, int64_t>> out;
  const std::string prefix =
      township.empty() ? std::string() : absl::StrCat(township, "/");
  absl::Status s = Scan(
      db_.get(), handles_->summary, prefix, "",
      [&](absl::string_view key, const rocksdb::Slice& v) {
        // {township}/{year}/{state|grade}/{NAME}
        std::vector<std::string> parts = absl::StrSplit(key, '/');
        int key_year = 0;
        if (parts.size() != 4 || !absl::SimpleAtoi(parts[1], &key_year))
          return true;
        if (year != 0 && key_year != year) return true;
        const int64_t n = DecodeCount(v);
        if (n != 0) {
          out[{parts[0], key_year}][absl::StrCat(parts[2], "/", parts[3])] = n;
        }
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

absl::Status RocksDbStore::CompactAll() {
  for (rocksdb::ColumnFamilyHandle* cf : handles_->all) {
    rocksdb::Status s =
        db_->CompactRange(rocksdb::CompactRangeOptions(), cf, nullptr, nullptr);
    if (!s.ok()) return FromRocks(s, "compaction");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RocksDbStore::ContentDigest() const {
  std::string all;
  for (rocksdb::ColumnFamilyHandle* cf : handles_->all) {
    absl::StrAppend(&all, "#", cf->GetName(), "\n");
    absl::Status s =
        Scan(db_.get(), cf, "", "",
             [&](absl::string_view k, const rocksdb::Slice& v) {
               absl::StrAppend(&all, k.size(), ":", k, v.size(), ":",
                               absl::string_view(v.data(), v.size()));
               return true;
             });
    if (!s.ok()) return s;
  }
  return Sha256Hex(all);
}

absl::StatusOr<std::optional<std::string>> RocksDbStore::GetEntry(
    absl::string_view family, absl::string_view key) const {
  for (rocksdb::ColumnFamilyHandle* cf : handles_->all) {
    if (cf->GetName() != family) continue;
    std::string value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), cf,
                 rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) return FromRocks(s, "read");
    return value;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("storage: no column family ", family));
}

absl::Status RocksDbStore::ForEachEntry(
    const std::function<bool(absl::string_view, absl::string_view,
                             absl::string_view)>& fn) const {
  for (rocksdb::ColumnFamilyHandle* cf : handles_->all) {
    const std::string family = cf->GetName();
    bool more = true;
    absl::Status s =
        Scan(db_.get(), cf, "", "",
             [&](absl::string_view k, const rocksdb::Slice& v) {
               more = fn(family, k, absl::string_view(v.data(), v.size()));
               return more;
             });
    if (!s.ok()) return s;
    if (!more) break;
  }
  return absl::OkStatus();
}

absl::Status RocksDbStore::ForEachAuditEvent(
    const std::function<bool(const v1::AuditEvent&)>& fn) const {
  absl::Status error;
  absl::Status s =
      Scan(db_.get(), handles_->audit, "", "",
           [&](absl::string_view key, const rocksdb::Slice& v) {
             v1::AuditEvent event;
             if (!event.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
               error = absl::DataLossError(absl::StrCat(
                   "storage: audit event ", key, " does not parse"));
               return false;
             }
             return fn(event);
           });
  if (!s.ok()) return s;
  return error;
}

absl::Status RocksDbStore::CorruptAuditEventForTest(
    absl::string_view project_id, int64_t sequence,
    absl::string_view raw_value) {
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(
      db_->Put(options, handles_->audit, keys::Audit(project_id, sequence),
               rocksdb::Slice(raw_value.data(), raw_value.size())),
      "corrupt");
}

}  // namespace evald::storage
