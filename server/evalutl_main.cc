// evalutl: offline tools for an evald data directory, in the spirit of
// etcdutl and RocksDB's ldb (docs/operations.md).
//
//   evalutl replay --data_dir=DIR | --from=STORE [--policy_dir=DIR]
//                  [--calendar_dir=DIR]
//   evalutl copy --from=STORE --to=STORE [--policy_dir=DIR]
//   evalutl salvage --data_dir=DIR --to=NEW
//   evalutl backup list DIR | backup verify DIR [--backup_id=N]
//   evalutl restore DIR --data_dir=NEW [--backup_id=N]
//
// replay re-derives every record from the audit log (server/replay.h) and
// prints "N events replayed, M records identical" (exit 0), or the first
// difference (exit 1). 2 is a usage or I/O error. The data directory is
// opened read-only; give replay the same --policy_dir and --calendar_dir
// evald runs with.
//
// STORE is rocksdb:DIR or etcd:HOST:PORT,.../PREFIX/ (server/store_spec.h).
// copy replays the audit log of one store into another, empty one (so the
// target's indexes, counters and feed are its own), and compares every
// record as replay does: "N events copied, M records identical".
//
// salvage recovers a data directory with a damaged log into NEW up to the
// damage and lists every event that is lost (server/salvage.h): exit 0
// when none is, 1 when some are.

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/apply.h"
#include "server/config.h"
#include "server/etcd_tls_flags.h"
#include "server/evalutl_backup.h"
#include "server/replay.h"
#include "server/salvage.h"
#include "server/store_spec.h"
#include "storage/store.h"

ABSL_FLAG(std::string, data_dir, "", "evald data directory (required)");
ABSL_FLAG(std::string, policy_dir, "",
          "directory of extra policies (*.textproto), as given to evald");
ABSL_FLAG(std::string, calendar_dir, "",
          "directory of working-day calendars, as given to evald");
ABSL_FLAG(std::string, from, "",
          "replay, copy: the store to read, rocksdb:DIR or "
          "etcd:HOST:PORT,HOST:PORT/PREFIX/ (replay: instead of --data_dir)");
ABSL_FLAG(std::string, to, "",
          "salvage: the new directory to recover into (must not exist); "
          "copy: the empty store to copy into, rocksdb:DIR or "
          "etcd:HOST:PORT,.../PREFIX/");
ABSL_FLAG(uint32_t, backup_id, 0,
          "backup verify, restore: which backup (0: the latest)");
ABSL_FLAG(std::string, scratch_dir, "",
          "empty directory to replay into (default: a temporary one, removed "
          "afterwards)");

namespace evald::server {
namespace {

constexpr char kUsage[] =
    "evalutl replay --data_dir=DIR | --from=STORE [--policy_dir=DIR] "
    "[--calendar_dir=DIR]\n"
    "       evalutl copy --from=STORE --to=STORE\n"
    "       evalutl salvage --data_dir=DIR --to=NEW\n"
    "       evalutl backup list DIR\n"
    "       evalutl backup verify DIR [--backup_id=N]\n"
    "       evalutl restore DIR --data_dir=NEW [--backup_id=N]\n"
    "\n"
    "  replay   re-derive every record from the audit log and compare it with\n"
    "           what is stored; prints \"N events replayed, M records "
    "identical\"\n"
    "           (exit 0) or the first difference (exit 1)\n"
    "  copy     replay one store's audit log into another, empty one (STORE\n"
    "           is rocksdb:DIR or etcd:HOST:PORT,.../PREFIX/) and compare\n"
    "  salvage  recover a data directory whose log is damaged into NEW, up to\n"
    "           the damage, and list every event lost (exit 1 if any)\n"
    "  backup   list the backups evalctl admin backup made in DIR, or verify\n"
    "           one: its files' checksums, its manifest, every audit chain\n"
    "  restore  restore a backup into a new data directory, offline";

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "evalutl: %s\n", std::string(status.message()).c_str());
  return 2;
}

