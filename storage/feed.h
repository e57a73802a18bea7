// The event feed's sequencer: gives every audit event a position (cursor)
// in one global, gap-free, ordered sequence, written in the same batch as
// the event, without making commits wait for each other.
//
// Commit reserves consecutive cursors just before its batch is written
// and reports the outcome after. Concurrent commits may finish out of
// cursor order (group commit); the watermark is the highest cursor below
// which every reservation has finished, and readers read no further, so no
// reader ever sees cursor 6 and later finds a 5 it missed. Per stream the
// order is the commit order: a stream's commands are serialised by the
// server, so one finishes before the next reserves.
//
// A reservation whose write failed holds no event. The store stops writing
// after such a failure (store.h) and the watermark stops before it; when
// the store is opened again it writes a void pointer at each such hole in
// the feed's tail (Store::Open), so the cursors stay consecutive.
//
// Thread-safe.

#ifndef EVALD_STORAGE_FEED_H_
#define EVALD_STORAGE_FEED_H_

#include <cstdint>
#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace evald::storage {

class FeedSequencer {
 public:
  // `last` is the highest cursor stored (0 if none).
  explicit FeedSequencer(int64_t last);

  // Reserves `n` (>= 1) consecutive cursors and returns the first.
  int64_t Reserve(int n);

  // The reservation [first, first + n) was written (`committed`) or not.
  void Finish(int64_t first, int n, bool committed);

  // Every cursor at or below it holds a committed event (or a void).
  int64_t Watermark() const;

  // Waits until the watermark exceeds `after`, `timeout` passes or Wake()
  // is called; returns the watermark.
  int64_t WaitBeyond(int64_t after, absl::Duration timeout);

  // Wakes every WaitBeyond (a watch stream that was cancelled).
  void Wake();

 private:
  void Advance() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  int64_t next_ ABSL_GUARDED_BY(mu_);
  int64_t watermark_ ABSL_GUARDED_BY(mu_);
  // Reserved cursors not yet finished, and finished ones that failed.
  std::set<int64_t> pending_ ABSL_GUARDED_BY(mu_);
  std::set<int64_t> failed_ ABSL_GUARDED_BY(mu_);
  int64_t wakes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace evald::storage

#endif  // EVALD_STORAGE_FEED_H_
