// storage::Store on its own: scans over records that lie in several table
// files (each reopen of the store flushes its log into a new one), where
// Bloom filters and bounded iterators decide which files a scan reads.

#include "storage/store.h"

#include <stdlib.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace evald::storage {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/evald-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open() {
    StoreOptions options;
    options.path = dir_;
    options.sync_writes = false;
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  static v1::Evaluation Eval(const std::string& project, int year,
                             v1::Phase phase, v1::EvaluationState state) {
    v1::Evaluation e;
    e.set_project_id(project);
    e.set_township(project.size() % 2 ? "huangge" : "dongchong");
    e.set_year(year);
    e.set_phase(phase);
    e.set_state(state);
    return e;
  }
  static v1::Disbursement Tranche(const std::string& project, int year,
                                  v1::TrancheKind kind) {
    v1::Disbursement d;
    d.set_project_id(project);
    d.set_township("huangge");
    d.set_year(year);
    d.set_kind(kind);
    d.set_state(v1::PENDING);
    return d;
  }

  std::string dir_;
};

// "P1" is a prefix of "P10".."P19": the records of P1 must not pick up
// theirs, nor the other way round.
std::vector<std::string> ProjectIds() {
  std::vector<std::string> ids;
  for (int i = 0; i < 24; ++i) ids.push_back(absl::StrCat("P", i));
  return ids;
}

TEST_F(StoreTest, ScansFindExactlyTheirRecordsAcrossTableFiles) {
  const std::vector<std::string> ids = ProjectIds();
  // Four files, each with the records of every fourth project.
  for (int file = 0; file < 4; ++file) {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    WriteSet w;
    for (size_t i = file; i < ids.size(); i += 4) {
      for (int year : {2025, 2026}) {
        for (v1::Phase phase : {v1::MID_TERM, v1::FINAL}) {
          w.evaluations.push_back(
              {Eval(ids[i], year, phase, v1::OPEN), std::nullopt});
        }
        for (v1::TrancheKind kind :
             {v1::YEAR_START, v1::MID_TERM_TRANCHE, v1::FINAL_TRANCHE}) {
          w.disbursements.push_back(
              {Tranche(ids[i], year, kind), std::nullopt});
        }
      }
    }
    ASSERT_TRUE(store->Commit(w).ok());
  }
  // A fifth file with a newer version of one of P1's evaluations.
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    WriteSet w;
    w.evaluations.push_back({Eval("P1", 2026, v1::FINAL, v1::PASSED),
                             Eval("P1", 2026, v1::FINAL, v1::OPEN)});
    ASSERT_TRUE(store->Commit(w).ok());
  }

  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  int table_files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir_)) {
    table_files += f.path().extension() == ".sst";
  }
  ASSERT_GE(table_files, 5) << "the premise: records in several files";
  for (const std::string& id : ids) {
    SCOPED_TRACE(id);
    absl::StatusOr<std::vector<v1::Evaluation>> evals =
        store->ProjectEvaluations(id);
    ASSERT_TRUE(evals.ok()) << evals.status();
    ASSERT_EQ(evals->size(), 4u);
    for (const v1::Evaluation& e : *evals) EXPECT_EQ(e.project_id(), id);
    EXPECT_EQ((*evals)[0].year(), 2025);
    EXPECT_EQ((*evals)[0].phase(), v1::MID_TERM);
    EXPECT_EQ((*evals)[3].year(), 2026);
    EXPECT_EQ((*evals)[3].phase(), v1::FINAL);
    EXPECT_EQ((*evals)[3].state(), id == "P1" ? v1::PASSED : v1::OPEN);
    absl::StatusOr<std::vector<v1::Disbursement>> tranches =
        store->ProjectDisbursements(id);
    ASSERT_TRUE(tranches.ok()) << tranches.status();
    ASSERT_EQ(tranches->size(), 6u);
    for (const v1::Disbursement& d : *tranches) EXPECT_EQ(d.project_id(), id);
  }

  // One project a page at a time: the page token seeks within its prefix.
  EvaluationFilter p1;
  p1.project_id = "P1";
  std::vector<v1::Evaluation> paged;
  std::string token;
  for (int guard = 0; guard < 10; ++guard) {
    absl::StatusOr<Page<v1::Evaluation>> page =
        store->ListEvaluations(p1, 1, token);
    ASSERT_TRUE(page.ok()) << page.status();
    paged.insert(paged.end(), page->items.begin(), page->items.end());
    token = page->next_page_token;
    if (token.empty()) break;
  }
  ASSERT_EQ(paged.size(), 4u);
  for (const v1::Evaluation& e : paged) EXPECT_EQ(e.project_id(), "P1");

  // Every evaluation of every project, 7 a page, crossing from one
  // project's prefix into the next: each exactly once, in key order.
  std::set<std::string> seen;
  token.clear();
  for (int guard = 0; guard < 100; ++guard) {
    absl::StatusOr<Page<v1::Evaluation>> page =
        store->ListEvaluations(EvaluationFilter(), 7, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const v1::Evaluation& e : page->items) {
      const std::string key =
          absl::StrCat(e.project_id(), "/", e.year(), "/", e.phase());
      EXPECT_TRUE(seen.insert(key).second) << key << " listed twice";
    }
    token = page->next_page_token;
    if (token.empty()) break;
  }
  EXPECT_EQ(seen.size(), ids.size() * 4);

  // A township's evaluations through its index.
  EvaluationFilter huangge;
  huangge.township = "huangge";
  absl::StatusOr<Page<v1::Evaluation>> township =
      store->ListEvaluations(huangge, 1000, "");
  ASSERT_TRUE(township.ok()) << township.status();
  size_t want = 0;
  for (const std::string& id : ids) want += id.size() % 2 ? 4 : 0;
  EXPECT_EQ(static_cast<size_t>(township->items.size()), want);
}

}  // namespace
}  // namespace evald::storage
