// evald_load: the load generator of the benchmarks (docs/benchmarks.md).
//
//   evald_load --target=HOST:PORT --mode=MODE [--inflight=N]
//              [--duration=SECONDS [--warmup=SECONDS] | --calls=N]
//              [--token=TOKEN] [--projects=N] [--project_prefix=P] [--json]
//   evald_load --target=HOST:PORT --smoke        (a few hundred checked calls)
//
// Modes, each one unary RPC of evaluation.v1.EvaluationService:
//   submit   SubmitProfessionalScore by the agency (a durable write) on a
//            random evaluation of a random project of the seed
//   get      GetEvaluation of a random evaluation (bureau)
//   list     ListEvaluations of a random project: its 10 evaluations
//   summary  GetSummary over everything (bureau)
//   overview GetYearOverview of one service year (bureau)
//   noop     the submit call shape against bench/noop_server
//   create   CreateProject for projects [0, --projects) of the scheme
//            (bench/bench_scheme.h): seeding through the API
//
// It keeps exactly --inflight calls outstanding with gRPC's callback API
// (one ClientContext per call, --channels connections), records each call's
// latency and the longest stretch without a successful call (max_gap_ms),
// and prints one line (or with --json one JSON object):
//   mode=submit inflight=64 calls=... errors=0 seconds=... qps=... p50_ms=...
//   p99_ms=...
// In duration mode the first --warmup seconds are not counted; calls that
// complete within the next --duration seconds are. A call that fails, or
// whose reply is not what the call must return, counts as an error, and
// the exit status is 1 if there was any.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/bench_scheme.h"
#include "common/mutex_mode.h"
#include "evaluation/v1/evaluation.grpc.pb.h"
#include "grpcpp/grpcpp.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "server address");
ABSL_FLAG(std::string, mode, "submit",
          "submit | get | list | summary | noop | create");
ABSL_FLAG(std::string, token, "",
          "bearer token (default: demo-agency for submit and noop, "
          "demo-bureau otherwise)");
ABSL_FLAG(int, inflight, 1, "calls kept outstanding");
ABSL_FLAG(double, duration, 10, "seconds measured (unless --calls)");
ABSL_FLAG(double, warmup, 1, "seconds run before measuring (duration mode)");
ABSL_FLAG(int64_t, calls, 0, "run exactly this many calls instead");
ABSL_FLAG(int64_t, projects, 1000, "projects of the seed: ids 0 .. N-1");
ABSL_FLAG(std::string, project_prefix, "p", "project id prefix of the seed");
ABSL_FLAG(int, channels, 1, "gRPC channels (TCP connections) to use");
ABSL_FLAG(std::string, run_id, "",
          "request_id prefix (default: from the pid and the clock)");
ABSL_FLAG(bool, json, false, "print one JSON object instead of a line");
ABSL_FLAG(std::string, label, "", "copied into the output");
ABSL_FLAG(bool, smoke, false,
          "create a few projects, run a few hundred checked calls of every "
          "mode (or of --mode=noop against a no-op server), exit 0 if all "
          "succeeded");

namespace evald::bench {
namespace {

namespace v1 = ::evaluation::v1;
using Clock = std::chrono::steady_clock;
using Stub = v1::EvaluationService::Stub;

// A cheap, well-mixed hash of a call number: random choices that are
// reproducible and need no shared generator.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Options {
  std::string mode;
  std::string token;
  int inflight = 1;
  double duration = 10;
  double warmup = 1;
  int64_t calls = 0;
  int64_t projects = 1000;
  std::string prefix = "p";
  std::string run_id;
};

struct Result {
  int64_t calls = 0;      // measured (after the warm-up)
  int64_t all_calls = 0;  // every call that completed, warm-up included
  int64_t errors = 0;
  std::string first_error;
  double seconds = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
  // The longest time in the measured window without a successful call
  // completing (the fail-over figure: how long writes stalled).
  double max_gap_ms = 0;
  double reply_bytes = 0;
  double request_bytes = 0;
  double cpu_seconds = 0;  // this process, user + system
};

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

// Keeps `inflight` calls of one method outstanding until the run ends.
//   fill(n, request)          builds call number n
//   invoke(stub, ctx, ...)    starts it with the callback API
//   check(request, reply)     "" if the reply is what the call must return
template <typename Req, typename Resp>
class Driver {
 public:
  using Fill = std::function<void(int64_t, Req*)>;
  using Invoke = std::function<void(Stub*, grpc::ClientContext*, const Req*,
                                    Resp*, std::function<void(grpc::Status)>)>;
  using Check = std::function<std::string(const Req&, const Resp&)>;

