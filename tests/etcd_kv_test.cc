// The ground of #15's replicated deployment, on a real 3-member etcd
// cluster (Debian's etcd-server) on loopback: the stubs generated from
// etcd's own .proto files talk to it; a Txn comparing the key's
// mod_revision lets exactly one of several racing writers win (what keeps
// a tranche from being released twice across replicas); and writes
// resume after the leader is killed.

#include "storage/etcd_kv.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/store.h"
#include "tests/etcd_cluster.h"
#include "tests/run_program.h"

namespace evald::testing {
namespace {

using storage::EtcdKv;

// Waits until the cluster takes a write (it has elected a leader).
std::unique_ptr<EtcdKv> Ready(const EtcdCluster& cluster) {
  auto kv = EtcdKv::Connect(cluster.endpoints(), absl::Seconds(2));
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<std::optional<EtcdKv::Value>> got = kv->Get("ready");
    if (got.ok() &&
        kv->PutIfRevision("ready", "yes",
                          got->has_value() ? (*got)->mod_revision : 0)
            .ok()) {
      return kv;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  absl::StatusOr<std::optional<EtcdKv::Value>> last = kv->Get("ready");
  ADD_FAILURE() << "the etcd cluster did not come up: "
                << (last.ok() ? "put failed" : last.status().ToString());
  return kv;
}

TEST(EtcdKvTest, OfWritersRacingOnOneRecordExactlyOneWins) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/etcd"))
      << "scripts/install-deps.sh installs Debian's etcd-server";
  EtcdCluster cluster;
  std::unique_ptr<EtcdKv> kv = Ready(cluster);
  // Eight "replicas" each read the tranche (absent: not yet released) and
  // try to record their own payment of it.
  std::atomic<int> won{0}, lost{0};
  std::vector<std::thread> replicas;
  for (int i = 0; i < 8; ++i) {
    replicas.emplace_back([&, i] {
      auto mine = EtcdKv::Connect({cluster.endpoint(i % 3)});
      absl::StatusOr<bool> put = mine->PutIfRevision(
          "/evald/test/tranche/P1/2025/mid-term", absl::StrCat("BANK-", i), 0);
      ASSERT_TRUE(put.ok()) << put.status();
      (*put ? won : lost).fetch_add(1);
    });
  }
  for (std::thread& t : replicas) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), 7);
  // The winner's record, with the revision a next change must compare on.
  absl::StatusOr<std::optional<EtcdKv::Value>> got =
      kv->Get("/evald/test/tranche/P1/2025/mid-term");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_THAT((*got)->value, ::testing::StartsWith("BANK-"));
  EXPECT_FALSE(*kv->PutIfRevision("/evald/test/tranche/P1/2025/mid-term",
                                  "BANK-late", (*got)->mod_revision - 1));
  EXPECT_TRUE(*kv->PutIfRevision("/evald/test/tranche/P1/2025/mid-term",
                                 "BANK-corrected", (*got)->mod_revision));
}

