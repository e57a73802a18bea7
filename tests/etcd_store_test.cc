// EtcdStore's own limits (#15): every command is one etcd Txn, and etcd
// refuses a Txn of more than 128 operations (--max-txn-ops) or 1.5 MiB
// (--max-request-bytes). The largest command evald accepts -- creating a
// contract of the longest term allowed (20 years: 40 evaluations and 60
// tranches) for a township of 200 villages -- fits, with its figures
// printed; a change beyond the limits is refused before it is sent, and
// nothing is written.

#include "storage/etcd_store.h"

#include <atomic>
#include <cstdio>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/calendar.h"
#include "server/apply.h"
#include "server/commands.h"
#include "server/config.h"
#include "storage/etcd_txn_batch.h"
#include "tests/etcd_cluster.h"

namespace evald::testing {
namespace {

namespace v1 = ::evaluation::v1;

std::unique_ptr<storage::EtcdStore> Open(const EtcdCluster& cluster) {
  storage::EtcdStoreOptions options;
  options.endpoints = cluster.endpoints();
  options.prefix = "/evald/limits/";
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<std::unique_ptr<storage::EtcdStore>> store =
        storage::EtcdStore::Open(options);
    if (store.ok()) return *std::move(store);
    absl::SleepFor(absl::Milliseconds(100));
  }
  ADD_FAILURE() << "the etcd cluster did not come up";
  return nullptr;
}

TEST(EtcdStoreTest, TheLargestCommandFitsInOneTxn) {
  EtcdCluster cluster;
  std::unique_ptr<storage::EtcdStore> store = Open(cluster);
  ASSERT_NE(store, nullptr);
  server::PolicySet policies;
  server::Applier applier(&policies, &scoring::WorkingDayCalendar::BuiltIn());
  v1::CreateProjectRequest r;
  r.set_request_id("the-largest");
  r.set_project_id("P-LONGEST");
  r.set_name(std::string(200, 'x'));
  r.set_township("huangge");
  r.set_provider("PR1");
  r.set_agency("AG1");
  for (int v = 0; v < 200; ++v) {
    r.add_villages(absl::StrCat("VILLAGE-", v, std::string(40, 'v')));
  }
  r.set_start_date("2025-07-01");
  r.set_years(20);
  r.set_annual_fund_fen(260000000);
  const server::Principal bureau{"bureau", server::Role::kBureau, "district"};
  absl::StatusOr<v1::Command> command =
      server::NewCommand(bureau, "CreateProject", r, absl::Now());
  ASSERT_TRUE(command.ok()) << command.status();
  command->set_policy_id(policies.Default().id);
  storage::ReadPlan plan;
  plan.stream = "P-LONGEST";
  absl::StatusOr<std::shared_ptr<const storage::RecordReader>> reads =
      store->CommandReads(plan);
  ASSERT_TRUE(reads.ok()) << reads.status();
  server::StoreReader reader(reads->get());
  absl::StatusOr<server::Applied> applied = applier.Apply(*command, reader, {});
  ASSERT_TRUE(applied.ok()) << applied.status();
  applied->writes.read_revision = (*reads)->Revision();
  EXPECT_EQ(applied->writes.evaluations.size(), 40u);
  EXPECT_EQ(applied->writes.disbursements.size(), 60u);

  const etcdserverpb::TxnRequest txn = store->TxnOf(applied->writes);
  std::printf(
      "etcd txn of the largest command: %d puts, %d compares, %zu bytes "
      "(limits %d, %d, %zu)\n",
      txn.success_size(), txn.compare_size(), txn.ByteSizeLong(),
      storage::kEtcdMaxTxnOps, storage::kEtcdMaxTxnOps,
      storage::kEtcdMaxRequestBytes);
  EXPECT_LE(txn.success_size(), storage::kEtcdMaxTxnOps);
  EXPECT_LE(txn.compare_size(), storage::kEtcdMaxTxnOps);
  EXPECT_LE(txn.ByteSizeLong(), storage::kEtcdMaxRequestBytes);
  ASSERT_TRUE(store->Commit(applied->writes).ok());
  absl::StatusOr<std::vector<v1::Disbursement>> tranches =
      store->ProjectDisbursements("P-LONGEST");
  ASSERT_TRUE(tranches.ok());
  EXPECT_EQ(tranches->size(), 60u);
}

TEST(EtcdStoreTest, AChangeBeyondEtcdsLimitsIsRefusedAndWritesNothing) {
  EtcdCluster cluster;
  std::unique_ptr<storage::EtcdStore> store = Open(cluster);
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::string> before = store->ContentDigest();
  ASSERT_TRUE(before.ok());
  storage::WriteSet w;
  for (int i = 0; i < 200; ++i) {
    v1::Organisation o;
    o.set_code(absl::StrCat("ORG", i));
    w.organisations.push_back(o);
  }
  absl::Status s = store->Commit(w);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("128 operations"));
  EXPECT_THAT(s.message(), ::testing::HasSubstr("nothing was written"));
  EXPECT_EQ(*store->ContentDigest(), *before);
}

