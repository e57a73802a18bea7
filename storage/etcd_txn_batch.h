// Batching for the etcd store: the Txns that commands send at the same
// moment on one replica go to etcd as one, so that etcd answers one call,
// confirms one linearizable read and replicates and fsyncs one proposal
// for all of them.
//
// Two kinds (Mode):
//   kNested  writes: each command's Txn is nested in one outer Txn
//            without compares (etcd runs nested Txns since 3.3), so each
//            still commits or fails on its own compares alone.
//   kFlat    reads: the commands' read-only Txns (Ranges only) are joined
//            into one read-only Txn, one linearizable read of one
//            revision; each command gets its own Ranges' answers. (A
//            nested Txn is not read-only to etcd: it would go through
//            the log.)
//
// The first caller in line sends what is queued behind it, up to
// kMaxOps (etcd's --max-txn-ops: for kFlat the Ranges; for kNested the
// nested Txns plus the widest of them, since etcd allows a nested Txn only
// what the outer one leaves), kMaxBytes and, for kNested, kMaxEvents audit
// events; a Txn alone is sent as it is. kNested also stops before a Txn
// that puts a key an earlier one in the batch puts (etcd refuses a Txn that
// puts one key twice; commands of one replica never do, since the engine
// serialises each stream, but a batch must not depend on that). Up to
// kMaxInFlight batches are in flight at once: while they are, the next one
// gathers, and one held up (sent to a member that lost its leader) does not
// hold up the others.
//
// Thread-safe.

#ifndef EVALD_STORAGE_ETCD_TXN_BATCH_H_
#define EVALD_STORAGE_ETCD_TXN_BATCH_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/etcd_kv.h"

namespace evald::storage {

class EtcdTxnBatch {
 public:
  enum class Mode { kNested, kFlat };

  // `kv` must outlive the batcher.
  EtcdTxnBatch(const EtcdKv* kv, Mode mode) : kv_(kv), mode_(mode) {}

  struct Outcome {
    // This Txn's answer, as if sent alone (its header is the batch's).
    etcdserverpb::TxnResponse response;
    // kNested: the audit events the batch committed (the `events` of
    // every Txn that succeeded), all at response.header().revision().
    int64_t events_at_revision = 0;
  };
  // Sends `txn` (within etcd's limits on its own) in a batch and waits for
  // the answer. `events`: how many audit events it appends (kNested). An
  // error is the batch's Txn call's (Unavailable, DeadlineExceeded: the
  // outcome is unknown), for every Txn in it.
  absl::StatusOr<Outcome> Send(const etcdserverpb::TxnRequest& txn,
                               int64_t events = 0);

  // How many of `txns` (in order; `events` is each one's audit events)
  // go in one batch of `mode`, by the bounds above: at least one.
  static size_t FirstBatch(
      Mode mode, const std::vector<const etcdserverpb::TxnRequest*>& txns,
      const std::vector<int64_t>& events);

  static constexpr size_t kMaxOps = 128;
  static constexpr int kMaxInFlight = 4;
  // A revision's feed cursors have room for 1000 events (etcd_store.h).
  static constexpr int64_t kMaxEvents = 999;
  // Well inside etcd's --max-request-bytes (1.5 MiB).
  static constexpr size_t kMaxBytes = 1 << 20;

 private:
  struct Pending {
    const etcdserverpb::TxnRequest* txn;
    int64_t events;
    bool done = false;
    absl::StatusOr<Outcome> result = absl::UnknownError("not sent");
  };

  // The first of `queue_` that go in one batch.
  size_t BatchSize() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends the batch and fills in each entry's result.
  void SendBatch(const std::deque<Pending*>& batch) const;

  const EtcdKv* kv_;
  const Mode mode_;
  absl::Mutex mu_;
  absl::CondVar changed_;
  // Waiting to be sent, in order; a batch leaves it when it is sent.
  std::deque<Pending*> queue_ ABSL_GUARDED_BY(mu_);
  int sending_ ABSL_GUARDED_BY(mu_) = 0;  // batches in flight
};

}  // namespace evald::storage

#endif  // EVALD_STORAGE_ETCD_TXN_BATCH_H_
