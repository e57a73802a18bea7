// evald_seed: fills a data directory for the benchmarks, fast.
//
//   evald_seed --data_dir=DIR --projects=50000 --audit_events=1000000
//              [--threads=2] [--project_prefix=p] [--finalise_every=10]
//
// It links the server's Engine and Store and calls the Engine directly on
// the data directory (evald must not be running: RocksDB locks it), so the
// database holds exactly what the same calls through the API would have
// written: projects with their 10 evaluations and 15 tranches, audit
// chains, request records, indexes and summary counters. Only two things
// differ from serving: there is no gRPC, and the WAL is not synced per
// call (StoreOptions::sync_writes = false). The seed is set-up, not a
// measurement.
//
// What it writes (bench/bench_scheme.h names the projects):
//   1. CreateProject for projects 0 .. N-1 (bureau), agency AG1.
//   2. For every --finalise_every-th project, its first mid-term phase is
//      scored by every party, given the financial evaluation and
//      finalised by the bureau, so that the summary has grades too.
//   3. Professional scores by the agency on every evaluation in turn,
//      until the database holds --audit_events audit events.
// Then it closes the database and opens it once more, which replays the
// unsynced WAL into table files, so that the first evald start is not
// slowed by a seed-sized log.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_scheme.h"
#include "scoring/calendar.h"
#include "server/engine.h"
#include "server/organisation_file.h"
#include "server/policy_set.h"
#include "storage/rocksdb_store.h"

ABSL_FLAG(std::string, data_dir, "", "RocksDB data directory (required)");
ABSL_FLAG(int64_t, projects, 50000, "projects to create");
ABSL_FLAG(int64_t, audit_events, 1000000,
          "score submissions are added until the database holds this many "
          "audit events");
ABSL_FLAG(int, threads, 2, "threads calling the Engine");
ABSL_FLAG(std::string, project_prefix, "p", "project id prefix");
ABSL_FLAG(int, finalise_every, evald::bench::kFinaliseEvery,
          "finalise the first mid-term of every N-th project (0: none)");

namespace evald::bench {
namespace {

namespace v1 = ::evaluation::v1;
using server::Principal;
using server::Role;

Principal Make(const std::string& name, Role role, const std::string& org) {
  Principal p;
  p.name = name;
  p.role = role;
  p.organisation = org;
  return p;
}

// The demo principals of deploy/demo/tokens.txt (their names are what
// evald records), plus one principal per benchmark township.
const Principal kBureau = Make("bureau", Role::kBureau, "nansha");
const Principal kAgency = Make("agency-ag1", Role::kAgency, "AG1");

struct Counters {
  std::atomic<int64_t> events{0};
  std::atomic<int64_t> failures{0};
};

void Fail(Counters& c, const absl::Status& s, const std::string& what) {
  if (c.failures.fetch_add(1) < 5) {
    std::fprintf(stderr, "evald_seed: %s: %s\n", what.c_str(),
                 s.ToString().c_str());
  }
}

void CreateProjects(server::Engine& engine, const std::string& prefix,
                    long from, long to, long step, Counters& c) {
  for (long i = from; i < to; i += step) {
    v1::CreateProjectRequest r;
    r.set_request_id(absl::StrCat("seed-create-", i));
    r.set_project_id(ProjectId(prefix, i));
    r.set_name(absl::StrCat("Bench station ", i));
    r.set_township(Township(i));
    r.set_provider("PR1");
    for (int k = 1; k <= 3; ++k) r.add_villages(Village(i, k));
    r.set_start_date(StartDate(i));
    r.set_years(kYears);
    r.set_annual_fund_fen(100'000'000);
    r.set_agency("AG1");
    auto p = engine.CreateProject(kBureau, r);
    if (p.ok()) {
      c.events.fetch_add(1, std::memory_order_relaxed);
    } else {
      Fail(c, p.status(), r.project_id());
    }
  }
}

// Every party scores project i's first mid-term, then the bureau finalises.
void Finalise(server::Engine& engine, const std::string& prefix, long i,
              Counters& c) {
  v1::EvaluationRef ref;
  ref.set_project_id(ProjectId(prefix, i));
  ref.set_year(StartYear(i));
  ref.set_phase(v1::MID_TERM);
  const std::string township = Township(i);
  const std::vector<Principal> parties = {
      kAgency,
      Make("township-" + township, Role::kTownship, township),
      Make("village-" + Village(i, 1), Role::kVillage, Village(i, 1)),
      Make("village-" + Village(i, 2), Role::kVillage, Village(i, 2)),
      Make("village-" + Village(i, 3), Role::kVillage, Village(i, 3)),
      kBureau,
  };
  int n = 0;
  for (const Principal& who : parties) {
    v1::SubmitProfessionalScoreRequest r;
    r.set_request_id(absl::StrCat("seed-final-", i, "-", n++));
    *r.mutable_evaluation() = ref;
    r.set_score(absl::StrCat(70 + (i + n) % 30, ".50"));
    auto e = engine.SubmitProfessionalScore(who, r);
    if (!e.ok()) return Fail(c, e.status(), r.request_id());
    c.events.fetch_add(1, std::memory_order_relaxed);
  }
  v1::SubmitFinancialEvaluationRequest f;
  f.set_request_id(absl::StrCat("seed-final-", i, "-fin"));
  *f.mutable_evaluation() = ref;
  f.set_score(absl::StrCat(75 + i % 25));
  f.mutable_expenditure()->set_personnel_fen(30'000'000);
  f.mutable_expenditure()->set_service_quality_fen(10'000'000);
  f.mutable_expenditure()->set_management_fen(5'000'000);
  f.mutable_expenditure()->set_other_fen(1'000'000);
  auto e = engine.SubmitFinancialEvaluation(kAgency, f);
  if (!e.ok()) return Fail(c, e.status(), f.request_id());
  c.events.fetch_add(1, std::memory_order_relaxed);
  v1::FinalizeEvaluationRequest fin;
  fin.set_request_id(absl::StrCat("seed-final-", i, "-done"));
  *fin.mutable_evaluation() = ref;
  fin.set_result_date(absl::StrCat(StartYear(i), "-09-30"));
  e = engine.FinalizeEvaluation(kBureau, fin);
  if (!e.ok()) return Fail(c, e.status(), fin.request_id());
  c.events.fetch_add(1, std::memory_order_relaxed);
}

// Submission k goes to project k % projects, evaluation (k / projects) % 10.
void Submit(server::Engine& engine, const std::string& prefix, long projects,
            int64_t from, int64_t to, int64_t step, Counters& c) {
  for (int64_t k = from; k < to; k += step) {
    const long i = static_cast<long>(k % projects);
    const int e = static_cast<int>((k / projects) % (2 * kYears));
    v1::SubmitProfessionalScoreRequest r;
    r.set_request_id(absl::StrCat("seed-score-", k));
    r.mutable_evaluation()->set_project_id(ProjectId(prefix, i));
    r.mutable_evaluation()->set_year(StartYear(i) + e / 2);
    r.mutable_evaluation()->set_phase(e % 2 ? v1::FINAL : v1::MID_TERM);
    r.set_score(absl::StrCat(60 + k % 40, ".", 10 + k % 90));
    auto done = engine.SubmitProfessionalScore(kAgency, r);
    if (done.ok()) {
      c.events.fetch_add(1, std::memory_order_relaxed);
    } else if (done.status().code() != absl::StatusCode::kFailedPrecondition) {
      // FailedPrecondition: a finalised phase; the next k scores another.
      Fail(c, done.status(), r.request_id());
    }
  }
}

template <typename Fn>
void Parallel(int threads, Fn fn) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&fn, t] { fn(t); });
  for (std::thread& t : pool) t.join();
}

