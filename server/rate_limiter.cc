#include "server/rate_limiter.h"

#include <algorithm>

namespace evald::server {

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(std::max(1.0, burst)) {}

bool RateLimiter::Allow(absl::string_view principal, absl::Time now) {
  if (per_second_ <= 0) return true;
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(principal);
  if (it == buckets_.end()) {
    it = buckets_.emplace(std::string(principal), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed = absl::ToDoubleSeconds(now - b.updated);
  if (elapsed > 0) {
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
    b.updated = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace evald::server