  Driver(const Options& o, std::vector<std::unique_ptr<Stub>>* stubs, Fill fill,
         Invoke invoke, Check check)
      : o_(o),
        stubs_(stubs),
        fill_(std::move(fill)),
        invoke_(std::move(invoke)),
        check_(std::move(check)) {}

  Result Run() {
    const double cpu_before = CpuSeconds();
    start_ = Clock::now();
    if (o_.calls > 0) {
      measure_from_ = start_;
      measure_to_ = Clock::time_point::max();
    } else {
      measure_from_ = start_ + Seconds(o_.warmup);
      measure_to_ = measure_from_ + Seconds(o_.duration);
    }
    slots_.resize(o_.inflight);
    active_ = o_.inflight;
    for (int i = 0; i < o_.inflight; ++i) {
      slots_[i] = std::make_unique<Slot>();
      slots_[i]->index = i;
      slots_[i]->latencies_us.reserve(1 << 14);
    }
    for (auto& s : slots_) Issue(*s);
    {
      std::unique_lock<std::mutex> lock(mu_);
      done_.wait(lock, [this] { return active_ == 0; });
    }
    const Clock::time_point end = Clock::now();

    Result r;
    std::vector<float> all;
    double bytes = 0, req_bytes = 0;
    int64_t sampled = 0;
    for (auto& s : slots_) {
      all.insert(all.end(), s->latencies_us.begin(), s->latencies_us.end());
      bytes += s->reply_bytes;
      req_bytes += s->request_bytes;
      sampled += s->sampled;
    }
    r.calls = static_cast<int64_t>(all.size());
    r.errors = errors_;
    r.all_calls = completed_.load();
    r.first_error = first_error_;
    r.max_gap_ms =
        std::max(max_gap_ns_.load(),
                 std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::min(end, measure_to_) - measure_from_)
                         .count() -
                     last_success_ns_.load()) /
        1e6;
    r.seconds = o_.calls > 0
                    ? std::chrono::duration<double>(end - start_).count()
                    : o_.duration;
    if (!all.empty()) {
      std::sort(all.begin(), all.end());
      auto at = [&](double q) {
        size_t i = static_cast<size_t>(q * (all.size() - 1) + 0.5);
        return all[std::min(i, all.size() - 1)] / 1000.0;
      };
      r.p50_ms = at(0.50);
      r.p90_ms = at(0.90);
      r.p99_ms = at(0.99);
      r.max_ms = all.back() / 1000.0;
      double sum = 0;
      for (float v : all) sum += v;
      r.mean_ms = sum / all.size() / 1000.0;
    }
    if (sampled > 0) {
      r.reply_bytes = bytes / sampled;
      r.request_bytes = req_bytes / sampled;
    }
    r.cpu_seconds = CpuSeconds() - cpu_before;
    return r;
  }

 private:
  struct Slot {
    int index = 0;
    std::unique_ptr<grpc::ClientContext> ctx;
    Req request;
    Resp reply;
    Clock::time_point started;
    std::vector<float> latencies_us;
    double reply_bytes = 0, request_bytes = 0;
    int64_t sampled = 0;
    int64_t n = 0;
  };

