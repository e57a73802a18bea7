// The replicated store: evald's state in a 3-member etcd cluster (Debian's
// etcd-server 3.4), shared by any number of evald replicas serving one
// prefix (docs/deployment.md).
//
// Layout: under the prefix ("/evald/nansha/"), "s/" + the state keys of
// storage/keys.h (project/, eval/, tranche/, req/, audit-tip/, ...) and
// "a/" + the audit keys ({project}/{sequence:020}). There is no index and
// no counter family: lists scan the records (a district holds thousands,
// not millions), and the summary is counted from the records at read time,
// so that no two commands of one township ever conflict on a counter.
//
// Reads are linearizable (etcd's default): a replica cut off from the
// majority answers Unavailable instead of serving what it last knew. A
// command reads through CommandReads (etcd_command_reads.h): one round for
// its request record and stream, everything at one revision.
//
// Writes: Commit() is one etcd Txn. Its compares are what makes several
// writers safe: every record it writes must not have changed since the
// revision the command read at (WriteSet::read_revision: mod_revision <=
// it; without one, the record must still hold the bytes of `previous`, or
// be absent), every audit event it appends must not exist yet (so two
// commands deciding from the same chain tip cannot both commit: every
// command appends to its stream), and the request record must not exist.
// Any compare failing writes nothing and answers Aborted; the engine reads
// and decides again. A Txn beyond etcd's limits (128 operations, 1.5 MiB)
// is refused before it is sent. Commands committing at the same moment go
// to etcd together, each nested in one Txn with its own compares
// (etcd_txn_batch.h).
//
// The event feed: an audit event's cursor is its etcd revision times 1000
// plus its place among the events of that revision (in key order), so
// cursors grow in commit order across replicas but skip numbers. A watch
// on "a/" tells every replica of every commit, its own and the others'.
//
// Thread-safe.

#ifndef EVALD_STORAGE_ETCD_STORE_H_
#define EVALD_STORAGE_ETCD_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "storage/etcd_kv.h"
#include "storage/etcd_txn_batch.h"
#include "storage/store.h"

namespace evald::storage {

struct EtcdStoreOptions {
  // Client endpoints, "host:port".
  std::vector<std::string> endpoints;
  // Every key of this deployment starts with it; must end in '/'.
  std::string prefix = "/evald/";
  // How long one call to etcd may take before the store answers
  // Unavailable.
  absl::Duration deadline = absl::Seconds(5);
  // TLS to the members; plain TCP when absent.
  std::optional<EtcdTls> tls;
};

// etcd's own limits on one Txn (--max-txn-ops, --max-request-bytes).
inline constexpr int kEtcdMaxTxnOps = 128;
inline constexpr size_t kEtcdMaxRequestBytes = 1536 * 1024;

// A feed cursor's room per revision: a Txn holds at most 128 operations,
// so a revision never holds 1000 events.
inline constexpr int64_t kCursorsPerRevision = 1000;

class EtcdStore final : public Store {
 public:
  // Connects and reads the feed's latest position. Unavailable if no
  // majority answers within the deadline; InvalidArgument for a prefix
  // that does not end in '/' or no endpoints.
  static absl::StatusOr<std::unique_ptr<EtcdStore>> Open(
      const EtcdStoreOptions& options);
  ~EtcdStore() override;
  EtcdStore(const EtcdStore&) = delete;
  EtcdStore& operator=(const EtcdStore&) = delete;

  absl::string_view Kind() const override { return "etcd"; }
  bool SingleWriter() const override { return false; }

  absl::Status Commit(const WriteSet& writes) override;
  // Whether the last probe of the cluster (a linearizable read, every
  // kProbeEvery, answered within kProbeDeadline) was answered: false while
  // no majority is reachable from here, so that evald's health service
  // says NOT_SERVING for writes and a load balancer can drain this
  // replica.
  bool WritesAvailable() const override { return reachable_.load(); }
  static constexpr absl::Duration kProbeEvery = absl::Seconds(1);
  static constexpr absl::Duration kProbeDeadline = absl::Seconds(2);

  // The Txn Commit would send (for the limits' test and the docs' figures).
  etcdserverpb::TxnRequest TxnOf(const WriteSet& writes) const;

  absl::StatusOr<std::shared_ptr<const RecordReader>> CommandReads(
      const ReadPlan& plan) const override;

  absl::StatusOr<std::optional<v1::Project>> GetProject(
      absl::string_view project_id) const override;
  absl::StatusOr<std::optional<v1::Evaluation>> GetEvaluation(
      absl::string_view project_id, int year, v1::Phase phase) const override;
  absl::StatusOr<std::vector<v1::Evaluation>> ProjectEvaluations(
      absl::string_view project_id) const override;
  absl::StatusOr<std::vector<v1::Disbursement>> ProjectDisbursements(
      absl::string_view project_id) const override;
  absl::StatusOr<std::optional<RequestRecord>> GetRequest(
      absl::string_view principal, absl::string_view request_id) const override;
  absl::StatusOr<std::optional<v1::AuditEvent>> LastAuditEvent(
      absl::string_view project_id) const override;
  absl::StatusOr<std::vector<PrincipalRecord>> ListPrincipals() const override;
  absl::StatusOr<std::optional<std::string>> GetOverdueMark(
      absl::string_view tranche) const override;
  absl::StatusOr<bool> HasMarker(absl::string_view name) const override;
  absl::Status SetMarker(absl::string_view name) override;
  absl::StatusOr<std::optional<v1::Organisation>> GetOrganisation(
      absl::string_view code) const override;
  absl::StatusOr<std::vector<v1::Organisation>> ListOrganisations()
      const override;

