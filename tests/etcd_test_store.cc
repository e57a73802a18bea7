#include "tests/etcd_test_store.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/etcd_kv.h"

namespace evald::testing {

bool TestsUseEtcd() {
  const char* store = std::getenv("EVALD_TEST_STORE");
  return store != nullptr && std::string(store) == "etcd";
}

EtcdCluster& SharedEtcdCluster() {
  // Destroyed at exit, which stops the members.
  static const std::unique_ptr<EtcdCluster> cluster = [] {
    auto c = std::make_unique<EtcdCluster>();
    auto kv = storage::EtcdKv::Connect(c->endpoints(), absl::Seconds(2));
    for (int i = 0; i < 100; ++i) {
      if (kv->PutIfRevision("/evald-test/ready", "yes", 0).ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return c;
  }();
  return *cluster;
}

std::string SharedEtcdEndpoints() {
  return absl::StrJoin(SharedEtcdCluster().endpoints(), ",");
}

std::string FreshEtcdPrefix() {
  static std::atomic<int> next{0};
  return absl::StrCat("/evald-test/", getpid(), "-", ++next, "/");
}

}  // namespace evald::testing