// The applier replay and copy re-decide every command with.
absl::StatusOr<std::pair<PolicySet, scoring::WorkingDayCalendar>> Rules() {
  absl::StatusOr<PolicySet> policies =
      LoadPolicies(absl::GetFlag(FLAGS_policy_dir), "");
  if (!policies.ok()) return policies.status();
  absl::StatusOr<scoring::WorkingDayCalendar> calendar =
      LoadCalendar(absl::GetFlag(FLAGS_calendar_dir));
  if (!calendar.ok()) return calendar.status();
  return std::pair{*std::move(policies), *std::move(calendar)};
}

int RunCopy() {
  const std::string from = absl::GetFlag(FLAGS_from);
  const std::string to = absl::GetFlag(FLAGS_to);
  if (from.empty() || to.empty()) {
    std::fprintf(stderr, "evalutl: copy needs --from and --to\n");
    return 2;
  }
  auto rules = Rules();
  if (!rules.ok()) return Fail(rules.status());
  absl::StatusOr<std::optional<storage::EtcdTls>> tls = EtcdTlsFromFlags();
  if (!tls.ok()) return Fail(tls.status());
  absl::StatusOr<std::unique_ptr<storage::Store>> source =
      OpenStoreSpec("--from", from, /*read_only=*/true, /*create=*/false, *tls);
  if (!source.ok()) return Fail(source.status());
  absl::StatusOr<std::unique_ptr<storage::Store>> target =
      OpenStoreSpec("--to", to, /*read_only=*/false, /*create=*/true, *tls);
  if (!target.ok()) return Fail(target.status());
  // Into an empty store only: a copy merged into another district's state
  // would be neither.
  bool empty = true;
  absl::Status read = (*target)->ForEachAuditEvent([&](const auto&) {
    empty = false;
    return false;
  });
  if (!read.ok()) return Fail(read);
  if (!empty) {
    return Fail(absl::FailedPreconditionError(absl::StrCat(
        "--to: ", to, " already holds an audit log; copy into an empty one")));
  }
  Applier applier(&rules->first, &rules->second);
  absl::StatusOr<ReplayReport> report = Replay(**source, **target, applier);
  if (!report.ok()) return Fail(report.status());
  if (report->difference) {
    std::printf("%lld events copied before a difference: %s\n",
                static_cast<long long>(report->events),
                report->difference->c_str());
    return 1;
  }
  std::printf("%lld events copied, %lld records identical\n",
              static_cast<long long>(report->events),
              static_cast<long long>(report->entries));
  return 0;
}