  absl::StatusOr<Page<v1::Project>> ListProjects(
      absl::string_view township, int page_size, absl::string_view page_token,
      const std::function<bool(const v1::Project&)>& visible) const override;
  absl::StatusOr<Page<v1::Evaluation>> ListEvaluations(
      const EvaluationFilter& filter, int page_size,
      absl::string_view page_token,
      const std::function<bool(const v1::Evaluation&)>& visible) const override;
  absl::StatusOr<Page<v1::Disbursement>> ListDisbursements(
      const DisbursementFilter& filter, int page_size,
      absl::string_view page_token,
      const std::function<bool(const v1::Disbursement&)>& visible)
      const override;
  absl::StatusOr<Page<v1::AuditEvent>> ListAudit(
      absl::string_view project_id, int page_size,
      absl::string_view page_token) const override;
  absl::StatusOr<SummaryCounters> Summary(absl::string_view township,
                                          int year) const override;

  absl::StatusOr<std::vector<FeedEntry>> ReadFeed(int64_t after,
                                                  int limit) const override;
  int64_t FeedLatest() const override { return feed_latest_.load(); }
  absl::StatusOr<int64_t> FeedOldest() const override;
  int64_t WaitForFeed(int64_t after, absl::Duration timeout) const override;
  void WakeFeedWaiters() const override;
  // The feed is the audit log itself here, which is never trimmed: 0.
  absl::StatusOr<int64_t> TrimFeed(absl::Time before) override;

  absl::StatusOr<int64_t> GetWebhookCursor(
      absl::string_view endpoint) const override;
  absl::Status SetWebhookCursor(absl::string_view endpoint,
                                int64_t cursor) override;
  absl::Status RecordWebhookDelivery(
      const v1::WebhookDelivery& delivery) override;
  absl::StatusOr<std::vector<v1::WebhookDelivery>> ListWebhookDeliveries(
      absl::string_view endpoint, int64_t after, int limit) const override;

  absl::Status ForEachChainTip(
      const std::function<bool(const v1::AuditEvent&)>& fn) const override;
  absl::Status ForEachAuditEvent(
      const std::function<bool(const v1::AuditEvent&)>& fn) const override;
  absl::StatusOr<std::string> ContentDigest() const override;
  // Families "default" and "audit" (etcd holds no index or summary).
  absl::StatusOr<std::optional<std::string>> GetEntry(
      absl::string_view family, absl::string_view key) const override;
  absl::Status ForEachEntry(
      const std::function<bool(absl::string_view family, absl::string_view key,
                               absl::string_view value)>& fn) const override;

 private:
  EtcdStore(std::unique_ptr<EtcdKv> kv, const EtcdStoreOptions& options);

  // The full etcd key of `key` in family "s/" or "a/".
  std::string StateKey(absl::string_view key) const;
  std::string AuditKey(absl::string_view key) const;

  absl::StatusOr<std::optional<std::string>> GetRaw(
      const std::string& full_key) const;
  // Calls fn(key without the prefix and family, value) for every key in
  // [begin, end) of family `family` ("s/" or "a/"), in key order, until it
  // returns false; pages through etcd 500 keys at a time, every page at
  // one revision: `*at` if given and not 0, else the first page's (then
  // stored in `*at`, for a next scan of the same moment).
  absl::Status Scan(
      absl::string_view family, absl::string_view begin, absl::string_view end,
      const std::function<bool(absl::string_view, absl::string_view)>& fn,
      int64_t* at = nullptr) const;
  // Scan, each value parsed as a Message: fn(key, record). DataLoss (and
  // the scan stops) at a value that does not parse.
  template <typename Message>
  absl::Status ScanRecords(
      absl::string_view family, absl::string_view begin, absl::string_view end,
      const std::function<bool(absl::string_view, Message&)>& fn,
      int64_t* at = nullptr) const;
  // The state record at `key` (storage/keys.h), parsed; DataLoss if it
  // does not parse.
  template <typename Message>
  absl::StatusOr<std::optional<Message>> GetRecord(
      const std::string& key) const;
  template <typename Message>
  absl::StatusOr<std::vector<Message>> ReadAll(absl::string_view prefix,
                                               int64_t* at = nullptr) const;
  template <typename Message>
  absl::StatusOr<Page<Message>> List(
      absl::string_view list, absl::string_view family,
      absl::string_view prefix, int page_size, absl::string_view page_token,
      const std::function<bool(const Message&)>& match) const;
  absl::Status PutState(const std::string& key, const std::string& value);

  // Raises FeedLatest to `cursor` and wakes waiters.
  void AdvanceFeed(int64_t cursor) const;
  // The watch on "a/" (see the file comment), until the store closes.
  void WatchAudit(int64_t from_revision);
  // Probes the cluster every kProbeEvery into reachable_, until the store
  // closes.
  void Probe();

  std::unique_ptr<EtcdKv> kv_;
  const std::string prefix_;
  // Every command's reads (CommandReads) and commits, batched.
  mutable EtcdTxnBatch reads_;
  EtcdTxnBatch writes_;

  mutable std::atomic<int64_t> feed_latest_{0};
  mutable absl::Mutex feed_mu_;
  mutable int64_t wake_generation_ ABSL_GUARDED_BY(feed_mu_) = 0;

  absl::Mutex watch_mu_;
  bool closing_ ABSL_GUARDED_BY(watch_mu_) = false;
  grpc::ClientContext* watch_context_ ABSL_GUARDED_BY(watch_mu_) = nullptr;
  std::thread watcher_;

  std::atomic<bool> reachable_{true};
  absl::Notification closed_;
  std::thread prober_;
};

}  // namespace evald::storage

#endif  // EVALD_STORAGE_ETCD_STORE_H_
