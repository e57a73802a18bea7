#include "tests/run_program.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/etcd_test_store.h"
#include "tests/evald_process.h"

#ifndef EVALUTL_BINARY
#error "EVALUTL_BINARY must name the evalutl executable"
#endif

namespace evald::testing {

RunResult RunProgram(const std::string& binary,
                     const std::vector<std::string>& args,
                     std::chrono::seconds timeout) {
  RunResult result;
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) return result;
  std::vector<std::string> argv_text = {binary};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  const pid_t pid = fork();
  if (pid == 0) {
    const int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    close(out_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[0]);
    close(err_pipe[1]);
    std::vector<char*> argv;
    for (std::string& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
    if (poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  if (open_fds > 0) {
    kill(pid, SIGKILL);  // still running: it must not have been
    for (pollfd& f : fds) {
      if (f.fd >= 0) close(f.fd);
    }
  }
  waitpid(pid, &result.status, 0);
  return result;
}

RunResult Replay(const std::string& data_dir) {
  return RunProgram(EVALUTL_BINARY, {"replay", "--data_dir=" + data_dir});
}

RunResult Replay(const EvaldProcess& evald) {
  if (evald.etcd_prefix().empty()) return Replay(evald.data_dir());
  return RunProgram(
      EVALUTL_BINARY,
      {"replay", "--from=etcd:" + SharedEtcdEndpoints() + evald.etcd_prefix()});
}

}  // namespace evald::testing
