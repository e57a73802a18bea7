// The replicated deployment (#15, docs/deployment.md): two evald replicas
// serving one prefix of a 3-member etcd cluster on loopback.
//
// - Racing releases of one tranche on both replicas: exactly one payment.
// - A request retried on the other replica gets the first reply.
// - A replica whose etcd member is cut off from the majority refuses
//   writes with UNAVAILABLE instead of acting on what it last knew.
// - The fail-over drill: a mixed load from several clients, each retrying
//   on the other replica; the etcd leader is killed -9, later one replica;
//   both come back. Then every acknowledged write is present, no tranche
//   is paid twice, every chain verifies, replay is identical, and a copy
//   into RocksDB (whose summary is kept by counters, not counted) shows
//   the same summary.
//
// ctest runs it with EVALD_TEST_STORE=etcd (tests/etcd_test_store.h).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/audit_chain.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/etcd_kv.h"
#include "tests/e2e_fixture.h"
#include "tests/etcd_test_store.h"
#include "tests/raw_grpc.h"
#include "tests/run_program.h"

namespace evald::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Stub = v1::EvaluationService::Stub;

// The member that leads, by index, or -1.
int Leader(const EtcdCluster& cluster) {
  auto kv = storage::EtcdKv::Connect(cluster.endpoints(), absl::Seconds(1));
  for (size_t i = 0; i < 3; ++i) {
    absl::StatusOr<storage::EtcdKv::MemberStatus> s =
        kv->Status(cluster.endpoint(i));
    if (s.ok() && s->member_id == s->leader_id) return static_cast<int>(i);
  }
  return -1;
}

