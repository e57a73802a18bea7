// The shape of the benchmark database, shared by the seeding tool
// (evald_seed) and the load generator (evald_load), so that the load
// generator can address evaluations that the seed created without asking
// the server first.
//
// Project i (0-based) of a run with prefix P:
//   id        P + six digits of i            ("p000042")
//   township  "t" + three digits of i % kTownships
//   villages  its township's three: "t042-v1", "t042-v2", "t042-v3"
//   provider  PR1, agency AG1 (the demo agency: it may submit everywhere)
//   start     (kFirstYear + i % 6)-03-01, 5 years: evaluations in the
//             calendar years StartYear(i) .. StartYear(i) + 4, two phases.

#ifndef EVALD_BENCH_BENCH_SCHEME_H_
#define EVALD_BENCH_BENCH_SCHEME_H_

#include <cstdio>
#include <string>
#include <vector>

namespace evald::bench {

inline constexpr int kTownships = 100;
// evald_seed finalises the first mid-term of every kFinaliseEvery-th
// project (i % kFinaliseEvery == 0); some fail, which ends the contract, so
// the load generator sends submissions only to the other projects.
inline constexpr int kFinaliseEvery = 10;
inline constexpr int kFirstYear = 2019;
inline constexpr int kYears = 5;

inline std::string ProjectId(const std::string& prefix, long i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%06ld", i);
  return prefix + buf;
}

inline std::string Township(long i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "t%03ld", i % kTownships);
  return buf;
}

// Village k (1..3) of project i's township.
inline std::string Village(long i, int k) {
  return Township(i) + "-v" + std::to_string(k);
}

// The organisations the scheme names, as lines of an organisations file
// (server/organisation_file.h): both tools register them before creating
// projects, as a district's registry holds them before its stations.
inline std::string SchemeOrganisations() {
  std::string out =
      "PR1\tprovider\tBench provider\nAG1\tagency\tBench agency\n";
  for (long t = 0; t < kTownships; ++t) {
    out += Township(t) + "\ttownship\tBench township " + Township(t) + "\n";
    for (int k = 1; k <= 3; ++k) {
      out +=
          Village(t, k) + "\tvillage\tBench village\t\t" + Township(t) + "\n";
    }
  }
  return out;
}

inline int StartYear(long i) { return kFirstYear + static_cast<int>(i % 6); }

inline std::string StartDate(long i) {
  return std::to_string(StartYear(i)) + "-03-01";
}

}  // namespace evald::bench

#endif  // EVALD_BENCH_BENCH_SCHEME_H_
