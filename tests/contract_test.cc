// Tests of the contract-level decision (scoring/contract.h): creating a
// project's phases and tranches, what each command reads, and the money a
// phase's state makes due, withheld, held or forfeited (RULES.md §2, §7).
// Every expected date was counted by hand against calendars.md; the days
// counted are in the comments.

#include "scoring/contract.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/scoring_fixtures.h"

namespace evald::scoring {
namespace {

using ::evald::scoring::fixtures::Book;
using ::evald::scoring::fixtures::D;
using ::evald::scoring::fixtures::FinalFailure;
using ::evald::scoring::fixtures::Nansha;
using ::evald::scoring::fixtures::RectifiableFailure;
using ::evald::scoring::fixtures::Sc;
using ::testing::HasSubstr;

using TK = TrancheKind;
using TS = TrancheState;

Release Paid(const char* reference, Date on) {
  return Release{reference, on, "finance-1"};
}

// --- Creating a contract (RULES.md §2) -------------------------------------

TEST(ContractRule2, CreatingAContractMakesItsPhasesAndTranches) {
  Book book;  // from Tue 2025-07-01, two years
  EXPECT_EQ(book.contract().policy_id, "nansha-2019");
  ASSERT_EQ(book.evaluations().size(), 4u);
  // RULES.md §3 [default]: mid-term after 5 months, final after 11.
  EXPECT_EQ(book.PhaseAt(2025, Phase::kMidTerm).opens_on, D(2025, 12, 1));
  EXPECT_EQ(book.PhaseAt(2025, Phase::kFinal).opens_on, D(2026, 6, 1));
  EXPECT_EQ(book.PhaseAt(2026, Phase::kMidTerm).opens_on, D(2026, 12, 1));
  EXPECT_EQ(book.PhaseAt(2026, Phase::kFinal).service_year, 2);
  ASSERT_EQ(book.tranches().size(), 6u);
  // Year 1's year-start tranche: 15 working days from 2025-07-01:
  // 07-02..04 (3), 07-07..11 (8), 07-14..18 (13), 07-21 (14), 07-22 (15).
  const Tranche& first = book.TrancheAt(2025, TK::kYearStart);
  EXPECT_EQ(first.state, TS::kDue);
  EXPECT_EQ(first.due->date, D(2025, 7, 22));
  EXPECT_EQ(first.amount.fen(), 104'000'000);
  EXPECT_EQ(book.TrancheAt(2026, TK::kYearStart).state, TS::kPending);
}

TEST(ContractRule2, TermsAreCheckedAgainstThePolicy) {
  Contract good;
  good.project_id = "P2";
  good.villages = {"V1"};
  good.start_date = D(2025, 7, 1);
  good.years = 5;
  good.annual_fund = Money::FromFen(100);
  const struct {
    const char* name;
    void (*mutate)(Contract&);
    const char* message;
  } kCases[] = {
      {"no village", [](Contract& c) { c.villages.clear(); },
       "villages: a project serves at least one village"},
      {"a village twice",
       [](Contract& c) {
         c.villages = {"V1", "V1"};
       },
       "villages: \"V1\" is listed twice"},
      {"-1 years", [](Contract& c) { c.years = -1; },
       "years: -1 is not in [1, 20]"},
      {"21 years", [](Contract& c) { c.years = 21; },
       "years: 21 is not in [1, 20]"},
      {"no money", [](Contract& c) { c.annual_fund = Money(); },
       "annual_fund_fen: must be positive"},
      {"9999", [](Contract& c) { c.start_date = D(9999, 12, 31); },
       "start_date: 9999-12-31 is outside 2000-01-01 .. 2099-12-31"},
      {"1900", [](Contract& c) { c.start_date = D(1900, 1, 1); },
       "start_date: 1900-01-01 is outside"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    Contract contract = good;
    c.mutate(contract);
    absl::StatusOr<ContractDecision> d =
        Decide(ContractState{}, CreateContract{contract}, Nansha(),
               WorkingDayCalendar::BuiltIn());
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(d.status().message(), HasSubstr(c.message));
  }
  EXPECT_TRUE(Decide(ContractState{}, CreateContract{good}, Nansha(),
                     WorkingDayCalendar::BuiltIn())
                  .ok());
}

TEST(ContractRule2, AnExistingProjectIsNotCreatedAgain) {
  Book book;
  absl::StatusOr<ContractDecision> d =
      book.Apply(CreateContract{book.contract()});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(d.status().message(), "project P1 already exists");
}

// --- What a command reads ---------------------------------------------------

TEST(ContractDecision, ScoresReadOnePhaseStateChangesTheWholeContract) {
  EXPECT_EQ(ReadsOf(CreateContract{}), Reads::kContract);
  EXPECT_EQ(ReadsOf(AssignAgency{"AG2"}), Reads::kContract);
  EXPECT_EQ(ReadsOf(ReleaseTranche{}), Reads::kWholeContract);
  for (const Command& c :
       std::vector<Command>{SubmitProfessional{}, SubmitFinancial{},
                            RaiseVeto{}, ConfirmVeto{}, DismissVeto{}}) {
    SCOPED_TRACE(CommandName(c));
    EXPECT_EQ(ReadsOf(OnPhase{2025, Phase::kFinal, c}), Reads::kPhase);
  }
  for (const Command& c : std::vector<Command>{
           Finalise{}, ApplyRectification{}, DecideReevaluation{},
           ExpireRectification{}, Reopen{}}) {
    SCOPED_TRACE(CommandName(c));
    EXPECT_EQ(ReadsOf(OnPhase{2025, Phase::kFinal, c}), Reads::kWholeContract);
  }
}

TEST(ContractDecision, LoadingLessThanTheCommandReadsIsAnInternalError) {
  Book book;
  book.ScoreAll(2025, Phase::kMidTerm);
  ContractState partial = book.State();
  partial.whole = false;
  absl::StatusOr<ContractDecision> d =
      Decide(partial, OnPhase{2025, Phase::kMidTerm, Finalise{D(2025, 12, 20)}},
             Nansha(), WorkingDayCalendar::BuiltIn());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInternal);
  // A score reads only its phase.
  partial.evaluations = {book.PhaseAt(2025, Phase::kMidTerm)};
  partial.tranches.clear();
  EXPECT_TRUE(Decide(partial,
                     OnPhase{2025, Phase::kMidTerm,
                             SubmitProfessional{Party::kTownship, "", Sc("90"),
                                                false, "township-1"}},
                     Nansha(), WorkingDayCalendar::BuiltIn())
                  .ok());
}

// --- What a phase makes due (RULES.md §7) -----------------------------------

TEST(TrancheRule7, PassMakesTrancheDue15WorkingDaysAfterTheResultDate) {
  const struct {
    const char* name;
    Phase phase;
    Date result_date;
    Date due;
    bool provisional;
  } kCases[] = {
      // From Fri 2026-02-13: 1 Sat 02-14 (调休), 02-15..02-23 off,
      // 2 Tue 02-24, 3 Wed 02-25, 4 Thu 02-26, 5 Fri 02-27,
      // 6 Sat 02-28 (调休), 7 Mon 03-02, 8 Tue 03-03, 9 Wed 03-04,
      // 10 Thu 03-05, 11 Fri 03-06, 12 Mon 03-09, 13 Tue 03-10,
      // 14 Wed 03-11, 15 Thu 03-12.
      {"final across Spring Festival", Phase::kFinal, D(2026, 2, 13),
       D(2026, 3, 12), false},
      {"mid-term across Spring Festival", Phase::kMidTerm, D(2026, 2, 13),
       D(2026, 3, 12), false},
      // From Fri 2026-01-30: 1 Mon 02-02, 2 Tue 02-03, 3 Wed 02-04,
      // 4 Thu 02-05, 5 Fri 02-06, 6 Mon 02-09, 7 Tue 02-10, 8 Wed 02-11,
      // 9 Thu 02-12, 10 Fri 02-13, 11 Sat 02-14 (调休), 02-15..02-23 off,
      // 12 Tue 02-24, 13 Wed 02-25, 14 Thu 02-26, 15 Fri 02-27.
      {"final into the holiday", Phase::kFinal, D(2026, 1, 30), D(2026, 2, 27),
       false},
      // From Thu 2026-12-24: 1 Fri 12-25, 2..5 Mon 12-28..Thu 12-31, then
      // 2027 on weekdays: 6 Fri 01-01, 7 Mon 01-04 .. 11 Fri 01-08,
      // 12 Mon 01-11, 13 Tue 01-12, 14 Wed 01-13, 15 Thu 01-14.
      {"into uncovered 2027", Phase::kFinal, D(2026, 12, 24), D(2027, 1, 14),
       true},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    Book book(D(2026, 1, 2), 1);
    book.ScoreAll(2026, c.phase);
    book.Must(2026, c.phase, Finalise{c.result_date});
    const Tranche& t = book.TrancheAt(
        2026, c.phase == Phase::kMidTerm ? TK::kMidTerm : TK::kFinal);
    EXPECT_EQ(t.state, TS::kDue);
    EXPECT_EQ(t.payable_from, c.result_date);
    EXPECT_EQ(t.due->date, c.due) << FormatDate(t.due->date);
    EXPECT_EQ(t.due->provisional, c.provisional);
  }
}

TEST(TrancheRule7, RectifiableFailureWithholdsThePhaseTranche) {
  Book book(D(2026, 1, 2), 1);
  book.ScoreAll(2026, Phase::kFinal, RectifiableFailure());
  absl::StatusOr<ContractDecision> d =
      book.Apply(OnPhase{2026, Phase::kFinal, Finalise{D(2026, 1, 30)}});
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->tranches.size(), 1u);
  EXPECT_EQ(d->tranches[0].before->state, TS::kPending);
  EXPECT_EQ(d->tranches[0].after.state, TS::kWithheld);
  EXPECT_EQ(d->tranches[0].after.kind, TK::kFinal);
}

TEST(TrancheRule7, RectifiedTrancheIsDue15WorkingDaysFromTheApplication) {
  const struct {
    const char* name;
    Date application;
    Date decision;
    Date due;
  } kCases[] = {
      // From Thu 2026-02-12: 1 Fri 02-13, 2 Sat 02-14 (调休),
      // 02-15..02-23 off, 3 Tue 02-24, 4 Wed 02-25, 5 Thu 02-26,
      // 6 Fri 02-27, 7 Sat 02-28 (调休), 8 Mon 03-02, 9 Tue 03-03,
      // 10 Wed 03-04, 11 Thu 03-05, 12 Fri 03-06, 13 Mon 03-09,
      // 14 Tue 03-10, 15 Wed 03-11. (From the decision, Fri 03-20, it
      // would be Mon 04-13.)
      {"applied before the holiday", D(2026, 2, 12), D(2026, 3, 20),
       D(2026, 3, 11)},
      // From Sun 2026-03-01 (the deadline day): 1 Mon 03-02 .. 5 Fri 03-06,
      // 6 Mon 03-09 .. 10 Fri 03-13, 11 Mon 03-16 .. 15 Fri 03-20.
      {"applied on the deadline", D(2026, 3, 1), D(2026, 4, 1), D(2026, 3, 20)},
      {"decided the same day", D(2026, 2, 12), D(2026, 2, 12), D(2026, 3, 11)},
  };
  for (Phase phase : {Phase::kMidTerm, Phase::kFinal}) {
    for (const auto& c : kCases) {
      SCOPED_TRACE(absl::StrCat(PhaseName(phase), ": ", c.name));
      Book book(D(2026, 1, 2), 1);
      book.ScoreAll(2026, phase, RectifiableFailure());
      book.Must(2026, phase, Finalise{D(2026, 1, 30)});  // deadline 03-01
      book.Must(2026, phase, ApplyRectification{c.application});
      book.Must(2026, phase, DecideReevaluation{true, c.decision});
      const Tranche& t = book.TrancheAt(
          2026, phase == Phase::kMidTerm ? TK::kMidTerm : TK::kFinal);
      EXPECT_EQ(t.state, TS::kDue);
      EXPECT_EQ(t.payable_from, c.decision);
      EXPECT_EQ(t.due->date, c.due) << FormatDate(t.due->date);
    }
  }
}

// --- A recorded payment put right (RULES.md §7: released exactly once) -----

TEST(TrancheRule7, ACorrectedPaymentStaysOnePaymentAndKeepsWhatItReplaced) {
  Book book;  // from 2025-07-01: the year-start tranche is payable then
  ASSERT_TRUE(book.Apply(ReleaseTranche{2025, TK::kYearStart,
                                        Paid("PAY-1", D(2025, 7, 10))})
                  .ok());
  CorrectRelease fix{2025,
                     TK::kYearStart,
                     std::string("PAY-0001"),
                     D(2025, 7, 9),
                     "bank statement shows 2025-07-09, "
                     "reference PAY-0001",
                     "finance",
                     D(2025, 7, 20)};
  absl::StatusOr<ContractDecision> corrected = book.Apply(fix);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  ASSERT_EQ(corrected->tranches.size(), 1u);  // only that tranche
  const Tranche& t = book.TrancheAt(2025, TK::kYearStart);
  EXPECT_EQ(t.state, TS::kReleased);
  EXPECT_EQ(t.release->payment_reference, "PAY-0001");
  EXPECT_EQ(t.release->released_on, D(2025, 7, 9));
  ASSERT_EQ(t.release->corrections.size(), 1u);
  EXPECT_EQ(t.release->corrections[0].previous_reference, "PAY-1");
  EXPECT_EQ(t.release->corrections[0].previous_released_on, D(2025, 7, 10));
  EXPECT_EQ(t.release->corrections[0].corrected_by, "finance");

  // Nothing to change, a date before it was payable, and a tranche not
  // paid are refused, and change nothing.
  absl::StatusOr<ContractDecision> same = book.Apply(fix);
  EXPECT_EQ(same.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(same.status().message(), HasSubstr("nothing to correct"));
  CorrectRelease early = fix;
  early.payment_reference.reset();
  early.released_on = D(2025, 6, 30);
  EXPECT_THAT(book.Apply(early).status().message(),
              HasSubstr("released_on: 2025-06-30 is before tranche "
                        "P1/2025/year-start became payable on 2025-07-01"));
  CorrectRelease unpaid = fix;
  unpaid.kind = TK::kMidTerm;
  absl::StatusOr<ContractDecision> pending = book.Apply(unpaid);
  EXPECT_EQ(pending.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(pending.status().message(),
              HasSubstr("P1/2025/mid-term is PENDING: only a released"));
  EXPECT_EQ(book.TrancheAt(2025, TK::kYearStart).release->corrections.size(),
            1u);
  // A release under the corrected reference is the same payment again.
  absl::StatusOr<ContractDecision> again = book.Apply(
      ReleaseTranche{2025, TK::kYearStart, Paid("PAY-0001", D(2025, 7, 9))});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_recorded);
}

// --- The defect of issue #10: no money past an unresolved rectification -----

TEST(TrancheRule7, NothingIsPaidPastALapsedRectificationNobodyExpired) {
  Book book;  // from 2025-07-01
  // Year 1's year-start tranche is paid on time.
  ASSERT_TRUE(book.Apply(ReleaseTranche{2025, TK::kYearStart,
                                        Paid("PAY-1", D(2025, 7, 10))})
                  .ok());
  // The mid-term fails rectifiably on 2025-12-20 (deadline 2026-01-19); the
  // provider never applies and nobody records the expiry.
  book.ScoreAll(2025, Phase::kMidTerm, RectifiableFailure());
  book.Must(2025, Phase::kMidTerm, Finalise{D(2025, 12, 20)});
  // The same year's final then passes on 2026-06-20.
  book.ScoreAll(2025, Phase::kFinal);
  book.Must(2025, Phase::kFinal, Finalise{D(2026, 6, 20)});
  // Finance sees the final tranche and year 2's year-start tranche held,
  // not due, and cannot release either.
  for (TK kind : {TK::kFinal, TK::kYearStart}) {
    const int year = kind == TK::kFinal ? 2025 : 2026;
    SCOPED_TRACE(TrancheKindName(kind));
    const Tranche& held = book.TrancheAt(year, kind);
    EXPECT_EQ(held.state, TS::kHeld);
    EXPECT_EQ(held.hold->reason,
              "held: 2025 mid-term in rectification, deadline 2026-01-19");
    absl::StatusOr<ContractDecision> release =
        book.Apply(ReleaseTranche{year, kind, Paid("PAY-2", D(2026, 7, 15))});
    ASSERT_FALSE(release.ok());
    EXPECT_EQ(release.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(release.status().message(),
                HasSubstr("is HELD: P1/2025/mid-term is in rectification"));
  }
  // The bureau expires the rectification: the contract ends as of the
  // mid-term's result, and what was held is forfeited.
  absl::StatusOr<ContractDecision> expired = book.Apply(
      OnPhase{2025, Phase::kMidTerm, ExpireRectification{D(2026, 7, 20)}});
  ASSERT_TRUE(expired.ok()) << expired.status();
  ASSERT_TRUE(expired->contract.has_value());
  EXPECT_TRUE(expired->contract->terminated);
  EXPECT_EQ(book.TrancheAt(2025, TK::kFinal).state, TS::kForfeited);
  EXPECT_EQ(book.TrancheAt(2026, TK::kYearStart).state, TS::kForfeited);
  EXPECT_EQ(book.TrancheAt(2025, TK::kYearStart).state, TS::kReleased);
  EXPECT_EQ(book.TrancheAt(2025, TK::kFinal).payable_from, std::nullopt);
}

TEST(TrancheRule7, APassedRectificationReleasesTheHoldUnderTheNormalRules) {
  Book book;
  book.ScoreAll(2025, Phase::kMidTerm, RectifiableFailure());
  book.Must(2025, Phase::kMidTerm, Finalise{D(2025, 12, 20)});
  book.ScoreAll(2025, Phase::kFinal);
  book.Must(2025, Phase::kFinal, Finalise{D(2026, 1, 9)});
  EXPECT_EQ(book.TrancheAt(2025, TK::kFinal).state, TS::kHeld);
  book.Must(2025, Phase::kMidTerm, ApplyRectification{D(2026, 1, 5)});
  book.Must(2025, Phase::kMidTerm, DecideReevaluation{true, D(2026, 1, 16)});
  // The final's own due date is 15 working days from Fri 2026-01-09:
  // 01-12..16 (5), 01-19..23 (10), 01-26..30 (15) -> 01-30. Counted from
  // the lifting on Fri 01-16: 01-19..23 (5), 01-26..30 (10), 02-02..06
  // (15) -> 02-06, the later one. So it is payable from 2026-01-16 and due
  // 2026-02-06.
  const Tranche& final_tranche = book.TrancheAt(2025, TK::kFinal);
  EXPECT_EQ(final_tranche.state, TS::kDue);
  EXPECT_EQ(final_tranche.payable_from, D(2026, 1, 16));
  EXPECT_EQ(final_tranche.due->date, D(2026, 2, 6));
  // The mid-term's own tranche: 15 working days from the application, Mon
  // 2026-01-05: 01-06..09 (4), 01-12..16 (9), 01-19..23 (14), 01-26 (15).
  EXPECT_EQ(book.TrancheAt(2025, TK::kMidTerm).due->date, D(2026, 1, 26));
  EXPECT_TRUE(book.Apply(ReleaseTranche{2025, TK::kFinal,
                                        Paid("PAY-3", D(2026, 1, 20))})
                  .ok());
}

// --- Releases ----------------------------------------------------------------

TEST(TrancheRule7, AReleaseIsRecordedOnceAndTheSameReferenceIsTheSameFact) {
  Book book;
  absl::StatusOr<ContractDecision> first = book.Apply(
      ReleaseTranche{2025, TK::kYearStart, Paid("PAY-1", D(2025, 7, 10))});
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->tranches.size(), 1u);
  EXPECT_EQ(first->tranches[0].before->state, TS::kDue);
  EXPECT_EQ(first->tranches[0].after.state, TS::kReleased);
  EXPECT_EQ(first->tranches[0].after.release->payment_reference, "PAY-1");

  absl::StatusOr<ContractDecision> again = book.Apply(
      ReleaseTranche{2025, TK::kYearStart, Paid("PAY-1", D(2025, 7, 11))});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->already_recorded);
  EXPECT_TRUE(again->tranches.empty());

  absl::StatusOr<ContractDecision> other = book.Apply(
      ReleaseTranche{2025, TK::kYearStart, Paid("PAY-9", D(2025, 7, 11))});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.status().message(),
              HasSubstr("already released (payment reference PAY-1 on "
                        "2025-07-10)"));
}

