#include "tests/evald_process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/sha256.h"
#include "tests/etcd_test_store.h"

#ifndef EVALD_BINARY
#error "EVALD_BINARY must name the evald executable"
#endif
#ifndef EVALD_SOURCE_DIR
#error "EVALD_SOURCE_DIR must name the source tree"
#endif

namespace evald::testing {

EvaldProcess::EvaldProcess() {
  char pattern[] = "/tmp/evald-test-XXXXXX";
  dir_ = mkdtemp(pattern);
  data_dir_ = dir_ + "/data";
  principals_ = dir_ + "/principals.txt";
  std::ifstream tokens(std::string(EVALD_SOURCE_DIR) +
                       "/deploy/demo/tokens.txt");
  std::ofstream out(principals_);
  std::string line;
  while (std::getline(tokens, line)) {
    if (line.empty() || line[0] == '#') continue;
    char token[128], role[32], org[64], name[64];
    if (std::sscanf(line.c_str(), "%127s %31s %63s %63s", token, role, org,
                    name) == 4) {
      out << Sha256Hex(token) << " " << role << " " << org << " " << name
          << "\n";
    }
  }
  out << Sha256Hex(kOtherTownship) << " township other-town township-other\n";
  out << Sha256Hex(kOtherAgency) << " agency AG9 agency-ag9\n";
}

EvaldProcess::~EvaldProcess() {
  Kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool EvaldProcess::Start(const std::vector<std::string>& extra_flags) {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) return false;
  std::vector<std::string> args = {
      EVALD_BINARY, "--listen=127.0.0.1:0", "--data_dir=" + data_dir_,
      "--principals=" + principals_, "--workers=8",
      // The clock's announcements change the audit log of every project
      // with an overdue tranche; the test that is about them turns it on.
      "--overdue_every_minutes=0",
      std::string("--organisations=") + EVALD_SOURCE_DIR +
          "/deploy/demo/organisations.tsv"};
  if (TestsUseEtcd()) {
    // The same prefix across restarts: a restarted evald finds its state.
    if (etcd_prefix_.empty()) etcd_prefix_ = FreshEtcdPrefix();
    args.push_back("--store=etcd");
    args.push_back("--etcd_endpoints=" + SharedEtcdEndpoints());
    args.push_back("--etcd_prefix=" + etcd_prefix_);
  }
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    close(out_pipe[0]);
    close(out_pipe[1]);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  // The first stdout line is "evald listening on HOST:PORT"; with
  // --http_listen the second is "evald http on http://HOST:PORT/".
  FILE* out = fdopen(out_pipe[0], "r");
  char line[256] = {0};
  const bool got = std::fgets(line, sizeof(line), out) != nullptr;
  bool http = false;
  for (const std::string& flag : extra_flags) {
    http = http || flag.rfind("--http_listen=", 0) == 0;
  }
  http_address_.clear();
  if (got && http) {
    char second[256] = {0};
    const std::string http_prefix = "evald http on ";
    if (std::fgets(second, sizeof(second), out) != nullptr &&
        std::string(second).rfind(http_prefix, 0) == 0) {
      const std::string url(second);
      const size_t scheme = url.find("://");
      http_address_ = url.substr(scheme == std::string::npos ? 0 : scheme + 3);
      while (!http_address_.empty() &&
             (http_address_.back() == '\n' || http_address_.back() == '/')) {
        http_address_.pop_back();
      }
    }
  }
  fclose(out);  // evald's later stdout writes (none expected) get EPIPE
  const std::string prefix = "evald listening on ";
  std::string text(line);
  if (!got || text.rfind(prefix, 0) != 0) {
    std::fprintf(stderr, "evald did not start: \"%s\"\n", line);
    Kill();
    return false;
  }
  address_ = text.substr(prefix.size());
  while (!address_.empty() &&
         (address_.back() == '\n' || address_.back() == '\r')) {
    address_.pop_back();
  }
  return true;
}

int EvaldProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

int EvaldProcess::ExitedStatus() {
  if (pid_ <= 0) return -1;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return -1;
  pid_ = -1;
  return status;
}

void EvaldProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::unique_ptr<evaluation::v1::EvaluationService::Stub> EvaldProcess::NewStub()
    const {
  return evaluation::v1::EvaluationService::NewStub(
      grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
  return ctx;
}

}  // namespace evald::testing
