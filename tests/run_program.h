// Test support: runs a program to completion and collects what it printed.

#ifndef EVALD_TESTS_RUN_PROGRAM_H_
#define EVALD_TESTS_RUN_PROGRAM_H_

#include <chrono>
#include <string>
#include <vector>

namespace evald::testing {

// What a run printed and how it ended.
struct RunResult {
  int status = -1;  // as from waitpid
  std::string out;
  std::string err;
};

// Runs `binary` with `args` (stdin from /dev/null) to completion, killing
// it after `timeout`.
RunResult RunProgram(const std::string& binary,
                     const std::vector<std::string>& args,
                     std::chrono::seconds timeout = std::chrono::seconds(60));

// Runs `evalutl replay --data_dir=DIR` on a stopped evald's data directory.
RunResult Replay(const std::string& data_dir);
// evalutl replay of the store `evald` runs on: its data directory, or its
// etcd prefix under EVALD_TEST_STORE=etcd.
class EvaldProcess;
RunResult Replay(const EvaldProcess& evald);

}  // namespace evald::testing

#endif  // EVALD_TESTS_RUN_PROGRAM_H_