  static Clock::duration Seconds(double s) {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(s));
  }

  void Issue(Slot& s) {
    for (;;) {
      const int64_t n = next_.fetch_add(1, std::memory_order_relaxed);
      const Clock::time_point now = Clock::now();
      if ((o_.calls > 0 && n >= o_.calls) ||
          (o_.calls == 0 && now >= measure_to_)) {
        std::lock_guard<std::mutex> lock(mu_);
        if (--active_ == 0) done_.notify_all();
        return;
      }
      s.n = n;
      s.ctx = std::make_unique<grpc::ClientContext>();
      s.ctx->AddMetadata("authorization", "Bearer " + o_.token);
      s.ctx->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(60));
      s.request.Clear();
      s.reply.Clear();
      fill_(n, &s.request);
      Stub* stub = (*stubs_)[s.index % stubs_->size()].get();
      s.started = Clock::now();
      // The callback may run on this thread (a call that fails at once):
      // then it only flags, and this loop issues the next call, so that
      // the stack does not grow.
      auto state = std::make_shared<std::atomic<int>>(0);
      invoke_(stub, s.ctx.get(), &s.request, &s.reply,
              [this, &s, state](grpc::Status status) {
                Complete(s, status);
                if (state->exchange(1) == 2) Issue(s);
              });
      if (state->exchange(2) == 0)
        return;  // still running: its callback
                 // issues the next call
    }
  }

  void Complete(Slot& s, const grpc::Status& status) {
    const Clock::time_point now = Clock::now();
    completed_.fetch_add(1, std::memory_order_relaxed);
    std::string bad;
    if (!status.ok()) {
      bad = absl::StrCat("status ", status.error_code(), ": ",
                         status.error_message());
    } else {
      bad = check_(s.request, s.reply);
    }
    if (!bad.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (errors_++ == 0) first_error_ = bad;
      return;
    }
    if (now >= measure_from_ && now <= measure_to_) {
      // Nanoseconds into the window; the latest success only moves
      // forward, whatever order racing completions get here in.
      const int64_t at = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             now - measure_from_)
                             .count();
      int64_t last = last_success_ns_.load();
      while (at > last && !last_success_ns_.compare_exchange_weak(last, at)) {
      }
      const int64_t gap = at - last;
      int64_t longest = max_gap_ns_.load();
      while (gap > longest &&
             !max_gap_ns_.compare_exchange_weak(longest, gap)) {
      }
    }
    if (s.started >= measure_from_ && now <= measure_to_) {
      s.latencies_us.push_back(static_cast<float>(
          std::chrono::duration<double, std::micro>(now - s.started).count()));
      if ((s.n & 63) == 0) {
        s.reply_bytes += s.reply.ByteSizeLong();
        s.request_bytes += s.request.ByteSizeLong();
        ++s.sampled;
      }
    }
  }

  const Options& o_;
  std::vector<std::unique_ptr<Stub>>* stubs_;
  Fill fill_;
  Invoke invoke_;
  Check check_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<int64_t> next_{0};
  std::atomic<int64_t> completed_{0};
  std::atomic<int64_t> last_success_ns_{0};  // into the measured window
  std::atomic<int64_t> max_gap_ns_{0};
  Clock::time_point start_, measure_from_, measure_to_;
  std::mutex mu_;
  std::condition_variable done_;
  int active_ = 0;
  int64_t errors_ = 0;
  std::string first_error_;
};

// The evaluation that call n addresses: a random project of the seed, a
// random one of its five years, either phase.
void PickEvaluation(const Options& o, int64_t n, v1::EvaluationRef* ref) {
  const uint64_t h = Mix(static_cast<uint64_t>(n));
  const long project = static_cast<long>(h % o.projects);
  ref->set_project_id(ProjectId(o.prefix, project));
  ref->set_year(StartYear(project) + static_cast<int>((h >> 32) % kYears));
  ref->set_phase((h >> 40) & 1 ? v1::FINAL : v1::MID_TERM);
}

void FillSubmit(const Options& o, int64_t n,
                v1::SubmitProfessionalScoreRequest* r) {
  r->set_request_id(absl::StrCat(o.run_id, "-", n));
  PickEvaluation(o, n, r->mutable_evaluation());
  // Not a project that the seed finalised (bench_scheme.h): its contract
  // may have ended. A neighbour is never one.
  const long project =
      static_cast<long>(Mix(static_cast<uint64_t>(n)) % o.projects);
  if (o.projects > 1 && project % kFinaliseEvery == 0) {
    const long next = project + 1 < o.projects ? project + 1 : project - 1;
    r->mutable_evaluation()->set_project_id(ProjectId(o.prefix, next));
    r->mutable_evaluation()->set_year(StartYear(next) + r->evaluation().year() -
                                      StartYear(project));
  }
  const uint64_t h = Mix(static_cast<uint64_t>(n) ^ 0x5bd1e995);
  r->set_score(absl::StrFormat("%d.%02d", 60 + static_cast<int>(h % 40),
                               static_cast<int>((h >> 8) % 100)));
}

