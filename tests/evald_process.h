// Test support: runs the real evald binary on a free loopback port with a
// temporary data directory, and talks to it over a real gRPC channel.

#ifndef EVALD_TESTS_EVALD_PROCESS_H_
#define EVALD_TESTS_EVALD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "evaluation/v1/evaluation.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace evald::testing {

// The demo principals of deploy/demo/tokens.txt, by token.
inline constexpr char kBureau[] = "demo-bureau";
inline constexpr char kAdmin[] = "demo-admin";
inline constexpr char kAgency[] = "demo-agency";
inline constexpr char kTownship[] = "demo-township";
inline constexpr char kVillage1[] = "demo-village-v01";
inline constexpr char kVillage2[] = "demo-village-v02";
inline constexpr char kProvider[] = "demo-provider";
inline constexpr char kFinance[] = "demo-finance";

// A principal outside every demo project's organisations.
inline constexpr char kOtherTownship[] = "test-other-township";
inline constexpr char kOtherAgency[] = "test-other-agency";

class EvaldProcess {
 public:
  // Makes a fresh temporary data directory; does not start evald.
  EvaldProcess();
  // Kills evald if running and removes the data directory.
  ~EvaldProcess();

  // Starts evald and waits until it serves. Returns false (with the reason
  // on stderr) if it does not.
  bool Start(const std::vector<std::string>& extra_flags = {});
  // SIGTERM and wait; returns the exit status.
  int Stop();
  // SIGKILL and wait: no graceful shutdown at all.
  void Kill();
  // If evald has exited by itself, its status as from waitpid (and it is
  // no longer running); -1 while it runs or when it was not started.
  int ExitedStatus();

  const std::string& address() const { return address_; }
  const std::string& data_dir() const { return data_dir_; }
  // Under EVALD_TEST_STORE=etcd (tests/etcd_test_store.h), the prefix of
  // this evald's state; "" before the first Start or on RocksDB.
  const std::string& etcd_prefix() const { return etcd_prefix_; }
  // Under EVALD_TEST_STORE=etcd: serve the same state as `other` (a
  // second replica); call before the first Start, after other's.
  void ShareStoreWith(const EvaldProcess& other) {
    etcd_prefix_ = other.etcd_prefix_;
  }
  void SetEtcdPrefix(const std::string& prefix) { etcd_prefix_ = prefix; }
  // HOST:PORT of the HTTP port when started with --http_listen, else "".
  const std::string& http_address() const { return http_address_; }

  std::unique_ptr<evaluation::v1::EvaluationService::Stub> NewStub() const;

 private:
  std::string dir_;
  std::string data_dir_;
  std::string etcd_prefix_;
  std::string principals_;
  std::string address_;
  std::string http_address_;
  pid_t pid_ = -1;
};

// A ClientContext carrying `token` as its bearer token (none if empty),
// with a deadline of 30 seconds.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token);

}  // namespace evald::testing

#endif  // EVALD_TESTS_EVALD_PROCESS_H_
