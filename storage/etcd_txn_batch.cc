#include "storage/etcd_txn_batch.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace evald::storage {

absl::StatusOr<EtcdTxnBatch::Outcome> EtcdTxnBatch::Send(
    const etcdserverpb::TxnRequest& txn, int64_t events) {
  Pending me{&txn, events};
  mu_.Lock();
  queue_.push_back(&me);
  // Wait until sent by another (done), or first in line with room to send
  // (an entry a batch took is no longer in the queue).
  while (!me.done && (sending_ == kMaxInFlight || queue_.empty() ||
                      queue_.front() != &me)) {
    changed_.Wait(&mu_);
  }
  if (me.done) {
    mu_.Unlock();
    return std::move(me.result);
  }
  // First in line: take what is queued, within the bounds, and send it.
  const size_t n = BatchSize();
  const std::deque<Pending*> batch(queue_.begin(), queue_.begin() + n);
  queue_.erase(queue_.begin(), queue_.begin() + n);
  ++sending_;
  changed_.SignalAll();  // the next in line may send too
  mu_.Unlock();

  SendBatch(batch);

  mu_.Lock();
  for (Pending* p : batch) p->done = true;
  --sending_;
  changed_.SignalAll();
  mu_.Unlock();
  return std::move(me.result);
}

size_t EtcdTxnBatch::BatchSize() const {
  std::vector<const etcdserverpb::TxnRequest*> txns;
  std::vector<int64_t> events;
  for (const Pending* p : queue_) {
    txns.push_back(p->txn);
    events.push_back(p->events);
  }
  return FirstBatch(mode_, txns, events);
}

size_t EtcdTxnBatch::FirstBatch(
    Mode mode, const std::vector<const etcdserverpb::TxnRequest*>& txns,
    const std::vector<int64_t>& events_of) {
  std::set<std::string> puts;
  size_t n = 0, ops = 0, bytes = 0, widest = 0;
  int64_t events = 0;
  for (size_t i = 0; i < txns.size(); ++i) {
    const etcdserverpb::TxnRequest* txn = txns[i];
    const size_t size = txn->ByteSizeLong();
    // kNested: the outer Txn holds one op per command, and etcd allows
    // each nested Txn only what the outer one leaves of --max-txn-ops
    // (v3rpc checkTxnRequest): n + 1 commands and the widest nested Txn
    // must fit in kMaxOps together.
    const size_t its_width =
        static_cast<size_t>(std::max(txn->compare_size(), txn->success_size()));
    const bool fits =
        mode == Mode::kNested
            ? n + 1 + std::max(widest, its_width) <= kMaxOps &&
                  events + events_of[i] <= kMaxEvents
            : ops + static_cast<size_t>(txn->success_size()) <= kMaxOps;
    if (n > 0 && (!fits || bytes + size > kMaxBytes)) break;
    bool twice = false;
    for (const etcdserverpb::RequestOp& op : txn->success()) {
      if (op.has_request_put()) {
        twice |= !puts.insert(op.request_put().key()).second;
      }
    }
    if (n > 0 && twice) break;
    ++n;
    ops += static_cast<size_t>(txn->success_size());
    widest = std::max(widest, its_width);
    events += events_of[i];
    bytes += size;
  }
  return n;
}

void EtcdTxnBatch::SendBatch(const std::deque<Pending*>& batch) const {
  if (mode_ == Mode::kNested && batch.size() == 1) {
    // Alone, a Txn goes as it is: all of --max-txn-ops is its own.
    Pending* p = batch.front();
    absl::StatusOr<etcdserverpb::TxnResponse> reply = kv_->Txn(*p->txn);
    if (!reply.ok()) {
      p->result = reply.status();
      return;
    }
    const bool succeeded = reply->succeeded();
    p->result = Outcome{*std::move(reply), succeeded ? p->events : 0};
    return;
  }
  etcdserverpb::TxnRequest outer;
  for (const Pending* p : batch) {
    if (mode_ == Mode::kNested) {
      *outer.add_success()->mutable_request_txn() = *p->txn;
    } else {
      for (const etcdserverpb::RequestOp& op : p->txn->success()) {
        *outer.add_success() = op;
      }
    }
  }
  absl::StatusOr<etcdserverpb::TxnResponse> reply = kv_->Txn(outer);
  if (reply.ok() && reply->responses_size() != outer.success_size()) {
    reply = absl::InternalError(
        absl::StrCat("etcd answered a batch of ", outer.success_size(),
                     " operations with ", reply->responses_size()));
  }
  if (!reply.ok()) {
    for (Pending* p : batch) p->result = reply.status();
    return;
  }
  int64_t events = 0;
  for (size_t i = 0; mode_ == Mode::kNested && i < batch.size(); ++i) {
    if (reply->responses(i).response_txn().succeeded()) {
      events += batch[i]->events;
    }
  }
  int next = 0;  // kFlat: the first answer of the next Txn
  for (size_t i = 0; i < batch.size(); ++i) {
    Outcome out;
    *out.response.mutable_header() = reply->header();
    if (mode_ == Mode::kNested) {
      etcdserverpb::TxnResponse* own =
          reply->mutable_responses(i)->mutable_response_txn();
      out.response.set_succeeded(own->succeeded());
      out.response.mutable_responses()->Swap(own->mutable_responses());
      out.events_at_revision = events;
    } else {
      out.response.set_succeeded(true);
      for (int k = 0; k < batch[i]->txn->success_size(); ++k) {
        out.response.add_responses()->Swap(reply->mutable_responses(next++));
      }
    }
    batch[i]->result = std::move(out);
  }
}

}  // namespace evald::storage