std::string CheckSubmit(const v1::SubmitProfessionalScoreRequest& q,
                        const v1::Evaluation& e) {
  if (e.name().empty() || e.third_party().version() < 1) {
    return "submit: reply is not a scored evaluation";
  }
  return "";
}

// Registers the scheme's organisations (bench_scheme.h) as the bureau, so
// that create mode may name them; those already registered are skipped.
// "" or what went wrong.
std::string RegisterScheme(const Options& o, Stub* stub) {
  const std::map<std::string, v1::OrganisationKind> kinds = {
      {"township", v1::TOWNSHIP},
      {"village", v1::VILLAGE},
      {"provider", v1::PROVIDER},
      {"agency", v1::AGENCY}};
  for (absl::string_view line :
       absl::StrSplit(SchemeOrganisations(), '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    v1::CreateOrganisationRequest r;
    r.set_request_id(absl::StrCat("bench-org-", f[0]));
    r.set_code(f[0]);
    r.set_kind(kinds.at(f[1]));
    r.set_name_zh(f[2]);
    if (f.size() > 4) r.set_township(f[4]);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + o.token);
    v1::Organisation reply;
    grpc::Status s = stub->CreateOrganisation(&ctx, r, &reply);
    if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      return absl::StrCat("registering ", f[0], ": ", s.error_message());
    }
  }
  return "";
}

Result RunMode(const Options& o, std::vector<std::unique_ptr<Stub>>* stubs) {
  if (o.mode == "submit" || o.mode == "noop") {
    Driver<v1::SubmitProfessionalScoreRequest, v1::Evaluation> d(
        o, stubs,
        [&o](int64_t n, v1::SubmitProfessionalScoreRequest* r) {
          FillSubmit(o, n, r);
        },
        [](Stub* stub, grpc::ClientContext* c,
           const v1::SubmitProfessionalScoreRequest* q, v1::Evaluation* a,
           std::function<void(grpc::Status)> done) {
          stub->async()->SubmitProfessionalScore(c, q, a, std::move(done));
        },
        CheckSubmit);
    return d.Run();
  }
  if (o.mode == "get") {
    Driver<v1::GetEvaluationRequest, v1::Evaluation> d(
        o, stubs,
        [&o](int64_t n, v1::GetEvaluationRequest* r) {
          PickEvaluation(o, n, r->mutable_evaluation());
        },
        [](Stub* stub, grpc::ClientContext* c,
           const v1::GetEvaluationRequest* q, v1::Evaluation* a,
           std::function<void(grpc::Status)> done) {
          stub->async()->GetEvaluation(c, q, a, std::move(done));
        },
        [](const v1::GetEvaluationRequest& q,
           const v1::Evaluation& e) -> std::string {
          if (e.name().empty() || e.year() != q.evaluation().year()) {
            return "get: reply is not the evaluation asked for";
          }
          return "";
        });
    return d.Run();
  }
  if (o.mode == "list") {
    Driver<v1::ListEvaluationsRequest, v1::ListEvaluationsResponse> d(
        o, stubs,
        [&o](int64_t n, v1::ListEvaluationsRequest* r) {
          r->set_project_id(ProjectId(
              o.prefix,
              static_cast<long>(Mix(static_cast<uint64_t>(n)) % o.projects)));
        },
        [](Stub* stub, grpc::ClientContext* c,
           const v1::ListEvaluationsRequest* q, v1::ListEvaluationsResponse* a,
           std::function<void(grpc::Status)> done) {
          stub->async()->ListEvaluations(c, q, a, std::move(done));
        },
        [](const v1::ListEvaluationsRequest&,
           const v1::ListEvaluationsResponse& r) -> std::string {
          if (r.evaluations_size() != 2 * kYears) {
            return absl::StrCat("list: ", r.evaluations_size(),
                                " evaluations, want ", 2 * kYears);
          }
          return "";
        });
    return d.Run();
  }
  if (o.mode == "summary") {
    Driver<v1::GetSummaryRequest, v1::Summary> d(
        o, stubs, [](int64_t, v1::GetSummaryRequest*) {},
        [](Stub* stub, grpc::ClientContext* c, const v1::GetSummaryRequest* q,
           v1::Summary* a, std::function<void(grpc::Status)> done) {
          stub->async()->GetSummary(c, q, a, std::move(done));
        },
        [](const v1::GetSummaryRequest&, const v1::Summary& s) -> std::string {
          return s.rows_size() > 0 ? "" : "summary: no rows";
        });
    return d.Run();
  }
  if (o.mode == "overview") {
    // The dashboard's first page: one service year in which every project
    // of the benchmark database has both phases (StartYear covers it).
    Driver<v1::GetYearOverviewRequest, v1::YearOverview> d(
        o, stubs,
        [](int64_t, v1::GetYearOverviewRequest* r) {
          r->set_year(kFirstYear + 5);
        },
        [](Stub* stub, grpc::ClientContext* c,
           const v1::GetYearOverviewRequest* q, v1::YearOverview* a,
           std::function<void(grpc::Status)> done) {
          stub->async()->GetYearOverview(c, q, a, std::move(done));
        },
        [](const v1::GetYearOverviewRequest&,
           const v1::YearOverview& y) -> std::string {
          return y.townships_size() == kTownships
                     ? ""
                     : absl::StrCat("overview: ", y.townships_size(),
                                    " townships, want ", kTownships);
        });
    return d.Run();
  }
  if (o.mode == "create") {
    if (std::string e = RegisterScheme(o, stubs->front().get()); !e.empty()) {
      Result r;
      r.errors = 1;
      r.first_error = e;
      return r;
    }
    Driver<v1::CreateProjectRequest, v1::Project> d(
        o, stubs,
        [&o](int64_t n, v1::CreateProjectRequest* r) {
          r->set_request_id(absl::StrCat("create-", o.prefix, "-", n));
          r->set_project_id(ProjectId(o.prefix, static_cast<long>(n)));
          r->set_name(absl::StrCat("Bench station ", n));
          r->set_township(Township(n));
          r->set_provider("PR1");
          for (int k = 1; k <= 3; ++k) {
            r->add_villages(Village(static_cast<long>(n), k));
          }
          r->set_start_date(StartDate(n));
          r->set_years(kYears);
          r->set_annual_fund_fen(100'000'000);
          r->set_agency("AG1");
        },
        [](Stub* stub, grpc::ClientContext* c,
           const v1::CreateProjectRequest* q, v1::Project* a,
           std::function<void(grpc::Status)> done) {
          stub->async()->CreateProject(c, q, a, std::move(done));
        },
        [](const v1::CreateProjectRequest& q,
           const v1::Project& p) -> std::string {
          return p.project_id() == q.project_id() ? "" : "create: wrong reply";
        });
    return d.Run();
  }
  Result r;
  r.errors = 1;
  r.first_error = absl::StrCat("unknown --mode=", o.mode);
  return r;
}

