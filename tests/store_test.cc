// storage::Store on its own: what one commit does to index entries and
// counters, the check of the previous records, page tokens, the format
// version, and scans over records that lie in several table files (each
// reopen of the store flushes its log into a new one), where Bloom filters
// and bounded iterators decide which files a scan reads.

#include "storage/store.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "tests/full_disk_fs.h"
#include "tests/raw_db.h"

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
    e.set_name(absl::StrCat("projects/", project, "/years/", year, "/phases/",
                            phase == v1::MID_TERM ? "mid-term" : "final"));
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

// --- One commit: records, index entries, counters --------------------------

v1::Evaluation Graded(v1::Evaluation e, v1::Grade grade, bool provisional) {
  e.mutable_result()->set_grade(grade);
  e.mutable_result()->set_provisional(provisional);
  return e;
}

std::map<std::string, int64_t> Counts(const Store& store) {
  auto summary = store.Summary("", 0);
  EXPECT_TRUE(summary.ok()) << summary.status();
  std::map<std::string, int64_t> out;
  if (!summary.ok()) return out;
  for (const auto& [key, values] : *summary) {
    for (const auto& [name, n] : values) {
      out[absl::StrCat(key.first, "/", key.second, "/", name)] = n;
    }
  }
  return out;
}

std::vector<std::string> ByState(const Store& store,
                                 v1::EvaluationState state) {
  EvaluationFilter filter;
  filter.state = state;
  auto page = store.ListEvaluations(filter, 100, "");
  EXPECT_TRUE(page.ok()) << page.status();
  std::vector<std::string> names;
  if (page.ok()) {
    for (const v1::Evaluation& e : page->items) names.push_back(e.name());
  }
  return names;
}

TEST_F(StoreTest, ACommitMovesIndexEntriesAndCountersFromThePreviousRecord) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  const v1::Evaluation open = Eval("P1", 2025, v1::MID_TERM, v1::OPEN);
  WriteSet created;
  created.evaluations.push_back({open, std::nullopt});
  ASSERT_TRUE(store->Commit(created).ok());
  EXPECT_THAT(ByState(*store, v1::OPEN), ::testing::ElementsAre(open.name()));
  EXPECT_EQ(Counts(*store),
            (std::map<std::string, int64_t>{{"dongchong/2025/state/OPEN", 1}}));

  // Scored: a provisional result is not in the grade mix.
  const v1::Evaluation scored =
      Graded(Eval("P1", 2025, v1::MID_TERM, v1::SCORED), v1::GOOD, true);
  WriteSet score;
  score.evaluations.push_back({scored, open});
  ASSERT_TRUE(store->Commit(score).ok());
  EXPECT_EQ(
      Counts(*store),
      (std::map<std::string, int64_t>{{"dongchong/2025/state/SCORED", 1}}));

  // Finalised: the grade counts once the result stands.
  const v1::Evaluation passed =
      Graded(Eval("P1", 2025, v1::MID_TERM, v1::PASSED), v1::GOOD, false);
  WriteSet finalise;
  finalise.evaluations.push_back({passed, scored});
  ASSERT_TRUE(store->Commit(finalise).ok());
  EXPECT_THAT(ByState(*store, v1::OPEN), ::testing::IsEmpty());
  EXPECT_THAT(ByState(*store, v1::SCORED), ::testing::IsEmpty());
  EXPECT_THAT(ByState(*store, v1::PASSED),
              ::testing::ElementsAre(passed.name()));
  EXPECT_EQ(Counts(*store), (std::map<std::string, int64_t>{
                                {"dongchong/2025/grade/GOOD", 1},
                                {"dongchong/2025/state/PASSED", 1}}));
}

// WriteSet::previous must be what is stored: with verify_previous (on in
// the tests) a stale one is refused before anything is written, so it can
// never move an index entry or a counter from the wrong place.
TEST_F(StoreTest, AStalePreviousRecordIsRefusedAndChangesNothing) {
  StoreOptions options;
  options.path = dir_;
  options.sync_writes = false;
  options.verify_previous = true;
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  const v1::Evaluation open = Eval("P1", 2025, v1::MID_TERM, v1::OPEN);
  const v1::Evaluation passed = Eval("P1", 2025, v1::MID_TERM, v1::PASSED);
  WriteSet first;
  first.evaluations.push_back({open, std::nullopt});
  ASSERT_TRUE((*store)->Commit(first).ok());
  WriteSet second;
  second.evaluations.push_back({passed, open});
  ASSERT_TRUE((*store)->Commit(second).ok());
  const std::string before = *(*store)->ContentDigest();

  // A command that still thinks the phase is OPEN.
  WriteSet stale;
  stale.evaluations.push_back(
      {Eval("P1", 2025, v1::MID_TERM, v1::FAILED), open});
  absl::Status refused = (*store)->Commit(stale);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("previous record"));
  // One that thinks the record is new.
  WriteSet fresh;
  fresh.evaluations.push_back({passed, std::nullopt});
  EXPECT_EQ((*store)->Commit(fresh).code(), absl::StatusCode::kInternal);
  EXPECT_EQ(*(*store)->ContentDigest(), before);
  EXPECT_THAT(ByState(**store, v1::PASSED),
              ::testing::ElementsAre(passed.name()));
  EXPECT_EQ(
      Counts(**store),
      (std::map<std::string, int64_t>{{"dongchong/2025/state/PASSED", 1}}));
}

