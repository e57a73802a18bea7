// Tests of the state machine of one evaluation phase (RULES.md §4, §6, §7,
// §8). Every expected date was counted by hand against the 2026 calendar
// (calendars.md): Spring Festival 02-15..02-23 off, Saturdays 02-14 and
// 02-28 worked, Qingming 04-04..04-06 off. The days counted are listed in
// the comments.

#include "scoring/evaluation.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/phase.h"
#include "scoring/phase_result.h"
#include "tests/scoring_fixtures.h"

namespace evald::scoring {
namespace {

using ::evald::scoring::fixtures::D;
using ::evald::scoring::fixtures::FinalFailure;
using ::evald::scoring::fixtures::Financial;
using ::evald::scoring::fixtures::Must;
using ::evald::scoring::fixtures::Nansha;
using ::evald::scoring::fixtures::NewPhase;
using ::evald::scoring::fixtures::PhaseScores;
using ::evald::scoring::fixtures::RectifiableFailure;
using ::evald::scoring::fixtures::Sc;
using ::evald::scoring::fixtures::Scored;
using ::evald::scoring::fixtures::SubmissionsOf;
using ::evald::scoring::fixtures::Try;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The official result date used by the state table: Fri 2026-01-30.
// Rectification deadline: 30 calendar days later, Sun 2026-03-01
// (01-31 is day 1, 02-28 is day 29, 03-01 is day 30).
Date ResultDate() { return D(2026, 1, 30); }
Date Deadline() { return D(2026, 3, 1); }

// --- Every (state, command) pair -------------------------------------------

enum class Cmd {
  kSubmitProfessional,
  kSubmitFinancial,
  kRaiseVeto,
  kConfirmVeto,
  kDismissVeto,
  kFinalise,
  kApplyRectification,
  kDecideReevaluation,
  kExpireRectification,
  kReopen,
};

constexpr Cmd kAllCommands[] = {
    Cmd::kSubmitProfessional,  Cmd::kSubmitFinancial,
    Cmd::kRaiseVeto,           Cmd::kConfirmVeto,
    Cmd::kDismissVeto,         Cmd::kFinalise,
    Cmd::kApplyRectification,  Cmd::kDecideReevaluation,
    Cmd::kExpireRectification, Cmd::kReopen,
};

constexpr PhaseState kAllStates[] = {
    PhaseState::kOpen,
    PhaseState::kScored,
    PhaseState::kPassed,
    PhaseState::kFailed,
    PhaseState::kRectifying,
    PhaseState::kReevaluating,
    PhaseState::kPassedAfterRectification,
};

// A well-formed command of each kind (dates fit the state table's dates).
Command Make(Cmd cmd) {
  switch (cmd) {
    case Cmd::kSubmitProfessional:
      return SubmitProfessional{Party::kTownship, "", Sc("85"), false};
    case Cmd::kSubmitFinancial:
      return SubmitFinancial{Financial("80")};
    case Cmd::kRaiseVeto:
      return RaiseVeto{VetoKind::kProfessional, "UNDERSTAFFING",
                       "two of six posts vacant since March", "bureau"};
    case Cmd::kConfirmVeto:
      return ConfirmVeto{1};
    case Cmd::kDismissVeto:
      return DismissVeto{1, "the posts were filled in April"};
    case Cmd::kFinalise:
      return Finalise{ResultDate()};
    case Cmd::kApplyRectification:
      return ApplyRectification{D(2026, 2, 12)};
    case Cmd::kDecideReevaluation:
      return DecideReevaluation{true, D(2026, 3, 20)};
    case Cmd::kExpireRectification:
      return ExpireRectification{D(2026, 3, 2)};
    case Cmd::kReopen:
      return Reopen{"the township asked for a review"};
  }
  return Reopen{};
}

// An evaluation brought into `state` through legal commands only.
Evaluation InState(PhaseState state) {
  switch (state) {
    case PhaseState::kOpen:
      return Must(NewPhase(), SubmissionsOf({})[0]);
    case PhaseState::kScored:
      return Scored();
    case PhaseState::kPassed:
      return Must(Scored(), Finalise{ResultDate()});
    case PhaseState::kFailed:
      return Must(Scored(FinalFailure()), Finalise{ResultDate()});
    case PhaseState::kRectifying:
      return Must(Scored(RectifiableFailure()), Finalise{ResultDate()});
    case PhaseState::kReevaluating:
      return Must(InState(PhaseState::kRectifying),
                  ApplyRectification{D(2026, 2, 12)});
    case PhaseState::kPassedAfterRectification:
      return Must(InState(PhaseState::kReevaluating),
                  DecideReevaluation{true, D(2026, 3, 20)});
  }
  return NewPhase();
}

// The legal transitions of RULES.md §7 and §8, with the state each leads to.
const std::map<std::pair<PhaseState, Cmd>, PhaseState>& Legal() {
  using S = PhaseState;
  static const auto* const kLegal =
      new std::map<std::pair<PhaseState, Cmd>, PhaseState>{
          // OPEN: submissions and veto findings; still missing parties.
          {{S::kOpen, Cmd::kSubmitProfessional}, S::kOpen},
          {{S::kOpen, Cmd::kSubmitFinancial}, S::kOpen},
          {{S::kOpen, Cmd::kRaiseVeto}, S::kOpen},
          {{S::kOpen, Cmd::kConfirmVeto}, S::kOpen},
          {{S::kOpen, Cmd::kDismissVeto}, S::kOpen},
          // SCORED: replacements (§8), veto findings, finalise.
          {{S::kScored, Cmd::kSubmitProfessional}, S::kScored},
          {{S::kScored, Cmd::kSubmitFinancial}, S::kScored},
          {{S::kScored, Cmd::kRaiseVeto}, S::kScored},
          {{S::kScored, Cmd::kConfirmVeto}, S::kScored},
          {{S::kScored, Cmd::kDismissVeto}, S::kScored},
          {{S::kScored, Cmd::kFinalise}, S::kPassed},
          // RECTIFYING: apply, expire, reopen.
          {{S::kRectifying, Cmd::kApplyRectification}, S::kReevaluating},
          {{S::kRectifying, Cmd::kExpireRectification}, S::kFailed},
          {{S::kRectifying, Cmd::kReopen}, S::kScored},
          // REEVALUATING: decide, reopen.
          {{S::kReevaluating, Cmd::kDecideReevaluation},
           S::kPassedAfterRectification},
          {{S::kReevaluating, Cmd::kReopen}, S::kScored},
          // Results: only reopening (复核).
          {{S::kPassed, Cmd::kReopen}, S::kScored},
          {{S::kFailed, Cmd::kReopen}, S::kScored},
          {{S::kPassedAfterRectification, Cmd::kReopen}, S::kScored},
      };
  return *kLegal;
}

const char* CmdName(Cmd cmd) { return CommandName(Make(cmd)); }

// `e` in `state`, made ready for `cmd`: a confirm or dismiss needs a RAISED
// finding 1. Where findings can be raised it is raised legally; in a
// finalised state (where it cannot exist) it is planted, so that the only
// possible reason for a refusal is the state.
Evaluation PreparedFor(PhaseState state, Cmd cmd) {
  Evaluation e = InState(state);
  EXPECT_EQ(e.state, state);
  if (cmd == Cmd::kConfirmVeto || cmd == Cmd::kDismissVeto) {
    if (state == PhaseState::kOpen || state == PhaseState::kScored) {
      e = Must(e, Make(Cmd::kRaiseVeto));
    } else {
      VetoFinding planted;
      planted.id = 1;
      planted.code = "UNDERSTAFFING";
      planted.evidence = "planted";
      e.vetoes.push_back(planted);
    }
  }
  return e;
}

TEST(StateMachineRule7, EveryStateAndCommand) {
  int legal = 0, illegal = 0;
  for (PhaseState state : kAllStates) {
    for (Cmd cmd : kAllCommands) {
      SCOPED_TRACE(absl::StrCat(PhaseStateCode(state), " + ", CmdName(cmd)));
      Evaluation e = PreparedFor(state, cmd);
      absl::StatusOr<Decision> d = Try(e, Make(cmd));
      auto it = Legal().find({state, cmd});
      if (it != Legal().end()) {
        ++legal;
        ASSERT_TRUE(d.ok()) << d.status();
        EXPECT_EQ(d->next.state, it->second) << PhaseStateCode(d->next.state);
      } else {
        ++illegal;
        ASSERT_FALSE(d.ok()) << PhaseStateCode(d->next.state);
        EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition)
            << d.status();
        EXPECT_THAT(d.status().message(),
                    HasSubstr(absl::StrCat("P1/2026/final is ",
                                           PhaseStateCode(state), ":")));
      }
    }
  }
  EXPECT_EQ(legal, 19);
  EXPECT_EQ(illegal, 7 * 10 - 19);
}

TEST(StateMachineRule7, TerminatedContractRefusesAllButReopeningTheFailure) {
  DecisionContext terminated;
  terminated.contract_terminated = true;
  for (PhaseState state : kAllStates) {
    for (Cmd cmd : kAllCommands) {
      SCOPED_TRACE(absl::StrCat(PhaseStateCode(state), " + ", CmdName(cmd)));
      Evaluation e = PreparedFor(state, cmd);
      absl::StatusOr<Decision> d = Try(e, Make(cmd), terminated);
      if (state == PhaseState::kFailed && cmd == Cmd::kReopen) {
        ASSERT_TRUE(d.ok()) << d.status();
        EXPECT_EQ(d->next.state, PhaseState::kScored);
      } else {
        ASSERT_FALSE(d.ok());
        EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_THAT(d.status().message(),
                    HasSubstr("the contract of project P1 is terminated"));
      }
    }
  }
}

// --- OPEN -> SCORED -------------------------------------------------------

TEST(StateMachineRule7, OpenBecomesScoredWhenTheLastSubmissionArrives) {
  const std::vector<Command> all = SubmissionsOf({});
  const char* kNames[] = {"third_party", "township",   "bureau",
                          "village:V1",  "village:V2", "financial"};
  ASSERT_EQ(all.size(), 6u);
  for (size_t last = 0; last < all.size(); ++last) {
    SCOPED_TRACE(kNames[last]);
    Evaluation e = NewPhase();
    EXPECT_EQ(e.state, PhaseState::kOpen);
    EXPECT_EQ(e.Missing().size(), 6u);
    for (size_t i = 0; i < all.size(); ++i) {
      if (i == last) continue;
      e = Must(e, all[i]);
      EXPECT_EQ(e.state, PhaseState::kOpen);
    }
    EXPECT_THAT(e.Missing(), ElementsAre(kNames[last]));
    e = Must(e, all[last]);
    EXPECT_EQ(e.state, PhaseState::kScored);
    EXPECT_THAT(e.Missing(), IsEmpty());
    EXPECT_EQ(e.submission_versions, 6);
  }
}

TEST(StateMachineRule7, FinaliseWhileOpenNamesTheMissingParties) {
  Evaluation e = NewPhase();
  e = Must(e, SubmissionsOf({})[0]);  // third party
  e = Must(e, SubmissionsOf({})[3]);  // village V1
  absl::StatusOr<Decision> d = Try(e, Finalise{ResultDate()});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(d.status().message(), HasSubstr("is OPEN"));
  EXPECT_THAT(d.status().message(),
              HasSubstr("missing township, bureau, village:V2, financial"));
}

TEST(StateMachineRule7, SubmissionsAreValidated) {
  Evaluation e = NewPhase();
  absl::StatusOr<Decision> d =
      Try(e, SubmitProfessional{Party::kVillage, "V9", Sc("80"), false});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.status().message(), HasSubstr("village_id: \"V9\""));
  d = Try(e, SubmitProfessional{Party::kTownship, "V1", Sc("80"), false});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.status().message(), HasSubstr("village_id"));
}

