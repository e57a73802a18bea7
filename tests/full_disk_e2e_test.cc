// A real full disk under the real evald (docs/storage.md "A full or failing
// disk"): its data directory on a 48 MiB tmpfs that a filler file fills
// while an agency keeps submitting. evald must not abort (Debian's
// librocksdb is built with assertions), must refuse writes with UNAVAILABLE
// and no path, keep serving reads and /healthz (writes NOT_SERVING), and
// once space is freed take writes again -- resuming in place or exiting 75
// for a restart -- with every acknowledged submission kept.
//
// Mounting needs root (CI runs as root); elsewhere the test is skipped and
// says so, and StoreTest's injected-ENOSPC file system covers the store.

#include <sys/mount.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/e2e_fixture.h"

namespace evald::testing {
namespace {

using ::testing::HasSubstr;

class FullDiskE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/evald-tmpfs-XXXXXX";
    mount_point_ = mkdtemp(pattern);
    if (mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=48m") != 0) {
      const std::string why = std::strerror(errno);
      std::filesystem::remove(mount_point_);
      mount_point_.clear();
      GTEST_SKIP() << "cannot mount a tmpfs here (" << why << "); needs root";
    }
  }
  void TearDown() override {
    if (mount_point_.empty()) return;
    evald_.Kill();
    umount2(mount_point_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(mount_point_);
  }

  bool StartEvald() {
    return evald_.Start({"--data_dir=" + mount_point_ + "/data",
                         "--disk_reserve_mb=0", "--memtable_mb=4",
                         "--http_listen=127.0.0.1:0"});
  }

  // Fills the file system to the last byte.
  void Fill() {
    std::ofstream filler(mount_point_ + "/filler", std::ios::binary);
    const std::string chunk(1 << 16, 'x');
    while (filler.write(chunk.data(), chunk.size())) {
      filler.flush();
      if (!filler) break;
    }
  }

  grpc::Status Submit(v1::EvaluationService::Stub& stub, int n,
                      v1::Evaluation* out) {
    v1::SubmitProfessionalScoreRequest r;
    r.set_request_id(absl::StrCat("fill-", n));
    r.mutable_evaluation()->set_project_id("P1");
    r.mutable_evaluation()->set_year(2025);
    r.mutable_evaluation()->set_phase(v1::MID_TERM);
    r.set_score(absl::StrCat(60 + n % 40, ".00"));
    return stub.SubmitProfessionalScore(Context(kAgency).get(), r, out);
  }

  std::string Healthz() {
    httplib::Client client(absl::StrCat("http://", evald_.http_address()));
    httplib::Result res = client.Get("/healthz");
    return res ? res->body : "no answer";
  }

  std::string mount_point_;
  EvaldProcess evald_;
};

TEST_F(FullDiskE2eTest, AFullDiskStopsWritesKeepsReadsAndWritesComeBack) {
  ASSERT_TRUE(StartEvald());
  auto stub = evald_.NewStub();
  {
    v1::CreateProjectRequest r;
    r.set_request_id("create");
    r.set_project_id("P1");
    r.set_name("黄阁镇社工站");
    r.set_township("huangge");
    r.set_provider("PR1");
    r.add_villages("V01");
    r.set_start_date("2025-07-01");
    r.set_annual_fund_fen(260000000);
    r.set_agency("AG1");
    v1::Project reply;
    ASSERT_TRUE(stub->CreateProject(Context(kBureau).get(), r, &reply).ok());
  }
  Fill();

  // Keep submitting: each acknowledged one bumps the score's version.
  int acknowledged = 0;
  int refused = 0;
  int n = 0;
  for (; n < 400 && refused < 20; ++n) {
    v1::Evaluation reply;
    grpc::Status s = Submit(*stub, n, &reply);
    if (s.ok()) {
      ++acknowledged;
    } else {
      ASSERT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE)
          << s.error_message();
      EXPECT_EQ(s.error_message(),
                "the data disk is full; nothing was written; retry later");
      ++refused;
    }
  }
  ASSERT_GT(refused, 0) << "the disk never filled";
  ASSERT_EQ(evald_.ExitedStatus(), -1) << "evald died on a full disk";

  // Reads go on, and the probe says writes are stopped.
  v1::GetProjectRequest get;
  get.set_project_id("P1");
  v1::Project project;
  EXPECT_TRUE(stub->GetProject(Context(kBureau).get(), get, &project).ok());
  for (int i = 0; i < 20 && Healthz().find("NOT_SERVING") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(Healthz(), R"({"status":"SERVING","writes":"NOT_SERVING"})");

  // Space comes back: writes resume in place, or evald exits 75 to be
  // restarted (what systemd does).
  std::filesystem::remove(mount_point_ + "/filler");
  bool writing = false;
  for (int i = 0; i < 100 && !writing; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const int exited = evald_.ExitedStatus();
    if (exited != -1) {
      ASSERT_TRUE(WIFEXITED(exited)) << "evald was killed by a signal";
      ASSERT_EQ(WEXITSTATUS(exited), 75);
      ASSERT_TRUE(StartEvald());
      stub = evald_.NewStub();
    }
    v1::Evaluation reply;
    if (Submit(*stub, n, &reply).ok()) {
      ++acknowledged;
      writing = true;
    }
  }
  ASSERT_TRUE(writing) << "writes never came back";

  // Every acknowledged submission is there: the version counts them.
  v1::GetEvaluationRequest ge;
  ge.mutable_evaluation()->set_project_id("P1");
  ge.mutable_evaluation()->set_year(2025);
  ge.mutable_evaluation()->set_phase(v1::MID_TERM);
  v1::Evaluation evaluation;
  ASSERT_TRUE(
      stub->GetEvaluation(Context(kBureau).get(), ge, &evaluation).ok());
  EXPECT_EQ(evaluation.third_party().version(), acknowledged);
}

TEST_F(FullDiskE2eTest, StartingOnAFullDiskIsRefusedCleanly) {
  Fill();
  EXPECT_FALSE(evald_.Start(
      {"--data_dir=" + mount_point_ + "/data", "--disk_reserve_mb=1"}));
}

}  // namespace
}  // namespace evald::testing
