// The crash drill (docs/reliability.md): evald is killed with SIGKILL at a
// random moment under mixed load -- agencies submitting scores, finance
// clerks racing to record the same payment -- and restarted, again and
// again. After every restart the drill checks what users would: every
// acknowledged submission is there (the score's version counts them), a
// request retried with its id after the crash is answered, not applied
// twice, each tranche is released at most once and by exactly one payment
// reference, and at the end the whole log re-derives every record
// (evalutl replay).
//
// `make test` runs a few iterations; `make drill` runs it with
// EVALD_DRILL_ITERATIONS=100 and prints one line of figures.

#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/run_program.h"

namespace evald::testing {
namespace {

constexpr int kAgencies = 3;  // one project each, submitting its score

int Iterations() {
  const char* env = std::getenv("EVALD_DRILL_ITERATIONS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 3;
}

class CrashDrill : public EvaldTest {
 protected:
  std::string Project(int agency) { return absl::StrCat("D", agency); }

  grpc::Status SubmitScore(v1::EvaluationService::Stub& stub, int agency,
                           const std::string& request_id, int n,
                           v1::Evaluation* out) {
    v1::SubmitProfessionalScoreRequest r;
    r.set_request_id(request_id);
    *r.mutable_evaluation() = Ref(Project(agency), 2025, v1::FINAL);
    r.set_score(absl::StrCat(60 + n % 40, ".50"));
    auto ctx = Context(kAgency);
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(2));
    return stub.SubmitProfessionalScore(ctx.get(), r, out);
  }

  int Version(int agency) {
    v1::GetEvaluationRequest get;
    *get.mutable_evaluation() = Ref(Project(agency), 2025, v1::FINAL);
    v1::Evaluation e;
    EXPECT_TRUE(stub_->GetEvaluation(Context(kBureau).get(), get, &e).ok());
    return e.third_party().version();
  }
};

TEST_F(CrashDrill, KillNineUnderLoadLosesNothingAndPaysOnce) {
  // Setup: the agencies' projects, and P1 whose mid-term passed, so that
  // its mid-term tranche is DUE for the finance clerks to race on.
  for (int a = 0; a < kAgencies; ++a) {
    ASSERT_TRUE(CreateProject(Project(a), "2025-01-02").ok());
  }
  ASSERT_TRUE(CreateProject("P1", "2025-01-02").ok());
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  SubmitAll(mid, "85");
  v1::Evaluation finalised;
  ASSERT_TRUE(Finalize(mid, "2025-06-20", &finalised).ok());

  std::mt19937 random(20261201);
  std::vector<int> acknowledged(kAgencies, 0);
  std::vector<int> counter(kAgencies, 0);
  int64_t checked = 0;
  int lost = 0;
  int released_twice = 0;
  double slowest_restart_s = 0;
  std::string paid_reference;
  const int iterations = Iterations();

  for (int it = 0; it < iterations; ++it) {
    // Load: each agency submits until the kill; two clerks race to record
    // the year's tranches, each under its own reference.
    std::atomic<bool> stop{false};
    std::vector<std::string> in_flight(kAgencies);
    std::vector<std::thread> load;
    for (int a = 0; a < kAgencies; ++a) {
      load.emplace_back([&, a] {
        auto stub = evald_.NewStub();
        while (!stop.load()) {
          const std::string id = absl::StrCat("s-", a, "-", counter[a]);
          in_flight[a] = id;
          v1::Evaluation reply;
          if (SubmitScore(*stub, a, id, counter[a], &reply).ok()) {
            ++acknowledged[a];
            ++counter[a];
            in_flight[a].clear();
          } else {
            return;  // evald is gone; this id may or may not have landed
          }
        }
      });
    }
    for (int clerk = 0; clerk < 2; ++clerk) {
      load.emplace_back([&, clerk, it] {
        auto stub = evald_.NewStub();
        for (int k = 0; !stop.load() && k < 50; ++k) {
          v1::ReleaseDisbursementRequest r;
          r.set_request_id(absl::StrCat("rel-", clerk, "-", it, "-", k));
          r.set_project_id("P1");
          r.set_year(2025);
          r.set_kind(v1::MID_TERM_TRANCHE);
          r.set_payment_reference(absl::StrCat("BANK-", clerk));
          r.set_released_on("2025-07-01");
          v1::Disbursement reply;
          auto ctx = Context(kFinance);
          ctx->set_deadline(std::chrono::system_clock::now() +
                            std::chrono::seconds(2));
          stub->ReleaseDisbursement(ctx.get(), r, &reply);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::uniform_int_distribution<int>(20, 200)(random)));
    evald_.Kill();
    stop.store(true);
    for (std::thread& t : load) t.join();

    const auto started = std::chrono::steady_clock::now();
    Restart();
    slowest_restart_s = std::max(slowest_restart_s,
                                 std::chrono::duration<double>(
                                     std::chrono::steady_clock::now() - started)
                                     .count());

    for (int a = 0; a < kAgencies; ++a) {
      SCOPED_TRACE(absl::StrCat("iteration ", it, ", agency ", a));
      // The unanswered request may have landed; retrying its id answers
      // it, and applies it at most once.
      if (!in_flight[a].empty()) {
        v1::Evaluation reply;
        ASSERT_TRUE(
            SubmitScore(*stub_, a, in_flight[a], counter[a], &reply).ok());
        ++acknowledged[a];
        ++counter[a];
      }
      const int version = Version(a);
      checked += acknowledged[a];
      if (version < acknowledged[a]) ++lost;
      EXPECT_EQ(version, acknowledged[a]);
    }
    // At most one release, by one reference, and it stays the same.
    int releases = 0;
    for (const v1::AuditEvent& e : Audit("P1")) {
      if (e.action() == "disbursement.released") ++releases;
    }
    if (releases > 1) ++released_twice;
    EXPECT_LE(releases, 1);
    const v1::Disbursement tranche = Tranche("P1", 2025, v1::MID_TERM_TRANCHE);
    if (tranche.state() == v1::RELEASED) {
      if (paid_reference.empty()) paid_reference = tranche.payment_reference();
      EXPECT_EQ(tranche.payment_reference(), paid_reference);
    }
  }

  ASSERT_EQ(StopEvald(), 0);
  const RunResult replay = Replay(evald_.data_dir());
  EXPECT_EQ(WEXITSTATUS(replay.status), 0) << replay.out << replay.err;
  int total = 0;
  for (int a : acknowledged) total += a;
  std::printf(
      "drill crash: %d kill -9 restarts, %d acknowledged writes (%lld checks "
      "after restarts), %d lost, %d double releases, slowest restart %.2f s; "
      "replay: %s",
      iterations, total, static_cast<long long>(checked), lost, released_twice,
      slowest_restart_s, replay.out.c_str());
}

}  // namespace
}  // namespace evald::testing
