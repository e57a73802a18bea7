#include "storage/backup.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"
#include "storage/keys.h"
#include "storage/rocksdb_store.h"
#include "storage/store_internal.h"

namespace evald::storage {
namespace {

std::string ManifestPath(const std::string& dir, uint32_t id) {
  return absl::StrCat(dir, "/evald-manifest-", id, ".pb");
}

absl::Status FromIo(const rocksdb::IOStatus& s, absl::string_view what) {
  return internal::FromRocks(rocksdb::Status(s), what);
}

absl::StatusOr<BackupManifest> ReadManifest(const std::string& dir,
                                            uint32_t id) {
  std::ifstream in(ManifestPath(dir, id), std::ios::binary);
  if (!in) {
    return absl::DataLossError(absl::StrCat(
        "backup ", id, " of ", dir, " has no manifest (", ManifestPath(dir, id),
        "); it was not made by evald, or the manifest was lost"));
  }
  BackupManifest m;
  if (!m.ParseFromIstream(&in)) {
    return absl::DataLossError(
        absl::StrCat("the manifest of backup ", id, " does not parse"));
  }
  return m;
}

absl::Status WriteManifest(const std::string& dir, const BackupManifest& m) {
  const std::string path = ManifestPath(dir, m.backup_id());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !m.SerializeToOstream(&out) || !out.flush()) {
      return absl::UnavailableError(
          absl::StrCat("cannot write the backup manifest ", tmp));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot write the backup manifest ", path));
  }
  return absl::OkStatus();
}

// Opens backup `info` (with file details) read-only as a Store.
absl::StatusOr<std::unique_ptr<Store>> OpenBackup(
    const rocksdb::BackupInfo& info) {
  StoreOptions options;
  options.path = info.name_for_open;
  options.read_only = true;
  options.block_cache_bytes = 8 << 20;
  options.env_for_test = info.env_for_open.get();
  return Store::Open(options);
}

// The manifest's content as `store` holds it.
absl::Status Describe(const Store& store, BackupManifest* m) {
  absl::StatusOr<std::pair<int64_t, std::string>> heads =
      ChainHeadsDigest(store);
  if (!heads.ok()) return heads.status();
  m->set_cursor(store.FeedLatest());
  m->set_streams(heads->first);
  m->set_heads_sha256(heads->second);
  m->set_format_version(kFormatVersion);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenReader(
    const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) {
    return absl::NotFoundError(absl::StrCat(dir, " is not a directory"));
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(
      rocksdb::Env::Default(), rocksdb::BackupEngineOptions(dir), &raw);
  if (!s.ok()) return FromIo(s, "open backups");
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(raw);
}

absl::StatusOr<uint32_t> Resolve(rocksdb::BackupEngineReadOnly& engine,
                                 const std::string& dir, uint32_t id) {
  std::vector<rocksdb::BackupInfo> all;
  engine.GetBackupInfo(&all);
  if (all.empty()) {
    return absl::NotFoundError(absl::StrCat(dir, " holds no backup"));
  }
  if (id == 0) return all.back().backup_id;
  for (const rocksdb::BackupInfo& b : all) {
    if (b.backup_id == id) return id;
  }
  return absl::NotFoundError(absl::StrCat(dir, " holds no backup ", id));
}

}  // namespace

absl::StatusOr<std::pair<int64_t, std::string>> ChainHeadsDigest(
    const Store& store) {
  std::string lines;
  int64_t streams = 0;
  absl::Status s = store.ForEachChainTip([&](const v1::AuditEvent& tip) {
    absl::StrAppend(&lines, tip.project_id(), " ", tip.sequence(), " ",
                    tip.hash(), "\n");
    ++streams;
    return true;
  });
  if (!s.ok()) return s;
  return std::make_pair(streams, Sha256Hex(lines));
}

absl::Status RocksDbStore::ForEachChainTip(
    const std::function<bool(const v1::AuditEvent&)>& fn) const {
  const std::string prefix = "audit-tip/";
  const std::string upper = keys::PrefixEnd(prefix);
  rocksdb::ReadOptions ro;
  const rocksdb::Slice bound(upper);
  ro.iterate_upper_bound = &bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_->state));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    v1::AuditEvent tip;
    if (!tip.ParseFromArray(it->value().data(),
                            static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat(
          "storage: the chain tip ", it->key().ToString(), " does not parse"));
    }
    if (!fn(tip)) break;
  }
  if (!it->status().ok()) return internal::FromRocks(it->status(), "tips");
  return absl::OkStatus();
}

