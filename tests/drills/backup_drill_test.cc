// The backup drill (docs/operations.md, "Backups"): agencies submit scores
// while the admin backs the running evald up; the backup is verified,
// restored into a new directory, and a second evald started on it. Every
// submission acknowledged before the backup began is there, every audit
// chain verifies, the log re-derives every record (evalutl replay), and
// the restored feed ends at the backup's cursor.

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/audit_chain.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/records.pb.h"
#include "tests/e2e_fixture.h"
#include "tests/run_program.h"

namespace evald::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kAgencies = 3;

class BackupDrill : public EvaldTest {
 protected:
  BackupDrill() {
    char pattern[] = "/tmp/evald-backup-drill-XXXXXX";
    scratch_ = mkdtemp(pattern);
  }
  ~BackupDrill() override {
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
  }
  std::vector<std::string> ExtraFlags() const override {
    return {"--backup_dir=" + scratch_ + "/backups"};
  }
  std::string Project(int agency) { return absl::StrCat("B", agency); }

  std::vector<v1::AuditEvent> AuditOf(v1::EvaluationService::Stub& stub,
                                      const std::string& project) {
    std::vector<v1::AuditEvent> all;
    v1::ListAuditEventsRequest r;
    r.set_project_id(project);
    r.set_page_size(1000);
    for (;;) {
      v1::ListAuditEventsResponse page;
      grpc::Status s = stub.ListAuditEvents(Context(kBureau).get(), r, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      all.insert(all.end(), page.events().begin(), page.events().end());
      if (page.next_page_token().empty()) break;
      r.set_page_token(page.next_page_token());
    }
    return all;
  }

  std::string scratch_;
};

TEST_F(BackupDrill, ABackupUnderLoadRestoresEveryAcknowledgedWrite) {
  for (int a = 0; a < kAgencies; ++a) {
    ASSERT_TRUE(CreateProject(Project(a), "2025-01-02").ok());
  }
  using Clock = std::chrono::steady_clock;
  std::mutex mu;
  std::vector<std::pair<std::string, Clock::time_point>> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> load;
  for (int a = 0; a < kAgencies; ++a) {
    load.emplace_back([&, a] {
      auto stub = evald_.NewStub();
      for (int n = 0; !stop.load(); ++n) {
        v1::SubmitProfessionalScoreRequest r;
        r.set_request_id(absl::StrCat("b-", a, "-", n));
        *r.mutable_evaluation() = Ref(Project(a), 2025, v1::FINAL);
        r.set_score(absl::StrCat(60 + n % 40, ".25"));
        v1::Evaluation reply;
        if (stub->SubmitProfessionalScore(Context(kAgency).get(), r, &reply)
                .ok()) {
          std::lock_guard<std::mutex> lock(mu);
          acked.emplace_back(r.request_id(), Clock::now());
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const Clock::time_point began = Clock::now();
  v1::BackupInfo backup;
  grpc::Status made = stub_->CreateBackup(Context(kAdmin).get(),
                                          v1::CreateBackupRequest(), &backup);
  const double took_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - began).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (std::thread& t : load) t.join();
  ASSERT_TRUE(made.ok()) << made.error_message();
  EXPECT_EQ(backup.directory(), scratch_ + "/backups");
  EXPECT_GT(backup.cursor(), 0);

  std::set<std::string> before;
  size_t during_or_after = 0;
  for (const auto& [id, at] : acked) {
    if (at < began) {
      before.insert(id);
    } else {
      ++during_or_after;
    }
  }
  ASSERT_GT(before.size(), 10u);
  EXPECT_GT(during_or_after, 0u) << "no write overlapped the backup";
  ASSERT_EQ(StopEvald(), 0);

  RunResult verified =
      RunProgram(EVALUTL_BINARY, {"backup", "verify", scratch_ + "/backups"});
  ASSERT_EQ(WEXITSTATUS(verified.status), 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out,
              HasSubstr(absl::StrCat("cursor ", backup.cursor(), ", ")));
  const std::string restored = scratch_ + "/restored";
  RunResult restore =
      RunProgram(EVALUTL_BINARY,
                 {"restore", scratch_ + "/backups", "--data_dir=" + restored});
  ASSERT_EQ(WEXITSTATUS(restore.status), 0) << restore.out << restore.err;
  RunResult replayed = Replay(restored);
  EXPECT_EQ(WEXITSTATUS(replayed.status), 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.out, HasSubstr(" records identical"));
  // Restoring into a directory that holds data is refused.
  RunResult again =
      RunProgram(EVALUTL_BINARY,
                 {"restore", scratch_ + "/backups", "--data_dir=" + restored});
  EXPECT_EQ(WEXITSTATUS(again.status), 2);
  EXPECT_THAT(again.err, HasSubstr("is not empty"));

  EvaldProcess second;
  ASSERT_TRUE(second.Start({"--data_dir=" + restored}));
  auto stub = second.NewStub();
  std::set<std::string> present;
  for (int a = 0; a < kAgencies; ++a) {
    const std::vector<v1::AuditEvent> events = AuditOf(*stub, Project(a));
    EXPECT_EQ(VerifyAuditChain(events), std::nullopt) << Project(a);
    for (const v1::AuditEvent& e : events) present.insert(e.request_id());
  }
  size_t missing = 0;
  for (const std::string& id : before) missing += present.count(id) ? 0 : 1;
  EXPECT_EQ(missing, 0u);
  v1::ListEventsResponse feed;
  ASSERT_TRUE(
      stub->ListEvents(Context(kBureau).get(), v1::ListEventsRequest(), &feed)
          .ok());
  EXPECT_EQ(feed.latest_cursor(), backup.cursor());

  // A damaged backup is found: a manifest that no longer matches, then a
  // flipped byte in one of its files.
  const std::string backups = scratch_ + "/backups";
  const std::string manifest =
      absl::StrCat(backups, "/evald-manifest-", backup.backup_id(), ".pb");
  std::string original;
  {
    std::ifstream in(manifest, std::ios::binary);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  {
    storage::BackupManifest m;
    ASSERT_TRUE(m.ParseFromString(original));
    m.set_cursor(m.cursor() - 1);
    std::ofstream out(manifest, std::ios::binary | std::ios::trunc);
    m.SerializeToOstream(&out);
  }
  RunResult wrong = RunProgram(EVALUTL_BINARY, {"backup", "verify", backups});
  EXPECT_EQ(WEXITSTATUS(wrong.status), 1) << wrong.out << wrong.err;
  EXPECT_THAT(wrong.err, HasSubstr("does not hold what its manifest says"));
  {
    std::ofstream out(manifest, std::ios::binary | std::ios::trunc);
    out << original;
  }
  std::string largest;
  uintmax_t size = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(backups)) {
    if (f.is_regular_file() && f.file_size() > size &&
        f.path().string().find("evald-manifest") == std::string::npos) {
      size = f.file_size();
      largest = f.path().string();
    }
  }
  ASSERT_FALSE(largest.empty());
  {
    std::fstream file(largest, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(size / 2));
    char c = 0;
    file.get(c);
    file.seekp(static_cast<std::streamoff>(size / 2));
    file.put(static_cast<char>(c ^ 0x5a));
  }
  RunResult damaged = RunProgram(EVALUTL_BINARY, {"backup", "verify", backups});
  EXPECT_EQ(WEXITSTATUS(damaged.status), 1) << damaged.out << damaged.err;
  EXPECT_THAT(damaged.err, HasSubstr("is damaged"));

  std::printf(
      "drill backup: %zu submissions acknowledged before the backup, %zu "
      "missing after restore; %zu during or after it; the backup took %.0f "
      "ms under load (%u files, cursor %lld)\n",
      before.size(), missing, during_or_after, took_ms, backup.files(),
      static_cast<long long>(backup.cursor()));
}

}  // namespace
}  // namespace evald::testing