// A command decided from one revision (CommandReads) commits only if no
// record it writes changed since: a project changed by another writer in
// between refuses the first decision (Aborted), and nothing of it lands.
TEST(EtcdStoreTest, ADecisionFromBeforeAnotherWritersChangeIsAborted) {
  EtcdCluster cluster;
  std::unique_ptr<storage::EtcdStore> store = Open(cluster);
  ASSERT_NE(store, nullptr);
  v1::Project p;
  p.set_project_id("P1");
  p.set_name("first");
  storage::WriteSet create;
  create.projects.push_back({p, std::nullopt});
  ASSERT_TRUE(store->Commit(create).ok());

  storage::ReadPlan plan;
  plan.stream = "P1";
  auto decide = [&](const std::string& name) {
    absl::StatusOr<std::shared_ptr<const storage::RecordReader>> reads =
        store->CommandReads(plan);
    EXPECT_TRUE(reads.ok()) << reads.status();
    absl::StatusOr<std::optional<v1::Project>> read =
        (*reads)->GetProject("P1");
    EXPECT_TRUE(read.ok() && read->has_value());
    storage::WriteSet w;
    v1::Project next = **read;
    next.set_name(name);
    w.projects.push_back({next, **read});
    w.read_revision = (*reads)->Revision();
    EXPECT_GT(w.read_revision, 0);
    return w;
  };
  const storage::WriteSet late = decide("late");
  const storage::WriteSet early = decide("early");
  ASSERT_TRUE(store->Commit(early).ok());
  absl::Status s = store->Commit(late);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  EXPECT_EQ((*store->GetProject("P1"))->name(), "early");
  // Decided again from what is there now, it commits.
  ASSERT_TRUE(store->Commit(decide("late")).ok());
  EXPECT_EQ((*store->GetProject("P1"))->name(), "late");
}

// Txns sent at the same moment go to etcd together: 16 writers of their
// own keys commit in fewer revisions than 16, each on its own compares
// (the one whose key exists already writes nothing); writers of one key
// are never put in one batch (etcd would refuse it), and readers each get
// their own answers.
TEST(EtcdStoreTest, TxnsSentAtOnceAreBatchedAndEachStandsAlone) {
  EtcdCluster cluster;
  std::unique_ptr<storage::EtcdKv> kv =
      storage::EtcdKv::Connect(cluster.endpoints());
  ASSERT_TRUE(kv->PutIfRevision("/batch/k7", "there first", 0).ok());
  storage::EtcdTxnBatch writes(kv.get(), storage::EtcdTxnBatch::Mode::kNested);
  storage::EtcdTxnBatch reads(kv.get(), storage::EtcdTxnBatch::Mode::kFlat);
  constexpr int kWriters = 16;
  std::vector<absl::StatusOr<storage::EtcdTxnBatch::Outcome>> outcomes(
      kWriters, absl::UnknownError("not run"));
  // n threads, let go together once all have started.
  auto run_all = [](int n, const std::function<void(int)>& fn) {
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        ++ready;
        while (ready.load() < n) std::this_thread::yield();
        fn(i);
      });
    }
    for (std::thread& t : threads) t.join();
  };
  run_all(kWriters, [&](int i) {
    etcdserverpb::TxnRequest txn;
    etcdserverpb::Compare* c = txn.add_compare();
    c->set_key(absl::StrCat("/batch/k", i));
    c->set_target(etcdserverpb::Compare::CREATE);
    c->set_create_revision(0);
    etcdserverpb::PutRequest* put = txn.add_success()->mutable_request_put();
    put->set_key(absl::StrCat("/batch/k", i));
    put->set_value(absl::StrCat("v", i));
    outcomes[i] = writes.Send(txn, 1);
  });
  std::set<int64_t> revisions;
  for (int i = 0; i < kWriters; ++i) {
    ASSERT_TRUE(outcomes[i].ok()) << outcomes[i].status();
    EXPECT_EQ(outcomes[i]->response.succeeded(), i != 7) << i;
    if (i != 7) revisions.insert(outcomes[i]->response.header().revision());
  }
  std::printf("batched writes: %d Txns committed in %zu revisions\n",
              kWriters - 1, revisions.size());
  EXPECT_LT(revisions.size(), static_cast<size_t>(kWriters - 1));
  EXPECT_EQ((*kv->Get("/batch/k7"))->value, "there first");
  EXPECT_EQ((*kv->Get("/batch/k3"))->value, "v3");

  run_all(8, [&](int i) {
    etcdserverpb::TxnRequest txn;
    etcdserverpb::PutRequest* put = txn.add_success()->mutable_request_put();
    put->set_key("/batch/shared");
    put->set_value(absl::StrCat("w", i));
    outcomes[i] = writes.Send(txn);
  });
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(outcomes[i].ok()) << i << ": " << outcomes[i].status();
    EXPECT_TRUE(outcomes[i]->response.succeeded());
  }

  // A Txn as wide as the largest command (104 puts) among 40 small ones:
  // etcd allows a nested Txn only what the outer one leaves of its 128
  // operations, so no batch may hold both it and more than 23 others.
  constexpr int kWithWide = 41;
  outcomes.assign(kWithWide, absl::UnknownError("not run"));
  run_all(kWithWide, [&](int i) {
    etcdserverpb::TxnRequest txn;
    for (int k = 0; k < (i == 0 ? 104 : 1); ++k) {
      etcdserverpb::PutRequest* put = txn.add_success()->mutable_request_put();
      put->set_key(absl::StrCat("/batch/wide/", i, "/", k));
      put->set_value("x");
    }
    outcomes[i] = writes.Send(txn);
  });
  for (int i = 0; i < kWithWide; ++i) {
    ASSERT_TRUE(outcomes[i].ok()) << i << ": " << outcomes[i].status();
    EXPECT_TRUE(outcomes[i]->response.succeeded()) << i;
  }

  outcomes.assign(kWriters, absl::UnknownError("not run"));
  run_all(kWriters, [&](int i) {
    etcdserverpb::TxnRequest txn;
    txn.add_success()->mutable_request_range()->set_key(
        absl::StrCat("/batch/k", i));
    outcomes[i] = reads.Send(txn);
  });
  for (int i = 0; i < kWriters; ++i) {
    ASSERT_TRUE(outcomes[i].ok()) << outcomes[i].status();
    ASSERT_EQ(outcomes[i]->response.responses_size(), 1);
    const auto& kvs = outcomes[i]->response.responses(0).response_range().kvs();
    ASSERT_EQ(kvs.size(), 1);
    EXPECT_EQ(kvs[0].value(), i == 7 ? "there first" : absl::StrCat("v", i));
  }
}