// --- SCORED -> PASSED / FAILED / RECTIFYING ------------------------------

TEST(StateMachineRule7, PassRecordsTheResultAndItsDate) {
  // What the pass makes due is the tranches' business (contract_test.cc).
  for (Phase phase : {Phase::kMidTerm, Phase::kFinal}) {
    SCOPED_TRACE(PhaseName(phase));
    absl::StatusOr<Decision> d =
        Try(Scored({}, phase), Finalise{D(2026, 2, 13)});
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->next.state, PhaseState::kPassed);
    ASSERT_TRUE(d->next.result.has_value());
    EXPECT_EQ(d->next.result->outcome, Outcome::kPass);
    EXPECT_EQ(d->next.result_date, D(2026, 2, 13));
    EXPECT_EQ(d->next.PassedOn(), D(2026, 2, 13));
    EXPECT_TRUE(d->effects.empty());
  }
}

TEST(PhaseResultRule6, FinaliseRecordsTheResult) {
  // Every party 80 except the third party at 85.5:
  // 0.7 × 85.5 = 59.85, + 8 + 8 + 8 = 83.85.
  PhaseScores s;
  s.third_party = "85.5";
  Evaluation e = Must(Scored(s), Finalise{ResultDate()});
  ASSERT_TRUE(e.result.has_value());
  EXPECT_EQ(e.result->professional.exact_ten_thousandths, 838500);
  EXPECT_EQ(e.result->grade, Grade::kGood);
  EXPECT_TRUE(e.result->reasons.empty());
}