int RunReplay() {
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  const std::string from = absl::GetFlag(FLAGS_from);
  if (data_dir.empty() == from.empty()) {
    std::fprintf(stderr,
                 "evalutl: replay needs --data_dir=DIR or --from=STORE (see "
                 "--help)\n");
    return 2;
  }
  if (!data_dir.empty() && !std::filesystem::is_directory(data_dir)) {
    std::fprintf(stderr, "evalutl: --data_dir: %s is not a directory\n",
                 data_dir.c_str());
    return 2;
  }
  auto rules = Rules();
  if (!rules.ok()) return Fail(rules.status());
  PolicySet* policies = &rules->first;
  scoring::WorkingDayCalendar* calendar = &rules->second;

  absl::StatusOr<std::optional<storage::EtcdTls>> tls = EtcdTlsFromFlags();
  if (!tls.ok()) return Fail(tls.status());
  absl::StatusOr<std::unique_ptr<storage::Store>> stored =
      OpenStoreSpec(data_dir.empty() ? "--from" : "--data_dir",
                    data_dir.empty() ? from : "rocksdb:" + data_dir,
                    /*read_only=*/true, /*create=*/false, *tls);
  if (!stored.ok()) return Fail(stored.status());

  std::string scratch_dir = absl::GetFlag(FLAGS_scratch_dir);
  bool remove_scratch = false;
  if (scratch_dir.empty()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "evalutl-replay-XXXXXX")
            .string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return Fail(absl::InternalError("cannot make a scratch directory"));
    }
    scratch_dir = pattern;
    remove_scratch = true;
  }
  int code = 0;
  {
    storage::StoreOptions scratch_options;
    scratch_options.path = scratch_dir + "/replayed";
    scratch_options.sync_writes = false;  // thrown away
    scratch_options.verify_previous = true;
    absl::StatusOr<std::unique_ptr<storage::Store>> scratch =
        storage::Store::Open(scratch_options);
    if (!scratch.ok()) return Fail(scratch.status());
    Applier applier(policies, calendar);
    absl::StatusOr<ReplayReport> report = Replay(**stored, **scratch, applier);
    if (!report.ok()) {
      code = Fail(report.status());
    } else if (report->difference) {
      std::printf("%lld events replayed before a difference: %s\n",
                  static_cast<long long>(report->events),
                  report->difference->c_str());
      code = 1;
    } else {
      std::printf("%lld events replayed, %lld records identical\n",
                  static_cast<long long>(report->events),
                  static_cast<long long>(report->entries));
    }
  }
  if (remove_scratch) {
    std::error_code ec;
    std::filesystem::remove_all(scratch_dir, ec);
  }
  return code;
}

int RunSalvage() {
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  const std::string to = absl::GetFlag(FLAGS_to);
  if (data_dir.empty() || to.empty()) {
    std::fprintf(stderr, "evalutl: salvage needs --data_dir and --to\n");
    return 2;
  }
  absl::StatusOr<SalvageReport> report = Salvage(data_dir, to);
  if (!report.ok()) return Fail(report.status());
  std::printf("salvaged %s into %s: %lld events kept, %zu lost\n",
              data_dir.c_str(), to.c_str(),
              static_cast<long long>(report->kept), report->lost.size());
  for (const LostEvent& e : report->lost) {
    if (e.action.empty()) {
      std::printf("lost %s/%lld: in the damaged record, unreadable\n",
                  e.stream.c_str(), static_cast<long long>(e.sequence));
    } else {
      std::printf("lost %s/%lld: %s %s by %s (request %s)\n", e.stream.c_str(),
                  static_cast<long long>(e.sequence), e.action.c_str(),
                  e.target.c_str(), e.principal.c_str(), e.request_id.c_str());
    }
  }
  return report->lost.empty() ? 0 : 1;
}

}  // namespace
}  // namespace evald::server

int main(int argc, char** argv) {
  absl::FlagsUsageConfig config;
  // --help lists this program's flags, not those of every library.
  config.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "evalutl") ||
           absl::StrContains(file, "etcd_tls_flags");
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  config.version_string = [] {
    return std::string("evalutl " EVALD_VERSION "\n");
  };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(evald::server::kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  std::string command = args.size() >= 2 ? args[1] : "";
  const uint32_t backup_id = absl::GetFlag(FLAGS_backup_id);
  if (command == "backup" && args.size() == 4 &&
      std::string(args[2]) == "list") {
    return evald::server::RunBackupList(args[3]);
  }
  if (command == "backup" && args.size() == 4 &&
      std::string(args[2]) == "verify") {
    return evald::server::RunBackupVerify(args[3], backup_id);
  }
  if (command == "restore" && args.size() == 3) {
    return evald::server::RunRestore(args[2], backup_id,
                                     absl::GetFlag(FLAGS_data_dir));
  }
  if (args.size() != 2) command.clear();
  if (command == "replay") return evald::server::RunReplay();
  if (command == "copy") return evald::server::RunCopy();
  if (command == "salvage") return evald::server::RunSalvage();
  std::fprintf(stderr, "usage: %s\n", evald::server::kUsage);
  return 2;
}
