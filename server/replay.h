// Replay: re-derives a data directory from its audit log alone and compares
// the result with what is stored (evalutl replay, docs/storage.md).
//
// Every event of every stream carries the command the server accepted.
// Replay applies those commands, stream by stream in sequence order,
// through the same write path evald uses (Applier) into an empty scratch
// store, checking that each reproduces its stored event byte for byte, and
// then compares every record, index entry, counter, request record and
// event of the two stores.

#ifndef EVALD_SERVER_REPLAY_H_
#define EVALD_SERVER_REPLAY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "server/apply.h"
#include "storage/store.h"

namespace evald::server {

struct ReplayReport {
  int64_t events = 0;   // events replayed
  int64_t entries = 0;  // stored entries found identical
  // The first difference, in words; nullopt if the stores are identical.
  std::optional<std::string> difference;
};

// Replays `stored`'s audit log into `scratch` (an empty store) and compares.
// An error status is a failure to read or write, not a difference.
absl::StatusOr<ReplayReport> Replay(const storage::Store& stored,
                                    storage::Store& scratch,
                                    const Applier& applier);

}  // namespace evald::server

#endif  // EVALD_SERVER_REPLAY_H_