void Print(const Options& o, const Result& r, const std::string& target,
           bool json, const std::string& label) {
  const double qps = r.seconds > 0 ? r.calls / r.seconds : 0;
  if (json) {
    std::string err;
    for (char c : r.first_error) {
      if (c == '"' || c == '\\') err += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) err += c;
    }
    std::printf(
        "{\"label\":\"%s\",\"mode\":\"%s\",\"target\":\"%s\",\"inflight\":%d,"
        "\"calls\":%lld,\"all_calls\":%lld,\"errors\":%lld,\"seconds\":%.3f,"
        "\"qps\":%.1f,"
        "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
        "\"mean_ms\":%.3f,\"max_gap_ms\":%.3f,\"reply_bytes\":%.0f,"
        "\"request_bytes\":%.0f,\"client_cpu_s\":%.2f,"
        "\"first_error\":\"%s\"}\n",
        label.c_str(), o.mode.c_str(), target.c_str(), o.inflight,
        static_cast<long long>(r.calls), static_cast<long long>(r.all_calls),
        static_cast<long long>(r.errors), r.seconds, qps, r.p50_ms, r.p90_ms,
        r.p99_ms, r.max_ms, r.mean_ms, r.max_gap_ms, r.reply_bytes,
        r.request_bytes, r.cpu_seconds, err.c_str());
  } else {
    std::printf(
        "%smode=%s inflight=%d calls=%lld errors=%lld seconds=%.2f qps=%.1f "
        "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f reply_bytes=%.0f%s%s\n",
        label.empty() ? "" : (label + " ").c_str(), o.mode.c_str(), o.inflight,
        static_cast<long long>(r.calls), static_cast<long long>(r.errors),
        r.seconds, qps, r.p50_ms, r.p99_ms, r.max_ms, r.reply_bytes,
        r.first_error.empty() ? "" : " first_error=", r.first_error.c_str());
  }
  std::fflush(stdout);
}