TEST(StateMachineRule7, NonRectifiableFailureTerminatesTheContract) {
  absl::StatusOr<Decision> d =
      Try(Scored(FinalFailure()), Finalise{ResultDate()});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->next.state, PhaseState::kFailed);
  EXPECT_EQ(d->next.result->outcome, Outcome::kFailFinal);
  EXPECT_THAT(d->next.result->reasons,
              ElementsAre(HasSubstr("professional-service score 50.00")));
  EXPECT_FALSE(d->next.rectification_deadline.has_value());
  EXPECT_FALSE(d->next.PassedOn().has_value());
  ASSERT_EQ(d->effects.size(), 1u);
  EXPECT_EQ(d->effects[0].kind, EffectKind::kContractTerminated);
  EXPECT_EQ(d->effects[0].date.date, ResultDate());
}

TEST(StateMachineRule7, RectifiableFailureGives30CalendarDaysToApply) {
  absl::StatusOr<Decision> d =
      Try(Scored(RectifiableFailure()), Finalise{ResultDate()});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->next.state, PhaseState::kRectifying);
  EXPECT_EQ(d->next.result->outcome, Outcome::kFailRectifiable);
  EXPECT_EQ(d->next.rectification_deadline, Deadline());
  EXPECT_TRUE(d->effects.empty());
}

TEST(StateMachineRule7, RectificationDeadlineIs30CalendarDays) {
  const struct {
    Date result;
    Date deadline;
  } kCases[] = {
      {D(2026, 1, 30), D(2026, 3, 1)},    // 01-31 .. 03-01
      {D(2026, 2, 13), D(2026, 3, 15)},   // 15 days of Feb + 15 of March
      {D(2025, 12, 15), D(2026, 1, 14)},  // 16 of Dec + 14 of Jan
      {D(2024, 2, 1), D(2024, 3, 2)},     // leap February: 28 + 2
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(FormatDate(c.result));
    Evaluation e = Must(Scored(RectifiableFailure()), Finalise{c.result});
    EXPECT_EQ(e.rectification_deadline, c.deadline);
  }
}

// --- RECTIFYING -> REEVALUATING -> ... ------------------------------------

TEST(StateMachineRule7, ApplicationMustFallWithinTheDeadline) {
  const Evaluation rectifying = InState(PhaseState::kRectifying);
  const struct {
    Date application;
    absl::StatusCode code;
    const char* message;
  } kCases[] = {
      {D(2026, 1, 30), absl::StatusCode::kOk, ""},  // the result day itself
      {D(2026, 2, 14), absl::StatusCode::kOk, ""},
      {Deadline(), absl::StatusCode::kOk, ""},  // the last day
      {D(2026, 3, 2), absl::StatusCode::kFailedPrecondition,
       "the rectification deadline 2026-03-01 has passed"},
      {D(2026, 1, 29), absl::StatusCode::kInvalidArgument,
       "application_date: 2026-01-29 is before the result date 2026-01-30"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(FormatDate(c.application));
    absl::StatusOr<Decision> d =
        Try(rectifying, ApplyRectification{c.application});
    EXPECT_EQ(d.status().code(), c.code) << d.status();
    if (d.ok()) {
      EXPECT_EQ(d->next.state, PhaseState::kReevaluating);
      EXPECT_EQ(d->next.application_date, c.application);
      EXPECT_TRUE(d->effects.empty());
    } else {
      EXPECT_THAT(d.status().message(), HasSubstr(c.message));
    }
  }
}

TEST(StateMachineRule7, PassedReevaluationRecordsBothDates) {
  Evaluation e = Must(InState(PhaseState::kRectifying),
                      ApplyRectification{D(2026, 2, 12)});
  absl::StatusOr<Decision> d = Try(e, DecideReevaluation{true, D(2026, 3, 20)});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->next.state, PhaseState::kPassedAfterRectification);
  EXPECT_EQ(d->next.application_date, D(2026, 2, 12));
  EXPECT_EQ(d->next.reevaluation_date, D(2026, 3, 20));
  EXPECT_EQ(d->next.PassedOn(), D(2026, 3, 20));
  EXPECT_TRUE(d->effects.empty());
}

