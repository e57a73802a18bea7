// The release race (docs/reliability.md): 40 evalctl processes, started at
// once, each record the payment of the same DUE tranche under a reference
// of its own. Exactly one may succeed; every other is refused naming the
// payment that stands, and the audit log has one release.
//
// `make test` runs one round; `make drill` runs EVALD_DRILL_ROUNDS=10.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"

#ifndef EVALCTL_BINARY
#error "EVALCTL_BINARY must name the evalctl executable"
#endif

extern char** environ;

namespace evald::testing {
namespace {

constexpr int kProcesses = 40;

int Rounds() {
  const char* env = std::getenv("EVALD_DRILL_ROUNDS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 1;
}

class ReleaseRace : public EvaldTest {
 protected:
  // Starts evalctl releasing `project`'s 2025 mid-term tranche under
  // `reference`; returns its pid.
  pid_t StartRelease(const std::string& project, const std::string& reference) {
    std::vector<std::string> args = {
        EVALCTL_BINARY, "disbursement", "release",   "--project", project,
        "--year",       "2025",         "--kind",    "mid-term",  "--reference",
        reference,      "--date",       "2025-07-01"};
    std::vector<std::string> env = {
        absl::StrCat("EVAL_SERVER=", evald_.address()),
        absl::StrCat("EVAL_TOKEN=", kFinance), "PATH=/usr/bin:/bin"};
    std::vector<char*> argv, envp;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t quiet;
    posix_spawn_file_actions_init(&quiet);
    posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    EXPECT_EQ(
        posix_spawn(&pid, argv[0], &quiet, nullptr, argv.data(), envp.data()),
        0);
    posix_spawn_file_actions_destroy(&quiet);
    return pid;
  }
};

TEST_F(ReleaseRace, FortyClerksOneTrancheOnePayment) {
  const int rounds = Rounds();
  int double_releases = 0;
  for (int round = 0; round < rounds; ++round) {
    const std::string project = absl::StrCat("R", round);
    SCOPED_TRACE(project);
    ASSERT_TRUE(CreateProject(project, "2025-01-02").ok());
    const v1::EvaluationRef mid = Ref(project, 2025, v1::MID_TERM);
    SubmitAll(mid, "85");
    v1::Evaluation finalised;
    ASSERT_TRUE(Finalize(mid, "2025-06-20", &finalised).ok());

    std::vector<pid_t> clerks;
    for (int i = 0; i < kProcesses; ++i) {
      clerks.push_back(StartRelease(project, absl::StrCat("BANK-", i)));
    }
    int succeeded = 0;
    int winner = -1;
    for (int i = 0; i < kProcesses; ++i) {
      int status = 0;
      ASSERT_EQ(waitpid(clerks[i], &status, 0), clerks[i]);
      ASSERT_TRUE(WIFEXITED(status));
      if (WEXITSTATUS(status) == 0) {
        ++succeeded;
        winner = i;
      }
    }
    EXPECT_EQ(succeeded, 1);
    int releases = 0;
    for (const v1::AuditEvent& e : Audit(project)) {
      if (e.action() == "disbursement.released") ++releases;
    }
    if (releases > 1) ++double_releases;
    EXPECT_EQ(releases, 1);
    const v1::Disbursement tranche =
        Tranche(project, 2025, v1::MID_TERM_TRANCHE);
    EXPECT_EQ(tranche.state(), v1::RELEASED);
    EXPECT_EQ(tranche.payment_reference(), absl::StrCat("BANK-", winner));
  }
  std::printf(
      "drill release race: %d rounds of %d evalctl processes on one tranche, "
      "%d double releases\n",
      rounds, kProcesses, double_releases);
}

}  // namespace
}  // namespace evald::testing
