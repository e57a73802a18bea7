// Process-wide absl::Mutex settings for the long-running programs.
//
// Debian's Abseil is built with absl::Mutex deadlock detection on: every
// lock of every absl::Mutex -- gRPC takes several per call -- updates a
// global lock-order graph (GraphCycles), about 7 % of evald's CPU per read
// in a profile. It is a debugging aid; evald, the no-op server and the load
// generator turn it off at start, before any thread exists.

#ifndef EVALD_COMMON_MUTEX_MODE_H_
#define EVALD_COMMON_MUTEX_MODE_H_

#include "absl/synchronization/mutex.h"

namespace evald {

inline void TurnOffMutexDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace evald

#endif  // EVALD_COMMON_MUTEX_MODE_H_
