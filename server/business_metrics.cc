#include "server/business_metrics.h"

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "server/metrics.h"

namespace evald::server {

absl::StatusOr<std::string> BusinessMetrics(const storage::Store& store,
                                            scoring::Date today) {
  auto counts = store.Summary("", 0);
  if (!counts.ok()) return counts.status();
  const std::string today_text = scoring::FormatDate(today);
  std::map<std::string, double> phases;
  double due_fen = 0, overdue_fen = 0, held_fen = 0;
  std::optional<std::string> oldest_due;
  for (const auto& [key, values] : *counts) {
    for (const auto& [name, n] : values) {
      const size_t slash = name.find('/');
      const std::string family = name.substr(0, slash);
      const std::string value = name.substr(slash + 1);
      if (family == "state") {
        phases[absl::StrCat("state=\"", value, "\"")] += n;
      } else if (family == "due-fen") {
        due_fen += n;
        // Dates are YYYY-MM-DD: text order is date order.
        if (value < today_text) overdue_fen += n;
      } else if (family == "due" && n > 0) {
        if (!oldest_due || value < *oldest_due) oldest_due = value;
      } else if (family == "held" && value == "fen") {
        held_fen += n;
      }
    }
  }
  double oldest_days = 0;
  if (oldest_due) {
    absl::StatusOr<scoring::Date> d = scoring::ParseDate(*oldest_due);
    if (d.ok() && *d < today) oldest_days = static_cast<double>(today - *d);
  }
  std::map<std::string, double> store_bytes;
  for (const auto& [kind, bytes] : store.EngineGauges()) {
    store_bytes[absl::StrCat("kind=\"", kind, "\"")] =
        static_cast<double>(bytes);
  }
  std::string district = absl::StrCat(
      Gauge("evald_phases", "Evaluation phases by state.", phases),
      Gauge("evald_tranches_due_fen",
            "Tranches payable and not yet released, in fen.", {{"", due_fen}}),
      Gauge("evald_tranches_overdue_fen",
            "Due tranches past their due date, in fen.", {{"", overdue_fen}}),
      Gauge("evald_tranches_held_fen",
            "Tranches held while another phase is in rectification, in fen.",
            {{"", held_fen}}),
      Gauge("evald_oldest_unpaid_due_age_seconds",
            "How long ago the earliest unpaid tranche fell due, in whole "
            "days as seconds (0: none is past due).",
            {{"", oldest_days * 86400}}));
  // RocksDB's own figures, only where RocksDB runs: on etcd they would be
  // zeros that look like an idle disk (etcd has its own /metrics).
  if (store.Kind() != "rocksdb") return district;
  return absl::StrCat(district,
                      Gauge("evald_store_bytes",
                            "RocksDB's sizes: SST files, compaction "
                            "backlog, memtables, block cache.",
                            store_bytes),
                      EngineStatisticsText(store.Statistics()));
}

std::string EngineStatisticsText(const storage::Store::EngineStatistics& s) {
  return absl::StrCat(
      "# HELP evald_rocksdb_block_cache_hits_total Reads served from RocksDB's "
      "block cache.\n# TYPE evald_rocksdb_block_cache_hits_total counter\n"
      "evald_rocksdb_block_cache_hits_total ",
      s.block_cache_hits,
      "\n# HELP evald_rocksdb_block_cache_misses_total Reads that missed "
      "RocksDB's block cache (hit ratio: hits / (hits + misses)).\n"
      "# TYPE evald_rocksdb_block_cache_misses_total counter\n"
      "evald_rocksdb_block_cache_misses_total ",
      s.block_cache_misses,
      "\n# HELP evald_rocksdb_wal_sync_seconds How long a sync of the "
      "write-ahead log takes (every acknowledged write waits for one).\n"
      "# TYPE evald_rocksdb_wal_sync_seconds summary\n"
      "evald_rocksdb_wal_sync_seconds{quantile=\"0.5\"} ",
      s.wal_sync_seconds_p50,
      "\nevald_rocksdb_wal_sync_seconds{quantile=\"0.99\"} ",
      s.wal_sync_seconds_p99, "\nevald_rocksdb_wal_sync_seconds_sum ",
      s.wal_sync_seconds_sum, "\nevald_rocksdb_wal_sync_seconds_count ",
      s.wal_syncs, "\n");
}

}  // namespace evald::server