TEST(StateMachineRule7, ReevaluationDecisionBeforeTheApplicationIsInvalid) {
  absl::StatusOr<Decision> d = Try(InState(PhaseState::kReevaluating),
                                   DecideReevaluation{true, D(2026, 2, 11)});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.status().message(), HasSubstr("decision_date: 2026-02-11"));
}

TEST(StateMachineRule7, FailedReevaluationTerminatesTheContract) {
  absl::StatusOr<Decision> d = Try(InState(PhaseState::kReevaluating),
                                   DecideReevaluation{false, D(2026, 3, 20)});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->next.state, PhaseState::kFailed);
  EXPECT_FALSE(d->next.PassedOn().has_value());
  ASSERT_EQ(d->effects.size(), 1u);
  EXPECT_EQ(d->effects[0].kind, EffectKind::kContractTerminated);
  EXPECT_EQ(d->effects[0].date.date, D(2026, 3, 20));
}

TEST(StateMachineRule7, ExpiryOnlyAfterTheDeadline) {
  const Evaluation rectifying = InState(PhaseState::kRectifying);
  for (Date as_of : {D(2026, 2, 1), Deadline()}) {
    SCOPED_TRACE(FormatDate(as_of));
    absl::StatusOr<Decision> d = Try(rectifying, ExpireRectification{as_of});
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(d.status().message(),
                HasSubstr("deadline 2026-03-01 has not passed"));
  }
  absl::StatusOr<Decision> d =
      Try(rectifying, ExpireRectification{D(2026, 3, 2)});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->next.state, PhaseState::kFailed);
  ASSERT_EQ(d->effects.size(), 1u);
  EXPECT_EQ(d->effects[0].kind, EffectKind::kContractTerminated);
  EXPECT_EQ(d->effects[0].date.date, D(2026, 3, 2));
}

TEST(PhaseResultRule6, MidTermRectificationWorksLikeFinal) {
  for (Phase phase : {Phase::kMidTerm, Phase::kFinal}) {
    SCOPED_TRACE(PhaseName(phase));
    absl::StatusOr<Decision> d =
        Try(Scored(RectifiableFailure(), phase), Finalise{ResultDate()});
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->next.state, PhaseState::kRectifying);
    EXPECT_EQ(d->next.rectification_deadline, Deadline());
    Evaluation e = Must(d->next, ApplyRectification{D(2026, 2, 12)});
    d = Try(e, DecideReevaluation{true, D(2026, 3, 20)});
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->next.state, PhaseState::kPassedAfterRectification);
  }
}

// --- Vetoes (RULES.md §4) -------------------------------------------------

PhaseScores All98(bool rectifiable) {
  PhaseScores s;
  s.third_party = s.township = s.bureau = s.v1 = s.v2 = "98";
  s.professional_rectifiable = rectifiable;
  return s;
}

Evaluation WithVeto(const Evaluation& e, VetoKind kind, const char* code) {
  return Must(e, RaiseVeto{kind, code, "evidence", "third-party agency"});
}

TEST(VetoRule4, ConfirmedVetoOverridesA98PointScore) {
  const struct {
    const char* code;
    bool rectifiable_mark;
    PhaseState state;
  } kCases[] = {
      {"FALSIFIED_RECORDS", false, PhaseState::kFailed},
      {"UNDERSTAFFING", true, PhaseState::kRectifying},  // curable, marked
      {"UNDERSTAFFING", false, PhaseState::kFailed},     // curable, unmarked
      {"FALSIFIED_RECORDS", true, PhaseState::kFailed},  // not curable
      {"UNRESOLVED_COMPLAINT", true, PhaseState::kRectifying},
      {"UNAUTHORISED_SUBCONTRACTING", true, PhaseState::kFailed},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(absl::StrCat(c.code, c.rectifiable_mark ? " marked" : ""));
    Evaluation e = WithVeto(Scored(All98(c.rectifiable_mark)),
                            VetoKind::kProfessional, c.code);
    e = Must(e, ConfirmVeto{1});
    EXPECT_EQ(e.vetoes[0].status, VetoStatus::kConfirmed);
    e = Must(e, Finalise{ResultDate()});
    EXPECT_EQ(e.state, c.state) << PhaseStateCode(e.state);
    ASSERT_TRUE(e.result.has_value());
    EXPECT_EQ(e.result->professional.rounded.hundredths(), 9800);
    EXPECT_EQ(e.result->professional.grade, Grade::kExcellent);  // S itself
    EXPECT_EQ(e.result->grade, Grade::kUnqualified);             // after veto
    EXPECT_FALSE(e.result->professional_passed);
    EXPECT_THAT(
        e.result->reasons,
        ElementsAre(HasSubstr(absl::StrCat("professional veto ", c.code))));
  }
}

