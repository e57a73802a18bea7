// Shared helpers for the scoring tests: exact literals, the built-in policy
// and calendar, and evaluations driven into a given state through Decide().
//
// Nothing here computes an expected value: helpers only build inputs.

#ifndef EVALD_TESTS_SCORING_FIXTURES_H_
#define EVALD_TESTS_SCORING_FIXTURES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "scoring/calendar.h"
#include "scoring/date.h"
#include "scoring/decimal.h"
#include "scoring/evaluation.h"
#include "scoring/financial.h"
#include "scoring/phase.h"
#include "scoring/policy.h"

namespace evald::scoring::fixtures {

inline Date D(int y, int m, int d) { return Date(y, m, d); }

// A score literal such as Sc("59.99"); a bad literal fails the test.
inline Score Sc(absl::string_view text) {
  absl::StatusOr<Score> s = Score::Parse(text, "test literal");
  if (!s.ok()) {
    ADD_FAILURE() << "bad score literal: " << s.status();
    return Score();
  }
  return *s;
}

inline Money Fen(int64_t fen) { return Money::FromFen(fen); }

inline const Policy& Nansha() { return BuiltInPolicy(); }
inline const WorkingDayCalendar& Calendar() {
  return WorkingDayCalendar::BuiltIn();
}

// An expenditure of 1,000,000 fen that meets every cost-structure rule with
// room to spare: 75 % personnel, 90 % with quality, 5 % management.
inline Expenditure HealthyExpenditure() {
  return {Fen(750'000), Fen(150'000), Fen(50'000), Fen(50'000)};
}

inline FinancialSubmission Financial(absl::string_view score,
                                     bool rectifiable = false) {
  return {Sc(score), HealthyExpenditure(), rectifiable};
}

// The scores of a phase: one score for every party, both villages "V1" and
// "V2" served, and the financial part.
struct PhaseScores {
  std::string third_party = "80";
  std::string township = "80";
  std::string bureau = "80";
  std::string v1 = "80";
  std::string v2 = "80";
  bool professional_rectifiable = false;
  std::string financial = "80";
  bool financial_rectifiable = false;
};

inline Evaluation NewPhase(Phase phase = Phase::kFinal, int year = 2026) {
  return NewEvaluation("P1", year, 1, phase, {"V1", "V2"}, "nansha-2019");
}

// Applies one command that must succeed; on error the test fails and the
// state is returned unchanged.
inline Evaluation Must(const Evaluation& e, const Command& command,
                       const DecisionContext& context = {}) {
  absl::StatusOr<Decision> d =
      Decide(e, command, Nansha(), Calendar(), context);
  if (!d.ok()) {
    ADD_FAILURE() << CommandName(command) << " on " << e.Name() << " ("
                  << PhaseStateCode(e.state) << ") failed: " << d.status();
    return e;
  }
  return d->next;
}

inline absl::StatusOr<Decision> Try(const Evaluation& e, const Command& command,
                                    const DecisionContext& context = {}) {
  return Decide(e, command, Nansha(), Calendar(), context);
}

// The six submissions of PhaseScores, in a fixed order.
inline std::vector<Command> SubmissionsOf(const PhaseScores& s) {
  return {
      SubmitProfessional{Party::kThirdParty, "", Sc(s.third_party),
                         s.professional_rectifiable},
      SubmitProfessional{Party::kTownship, "", Sc(s.township), false},
      SubmitProfessional{Party::kBureau, "", Sc(s.bureau), false},
      SubmitProfessional{Party::kVillage, "V1", Sc(s.v1), false},
      SubmitProfessional{Party::kVillage, "V2", Sc(s.v2), false},
      SubmitFinancial{
          {Sc(s.financial), HealthyExpenditure(), s.financial_rectifiable}},
  };
}

// A phase with every submission in (SCORED).
inline Evaluation Scored(const PhaseScores& s = {},
                         Phase phase = Phase::kFinal) {
  Evaluation e = NewPhase(phase);
  for (const Command& c : SubmissionsOf(s)) e = Must(e, c);
  EXPECT_EQ(e.state, PhaseState::kScored);
  return e;
}

// Scores that fail the professional part (S = 50) with the agency's
// "rectifiable" mark.
inline PhaseScores RectifiableFailure() {
  PhaseScores s;
  s.third_party = s.township = s.bureau = s.v1 = s.v2 = "50";
  s.professional_rectifiable = true;
  return s;
}

inline PhaseScores FinalFailure() {
  PhaseScores s = RectifiableFailure();
  s.professional_rectifiable = false;
  return s;
}

}  // namespace evald::scoring::fixtures

#endif  // EVALD_TESTS_SCORING_FIXTURES_H_
