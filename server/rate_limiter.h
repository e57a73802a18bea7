// Per-principal rate limiting: a token bucket for each caller, so that one
// runaway script cannot starve the others (docs/security.md).

#ifndef EVALD_SERVER_RATE_LIMITER_H_
#define EVALD_SERVER_RATE_LIMITER_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace evald::server {

class RateLimiter {
 public:
  // Each principal may make `burst` calls at once and `per_second` calls a
  // second on average. per_second <= 0 disables the limit.
  RateLimiter(double per_second, double burst);

  // Takes one token from `principal`'s bucket at time `now`; false when the
  // bucket is empty (the call must be refused with RESOURCE_EXHAUSTED).
  bool Allow(absl::string_view principal, absl::Time now);

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  const double per_second_;
  const double burst_;
  absl::Mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace evald::server

#endif  // EVALD_SERVER_RATE_LIMITER_H_