absl::StatusOr<std::unique_ptr<storage::RocksDbStore>> Open(
    const std::string& dir) {
  storage::StoreOptions options;
  options.path = dir;
  options.sync_writes = false;  // set-up only; see the file comment
  return storage::RocksDbStore::Open(options);
}

int Run() {
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  const long projects = static_cast<long>(absl::GetFlag(FLAGS_projects));
  const int64_t target = absl::GetFlag(FLAGS_audit_events);
  const int threads = std::max(1, absl::GetFlag(FLAGS_threads));
  const std::string prefix = absl::GetFlag(FLAGS_project_prefix);
  const int every = absl::GetFlag(FLAGS_finalise_every);
  if (dir.empty() || projects < 1) {
    std::fprintf(stderr, "evald_seed: --data_dir and --projects are needed\n");
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
        .count();
  };
  Counters c;
  {
    auto store = Open(dir);
    if (!store.ok()) {
      std::fprintf(stderr, "evald_seed: %s\n",
                   store.status().ToString().c_str());
      return 1;
    }
    server::Engine engine(store->get(), server::PolicySet(),
                          scoring::WorkingDayCalendar::BuiltIn());
    auto organisations = server::ParseOrganisationsFile(SchemeOrganisations());
    if (!organisations.ok()) {
      std::fprintf(stderr, "evald_seed: %s\n",
                   organisations.status().ToString().c_str());
      return 1;
    }
    if (auto seeded = engine.SeedOrganisations(*organisations,
                                               server::PrincipalRegistry());
        !seeded.ok()) {
      std::fprintf(stderr, "evald_seed: %s\n",
                   seeded.status().ToString().c_str());
      return 1;
    }
    Parallel(threads, [&](int t) {
      CreateProjects(engine, prefix, t, projects, threads, c);
    });
    std::fprintf(stderr, "evald_seed: %ld projects in %.1f s\n", projects,
                 elapsed());
    if (every > 0) {
      Parallel(threads, [&](int t) {
        for (long i = static_cast<long>(t) * every; i < projects;
             i += static_cast<long>(threads) * every) {
          Finalise(engine, prefix, i, c);
        }
      });
      std::fprintf(stderr, "evald_seed: finalised %ld phases, %.1f s\n",
                   (projects + every - 1) / every, elapsed());
    }
    // Submissions that land on a finalised phase are refused (and write
    // nothing), so go round until the target is reached.
    int64_t next = 0;
    while (c.events.load() < target && c.failures.load() == 0) {
      const int64_t want = target - c.events.load();
      const int64_t to = next + want;
      Parallel(threads, [&](int t) {
        Submit(engine, prefix, projects, next + t, to, threads, c);
      });
      next = to;
      std::fprintf(stderr, "evald_seed: %lld audit events, %.1f s\n",
                   static_cast<long long>(c.events.load()), elapsed());
    }
  }
  // Reopen: replays the unsynced WAL into table files (see above); then
  // compact, so that the benchmarks start on a settled database rather
  // than one that owes the compaction of a million fresh writes.
  {
    auto store = Open(dir);
    absl::Status compacted =
        store.ok() ? (*store)->CompactAll() : store.status();
    if (!compacted.ok()) {
      std::fprintf(stderr, "evald_seed: reopen and compact: %s\n",
                   compacted.ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "evald_seed: compacted, %.1f s\n", elapsed());
  }
  std::printf(
      "seed: projects=%ld audit_events=%lld failures=%lld seconds=%.1f\n",
      projects, static_cast<long long>(c.events.load()),
      static_cast<long long>(c.failures.load()), elapsed());
  return c.failures.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace evald::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return evald::bench::Run();
}
