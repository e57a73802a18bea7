// The money side of a contract (RULES.md §2, §7): how the annual fund splits
// into tranches, when each falls due, and whether it may be released.
//
// Tranche states are derived, never edited: DeriveTranches() computes all of
// a contract's tranches from its evaluations and its release records, so a
// reopened result or a termination can never leave a stale "due" behind.

#ifndef EVALD_SCORING_TRANCHE_H_
#define EVALD_SCORING_TRANCHE_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "scoring/calendar.h"
#include "scoring/date.h"
#include "scoring/decimal.h"
#include "scoring/evaluation.h"
#include "scoring/phase.h"
#include "scoring/policy.h"

namespace evald::scoring {

// The amounts of one service year's three tranches.
struct TrancheAmounts {
  Money year_start;
  Money mid_term;
  Money final;
};

// Splits the annual fund by the policy's percentages. Each of the first two
// tranches is rounded down to the fen; the final tranche takes the rest, so
// the three always add up to the fund exactly and the provider is never
// paid a fen early.
TrancheAmounts SplitAnnualFund(const Policy& policy, Money annual_fund);

// The amount of one tranche kind.
Money TrancheAmount(const TrancheAmounts& amounts, TrancheKind kind);

// The first day of service year `service_year` (1-based): `service_year - 1`
// years after the contract start. A start on 29 February maps to 28
// February in common years (the anniversary does not spill into March).
Date ServiceYearStart(Date contract_start, int service_year);

// What a contract is, as the money rules need it.
struct ContractTerms {
  std::string project_id;
  Date start_date;
  int years = 0;
  Money annual_fund;
};

enum class TrancheState {
  kPending,    // its condition has not been met yet
  kDue,        // payable; due_date is the deadline
  kWithheld,   // its own phase is in rectification
  kReleased,   // finance recorded its payment
  kForfeited,  // the contract was terminated before it became due
  kHeld,       // payable, but another phase's rectification is unresolved
};

// "PENDING", "DUE", "WITHHELD", "RELEASED", "FORFEITED", "HELD".
const char* TrancheStateCode(TrancheState state);

// A wrong payment reference or date put right: what it was, and why and by
// whom it was changed. Corrections are kept, oldest first; the payment
// itself stays one.
struct ReleaseCorrection {
  std::string previous_reference;
  Date previous_released_on;
  std::string reason;
  std::string corrected_by;
  Date corrected_on;
  bool operator==(const ReleaseCorrection& o) const {
    return previous_reference == o.previous_reference &&
           previous_released_on == o.previous_released_on &&
           reason == o.reason && corrected_by == o.corrected_by &&
           corrected_on == o.corrected_on;
  }
};

// Finance's record of one payment.
struct Release {
  std::string payment_reference;
  Date released_on;
  std::string released_by;
  std::vector<ReleaseCorrection> corrections;
};

// Why a tranche is HELD (RULES.md §7): a phase in rectification or
// re-evaluation whose result date precedes the day the tranche became
// payable. While it is unresolved the contract may still end.
struct Hold {
  std::string evaluation;  // "P1/2024/mid-term"
  int year = 0;
  Phase phase = Phase::kMidTerm;
  // "held: 2024 mid-term in rectification, deadline 2025-02-09" or
  // "held: 2024 mid-term in re-evaluation (applied 2025-01-20)": what
  // finance and the dashboard show and filter by.
  std::string reason;
  // Set when derived (a stored record keeps only the fields above).
  PhaseState state = PhaseState::kRectifying;
  Date result_date;
  std::optional<Date> deadline;  // the rectification deadline
};

struct Tranche {
  int service_year = 0;
  int year = 0;  // calendar year the service year starts in
  TrancheKind kind = TrancheKind::kYearStart;
  Money amount;
  TrancheState state = TrancheState::kPending;
  // The day its condition was met (the year's start or the pass it
  // follows) and the deadline for paying it; both set once it is payable.
  std::optional<Date> payable_from;
  std::optional<CalendarDate> due;
  std::optional<Release> release;
  // Set iff HELD: the earliest unresolved rectification that holds it.
  std::optional<Hold> hold;

  // Due and unpaid after its deadline (OverdueOn).
  bool OverdueAsOf(Date as_of) const;
};

// The one definition of "overdue": a payment due by `due` is on time on
// that day itself ("within N working days", RULES.md §7) and overdue from
// the day after.
inline bool OverdueOn(Date due, Date as_of) { return due < as_of; }

using TrancheKey = std::pair<int, TrancheKind>;  // (service_year, kind)

// "P1/2025/final": how messages name a tranche.
std::string TrancheLabel(const std::string& project_id, const Tranche& t);

// Derives every tranche of the contract (years × 3, in order) from the
// evaluations of its phases (any missing one counts as OPEN) and the
// releases recorded so far. RULES.md §7:
// - year 1's year-start tranche is due `year_start_payment_working_days`
//   after the start date; year k's, after the later of its start and the
//   day year k−1's final passed (directly or after rectification);
// - a phase that passes makes its tranche due `payment_working_days` after
//   the result date; after rectification, `rectified_payment_working_days`
//   after the provider's application;
// - a phase in rectification withholds its tranche;
// - while a phase is in rectification or re-evaluation, every other tranche
//   that became payable after that phase's result date is HELD: the
//   contract may still end, so none of it may be paid;
// - when the rectification passes on day L, a tranche it held becomes
//   payable from L and is due by the later of its own due date and its own
//   number of working days counted from L (so a long hold never makes a
//   tranche overdue the day it is lifted);
// - a FAILED phase terminates the contract as of its result date (the day
//   it first failed, also when a rectification failed or lapsed later): a
//   tranche payable only from a later day is FORFEITED (a year that starts
//   after the termination is never paid, and what a rectification held is
//   lost with it); tranches payable before stay due, and released ones
//   stay released.
std::vector<Tranche> DeriveTranches(
    const ContractTerms& terms, const Policy& policy,
    const WorkingDayCalendar& calendar,
    const std::vector<Evaluation>& evaluations,
    const std::map<TrancheKey, Release>& releases);

// Whether any phase has FAILED (the contract is terminated).
bool ContractTerminated(const std::vector<Evaluation>& evaluations);

// Whether DeriveTranches and ContractTerminated see `a` and `b`, two
// versions of one phase, alike: they read a phase only through its state
// (OPEN and SCORED alike: neither has a result) and its dates. A command whose
// result keeps these (a score, a financial submission, a veto finding) leaves
// every tranche of the contract as it was, so the server need not load and
// re-derive them.
bool SameTrancheInputs(const Evaluation& a, const Evaluation& b);

// OK iff `tranche` may be released on `released_on` (when given): it must
// be DUE, and the release may not predate the day it became payable.
// Already released is FailedPrecondition naming the earlier payment
// reference; HELD names the phase whose rectification holds it.
absl::Status CheckReleasable(const Tranche& tranche,
                             const std::string& project_id,
                             std::optional<Date> released_on = std::nullopt);

}  // namespace evald::scoring

#endif  // EVALD_SCORING_TRANCHE_H_
