// Online backups of an evald database, with RocksDB's BackupEngine: a
// consistent copy of a running store, incremental (a table file already in
// the backup directory is shared, not copied again), each backup checked
// by checksums, restorable offline (docs/operations.md, "Backups").
//
// Beside each backup the directory holds its manifest
// (evald-manifest-{id}.pb, proto BackupManifest): the feed cursor and every
// audit chain's head as the backup holds them, read from the backup itself
// once it is made, so that verifying a backup later compares it with what
// it held then.
//
// The backup directory is the store's host's; copy it off the host with
// rsync (docs/operations.md). Store::Backup may run while the store serves:
// it does not stop writes.

#ifndef EVALD_STORAGE_BACKUP_H_
#define EVALD_STORAGE_BACKUP_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/records.pb.h"
#include "storage/store.h"

namespace evald::storage {

// The manifests of the backups in `dir`, oldest first (NotFound when `dir`
// holds no backup). A backup whose manifest is missing is listed with
// cursor and streams -1.
absl::StatusOr<std::vector<BackupManifest>> ListBackups(const std::string& dir);

// Checks backup `id` (0: the latest) of `dir`: every file against its
// checksum; then opens it read-only and compares its cursor and chain heads
// with its manifest, and calls `check` with the opened store (evalutl
// verifies every audit chain there). DataLoss naming what differs.
absl::StatusOr<BackupManifest> VerifyBackup(
    const std::string& dir, uint32_t id,
    const std::function<absl::Status(const Store&)>& check);

// Restores backup `id` (0: the latest) of `dir` into `data_dir`, which must
// not exist or be empty (FailedPrecondition otherwise), after checking its
// files' checksums.
absl::StatusOr<BackupManifest> RestoreBackup(const std::string& dir,
                                             uint32_t id,
                                             const std::string& data_dir);

// The chain heads of `store` as a manifest counts them: (streams, SHA-256).
absl::StatusOr<std::pair<int64_t, std::string>> ChainHeadsDigest(
    const Store& store);

}  // namespace evald::storage

#endif  // EVALD_STORAGE_BACKUP_H_