TEST(VetoRule4, ConfirmedFinancialVetoFailsThePhase) {
  PhaseScores s = All98(false);
  s.financial_rectifiable = true;
  Evaluation curable =
      WithVeto(Scored(s), VetoKind::kFinancial, "FIN_MISSING_RECORDS");
  curable = Must(Must(curable, ConfirmVeto{1}), Finalise{ResultDate()});
  EXPECT_EQ(curable.state, PhaseState::kRectifying);
  EXPECT_EQ(curable.result->grade, Grade::kExcellent);
  EXPECT_FALSE(curable.result->financial.passed);

  Evaluation not_curable =
      WithVeto(Scored(s), VetoKind::kFinancial, "FIN_MISAPPROPRIATION");
  not_curable = Must(Must(not_curable, ConfirmVeto{1}), Finalise{ResultDate()});
  EXPECT_EQ(not_curable.state, PhaseState::kFailed);
}

TEST(VetoRule4, RaisedButUnconfirmedBlocksFinalisingAndDoesNotCount) {
  Evaluation e = WithVeto(Scored(All98(false)), VetoKind::kProfessional,
                          "FALSIFIED_RECORDS");
  e = WithVeto(e, VetoKind::kFinancial, "FIN_MISAPPROPRIATION");
  EXPECT_EQ(e.state, PhaseState::kScored);
  absl::StatusOr<Decision> d = Try(e, Finalise{ResultDate()});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(d.status().message(),
              HasSubstr("veto findings awaiting the bureau's decision: 1, 2"));
  // Dismissing both: neither counts, S = 98 passes.
  e = Must(e, DismissVeto{1, "records checked against sign-in sheets"});
  d = Try(e, Finalise{ResultDate()});
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("decision: 2"));
  e = Must(e, DismissVeto{2, "auditor's report is clean"});
  e = Must(e, Finalise{ResultDate()});
  EXPECT_EQ(e.state, PhaseState::kPassed);
  EXPECT_EQ(e.result->grade, Grade::kExcellent);
  EXPECT_EQ(e.vetoes[0].status, VetoStatus::kDismissed);
  EXPECT_EQ(e.vetoes[0].decision_reason,
            "records checked against sign-in sheets");
}

TEST(VetoRule4, FindingIsRecordedWithItsEvidence) {
  Evaluation e =
      Must(NewPhase(), RaiseVeto{VetoKind::kProfessional, "SAFETY_INCIDENT",
                                 "fire on 3 May", "bureau"});
  e = Must(e, RaiseVeto{VetoKind::kFinancial, "FIN_FALSE_ACCOUNTS", "receipts",
                        "agency"});
  ASSERT_EQ(e.vetoes.size(), 2u);
  EXPECT_EQ(e.vetoes[0].id, 1);
  EXPECT_EQ(e.vetoes[0].kind, VetoKind::kProfessional);
  EXPECT_EQ(e.vetoes[0].code, "SAFETY_INCIDENT");
  EXPECT_EQ(e.vetoes[0].evidence, "fire on 3 May");
  EXPECT_EQ(e.vetoes[0].raised_by, "bureau");
  EXPECT_EQ(e.vetoes[0].status, VetoStatus::kRaised);
  EXPECT_EQ(e.vetoes[1].id, 2);
  EXPECT_EQ(e.vetoes[1].kind, VetoKind::kFinancial);
  EXPECT_EQ(e.state, PhaseState::kOpen);
}

TEST(VetoRule4, MalformedFindingsAreRefused) {
  const Evaluation e = Scored();
  const struct {
    const char* name;
    RaiseVeto command;
    const char* message;
  } kCases[] = {
      {"unknown code",
       {VetoKind::kProfessional, "LATE_REPORT", "evidence", "bureau"},
       "code: \"LATE_REPORT\" is not in the professional veto catalogue of "
       "policy nansha-2019; its codes are FALSIFIED_RECORDS, "
       "FUND_MISAPPROPRIATION, SAFETY_INCIDENT, POLITICAL_LEGAL_VIOLATION, "
       "UNAUTHORISED_SUBCONTRACTING, UNDERSTAFFING, UNRESOLVED_COMPLAINT"},
      {"financial code as professional",
       {VetoKind::kProfessional, "FIN_MISAPPROPRIATION", "evidence", "bureau"},
       "code: \"FIN_MISAPPROPRIATION\" is not in the professional"},
      {"professional code as financial",
       {VetoKind::kFinancial, "UNDERSTAFFING", "evidence", "bureau"},
       "code: \"UNDERSTAFFING\" is not in the financial"},
      {"no evidence",
       {VetoKind::kProfessional, "UNDERSTAFFING", "", "bureau"},
       "evidence: "},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<Decision> d = Try(e, c.command);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(d.status().message(), HasSubstr(c.message));
  }
}

TEST(VetoRule4, DismissNeedsAReason) {
  Evaluation e = WithVeto(Scored(), VetoKind::kProfessional, "UNDERSTAFFING");
  absl::StatusOr<Decision> d = Try(e, DismissVeto{1, ""});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.status().message(), HasSubstr("reason"));
  EXPECT_EQ(e.vetoes[0].status, VetoStatus::kRaised);
}