TEST(TrancheRule7, AnUnknownTrancheIsNotFound) {
  Book book;
  absl::StatusOr<ContractDecision> d = book.Apply(
      ReleaseTranche{2031, TK::kFinal, Paid("PAY-1", D(2031, 7, 10))});
  EXPECT_EQ(d.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(d.status().message(),
            "project P1 has no final tranche in year 2031");
}

// --- Termination (RULES.md §7) -----------------------------------------------

TEST(StateMachineRule7, TheContractIsTerminatedWhileAPhaseHasFailed) {
  Book book;
  book.ScoreAll(2025, Phase::kMidTerm, FinalFailure());
  absl::StatusOr<ContractDecision> failed =
      book.Apply(OnPhase{2025, Phase::kMidTerm, Finalise{D(2025, 12, 20)}});
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_TRUE(book.contract().terminated);
  ASSERT_EQ(failed->effects.size(), 1u);
  EXPECT_EQ(failed->effects[0].kind, EffectKind::kContractTerminated);
  // Nothing else can happen to the contract ...
  absl::StatusOr<ContractDecision> refused = book.Apply(
      OnPhase{2025, Phase::kFinal,
              SubmitProfessional{Party::kBureau, "", Sc("90"), false, "b"}});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  // ... but the bureau may reopen the failed phase, which lifts it.
  book.Must(2025, Phase::kMidTerm, Reopen{"appeal upheld", D(2026, 1, 5)});
  EXPECT_FALSE(book.contract().terminated);
}

}  // namespace
}  // namespace evald::scoring