TEST(EtcdKvTest, WritesResumeAfterTheLeaderIsKilled) {
  EtcdCluster cluster;
  std::unique_ptr<EtcdKv> kv = Ready(cluster);
  size_t leader = 3;
  for (size_t i = 0; i < 3; ++i) {
    absl::StatusOr<EtcdKv::MemberStatus> s = kv->Status(cluster.endpoint(i));
    ASSERT_TRUE(s.ok()) << s.status();
    if (s->member_id == s->leader_id) leader = i;
  }
  ASSERT_LT(leader, 3u);
  // Short deadlines, so that the figure is not a deadline's multiple.
  std::unique_ptr<EtcdKv> writer =
      EtcdKv::Connect(cluster.endpoints(), absl::Milliseconds(250));
  cluster.Kill(leader);
  const auto killed = std::chrono::steady_clock::now();
  int attempts = 0;
  bool written = false;
  while (!written &&
         std::chrono::steady_clock::now() - killed < std::chrono::seconds(20)) {
    ++attempts;
    absl::StatusOr<bool> put = writer->PutIfRevision(
        absl::StrCat("/evald/test/after-", attempts), "x", 0);
    written = put.ok() && *put;
    if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - killed)
                        .count();
  ASSERT_TRUE(written) << "no write was accepted 20 s after the leader died";
  // The member comes back and catches up.
  cluster.Start(leader);
  std::unique_ptr<EtcdKv> back =
      EtcdKv::Connect({cluster.endpoint(leader)}, absl::Seconds(2));
  bool caught_up = false;
  for (int i = 0; i < 100 && !caught_up; ++i) {
    absl::StatusOr<std::optional<EtcdKv::Value>> got =
        back->Get(absl::StrCat("/evald/test/after-", attempts));
    caught_up = got.ok() && got->has_value();
    if (!caught_up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(caught_up);
  std::printf(
      "drill etcd: writes accepted again %.0f ms after the leader was "
      "killed (%d attempts); the killed member rejoined\n",
      ms, attempts);
}

// A replica whose etcd member lost the majority (a partition) must not
// act on stale state: reads are linearizable, so both a read and a write
// through that member fail (DEADLINE_EXCEEDED or UNAVAILABLE) instead of
// answering from what it last knew, and work again when the partition
// heals.
TEST(EtcdKvTest, AMemberCutOffFromTheMajorityAnswersNothingStale) {
  EtcdCluster cluster;
  std::unique_ptr<EtcdKv> kv = Ready(cluster);
  ASSERT_TRUE(*kv->PutIfRevision("/evald/test/tranche", "DUE", 0));
  std::unique_ptr<EtcdKv> cut_off =
      EtcdKv::Connect({cluster.endpoint(0)}, absl::Milliseconds(1500));
  ASSERT_TRUE(cut_off->Get("/evald/test/tranche").ok());
  cluster.Pause(1);
  cluster.Pause(2);
  absl::StatusOr<std::optional<EtcdKv::Value>> read =
      cut_off->Get("/evald/test/tranche");
  EXPECT_FALSE(read.ok()) << "a stale read was served";
  if (!read.ok()) {
    EXPECT_THAT(read.status().code(),
                ::testing::AnyOf(absl::StatusCode::kDeadlineExceeded,
                                 absl::StatusCode::kUnavailable))
        << read.status();
  }
  absl::StatusOr<bool> write =
      cut_off->PutIfRevision("/evald/test/other", "x", 0);
  EXPECT_FALSE(write.ok());
  cluster.Resume(1);
  cluster.Resume(2);
  bool healed = false;
  for (int i = 0; i < 50 && !healed; ++i) {
    healed = cut_off->Get("/evald/test/tranche").ok();
    if (!healed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(healed);
}

// A cluster that demands TLS and client certificates (etcd's
// --client-cert-auth) talks to a client with the CA and a certificate it
// signed, and to nobody else.
TEST(EtcdKvTest, ATlsClusterAnswersOnlyAClientWithItsCertificate) {
  char pattern[] = "/tmp/evald-etcd-tls-XXXXXX";
  const std::string certs = mkdtemp(pattern);
  ASSERT_EQ(
      std::system(absl::StrCat(EVALD_SOURCE_DIR, "/scripts/make-certs.sh ",
                               certs, " > /dev/null")
                      .c_str()),
      0);
  auto read = [&](const std::string& name) {
    std::ifstream in(certs + "/" + name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  storage::EtcdTls tls{read("ca.pem"), read("client.pem"), read("client.key")};
  {
    EtcdCluster cluster(3, certs);
    auto kv = EtcdKv::Connect(cluster.endpoints(), absl::Seconds(2), tls);
    bool written = false;
    for (int i = 0; i < 100 && !written; ++i) {
      absl::StatusOr<bool> put = kv->PutIfRevision("/evald/test/tls", "x", 0);
      written = put.ok() && *put;
      if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(written) << "no TLS write was accepted";
    // Without a client certificate, or without TLS: nothing.
    storage::EtcdTls no_cert{tls.ca_pem, "", ""};
    auto anonymous =
        EtcdKv::Connect(cluster.endpoints(), absl::Milliseconds(500), no_cert);
    EXPECT_FALSE(anonymous->Get("/evald/test/tls").ok());
    auto plain = EtcdKv::Connect(cluster.endpoints(), absl::Milliseconds(500));
    EXPECT_FALSE(plain->Get("/evald/test/tls").ok());

    // evalutl reaches the cluster with the same files: a copy into it
    // works with --etcd_*_file, and without them reaches nothing.
    const std::string empty = certs + "/empty-db";
    {
      storage::StoreOptions options;
      options.path = empty;
      ASSERT_TRUE(storage::Store::Open(options).ok());
    }
    const std::string to = absl::StrCat(
        "--to=etcd:", absl::StrJoin(cluster.endpoints(), ","), "/evald/copy/");
    RunResult with = RunProgram(EVALUTL_BINARY,
                                {"copy", "--from=rocksdb:" + empty, to,
                                 "--etcd_ca_file=" + certs + "/ca.pem",
                                 "--etcd_cert_file=" + certs + "/client.pem",
                                 "--etcd_key_file=" + certs + "/client.key"});
    EXPECT_EQ(with.status, 0) << with.out << with.err;
    RunResult without = RunProgram(
        EVALUTL_BINARY, {"copy", "--from=rocksdb:" + empty, to + "again/"});
    EXPECT_NE(without.status, 0);
    EXPECT_THAT(without.err, ::testing::HasSubstr("etcd")) << without.err;
    RunResult half = RunProgram(
        EVALUTL_BINARY, {"copy", "--from=rocksdb:" + empty, to + "half/",
                         "--etcd_cert_file=" + certs + "/client.pem"});
    EXPECT_NE(half.status, 0);
    EXPECT_THAT(half.err, ::testing::HasSubstr("--etcd_ca_file")) << half.err;
  }
  std::filesystem::remove_all(certs);
}

}  // namespace
}  // namespace evald::testing
