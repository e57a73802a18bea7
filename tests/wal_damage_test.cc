// A damaged write-ahead log against the real binaries (docs/storage.md
// "A damaged log"): a torn last record -- what a crash mid-write leaves --
// is dropped and evald starts; damage in the middle makes evald refuse to
// start rather than drop acknowledged writes, and `evalutl salvage`
// recovers a copy up to the damage and names every event that is lost.

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/run_program.h"

#ifndef EVALUTL_BINARY
#error "EVALUTL_BINARY must name the evalutl executable"
#endif

namespace evald::testing {
namespace {

using ::testing::HasSubstr;

class WalDamageTest : public EvaldTest {
 protected:
  // Ten projects, acknowledged, then SIGKILL: all of it is in the log only.
  void WriteAndKill() {
    for (int i = 1; i <= kProjects; ++i) {
      ASSERT_TRUE(CreateProject(absl::StrCat("P", i), "2025-07-01").ok());
    }
    stub_.reset();
    evald_.Kill();
  }

  // The newest write-ahead log file of the data directory.
  std::filesystem::path Wal() const {
    std::filesystem::path newest;
    for (const auto& entry :
         std::filesystem::directory_iterator(evald_.data_dir())) {
      if (entry.path().extension() == ".log" &&
          (newest.empty() || entry.path().filename() > newest.filename())) {
        newest = entry.path();
      }
    }
    return newest;
  }

  int Projects(EvaldProcess& evald) {
    v1::ListProjectsResponse reply;
    grpc::Status s = evald.NewStub()->ListProjects(
        Context(kBureau).get(), v1::ListProjectsRequest(), &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return reply.projects_size();
  }

  static constexpr int kProjects = 10;
};

TEST_F(WalDamageTest, ATornLastRecordIsDroppedAndEvaldStarts) {
  WriteAndKill();
  const std::filesystem::path wal = Wal();
  ASSERT_FALSE(wal.empty());
  // Half a record's worth of bytes after the last whole record.
  std::ofstream(wal, std::ios::binary | std::ios::app)
      << std::string("\x12\x34\x56\x78\x9a\x00\x01", 7);
  Restart();
  EXPECT_EQ(Projects(evald_), kProjects);
  // And what is left re-derives exactly from its log.
  StopEvald();
  const RunResult replay = Replay(evald_.data_dir());
  EXPECT_EQ(WEXITSTATUS(replay.status), 0) << replay.out << replay.err;
  EXPECT_THAT(replay.out, HasSubstr("events replayed"));
}

TEST_F(WalDamageTest, DamageInTheMiddleRefusesStartAndSalvageNamesTheLoss) {
  WriteAndKill();
  const std::filesystem::path wal = Wal();
  ASSERT_FALSE(wal.empty());
  const auto size = std::filesystem::file_size(wal);
  {
    std::fstream f(wal, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.write("\xde\xad\xbe\xef\xde\xad\xbe\xef", 8);
  }
  EvaldProcess refused;
  EXPECT_FALSE(refused.Start({"--data_dir=" + evald_.data_dir()}));

  const std::string salvaged = evald_.data_dir() + "-salvaged";
  RunResult run = RunProgram(
      EVALUTL_BINARY,
      {"salvage", "--data_dir=" + evald_.data_dir(), "--to=" + salvaged});
  // Exit 1: something was lost, and each lost event is named.
  EXPECT_EQ(WEXITSTATUS(run.status), 1) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("events kept"));
  EXPECT_THAT(run.out, HasSubstr("lost P"));

  EvaldProcess recovered;
  ASSERT_TRUE(recovered.Start({"--data_dir=" + salvaged}));
  const int kept = Projects(recovered);
  EXPECT_GT(kept, 0);
  EXPECT_LT(kept, kProjects);
  recovered.Stop();
  std::filesystem::remove_all(salvaged);
}

}  // namespace
}  // namespace evald::testing