class ReplicasTest : public EvaldTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(TestsUseEtcd())
        << "needs EVALD_TEST_STORE=etcd (ctest sets it)";
    EvaldTest::SetUp();
    b_.ShareStoreWith(evald_);
    ASSERT_TRUE(b_.Start());
    stub_b_ = b_.NewStub();
  }

  // A project whose 2025 mid-term tranche is DUE.
  void DueProject(const std::string& id) {
    ASSERT_TRUE(CreateProject(id, "2025-07-01").ok());
    SubmitAll(Ref(id, 2025, v1::MID_TERM), "85");
    v1::Evaluation e;
    grpc::Status s = Finalize(Ref(id, 2025, v1::MID_TERM), "2025-12-15", &e);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  static grpc::Status ReleaseOn(Stub* stub, const std::string& project,
                                const std::string& reference,
                                const std::string& request_id,
                                int deadline_ms = 15000) {
    v1::ReleaseDisbursementRequest r;
    r.set_request_id(request_id);
    r.set_project_id(project);
    r.set_year(2025);
    r.set_kind(v1::MID_TERM_TRANCHE);
    r.set_payment_reference(reference);
    r.set_released_on("2026-03-20");
    v1::Disbursement reply;
    auto ctx = Context(kFinance);
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(deadline_ms));
    return stub->ReleaseDisbursement(ctx.get(), r, &reply);
  }

  static grpc::Status ScoreOn(Stub* stub, const std::string& project,
                              const std::string& score,
                              const std::string& request_id,
                              v1::Evaluation* out, int deadline_ms = 15000) {
    v1::SubmitProfessionalScoreRequest r;
    r.set_request_id(request_id);
    *r.mutable_evaluation() = Ref(project, 2025, v1::FINAL);
    r.set_score(score);
    auto ctx = Context(kAgency);
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(deadline_ms));
    return stub->SubmitProfessionalScore(ctx.get(), r, out);
  }

  // The replica's health for writes (grpc.health.v1, service
  // "evald.writes"), once it answers `want` (SERVING "\x08\x01",
  // NOT_SERVING "\x08\x02") or after 15 s: "SERVING", "NOT_SERVING" or
  // what it answered last.
  static std::string WritesHealth(const std::shared_ptr<grpc::Channel>& channel,
                                  grpc::StatusCode code,
                                  const std::string& want) {
    const std::string request = std::string("\x0a\x0c", 2) + "evald.writes";
    RawReply reply;
    const auto give_up = Clock::now() + std::chrono::seconds(15);
    do {
      reply = RawUnary(channel, "/grpc.health.v1.Health/Check", request);
      if (reply.status.error_code() == code && reply.bytes == want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (Clock::now() < give_up);
    if (reply.bytes == std::string("\x08\x01", 2)) return "SERVING";
    if (reply.bytes == std::string("\x08\x02", 2)) return "NOT_SERVING";
    return absl::StrCat(reply.status.error_code(), " ",
                        reply.status.error_message());
  }

  int ReleasesIn(const std::string& project) {
    int n = 0;
    for (const v1::AuditEvent& e : Audit(project)) {
      if (e.action() == "disbursement.released") ++n;
    }
    return n;
  }

  EvaldProcess b_;
  std::unique_ptr<Stub> stub_b_;
};

TEST_F(ReplicasTest,
       RacingReleasesOnBothReplicasPayOnceAndARetryGetsTheFirstReply) {
  DueProject("P1");
  std::atomic<int> paid{0}, refused{0};
  std::vector<std::thread> clerks;
  for (int i = 0; i < 16; ++i) {
    clerks.emplace_back([&, i] {
      grpc::Status s =
          ReleaseOn(i % 2 ? stub_b_.get() : stub_.get(), "P1",
                    absl::StrCat("BANK-", i), absl::StrCat("race-", i));
      if (s.ok()) {
        ++paid;
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
            << s.error_message();
        ++refused;
      }
    });
  }
  for (std::thread& t : clerks) t.join();
  EXPECT_EQ(paid.load(), 1);
  EXPECT_EQ(refused.load(), 15);
  EXPECT_EQ(ReleasesIn("P1"), 1);

  // A score sent to one replica, whose reply was lost, sent again with the
  // same request id to the other: the first reply, and one submission.
  v1::Evaluation first, again;
  ASSERT_TRUE(ScoreOn(stub_.get(), "P1", "81", "once", &first).ok());
  ASSERT_TRUE(ScoreOn(stub_b_.get(), "P1", "81", "once", &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  int submitted = 0;
  for (const v1::AuditEvent& e : Audit("P1")) {
    if (e.request_id() == "once") ++submitted;
  }
  EXPECT_EQ(submitted, 1);
}

TEST_F(ReplicasTest, AReplicaCutOffFromTheMajorityRefusesWritesAsUnavailable) {
  DueProject("P1");
  EtcdCluster& cluster = SharedEtcdCluster();
  EvaldProcess cut_off;
  cut_off.ShareStoreWith(evald_);
  ASSERT_TRUE(cut_off.Start({"--etcd_endpoints=" + cluster.endpoint(0)}));
  auto stub = cut_off.NewStub();
  auto channel = grpc::CreateChannel(cut_off.address(),
                                     grpc::InsecureChannelCredentials());
  EXPECT_EQ(WritesHealth(channel, grpc::StatusCode::OK, "\x08\x01"), "SERVING");
  cluster.Pause(1);
  cluster.Pause(2);
  grpc::Status s = ReleaseOn(stub.get(), "P1", "BANK-1", "cut-1", 30000);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("retry"));
  // Its health says so, for a load balancer to drain it.
  EXPECT_EQ(WritesHealth(channel, grpc::StatusCode::OK, "\x08\x02"),
            "NOT_SERVING");
  cluster.Resume(1);
  cluster.Resume(2);
  EXPECT_EQ(WritesHealth(channel, grpc::StatusCode::OK, "\x08\x01"), "SERVING");
  // Healed, the same request goes through, once.
  bool paid = false;
  for (int i = 0; i < 50 && !paid; ++i) {
    paid = ReleaseOn(stub.get(), "P1", "BANK-1", "cut-1").ok();
    if (!paid) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(paid);
  EXPECT_EQ(ReleasesIn("P1"), 1);
}

// A principal created on one replica can call through the other within
// seconds, and once revoked there, it cannot.
TEST_F(ReplicasTest, APrincipalMadeOrRevokedOnOneReplicaCountsOnTheOther) {
  const std::string token = AddPrincipal("agency-new", "agency", "AG1");
  auto list_on_b = [&] {
    v1::ListProjectsResponse reply;
    return stub_b_
        ->ListProjects(Context(token).get(), v1::ListProjectsRequest(), &reply)
        .error_code();
  };
  auto within = [](const std::function<bool()>& done) {
    const auto give_up = Clock::now() + std::chrono::seconds(10);
    while (!done() && Clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  };
  const auto made = Clock::now();
  EXPECT_TRUE(within([&] { return list_on_b() == grpc::StatusCode::OK; }));
  std::printf(
      "a principal made on A served on B after %.0f ms\n",
      std::chrono::duration<double, std::milli>(Clock::now() - made).count());
  ASSERT_TRUE(Revoke("agency-new").ok());
  EXPECT_TRUE(
      within([&] { return list_on_b() == grpc::StatusCode::UNAUTHENTICATED; }));
}

// The backup of docs/deployment.md: `etcdctl snapshot save` of a member,
// restored into a new 3-member cluster, serves everything that was
// acknowledged before it, verifies under `evalutl replay`, and takes new
// writes.
TEST_F(ReplicasTest, ASnapshotRestoredIntoANewClusterServesEverything) {
  DueProject("S1");
  ASSERT_TRUE(ReleaseOn(stub_.get(), "S1", "BANK-S1", "snap-1").ok());
  const std::vector<v1::AuditEvent> before = Audit("S1");
  char pattern[] = "/tmp/evald-snapshot-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const std::string snapshot = dir + "/evald.db";
  ASSERT_TRUE(SharedEtcdCluster().SaveSnapshot(0, snapshot));

  EtcdCluster restored(3, "", snapshot);
  ASSERT_TRUE(restored.restored());
  EvaldProcess on_restored;
  on_restored.SetEtcdPrefix(evald_.etcd_prefix());
  ASSERT_TRUE(on_restored.Start(
      {"--etcd_endpoints=" + absl::StrJoin(restored.endpoints(), ",")}));
  // The fixture's helpers (Audit) read through stub_: point it there.
  std::unique_ptr<Stub> original = std::exchange(stub_, on_restored.NewStub());
  const std::vector<v1::AuditEvent> after = Audit("S1");
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].SerializeAsString(), before[i].SerializeAsString());
  }
  EXPECT_EQ(ReleasesIn("S1"), 1);
  // The same release again is answered from its request record, once.
  EXPECT_TRUE(ReleaseOn(stub_.get(), "S1", "BANK-S1", "snap-1").ok());
  EXPECT_EQ(ReleasesIn("S1"), 1);
  v1::Evaluation e;
  EXPECT_TRUE(ScoreOn(stub_.get(), "S1", "88", "snap-2", &e).ok());
  RunResult replay = RunProgram(
      EVALUTL_BINARY,
      {"replay", "--from=etcd:" + absl::StrJoin(restored.endpoints(), ",") +
                     evald_.etcd_prefix()});
  EXPECT_EQ(replay.status, 0) << replay.out << replay.err;
  EXPECT_THAT(replay.out, ::testing::HasSubstr("identical")) << replay.out;
  stub_ = std::move(original);
  on_restored.Stop();
  std::filesystem::remove_all(dir);
}

// Two replicas started at the same moment on a fresh prefix both seed the
// organisations and principals files: one of each pair of racing seeds
// wins, the other counts it as done, and both replicas serve every token.
TEST_F(ReplicasTest, ReplicasStartingAtOnceOnAFreshPrefixBothServe) {
  const std::string prefix = FreshEtcdPrefix();
  EvaldProcess one, two;
  one.SetEtcdPrefix(prefix);
  two.SetEtcdPrefix(prefix);
  bool one_started = false, two_started = false;
  std::thread a([&] { one_started = one.Start(); });
  std::thread b([&] { two_started = two.Start(); });
  a.join();
  b.join();
  ASSERT_TRUE(one_started);
  ASSERT_TRUE(two_started);
  std::vector<std::string> seen_by;
  for (EvaldProcess* replica : {&one, &two}) {
    auto stub = replica->NewStub();
    v1::ListOrganisationsResponse orgs;
    auto ctx = Context(kBureau);
    ASSERT_TRUE(stub->ListOrganisations(ctx.get(),
                                        v1::ListOrganisationsRequest(), &orgs)
                    .ok());
    // The file's 18 and the 2 placeholders of the test principals'
    // organisations, each once.
    std::set<std::string> codes;
    for (const v1::Organisation& o : orgs.organisations())
      codes.insert(o.code());
    EXPECT_EQ(codes.size(), 20u);
    EXPECT_EQ(orgs.organisations_size(), 20);
    seen_by.push_back(orgs.SerializeAsString());
    auto finance = Context(kFinance);
    v1::ListDisbursementsResponse none;
    EXPECT_TRUE(stub->ListDisbursements(finance.get(),
                                        v1::ListDisbursementsRequest(), &none)
                    .ok());
  }
  EXPECT_EQ(seen_by[0], seen_by[1]);
}

TEST_F(ReplicasTest, FailOverDrill) {
  constexpr int kClients = 4;
  for (int c = 0; c < kClients; ++c) DueProject(absl::StrCat("D", c));
  EtcdCluster& cluster = SharedEtcdCluster();

  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Clock::time_point> successes;  // of every acknowledged write
  std::map<std::string, std::string> acked;  // request id -> project
  std::map<std::string, std::string> paid;   // project -> reference
  std::atomic<Stub*> replica_a{stub_.get()};
  auto client = [&](int c) {
    const std::string project = absl::StrCat("D", c);
    for (int k = 0; !stop.load(); ++k) {
      const std::string id = absl::StrCat(project, "-", k);
      const bool release = k == 20;
      bool done = false;
      // Retry the same request id, switching replicas, for 30 s.
      const auto give_up = Clock::now() + std::chrono::seconds(30);
      for (int attempt = 0; !done && Clock::now() < give_up; ++attempt) {
        Stub* stub = (k + attempt) % 2 ? stub_b_.get() : replica_a.load();
        grpc::Status s;
        if (release) {
          s = ReleaseOn(stub, project, absl::StrCat("BANK-", project), id,
                        3000);
        } else {
          v1::Evaluation e;
          s = ScoreOn(stub, project, absl::StrCat(60 + k % 40), id, &e, 3000);
        }
        if (s.ok()) {
          done = true;
          std::lock_guard<std::mutex> lock(mu);
          successes.push_back(Clock::now());
          acked[id] = project;
          if (release) paid[project] = absl::StrCat("BANK-", project);
        } else {
          ASSERT_THAT(s.error_code(),
                      ::testing::AnyOf(grpc::StatusCode::UNAVAILABLE,
                                       grpc::StatusCode::DEADLINE_EXCEEDED,
                                       grpc::StatusCode::ABORTED))
              << id << ": " << s.error_message();
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
      ASSERT_TRUE(done) << id << " was never accepted";
    }
  };
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) clients.emplace_back(client, c);

  // How long writes stalled after `t`: the longest time without an
  // acknowledged write in the four seconds from the last one before `t`
  // (a slow machine elects a new leader in well under that).
  auto stall_after = [&](Clock::time_point t) {
    std::vector<Clock::time_point> all;
    {
      std::lock_guard<std::mutex> lock(mu);
      all = successes;
    }
    std::sort(all.begin(), all.end());
    Clock::time_point previous = t;
    for (const Clock::time_point& s : all) {
      if (s <= t) previous = s;
    }
    double longest = 0;
    for (const Clock::time_point& s : all) {
      if (s <= t || s > t + std::chrono::seconds(4)) continue;
      longest = std::max(
          longest,
          std::chrono::duration<double, std::milli>(s - previous).count());
      previous = s;
    }
    return longest;
  };
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const int leader = Leader(cluster);
  ASSERT_GE(leader, 0);
  const Clock::time_point leader_killed = Clock::now();
  cluster.Kill(leader);
  std::this_thread::sleep_for(std::chrono::seconds(4));
  const double after_leader = stall_after(leader_killed);
  // Replica A dies; its clients go on through B.
  const Clock::time_point replica_killed = Clock::now();
  evald_.Kill();
  std::this_thread::sleep_for(std::chrono::seconds(4));
  const double after_replica = stall_after(replica_killed);
  cluster.Start(leader);
  ASSERT_TRUE(evald_.Start());
  // A client may still be in a call through the old stub: it lives until
  // they are done.
  auto old_stub = std::move(stub_);
  stub_ = evald_.NewStub();
  replica_a = stub_.get();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  for (std::thread& t : clients) t.join();
  old_stub.reset();
  std::printf(
      "drill failover: %zu writes acknowledged; writes stalled %.0f ms when "
      "the etcd leader was killed, %.0f ms when a replica was\n",
      acked.size(), after_leader, after_replica);
  // Writes went on within the four seconds after each kill.
  EXPECT_GT(after_leader, 0) << "no write succeeded after the leader died";
  EXPECT_GT(after_replica, 0) << "no write succeeded after replica A died";

  // Every acknowledged write is in its project's log, once; every chain
  // holds; each tranche was paid once, under its client's reference.
  for (int c = 0; c < kClients; ++c) {
    const std::string project = absl::StrCat("D", c);
    const std::vector<v1::AuditEvent> log = Audit(project);
    EXPECT_EQ(VerifyAuditChain(log), std::nullopt) << project;
    std::map<std::string, int> by_request;
    for (const v1::AuditEvent& e : log) ++by_request[e.request_id()];
    for (const auto& [id, p] : acked) {
      if (p == project) EXPECT_EQ(by_request[id], 1) << id;
    }
    EXPECT_EQ(ReleasesIn(project), 1) << project;
    EXPECT_EQ(Tranche(project, 2025, v1::MID_TERM_TRANCHE).payment_reference(),
              paid[project]);
  }
  RunResult replay = Replay(evald_);
  EXPECT_EQ(WEXITSTATUS(replay.status), 0) << replay.err;
  EXPECT_THAT(replay.out, ::testing::EndsWith(" records identical\n"));

  // The summary, counted from the records, is what RocksDB's counters say
  // of a copy.
  v1::Summary counted;
  auto ctx = Context(kBureau);
  ASSERT_TRUE(
      stub_->GetSummary(ctx.get(), v1::GetSummaryRequest(), &counted).ok());
  EvaldProcess copy;
  RunResult copied = RunProgram(
      EVALUTL_BINARY,
      {"copy", "--from=etcd:" + SharedEtcdEndpoints() + evald_.etcd_prefix(),
       "--to=rocksdb:" + copy.data_dir()});
  ASSERT_EQ(WEXITSTATUS(copied.status), 0) << copied.out << copied.err;
  EXPECT_THAT(copied.out, ::testing::EndsWith(" records identical\n"));
  std::printf("drill failover: evalutl copy: %s", copied.out.c_str());
  ASSERT_TRUE(copy.Start({"--store=rocksdb"}));
  v1::Summary kept;
  auto ctx2 = Context(kBureau);
  ASSERT_TRUE(copy.NewStub()
                  ->GetSummary(ctx2.get(), v1::GetSummaryRequest(), &kept)
                  .ok());
  EXPECT_EQ(kept.DebugString(), counted.DebugString());
}

}  // namespace
}  // namespace evald::testing