std::vector<std::unique_ptr<Stub>> Connect(const std::string& target,
                                           int channels) {
  std::vector<std::unique_ptr<Stub>> stubs;
  for (int i = 0; i < std::max(1, channels); ++i) {
    grpc::ChannelArguments args;
    // A channel of its own connection: without these, channels with equal
    // arguments share one subchannel (one TCP connection).
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("evald.bench.channel", i);
    args.SetMaxReceiveMessageSize(64 << 20);
    auto channel = grpc::CreateCustomChannel(
        target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::seconds(10))) {
      std::fprintf(stderr, "evald_load: cannot connect to %s\n",
                   target.c_str());
      std::exit(2);
    }
    stubs.push_back(v1::EvaluationService::NewStub(channel));
  }
  return stubs;
}

// A few hundred calls of every mode, each reply checked. Creates its own
// projects (a fresh prefix per run), so it needs only a running evald with
// the demo principals.
int Smoke(Options o, const std::string& target) {
  auto stubs = Connect(target, 2);
  struct Step {
    std::string mode;
    int64_t calls;
    int inflight;
  };
  std::vector<Step> steps;
  if (o.mode == "noop") {
    steps = {{"noop", 300, 8}, {"get", 100, 4}};
  } else {
    o.prefix = absl::StrCat("smoke", getpid(), "x");
    o.projects = 8;
    steps = {{"create", 8, 4}, {"submit", 300, 8}, {"get", 100, 4},
             {"list", 100, 4}, {"summary", 20, 2}, {"submit", 40, 1}};
  }
  int failures = 0;
  for (const Step& step : steps) {
    Options s = o;
    s.mode = step.mode;
    s.calls = step.calls;
    s.inflight = step.inflight;
    if (s.token.empty()) {
      s.token = (s.mode == "submit" || s.mode == "noop") ? "demo-agency"
                                                         : "demo-bureau";
    }
    s.run_id = absl::StrCat(o.run_id, "-", s.mode, "-", &step - &steps[0]);
    Result r = RunMode(s, &stubs);
    Print(s, r, target, false, "smoke");
    if (r.errors > 0 || r.calls != step.calls) ++failures;
  }
  std::printf("smoke: %s\n", failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}

int Main() {
  Options o;
  o.mode = absl::GetFlag(FLAGS_mode);
  o.token = absl::GetFlag(FLAGS_token);
  o.inflight = std::max(1, absl::GetFlag(FLAGS_inflight));
  o.duration = absl::GetFlag(FLAGS_duration);
  o.warmup = absl::GetFlag(FLAGS_warmup);
  o.calls = absl::GetFlag(FLAGS_calls);
  o.projects = std::max<int64_t>(1, absl::GetFlag(FLAGS_projects));
  o.prefix = absl::GetFlag(FLAGS_project_prefix);
  o.run_id = absl::GetFlag(FLAGS_run_id);
  if (o.run_id.empty()) {
    o.run_id = absl::StrCat(
        "bench-", getpid(), "-",
        std::chrono::system_clock::now().time_since_epoch().count());
  }
  const std::string target = absl::GetFlag(FLAGS_target);
  if (absl::GetFlag(FLAGS_smoke)) return Smoke(o, target);
  if (o.token.empty()) {
    o.token = (o.mode == "submit" || o.mode == "noop") ? "demo-agency"
                                                       : "demo-bureau";
  }
  if (o.mode == "create" && o.calls == 0) o.calls = o.projects;
  auto stubs = Connect(target, absl::GetFlag(FLAGS_channels));
  Result r = RunMode(o, &stubs);
  Print(o, r, target, absl::GetFlag(FLAGS_json), absl::GetFlag(FLAGS_label));
  return r.errors > 0 ? 1 : 0;
}

}  // namespace
}  // namespace evald::bench

int main(int argc, char** argv) {
  evald::TurnOffMutexDeadlockDetection();
  absl::SetProgramUsageMessage(
      "evald_load --target=HOST:PORT --mode=submit|get|list|summary|noop|"
      "create [--inflight=N] [--duration=S | --calls=N] [--json] | --smoke");
  absl::ParseCommandLine(argc, argv);
  return evald::bench::Main();
}