TEST(VetoRule4, DecidedFindingsCannotBeDecidedAgain) {
  Evaluation base =
      WithVeto(Scored(), VetoKind::kProfessional, "UNDERSTAFFING");
  const Evaluation confirmed = Must(base, ConfirmVeto{1});
  const Evaluation dismissed = Must(base, DismissVeto{1, "filled"});
  const struct {
    const char* name;
    const Evaluation* e;
    Command command;
    const char* message;
  } kCases[] = {
      {"confirm twice", &confirmed, ConfirmVeto{1}, "is already CONFIRMED"},
      {"dismiss confirmed", &confirmed, DismissVeto{1, "x"},
       "is already CONFIRMED"},
      {"confirm dismissed", &dismissed, ConfirmVeto{1}, "is already DISMISSED"},
      {"dismiss twice", &dismissed, DismissVeto{1, "x"},
       "is already DISMISSED"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<Decision> d = Try(*c.e, c.command);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(d.status().message(), HasSubstr(c.message));
  }
}

TEST(VetoRule4, UnknownFindingIsNotFound) {
  Evaluation e = WithVeto(Scored(), VetoKind::kProfessional, "UNDERSTAFFING");
  for (int64_t id : {0, 2, -1}) {
    SCOPED_TRACE(id);
    absl::StatusOr<Decision> d = Try(e, ConfirmVeto{id});
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(d.status().message(), HasSubstr("veto_id"));
  }
}

// --- Corrections (RULES.md §8) --------------------------------------------

TEST(CorrectionsRule8, ReplacementBeforeFinaliseLatestCounts) {
  PhaseScores s;
  s.third_party = "50";
  Evaluation e = Scored(s);  // S would be 0.7 × 50 + 24 = 59: UNQUALIFIED
  e = Must(e, SubmitProfessional{Party::kThirdParty, "", Sc("90"), false});
  EXPECT_EQ(e.state, PhaseState::kScored);
  e = Must(e, SubmitProfessional{Party::kVillage, "V2", Sc("60"), false});
  e = Must(e, SubmitFinancial{Financial("75")});
  EXPECT_EQ(e.submission_versions, 9);  // 6 first versions + 3 replacements
  EXPECT_EQ(e.scores.third_party, Sc("90"));
  EXPECT_EQ(e.scores.villages.at("V2"), Sc("60"));
  EXPECT_EQ(e.financial->score, Sc("75"));
  e = Must(e, Finalise{ResultDate()});
  // 0.7 × 90 = 63; township 8; villages (80 + 60) / 2 = 70 -> 7; bureau 8.
  // S = 86.
  EXPECT_EQ(e.result->professional.exact_ten_thousandths, 860000);
  EXPECT_EQ(e.result->grade, Grade::kGood);
  EXPECT_EQ(e.state, PhaseState::kPassed);
}

TEST(CorrectionsRule8, ReplacementWhileOpenCountsEveryVersion) {
  Evaluation e = NewPhase();
  for (const char* score : {"10", "20", "30"}) {
    e = Must(e, SubmitProfessional{Party::kTownship, "", Sc(score), false});
  }
  EXPECT_EQ(e.submission_versions, 3);
  EXPECT_EQ(e.scores.township, Sc("30"));
  EXPECT_EQ(e.state, PhaseState::kOpen);
}

TEST(CorrectionsRule8, LatestThirdPartyRectifiableMarkCounts) {
  // First marked rectifiable, then replaced without the mark: FAILED.
  Evaluation e = Scored(RectifiableFailure());
  e = Must(e, SubmitProfessional{Party::kThirdParty, "", Sc("50"), false});
  EXPECT_FALSE(e.professional_rectifiable);
  EXPECT_EQ(Must(e, Finalise{ResultDate()}).state, PhaseState::kFailed);
  // Marked again: RECTIFYING.
  e = Must(e, SubmitProfessional{Party::kThirdParty, "", Sc("50"), true});
  EXPECT_EQ(Must(e, Finalise{ResultDate()}).state, PhaseState::kRectifying);
}

TEST(PhaseResultRule6, OnlyTheThirdPartyMarksRectifiable) {
  // The township and villages cannot mark the professional part.
  Evaluation e = Scored(FinalFailure());
  e = Must(e, SubmitProfessional{Party::kTownship, "", Sc("50"), true});
  e = Must(e, SubmitProfessional{Party::kVillage, "V1", Sc("50"), true});
  EXPECT_FALSE(e.professional_rectifiable);
  EXPECT_EQ(Must(e, Finalise{ResultDate()}).state, PhaseState::kFailed);
}

TEST(CorrectionsRule8, ReopenFromEveryFinalisedStateWithdrawsTheResult) {
  for (PhaseState state :
       {PhaseState::kPassed, PhaseState::kFailed, PhaseState::kRectifying,
        PhaseState::kReevaluating, PhaseState::kPassedAfterRectification}) {
    SCOPED_TRACE(PhaseStateCode(state));
    const Evaluation before = InState(state);
    absl::StatusOr<Decision> d =
        Try(before, Reopen{"complaint by V2", D(2026, 4, 1)});
    ASSERT_TRUE(d.ok()) << d.status();
    const Evaluation& e = d->next;
    EXPECT_EQ(e.state, PhaseState::kScored);
    // The withdrawn result stays in the history (RULES.md §8); the phase
    // shows its provisional result again (RULES.md §3).
    ASSERT_EQ(e.history.size(), before.history.size() + 1);
    EXPECT_EQ(e.history.back().result.outcome, before.result->outcome);
    EXPECT_EQ(e.history.back().result_date, *before.result_date);
    EXPECT_EQ(e.history.back().superseded_on, D(2026, 4, 1));
    EXPECT_EQ(e.history.back().superseded_because,
              "reopened for review: complaint by V2");
    ASSERT_TRUE(e.result.has_value());
    EXPECT_TRUE(e.ResultIsProvisional());
    EXPECT_FALSE(e.result_date.has_value());
    EXPECT_FALSE(e.rectification_deadline.has_value());
    EXPECT_FALSE(e.application_date.has_value());
    EXPECT_FALSE(e.reevaluation_date.has_value());
    EXPECT_EQ(e.reopen_count, 1);
    // Submissions are kept.
    EXPECT_EQ(e.scores.third_party, before.scores.third_party);
    EXPECT_EQ(e.submission_versions, before.submission_versions);
    ASSERT_EQ(d->effects.size(), 1u);
    EXPECT_EQ(d->effects[0].kind, EffectKind::kResultWithdrawn);
    EXPECT_THAT(d->effects[0].description, HasSubstr("complaint by V2"));
  }
}

// --- Provisional results (RULES.md §3) and the result history (§8) -------

TEST(ProvisionalResultRule3, ShownOnceEveryPartyIsInAndFixedByFinalising) {
  Evaluation e = NewPhase();
  const std::vector<Command> all = SubmissionsOf(RectifiableFailure());
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    e = Must(e, all[i]);
    EXPECT_FALSE(e.result.has_value()) << "after submission " << i;
  }
  e = Must(e, all.back());
  ASSERT_EQ(e.state, PhaseState::kScored);
  ASSERT_TRUE(e.ResultIsProvisional());
  // Everyone gave 50: S = 50.00 exactly, 不合格, rectifiable.
  EXPECT_EQ(e.result->professional.exact_ten_thousandths, 500000);
  EXPECT_EQ(e.result->professional.rounded.hundredths(), 5000);
  EXPECT_EQ(e.result->professional.village_mean.hundredths(), 5000);
  EXPECT_EQ(e.result->grade, Grade::kUnqualified);
  EXPECT_EQ(e.result->outcome, Outcome::kFailRectifiable);
  EXPECT_TRUE(e.result->financial.passed);

  // A correction moves the provisional result with it.
  e = Must(e, SubmitProfessional{Party::kThirdParty, "", Sc("90"), false});
  // 0.7 × 90 = 63, + 0.1 × 50 × 3 = 15: S = 78, 合格.
  EXPECT_EQ(e.result->professional.exact_ten_thousandths, 780000);
  EXPECT_EQ(e.result->outcome, Outcome::kPass);

  e = Must(e, Finalise{ResultDate()});
  EXPECT_EQ(e.state, PhaseState::kPassed);
  EXPECT_FALSE(e.ResultIsProvisional());
  EXPECT_EQ(e.result->professional.exact_ten_thousandths, 780000);
}

