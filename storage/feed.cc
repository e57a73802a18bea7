#include "storage/feed.h"

namespace evald::storage {

FeedSequencer::FeedSequencer(int64_t last)
    : next_(last + 1), watermark_(last) {}

int64_t FeedSequencer::Reserve(int n) {
  absl::MutexLock lock(&mu_);
  const int64_t first = next_;
  for (int i = 0; i < n; ++i) pending_.insert(next_++);
  return first;
}

void FeedSequencer::Finish(int64_t first, int n, bool committed) {
  absl::MutexLock lock(&mu_);
  for (int64_t c = first; c < first + n; ++c) {
    pending_.erase(c);
    if (!committed) failed_.insert(c);
  }
  Advance();
}

void FeedSequencer::Advance() {
  // Up to the first cursor still being written or lost to a failed write.
  int64_t limit = next_;
  if (!pending_.empty()) limit = std::min(limit, *pending_.begin());
  if (!failed_.empty()) limit = std::min(limit, *failed_.begin());
  watermark_ = limit - 1;
}

int64_t FeedSequencer::Watermark() const {
  absl::MutexLock lock(&mu_);
  return watermark_;
}

int64_t FeedSequencer::WaitBeyond(int64_t after, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  const int64_t wakes = wakes_;
  auto ready = [this, after, wakes]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return watermark_ > after || wakes_ != wakes;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  return watermark_;
}

void FeedSequencer::Wake() {
  absl::MutexLock lock(&mu_);
  ++wakes_;
}

}  // namespace evald::storage
