// Salvage: what can be recovered from a data directory whose write-ahead
// log is damaged, and exactly what is lost (evalutl salvage,
// docs/operations.md).
//
// evald refuses to start on such a directory rather than drop acknowledged
// writes silently. Salvage copies it, recovers the copy up to the first
// damaged record (a consistent state: every command whole or not at all),
// and reads the original once more skipping only the damage, to list every
// event the copy does not have: those written after the damage, and those
// the damaged record held (gaps in a stream's sequence).

#ifndef EVALD_SERVER_SALVAGE_H_
#define EVALD_SERVER_SALVAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace evald::server {

struct LostEvent {
  std::string stream;
  int64_t sequence = 0;
  // Empty when the event itself was in the damaged record.
  std::string action;
  std::string target;
  std::string principal;
  std::string request_id;
};

struct SalvageReport {
  int64_t kept = 0;  // events in the salvaged copy
  std::vector<LostEvent> lost;
};

// Salvages `data_dir` into `to` (which must not exist); `data_dir` is
// only read.
absl::StatusOr<SalvageReport> Salvage(const std::string& data_dir,
                                      const std::string& to);

}  // namespace evald::server

#endif  // EVALD_SERVER_SALVAGE_H_