TEST(ProvisionalResultRule3, APendingVetoIsNamedAndAConfirmedOneCounts) {
  Evaluation e = Scored();  // S = 80, 良好
  e = Must(e, RaiseVeto{VetoKind::kProfessional, "SAFETY_INCIDENT",
                        "fire exit blocked", "agency-1"});
  ASSERT_TRUE(e.ResultIsProvisional());
  EXPECT_EQ(e.result->outcome, Outcome::kPass);
  ASSERT_EQ(e.result->pending.size(), 1u);
  EXPECT_EQ(e.result->pending[0],
            "veto finding 1 SAFETY_INCIDENT awaits the bureau's decision: "
            "confirmed, it fails the professional part and the phase cannot "
            "be rectified");
  e = Must(e, ConfirmVeto{1, "bureau-1"});
  EXPECT_EQ(e.vetoes[0].decided_by, "bureau-1");
  EXPECT_EQ(e.result->outcome, Outcome::kFailFinal);
  EXPECT_EQ(e.result->grade, Grade::kUnqualified);
  EXPECT_TRUE(e.result->pending.empty());
}

TEST(CorrectionsRule8, EachPartyKeepsWhoSubmittedAndHowManyVersions) {
  Evaluation e = NewPhase();
  e = Must(e, SubmitProfessional{Party::kTownship, "", Sc("80"), false,
                                 "township-1"});
  e = Must(e, SubmitProfessional{Party::kTownship, "", Sc("81"), false,
                                 "township-2"});
  e = Must(e, SubmitProfessional{Party::kVillage, "V2", Sc("70"), false,
                                 "village-2"});
  e = Must(e, SubmitFinancial{Financial("75"), "agency-1"});
  EXPECT_EQ(e.submitters.at("township").principal, "township-2");
  EXPECT_EQ(e.submitters.at("township").version, 2);
  EXPECT_EQ(e.submitters.at("village:V2").version, 1);
  EXPECT_EQ(e.submitters.at("financial").principal, "agency-1");
  EXPECT_EQ(e.submitters.count("third_party"), 0u);
  EXPECT_EQ(e.submission_versions, 4);
}

TEST(CorrectionsRule8, APassAfterRectificationReadsAsOneAndKeepsTheFailure) {
  Evaluation e = Must(InState(PhaseState::kRectifying),
                      ApplyRectification{D(2026, 2, 12)});
  const PhaseResult failure = *e.result;
  e = Must(e, DecideReevaluation{true, D(2026, 3, 20)});
  EXPECT_EQ(e.state, PhaseState::kPassedAfterRectification);
  EXPECT_EQ(e.result->outcome, Outcome::kPassAfterRectification);
  EXPECT_EQ(e.result->grade, Grade::kQualifiedAfterRectification);
  EXPECT_STREQ(GradeNameZh(e.result->grade), "合格(整改后)");
  EXPECT_TRUE(e.result->reasons.empty());
  // S itself is what was scored.
  EXPECT_EQ(e.result->professional.exact_ten_thousandths,
            failure.professional.exact_ten_thousandths);
  ASSERT_EQ(e.history.size(), 1u);
  EXPECT_EQ(e.history[0].result.outcome, Outcome::kFailRectifiable);
  EXPECT_EQ(e.history[0].result.grade, Grade::kUnqualified);
  EXPECT_EQ(e.history[0].result.reasons, failure.reasons);
  EXPECT_EQ(e.history[0].result_date, ResultDate());
  EXPECT_EQ(e.history[0].superseded_on, D(2026, 3, 20));
  EXPECT_EQ(e.history[0].superseded_because, "passed its re-evaluation");
  EXPECT_EQ(e.result_date, ResultDate());  // still the official result date
}

