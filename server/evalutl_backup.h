// evalutl's backup commands (storage/backup.h, docs/operations.md):
//
//   evalutl backup list DIR
//   evalutl backup verify DIR [--backup_id=N]
//   evalutl restore DIR --data_dir=NEW [--backup_id=N]
//
// verify checks every file of the backup (0: the latest) against its
// checksum, opens it, checks that it holds the cursor and chain heads of
// its manifest and that every audit chain in it verifies; exit 0, or 1 with
// what is wrong. restore verifies the files and restores into NEW (which
// must be new or empty) for evald --data_dir=NEW. 2 is a usage or I/O
// error.

#ifndef EVALD_SERVER_EVALUTL_BACKUP_H_
#define EVALD_SERVER_EVALUTL_BACKUP_H_

#include <cstdint>
#include <string>

namespace evald::server {

int RunBackupList(const std::string& dir);
int RunBackupVerify(const std::string& dir, uint32_t backup_id);
int RunRestore(const std::string& dir, uint32_t backup_id,
               const std::string& data_dir);

}  // namespace evald::server

#endif  // EVALD_SERVER_EVALUTL_BACKUP_H_
