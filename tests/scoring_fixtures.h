// Shared helpers for the scoring tests: exact literals, the built-in policy
// and calendar, and evaluations driven into a given state through
// DecidePhase().
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
#include "scoring/contract.h"
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
      DecidePhase(e, command, Nansha(), Calendar(), context);
  if (!d.ok()) {
    ADD_FAILURE() << CommandName(command) << " on " << e.Name() << " ("
                  << PhaseStateCode(e.state) << ") failed: " << d.status();
    return e;
  }
  return d->next;
}

inline absl::StatusOr<Decision> Try(const Evaluation& e, const Command& command,
                                    const DecisionContext& context = {}) {
  return DecidePhase(e, command, Nansha(), Calendar(), context);
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

// One project held in memory the way a store holds it: the contract, its
// phases and its stored tranches. Apply() decides a command over the whole
// contract and keeps what the decision changed, as the server commits it.
class Book {
 public:
  // Creates P1: 2,600,000.00 yuan a year, agency AG1.
  explicit Book(Date start = Date(2025, 7, 1), int years = 2,
                std::vector<std::string> villages = {"V1", "V2"}) {
    Contract c;
    c.project_id = "P1";
    c.name = "P1 station";
    c.township = "T1";
    c.provider = "PR1";
    c.villages = std::move(villages);
    c.start_date = start;
    c.years = years;
    c.annual_fund = Money::FromFen(260'000'000);
    c.agency = "AG1";
    absl::StatusOr<ContractDecision> d = Apply(CreateContract{c});
    if (!d.ok()) ADD_FAILURE() << "create: " << d.status();
  }

  ContractState State() const {
    ContractState state;
    state.contract = contract_;
    state.evaluations = evaluations_;
    state.tranches = tranches_;
    state.whole = true;
    return state;
  }

  absl::StatusOr<ContractDecision> Apply(const ContractCommand& command) {
    absl::StatusOr<ContractDecision> d = Decide(
        State(), command, BuiltInPolicy(), WorkingDayCalendar::BuiltIn());
    if (!d.ok()) return d;
    if (d->contract) contract_ = *d->contract;
    for (const Evaluation& e : d->evaluations) Put(e);
    for (const TrancheChange& t : d->tranches) Put(t.after);
    return d;
  }

  // Applies a phase command that must succeed.
  void Must(int year, Phase phase, const Command& command) {
    absl::StatusOr<ContractDecision> d = Apply(OnPhase{year, phase, command});
    if (!d.ok()) {
      ADD_FAILURE() << CommandName(command) << " on " << year << " "
                    << PhaseName(phase) << ": " << d.status();
    }
  }

  // Every submission of `scores` to one phase.
  void ScoreAll(int year, Phase phase, const PhaseScores& scores = {}) {
    for (const Command& c : SubmissionsOf(scores)) Must(year, phase, c);
  }

  const Contract& contract() const { return *contract_; }
  const std::vector<Evaluation>& evaluations() const { return evaluations_; }
  const std::vector<Tranche>& tranches() const { return tranches_; }

  const Evaluation& PhaseAt(int year, Phase phase) const {
    for (const Evaluation& e : evaluations_) {
      if (e.year == year && e.phase == phase) return e;
    }
    ADD_FAILURE() << "no phase " << year << " " << PhaseName(phase);
    return evaluations_.front();
  }

  const Tranche& TrancheAt(int year, TrancheKind kind) const {
    for (const Tranche& t : tranches_) {
      if (t.year == year && t.kind == kind) return t;
    }
    ADD_FAILURE() << "no tranche " << year << " " << TrancheKindName(kind);
    return tranches_.front();
  }

 private:
  void Put(const Evaluation& e) {
    for (Evaluation& old : evaluations_) {
      if (old.year == e.year && old.phase == e.phase) {
        old = e;
        return;
      }
    }
    evaluations_.push_back(e);
  }
  void Put(const Tranche& t) {
    for (Tranche& old : tranches_) {
      if (old.service_year == t.service_year && old.kind == t.kind) {
        old = t;
        return;
      }
    }
    tranches_.push_back(t);
  }

  std::optional<Contract> contract_;
  std::vector<Evaluation> evaluations_;
  std::vector<Tranche> tranches_;
};

}  // namespace evald::scoring::fixtures

#endif  // EVALD_TESTS_SCORING_FIXTURES_H_
