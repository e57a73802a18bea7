#include "storage/stderr_logger.h"

#include <cstdio>

namespace evald::storage {
namespace {

class StderrLogger : public rocksdb::Logger {
 public:
  explicit StderrLogger(rocksdb::InfoLogLevel level) : Logger(level) {}

  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof(line), format, ap);
    std::fprintf(stderr, "rocksdb: %s\n", line);
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewStderrLogger(rocksdb::InfoLogLevel level) {
  return std::make_shared<StderrLogger>(level);
}

}  // namespace evald::storage