// A batch's bounds: etcd allows a nested Txn only what the outer Txn
// leaves of its 128 operations, so a Txn as wide as the largest command
// (104 puts) goes with at most 23 others; a revision's cursors hold at
// most 999 events; and no batch puts one key twice.
TEST(EtcdStoreTest, ABatchKeepsWithinWhatEtcdAcceptsOfNestedTxns) {
  using storage::EtcdTxnBatch;
  auto txn_of = [](const std::string& key, int puts) {
    etcdserverpb::TxnRequest txn;
    for (int k = 0; k < puts; ++k) {
      etcdserverpb::PutRequest* put = txn.add_success()->mutable_request_put();
      put->set_key(absl::StrCat(key, "/", k));
      put->set_value("x");
    }
    return txn;
  };
  std::vector<etcdserverpb::TxnRequest> txns;
  txns.push_back(txn_of("/wide", 104));
  for (int i = 0; i < 40; ++i) txns.push_back(txn_of(absl::StrCat("/s", i), 4));
  std::vector<const etcdserverpb::TxnRequest*> all;
  for (const auto& t : txns) all.push_back(&t);
  std::vector<int64_t> events(all.size(), 1);
  EXPECT_EQ(EtcdTxnBatch::FirstBatch(EtcdTxnBatch::Mode::kNested, all, events),
            24u);  // 24 nested Txns + 104 = 128
  // Small ones only: 128 - 4 leaves room for 124, but there are 40.
  std::vector<const etcdserverpb::TxnRequest*> small(all.begin() + 1,
                                                     all.end());
  std::vector<int64_t> one_each(small.size(), 1);
  EXPECT_EQ(
      EtcdTxnBatch::FirstBatch(EtcdTxnBatch::Mode::kNested, small, one_each),
      40u);
  // Events: 40 commands of 30 events each would be 1200 in one revision.
  std::vector<int64_t> thirty(small.size(), 30);
  EXPECT_EQ(
      EtcdTxnBatch::FirstBatch(EtcdTxnBatch::Mode::kNested, small, thirty),
      33u);  // 33 × 30 = 990 ≤ 999
  // Joined reads: Ranges count one each; 40 × 4 > 128.
  EXPECT_EQ(
      EtcdTxnBatch::FirstBatch(EtcdTxnBatch::Mode::kFlat, small, one_each),
      32u);
  // Two that put one key never share a batch.
  std::vector<const etcdserverpb::TxnRequest*> same = {all[1], all[2], all[1]};
  EXPECT_EQ(
      EtcdTxnBatch::FirstBatch(EtcdTxnBatch::Mode::kNested, same, {1, 1, 1}),
      2u);
  // The widest alone still goes.
  EXPECT_EQ(
      EtcdTxnBatch::FirstBatch(EtcdTxnBatch::Mode::kNested, {all[0]}, {1}), 1u);
}

}  // namespace
}  // namespace evald::testing