absl::StatusOr<BackupManifest> RocksDbStore::Backup(const std::string& dir,
                                                    int keep) {
  absl::MutexLock lock(&backup_mu_);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot make the backup directory ", dir));
  }
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngine::Open(
      rocksdb::BackupEngineOptions(dir), rocksdb::Env::Default(), &raw);
  if (!s.ok()) return FromIo(s, "open backups");
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::CreateBackupOptions create;
  // The write-ahead log goes into the backup with the table files: no
  // flush, so a backup does not stall writes.
  create.flush_before_backup = false;
  rocksdb::BackupID id = 0;
  s = engine->CreateNewBackup(create, db_.get(), &id);
  if (!s.ok()) return FromIo(s, "backup");
  rocksdb::BackupInfo info;
  rocksdb::Status got =
      engine->GetBackupInfo(id, &info, /*include_file_details=*/true);
  if (!got.ok()) return internal::FromRocks(got, "backup info");
  BackupManifest m;
  m.set_backup_id(id);
  m.set_unix_seconds(info.timestamp);
  m.set_size_bytes(info.size);
  m.set_files(info.number_files);
  absl::Status described;
  {
    absl::StatusOr<std::unique_ptr<Store>> copy = OpenBackup(info);
    described = copy.ok() ? Describe(**copy, &m) : copy.status();
  }
  if (described.ok()) described = WriteManifest(dir, m);
  if (!described.ok()) {
    // A backup without its manifest cannot be verified: it is not kept.
    (void)engine->DeleteBackup(id);
    return described;
  }
  if (keep > 0) {
    s = engine->PurgeOldBackups(static_cast<uint32_t>(keep));
    if (!s.ok()) return FromIo(s, "purge old backups");
    std::vector<rocksdb::BackupInfo> left;
    engine->GetBackupInfo(&left);
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("evald-manifest-", 0) != 0) continue;
      bool kept = false;
      for (const rocksdb::BackupInfo& b : left) {
        kept |= name == absl::StrCat("evald-manifest-", b.backup_id, ".pb");
      }
      if (!kept) std::filesystem::remove(entry.path(), ec);
    }
  }
  return m;
}

absl::StatusOr<std::vector<BackupManifest>> ListBackups(
    const std::string& dir) {
  absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> engine =
      OpenReader(dir);
  if (!engine.ok()) return engine.status();
  std::vector<rocksdb::BackupInfo> all;
  (*engine)->GetBackupInfo(&all);
  if (all.empty()) {
    return absl::NotFoundError(absl::StrCat(dir, " holds no backup"));
  }
  std::vector<BackupManifest> out;
  for (const rocksdb::BackupInfo& b : all) {
    absl::StatusOr<BackupManifest> m = ReadManifest(dir, b.backup_id);
    if (!m.ok()) {
      // Listed all the same (cursor -1: unknown); verify says what is wrong.
      BackupManifest bare;
      bare.set_backup_id(b.backup_id);
      bare.set_unix_seconds(b.timestamp);
      bare.set_size_bytes(b.size);
      bare.set_files(b.number_files);
      bare.set_cursor(-1);
      bare.set_streams(-1);
      m = bare;
    }
    out.push_back(*std::move(m));
  }
  return out;
}

absl::StatusOr<BackupManifest> VerifyBackup(
    const std::string& dir, uint32_t id,
    const std::function<absl::Status(const Store&)>& check) {
  absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> engine =
      OpenReader(dir);
  if (!engine.ok()) return engine.status();
  absl::StatusOr<uint32_t> which = Resolve(**engine, dir, id);
  if (!which.ok()) return which.status();
  rocksdb::IOStatus s =
      (*engine)->VerifyBackup(*which, /*verify_with_checksum=*/true);
  if (!s.ok()) {
    return absl::DataLossError(absl::StrCat("backup ", *which, " of ", dir,
                                            " is damaged: ", s.ToString()));
  }
  absl::StatusOr<BackupManifest> manifest = ReadManifest(dir, *which);
  if (!manifest.ok()) return manifest.status();
  rocksdb::BackupInfo info;
  rocksdb::Status got =
      (*engine)->GetBackupInfo(*which, &info, /*include_file_details=*/true);
  if (!got.ok()) return internal::FromRocks(got, "backup info");
  absl::StatusOr<std::unique_ptr<Store>> copy = OpenBackup(info);
  if (!copy.ok()) return copy.status();
  BackupManifest now = *manifest;
  if (absl::Status d = Describe(**copy, &now); !d.ok()) return d;
  if (now.cursor() != manifest->cursor() ||
      now.streams() != manifest->streams() ||
      now.heads_sha256() != manifest->heads_sha256()) {
    return absl::DataLossError(absl::StrCat(
        "backup ", *which, " does not hold what its manifest says: cursor ",
        now.cursor(), " (manifest ", manifest->cursor(), "), ", now.streams(),
        " audit chains (manifest ", manifest->streams(), "), heads ",
        now.heads_sha256() == manifest->heads_sha256() ? "equal" : "differ"));
  }
  if (check) {
    if (absl::Status c = check(**copy); !c.ok()) return c;
  }
  return manifest;
}

absl::StatusOr<BackupManifest> RestoreBackup(const std::string& dir,
                                             uint32_t id,
                                             const std::string& data_dir) {
  std::error_code ec;
  if (std::filesystem::exists(data_dir, ec) &&
      !std::filesystem::is_empty(data_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--data_dir: ", data_dir,
        " is not empty; restore into a new directory (nothing was changed)"));
  }
  absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> engine =
      OpenReader(dir);
  if (!engine.ok()) return engine.status();
  absl::StatusOr<uint32_t> which = Resolve(**engine, dir, id);
  if (!which.ok()) return which.status();
  absl::StatusOr<BackupManifest> manifest = ReadManifest(dir, *which);
  if (!manifest.ok()) return manifest.status();
  rocksdb::IOStatus s =
      (*engine)->VerifyBackup(*which, /*verify_with_checksum=*/true);
  if (!s.ok()) {
    return absl::DataLossError(absl::StrCat("backup ", *which, " of ", dir,
                                            " is damaged: ", s.ToString()));
  }
  s = (*engine)->RestoreDBFromBackup(*which, data_dir, data_dir);
  if (!s.ok()) return FromIo(s, "restore");
  return manifest;
}

}  // namespace evald::storage