TEST(StateMachineRule7, AFailedOrLapsedRectificationIsAFinalFailure) {
  Evaluation failed = Must(Must(InState(PhaseState::kRectifying),
                                ApplyRectification{D(2026, 2, 12)}),
                           DecideReevaluation{false, D(2026, 3, 20)});
  EXPECT_EQ(failed.result->outcome, Outcome::kFailFinal);
  EXPECT_EQ(failed.result->reasons.back(),
            "failed its re-evaluation on 2026-03-20");
  ASSERT_EQ(failed.history.size(), 1u);
  EXPECT_EQ(failed.history[0].result.outcome, Outcome::kFailRectifiable);

  Evaluation lapsed = Must(InState(PhaseState::kRectifying),
                           ExpireRectification{D(2026, 3, 2)});
  EXPECT_EQ(lapsed.result->outcome, Outcome::kFailFinal);
  EXPECT_EQ(lapsed.result->reasons.back(),
            "no rectification application by the deadline 2026-03-01");
  EXPECT_EQ(lapsed.history[0].superseded_on, D(2026, 3, 2));
}

// RULES.md §7: a failure may not be dated before money that is already
// paid became payable, or the contract would end before it.
TEST(TrancheRule7, AFailureCannotPredateMoneyAlreadyReleased) {
  DecisionContext context;
  context.latest_release =
      DecisionContext::Released{"P1/2026/mid-term", D(2026, 2, 2), "PAY-7"};
  absl::StatusOr<Decision> d =
      Try(Scored(RectifiableFailure()), Finalise{ResultDate()}, context);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(d.status().message(),
              HasSubstr("a failing result dated 2026-01-30 would end the "
                        "contract before 2026-02-02, the day tranche "
                        "P1/2026/mid-term became payable"));
  // Dated on or after it, or passing, it is accepted.
  EXPECT_TRUE(
      Try(Scored(RectifiableFailure()), Finalise{D(2026, 2, 2)}, context).ok());
  EXPECT_TRUE(Try(Scored(), Finalise{ResultDate()}, context).ok());
}

TEST(EvaluationWindowsRule3, APhaseOpensMonthsAfterItsServiceYearStarts) {
  const Policy& p = Nansha();
  EXPECT_EQ(PhaseOpensOn(p, D(2025, 7, 1), Phase::kMidTerm), D(2025, 12, 1));
  EXPECT_EQ(PhaseOpensOn(p, D(2025, 7, 1), Phase::kFinal), D(2026, 6, 1));
  // 31 August + 5 months: January 31; + 11 months: July 31.
  EXPECT_EQ(PhaseOpensOn(p, D(2025, 8, 31), Phase::kMidTerm), D(2026, 1, 31));
  // 30 September + 5 months: February has 28 days in 2026.
  EXPECT_EQ(PhaseOpensOn(p, D(2025, 9, 30), Phase::kMidTerm), D(2026, 2, 28));
  EXPECT_EQ(PhaseOpensOn(p, D(2027, 9, 30), Phase::kMidTerm), D(2028, 2, 29));
}

TEST(CorrectionsRule8, ReopenedPhaseIsCorrectedAndFinalisedAgain) {
  Evaluation e = InState(PhaseState::kFailed);  // everyone gave 50
  e = Must(e, Reopen{"the agency's score was entered wrongly"});
  e = Must(e, SubmitProfessional{Party::kThirdParty, "", Sc("80"), false});
  e = Must(e, Finalise{D(2026, 2, 13)});
  // 0.7 × 80 = 56, + 0.1 × 50 × 3 = 15: S = 71, QUALIFIED.
  EXPECT_EQ(e.state, PhaseState::kPassed);
  EXPECT_EQ(e.result->professional.exact_ten_thousandths, 710000);
  EXPECT_EQ(e.result_date, D(2026, 2, 13));
  e = Must(e, Reopen{"second review"});
  EXPECT_EQ(e.reopen_count, 2);
}

TEST(CorrectionsRule8, ReopenNeedsAReason) {
  absl::StatusOr<Decision> d = Try(InState(PhaseState::kPassed), Reopen{""});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.status().message(), HasSubstr("reason"));
}

TEST(CorrectionsRule8, ReopenRefusedOnceTheTrancheIsReleased) {
  DecisionContext released;
  released.tranche_released = true;
  for (PhaseState state :
       {PhaseState::kPassed, PhaseState::kPassedAfterRectification}) {
    SCOPED_TRACE(PhaseStateCode(state));
    absl::StatusOr<Decision> d =
        Try(InState(state), Reopen{"late complaint"}, released);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(d.status().message(),
                HasSubstr("final tranche has been released"));
  }
}

TEST(StateMachineRule7, ReopeningTheFailedPhaseOfATerminatedContract) {
  DecisionContext terminated;
  terminated.contract_terminated = true;
  Evaluation e =
      Must(InState(PhaseState::kFailed), Reopen{"appeal upheld"}, terminated);
  EXPECT_EQ(e.state, PhaseState::kScored);
}

TEST(AuditRule8, EvaluationAndCommandNames) {
  EXPECT_EQ(NewPhase(Phase::kMidTerm, 2025).Name(), "P1/2025/mid-term");
  EXPECT_EQ(NewPhase(Phase::kFinal, 2026).Name(), "P1/2026/final");
  std::set<std::string> names;
  for (Cmd cmd : kAllCommands) names.insert(CmdName(cmd));
  EXPECT_EQ(names.size(), 10u);  // each command has its own audit name
  EXPECT_STREQ(CommandName(Finalise{}), "evaluation.finalised");
  EXPECT_STREQ(CommandName(Reopen{}), "evaluation.reopened");
}

}  // namespace
}  // namespace evald::scoring