TEST_F(StoreTest, APageTokenBelongsToItsList) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  WriteSet w;
  for (int year : {2025, 2026, 2027}) {
    w.evaluations.push_back(
        {Eval("P1", year, v1::FINAL, v1::OPEN), std::nullopt});
  }
  ASSERT_TRUE(store->Commit(w).ok());
  EvaluationFilter all;
  auto first = store->ListEvaluations(all, 2, "");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->items.size(), 2);
  ASSERT_FALSE(first->next_page_token.empty());
  auto rest = store->ListEvaluations(all, 2, first->next_page_token);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->items.size(), 1);
  EXPECT_EQ(rest->items[0].year(), 2027);
  EXPECT_TRUE(rest->next_page_token.empty());
  // The token of one list is refused by another, and so is garbage.
  EvaluationFilter open;
  open.state = v1::OPEN;
  for (const std::string& token : {first->next_page_token, std::string("zz")}) {
    auto refused = store->ListEvaluations(open, 2, token);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("page_token"));
  }
}

TEST_F(StoreTest, AReadOnlyStoreWritesNothing) {
  { ASSERT_NE(Open(), nullptr); }
  StoreOptions options;
  options.path = dir_;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  WriteSet w;
  w.evaluations.push_back(
      {Eval("P1", 2025, v1::FINAL, v1::OPEN), std::nullopt});
  EXPECT_EQ((*store)->Commit(w).code(), absl::StatusCode::kFailedPrecondition);
}

// --- A full disk
// --------------------------------------------------------------

TEST_F(StoreTest, AFullDiskStopsWritesKeepsReadsAndResumesByItself) {
  auto fs = std::make_shared<testing::FullDiskFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  StoreOptions options;
  options.path = dir_;
  options.env_for_test = env.get();
  options.disk_reserve_bytes = 0;  // the real disk is not full
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    const v1::Evaluation a = Eval("P1", 2025, v1::MID_TERM, v1::OPEN);
    const v1::Evaluation b = Eval("P1", 2025, v1::FINAL, v1::OPEN);
    WriteSet first;
    first.evaluations.push_back({a, std::nullopt});
    ASSERT_TRUE((*store)->Commit(first).ok());

    fs->Fill();
    WriteSet second;
    second.evaluations.push_back({b, std::nullopt});
    absl::Status full = (*store)->Commit(second);
    EXPECT_EQ(full.code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(full.message(),
              "the data disk is full; nothing was written; retry later");
    EXPECT_THAT(StorageDetail(full), ::testing::HasSubstr("no space"));
    EXPECT_FALSE((*store)->WritesAvailable());
    // Reads go on.
    absl::StatusOr<std::optional<v1::Evaluation>> read =
        (*store)->GetEvaluation("P1", 2025, v1::MID_TERM);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_TRUE(read->has_value());
    // Nothing more is tried on the full disk.
    const int refused = fs->refused();
    EXPECT_EQ((*store)->Commit(second).code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(fs->refused(), refused);

    // Space comes back: writes resume by themselves -- or, when RocksDB
    // took the failed log write as fatal, the store says it must be opened
    // again (evald then exits for its supervisor to restart it).
    fs->Free();
    for (int i = 0;
         i < 100 && !(*store)->WritesAvailable() && !(*store)->NeedsReopen();
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if ((*store)->NeedsReopen()) {
      EXPECT_FALSE((*store)->WritesAvailable());
      EXPECT_EQ((*store)->Commit(second).code(),
                absl::StatusCode::kUnavailable);
      store->reset();
      store = Store::Open(options);
      ASSERT_TRUE(store.ok()) << store.status();
    }
    ASSERT_TRUE((*store)->WritesAvailable());
    ASSERT_TRUE((*store)->Commit(second).ok());
  }
  // Everything acknowledged is there after a restart.
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->ProjectEvaluations("P1")->size(), 2u);
}

TEST_F(StoreTest, OpeningOnADiskWithoutItsReserveIsRefused) {
  StoreOptions options;
  options.path = dir_;
  options.disk_reserve_bytes = uint64_t{1} << 62;  // more than any disk
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(store.status().message(),
              ::testing::HasSubstr("free some space and start again "
                                   "(nothing was changed)"));
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

// --- The format version ---------------------------------------------------

TEST(StoreFormatTest, NewerFormatVersionIsRefusedAtOpen) {
  char pattern[] = "/tmp/evald-format-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  StoreOptions options;
  options.path = dir + "/data";
  {
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  EXPECT_EQ(testing::ReadFormatVersion(options.path), "3");

  ASSERT_EQ(testing::WriteFormatVersion(options.path, "4"), "");
  auto refused = Store::Open(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              ::testing::AllOf(::testing::HasSubstr("format version 4"),
                               ::testing::HasSubstr("newer"),
                               ::testing::HasSubstr(options.path)));
  // Refusing did not rewrite the version.
  EXPECT_EQ(testing::ReadFormatVersion(options.path), "4");

  // Format 1 (evald 0.1, prose events) is refused with what to do.
  ASSERT_EQ(testing::WriteFormatVersion(options.path, "1"), "");
  auto old = Store::Open(options);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(old.status().message(),
              ::testing::AllOf(::testing::HasSubstr("format version 1"),
                               ::testing::HasSubstr("prose"),
                               ::testing::HasSubstr("Nothing was changed")));
  EXPECT_EQ(testing::ReadFormatVersion(options.path), "1");

  // The same database at this build's version opens again.
  ASSERT_EQ(testing::WriteFormatVersion(options.path, "3"), "");
  {
    auto reopened = Store::Open(options);
    EXPECT_TRUE(reopened.ok()) << reopened.status();
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace evald::storage
