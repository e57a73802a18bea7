// The business half of GET /metrics (metrics.h has the RPC half): what the
// district looks like now, read from the summary counters (storage/
// counters.h) and RocksDB's own gauges, at each scrape. Labels are states
// only, never a project or a township.

#ifndef EVALD_SERVER_BUSINESS_METRICS_H_
#define EVALD_SERVER_BUSINESS_METRICS_H_

#include <string>

#include "absl/status/statusor.h"
#include "scoring/date.h"
#include "storage/store.h"

namespace evald::server {

// evald_phases{state}, evald_tranches_due_fen, evald_tranches_overdue_fen,
// evald_tranches_held_fen, evald_oldest_unpaid_due_age_seconds (how long
// ago, in whole days as seconds, the earliest DUE tranche fell due; 0 when
// none is; seconds as Prometheus's base unit), and
// evald_store_bytes{kind}, as of `today`.
absl::StatusOr<std::string> BusinessMetrics(const storage::Store& store,
                                            scoring::Date today);

// RocksDB's block cache and log-sync statistics in the text format: two
// counters and a summary (quantiles 0.5 and 0.99, _sum, _count).
std::string EngineStatisticsText(const storage::Store::EngineStatistics& s);

}  // namespace evald::server

#endif  // EVALD_SERVER_BUSINESS_METRICS_H_
