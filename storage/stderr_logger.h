// RocksDB's informational log, sent to stderr instead of a LOG file in the
// data directory.
//
// RocksDB's own LOG file lives on the data disk. When that disk fills, an
// append to it fails, and the next log line -- a flush reporting its
// progress -- trips an assertion in Debian's librocksdb (built with
// assertions) and aborts the process. Logging to stderr (journald under
// systemd) takes the disk out of the logging path.

#ifndef EVALD_STORAGE_STDERR_LOGGER_H_
#define EVALD_STORAGE_STDERR_LOGGER_H_

#include <cstdarg>
#include <memory>

#include "rocksdb/env.h"

namespace evald::storage {

// A logger that writes lines at or above `level` to stderr, each prefixed
// "rocksdb: ". Thread-safe (one fprintf per line).
std::shared_ptr<rocksdb::Logger> NewStderrLogger(rocksdb::InfoLogLevel level);

}  // namespace evald::storage

#endif  // EVALD_STORAGE_STDERR_LOGGER_H_
