// EtcdStore's own limits (#15): every command is one etcd Txn, and etcd
// refuses a Txn of more than 128 operations (--max-txn-ops) or 1.5 MiB
// (--max-request-bytes). The largest command evald accepts -- creating a
// contract of the longest term allowed (20 years: 40 evaluations and 60
// tranches) for a township of 200 villages -- fits, with its figures
// printed; a change beyond the limits is refused before it is sent, and
// nothing is written.

#include "storage/etcd_store.h"

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/calendar.h"
#include "server/apply.h"
#include "server/commands.h"
#include "server/config.h"
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
  server::StoreReader reader(store.get());
  absl::StatusOr<server::Applied> applied = applier.Apply(*command, reader, {});
  ASSERT_TRUE(applied.ok()) << applied.status();
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

}  // namespace
}  // namespace evald::testing
