// Keeps the benchmark tools from rotting: runs bench/evald_load in smoke
// mode (a few hundred checked calls of every mode) against the real evald
// and against bench/noop_server. The benchmarks themselves never run in
// `make test`; `make bench` runs them (docs/benchmarks.md).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "tests/evald_process.h"

#ifndef EVALD_LOAD_BINARY
#error "EVALD_LOAD_BINARY must name the load generator"
#endif
#ifndef NOOP_SERVER_BINARY
#error "NOOP_SERVER_BINARY must name the no-op server"
#endif

namespace {

// Runs `command`, returns its exit status and appends its stdout to `out`.
int RunCommand(const std::string& command, std::string* out) {
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[512];
  while (std::fgets(buf, sizeof(buf), p) != nullptr) out->append(buf);
  const int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(EvaldLoadSmoke, EveryModeAgainstEvald) {
  evald::testing::EvaldProcess evald;
  ASSERT_TRUE(evald.Start({"--rate_limit_qps=0"}));
  std::string out;
  const int status = RunCommand(
      std::string(EVALD_LOAD_BINARY) + " --smoke --target=" + evald.address(),
      &out);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("smoke: ok"), std::string::npos) << out;
  // Every step printed its figures.
  for (const char* mode : {"mode=create", "mode=submit", "mode=get",
                           "mode=list", "mode=summary"}) {
    EXPECT_NE(out.find(mode), std::string::npos) << mode << "\n" << out;
  }
  EXPECT_EQ(evald.Stop(), 0);
}

TEST(EvaldLoadSmoke, NoopServer) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    execl(NOOP_SERVER_BINARY, NOOP_SERVER_BINARY, "--listen=127.0.0.1:0",
          "--workers=4", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipe_fds[1]);
  FILE* server_out = fdopen(pipe_fds[0], "r");
  char line[256] = {0};
  const bool got = std::fgets(line, sizeof(line), server_out) != nullptr;
  fclose(server_out);
  const std::string prefix = "noop_server listening on ";
  std::string address = line;
  ASSERT_TRUE(got && address.rfind(prefix, 0) == 0) << line;
  address = address.substr(prefix.size());
  while (!address.empty() && (address.back() == '\n' || address.back() == '\r'))
    address.pop_back();

  std::string out;
  const int status = RunCommand(std::string(EVALD_LOAD_BINARY) +
                                    " --smoke --mode=noop --target=" + address,
                                &out);
  kill(pid, SIGTERM);
  int server_status = 0;
  waitpid(pid, &server_status, 0);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("smoke: ok"), std::string::npos) << out;
  EXPECT_TRUE(WIFEXITED(server_status) && WEXITSTATUS(server_status) == 0);
}

}  // namespace
