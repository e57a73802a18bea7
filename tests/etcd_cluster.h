// Test support: a 3-member etcd cluster (Debian's etcd-server) on loopback,
// with temporary data directories and free ports, stopped and removed when
// the object goes (#15's tests start their own, as the issue asks).

#ifndef EVALD_TESTS_ETCD_CLUSTER_H_
#define EVALD_TESTS_ETCD_CLUSTER_H_

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace evald::testing {

class EtcdCluster {
 public:
  // With `tls_dir` (made by scripts/make-certs.sh), clients must talk TLS
  // and present a certificate the directory's CA signed. With `snapshot`
  // (a file of `etcdctl snapshot save`), every member's data directory is
  // first restored from it (`etcdctl snapshot restore`), as
  // docs/deployment.md tells an operator to rebuild a lost cluster.
  explicit EtcdCluster(int members = 3, std::string tls_dir = "",
                       const std::string& snapshot = "")
      : tls_dir_(std::move(tls_dir)) {
    char pattern[] = "/tmp/evald-etcd-XXXXXX";
    dir_ = mkdtemp(pattern);
    for (int i = 0; i < members; ++i) {
      members_.push_back({absl::StrCat("m", i), FreePort(), FreePort(), -1});
    }
    std::vector<std::string> initial;
    for (const Member& m : members_) {
      initial.push_back(
          absl::StrCat(m.name, "=http://127.0.0.1:", m.peer_port));
    }
    initial_cluster_ = absl::StrJoin(initial, ",");
    restored_ = !snapshot.empty();
    for (const Member& m : members_) {
      if (snapshot.empty()) break;
      const std::string restore = absl::StrCat(
          "ETCDCTL_API=3 /usr/bin/etcdctl snapshot restore ", snapshot,
          " --name=", m.name, " --data-dir=", dir_, "/", m.name,
          " --initial-cluster=", initial_cluster_,
          " --initial-cluster-token=evald-test",
          " --initial-advertise-peer-urls=http://127.0.0.1:", m.peer_port,
          " > ", dir_, "/restore-", m.name, ".log 2>&1");
      restored_ = std::system(restore.c_str()) == 0 && restored_;
    }
    for (size_t i = 0; i < members_.size(); ++i) Start(i);
  }

  // Whether every member was restored from the constructor's snapshot.
  bool restored() const { return restored_; }

  // `etcdctl snapshot save` of member i into `path`; true if it worked.
  bool SaveSnapshot(size_t i, const std::string& path) const {
    const std::string save =
        absl::StrCat("ETCDCTL_API=3 /usr/bin/etcdctl --endpoints=", endpoint(i),
                     " snapshot save ", path, " > ", dir_, "/save.log 2>&1");
    return std::system(save.c_str()) == 0;
  }
  ~EtcdCluster() {
    for (size_t i = 0; i < members_.size(); ++i) Kill(i);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // "127.0.0.1:PORT" of every member's client port.
  std::vector<std::string> endpoints() const {
    std::vector<std::string> out;
    for (const Member& m : members_) out.push_back(Endpoint(m));
    return out;
  }
  std::string endpoint(size_t i) const { return Endpoint(members_[i]); }

  // SIGKILL: no goodbye to the others.
  void Kill(size_t i) {
    Member& m = members_[i];
    if (m.pid <= 0) return;
    kill(m.pid, SIGCONT);  // a paused member dies as well
    kill(m.pid, SIGKILL);
    waitpid(m.pid, nullptr, 0);
    m.pid = -1;
  }

  // SIGSTOP / SIGCONT: the member stays, but answers nobody (a host cut
  // off by a partition), then answers again.
  // Pause returns only once every thread of the member has stopped:
  // kill() merely queues SIGSTOP, and on a loaded machine the member's
  // other threads go on answering for a while (seen: a leader confirmed a
  // read 2 ms after kill() returned).
  void Pause(size_t i) {
    if (members_[i].pid <= 0) return;
    kill(members_[i].pid, SIGSTOP);
    int status = 0;
    waitpid(members_[i].pid, &status, WUNTRACED);
  }
  void Resume(size_t i) {
    if (members_[i].pid <= 0) return;
    kill(members_[i].pid, SIGCONT);
    int status = 0;
    waitpid(members_[i].pid, &status, WCONTINUED);
  }

  // Starts member i (again, on its data directory: it rejoins).
  void Start(size_t i) {
    Member& m = members_[i];
    const std::string data = absl::StrCat(dir_, "/", m.name);
    const bool fresh = !std::filesystem::exists(data);
    const char* scheme = tls_dir_.empty() ? "http" : "https";
    std::vector<std::string> args = {
        "/usr/bin/etcd",
        "--name=" + m.name,
        "--data-dir=" + data,
        absl::StrCat("--listen-client-urls=", scheme,
                     "://127.0.0.1:", m.client_port),
        absl::StrCat("--advertise-client-urls=", scheme,
                     "://127.0.0.1:", m.client_port),
        absl::StrCat("--listen-peer-urls=http://127.0.0.1:", m.peer_port),
        absl::StrCat("--initial-advertise-peer-urls=http://127.0.0.1:",
                     m.peer_port),
        "--initial-cluster=" + initial_cluster_,
        std::string("--initial-cluster-state=") + (fresh ? "new" : "existing"),
        "--initial-cluster-token=evald-test",
        // Fast elections on loopback: a lost leader is replaced in about
        // a second rather than etcd's default several.
        "--heartbeat-interval=50",
        "--election-timeout=500",
        "--logger=zap",
        "--log-level=error",
    };
    if (!tls_dir_.empty()) {
      args.push_back("--cert-file=" + tls_dir_ + "/server.pem");
      args.push_back("--key-file=" + tls_dir_ + "/server.key");
      args.push_back("--trusted-ca-file=" + tls_dir_ + "/ca.pem");
      args.push_back("--client-cert-auth");
    }
    m.pid = fork();
    if (m.pid == 0) {
      const std::string log = absl::StrCat(dir_, "/", m.name, ".log");
      FILE* out = std::fopen(log.c_str(), "a");
      if (out != nullptr) {
        dup2(fileno(out), STDOUT_FILENO);
        dup2(fileno(out), STDERR_FILENO);
      }
      std::vector<char*> argv;
      for (const std::string& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }

 private:
  struct Member {
    std::string name;
    int client_port;
    int peer_port;
    pid_t pid;
  };
  static std::string Endpoint(const Member& m) {
    return absl::StrCat("127.0.0.1:", m.client_port);
  }
  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
  }

  std::string dir_;
  std::string initial_cluster_;
  bool restored_ = false;
  std::string tls_dir_;
  std::vector<Member> members_;
};

}  // namespace evald::testing

#endif  // EVALD_TESTS_ETCD_CLUSTER_H_
