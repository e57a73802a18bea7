#include "scoring/tranche.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace evald::scoring {

TrancheAmounts SplitAnnualFund(const Policy& policy, Money annual_fund) {
  const __int128 fund = annual_fund.fen();
  auto share = [&](int percent) {
    return Money::FromFen(static_cast<int64_t>(fund * percent / 100));
  };
  TrancheAmounts a;
  a.year_start = share(policy.year_start_percent);
  a.mid_term = share(policy.mid_term_percent);
  a.final = annual_fund - a.year_start - a.mid_term;
  return a;
}

Money TrancheAmount(const TrancheAmounts& amounts, TrancheKind kind) {
  switch (kind) {
    case TrancheKind::kYearStart:
      return amounts.year_start;
    case TrancheKind::kMidTerm:
      return amounts.mid_term;
    case TrancheKind::kFinal:
      return amounts.final;
  }
  return Money();
}

Date ServiceYearStart(Date contract_start, int service_year) {
  const int year = static_cast<int>(contract_start.year()) + service_year - 1;
  int day = contract_start.day();
  if (contract_start.month() == 2 && day == 29) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (!leap) day = 28;
  }
  return Date(year, contract_start.month(), day);
}

const char* TrancheStateCode(TrancheState state) {
  switch (state) {
    case TrancheState::kPending:
      return "PENDING";
    case TrancheState::kDue:
      return "DUE";
    case TrancheState::kWithheld:
      return "WITHHELD";
    case TrancheState::kReleased:
      return "RELEASED";
    case TrancheState::kForfeited:
      return "FORFEITED";
    case TrancheState::kHeld:
      return "HELD";
  }
  return "UNKNOWN";
}

bool ContractTerminated(const std::vector<Evaluation>& evaluations) {
  return std::any_of(
      evaluations.begin(), evaluations.end(),
      [](const Evaluation& e) { return e.state == PhaseState::kFailed; });
}

bool Tranche::OverdueAsOf(Date as_of) const {
  return state == TrancheState::kDue && due && OverdueOn(due->date, as_of);
}

std::string TrancheLabel(const std::string& project_id, const Tranche& t) {
  return absl::StrCat(project_id, "/", t.year, "/", TrancheKindName(t.kind));
}

bool SameTrancheInputs(const Evaluation& a, const Evaluation& b) {
  auto decided = [](PhaseState s) {
    return IsFinalised(s) ? s : PhaseState::kOpen;
  };
  return a.service_year == b.service_year && a.phase == b.phase &&
         decided(a.state) == decided(b.state) &&
         a.result_date == b.result_date &&
         a.rectification_deadline == b.rectification_deadline &&
         a.application_date == b.application_date &&
         a.reevaluation_date == b.reevaluation_date &&
         a.failed_on == b.failed_on;
}

namespace {

const Evaluation* Find(const std::vector<Evaluation>& evaluations,
                       int service_year, Phase phase) {
  for (const Evaluation& e : evaluations) {
    if (e.service_year == service_year && e.phase == phase) return &e;
  }
  return nullptr;
}

// When a tranche became payable, its deadline, and the working days that
// deadline counts (for moving it when a hold is lifted).
struct Payable {
  Date from;
  CalendarDate due;
  int working_days = 0;
};

Payable PayableAfter(Date from, int working_days, Date counted_from,
                     const WorkingDayCalendar& calendar) {
  return Payable{from, calendar.AddWorkingDays(counted_from, working_days),
                 working_days};
}

std::optional<Payable> PhasePayable(const Evaluation* e, const Policy& policy,
                                    const WorkingDayCalendar& calendar) {
  if (e == nullptr || !e->PassedOn()) return std::nullopt;
  if (e->state == PhaseState::kPassed) {
    return PayableAfter(*e->PassedOn(), policy.payment_working_days,
                        *e->result_date, calendar);
  }
  // RULES.md §7 [seed]: counted from the provider's application date.
  return PayableAfter(*e->PassedOn(), policy.rectified_payment_working_days,
                      *e->application_date, calendar);
}

// The day the contract was terminated: the earliest result date of a
// FAILED phase. A rectification that failed or lapsed later ends the
// contract as of the original failure, so that what it held is forfeited.
std::optional<Date> TerminatedOn(const std::vector<Evaluation>& evaluations) {
  std::optional<Date> on;
  for (const Evaluation& e : evaluations) {
    if (e.state != PhaseState::kFailed) continue;
    // Records made before failed_on was kept: the last date they hold.
    const Date failed = e.result_date         ? *e.result_date
                        : e.failed_on         ? *e.failed_on
                        : e.reevaluation_date ? *e.reevaluation_date
                                              : Date(1900, 1, 1);
    if (!on || failed < *on) on = failed;
  }
  return on;
}

bool InRectification(const Evaluation& e) {
  return (e.state == PhaseState::kRectifying ||
          e.state == PhaseState::kReevaluating) &&
         e.result_date.has_value();
}

// The unresolved rectification with the earliest result date before
// `payable_from`, other than `own` (whose tranche it withholds instead).
const Evaluation* HeldBy(const std::vector<Evaluation>& evaluations,
                         const Evaluation* own, Date payable_from) {
  const Evaluation* blocker = nullptr;
  for (const Evaluation& e : evaluations) {
    if (&e == own || !InRectification(e)) continue;
    if (!(*e.result_date < payable_from)) continue;
    if (blocker == nullptr || *e.result_date < *blocker->result_date) {
      blocker = &e;
    }
  }
  return blocker;
}

// The latest day a passed rectification lifted a hold on a tranche payable
// from `payable_from` (it was in rectification from its result date to its
// re-evaluation date), other than `own`'s.
std::optional<Date> HoldLiftedOn(const std::vector<Evaluation>& evaluations,
                                 const Evaluation* own, Date payable_from) {
  std::optional<Date> lifted;
  for (const Evaluation& e : evaluations) {
    if (&e == own || e.state != PhaseState::kPassedAfterRectification ||
        !e.result_date || !e.reevaluation_date) {
      continue;
    }
    if (*e.result_date < payable_from && payable_from <= *e.reevaluation_date &&
        (!lifted || *lifted < *e.reevaluation_date)) {
      lifted = *e.reevaluation_date;
    }
  }
  return lifted;
}

Hold HoldOf(const Evaluation& e) {
  Hold h;
  h.evaluation = e.Name();
  h.year = e.year;
  h.phase = e.phase;
  h.state = e.state;
  h.result_date = *e.result_date;
  h.deadline = e.rectification_deadline;
  if (e.state == PhaseState::kReevaluating) {
    h.reason = absl::StrCat(
        "held: ", e.year, " ", PhaseName(e.phase), " in re-evaluation",
        e.application_date
            ? absl::StrCat(" (applied ", FormatDate(*e.application_date), ")")
            : "");
  } else {
    h.reason = absl::StrCat(
        "held: ", e.year, " ", PhaseName(e.phase), " in rectification",
        e.rectification_deadline
            ? absl::StrCat(", deadline ", FormatDate(*e.rectification_deadline))
            : "");
  }
  return h;
}

}  // namespace

std::vector<Tranche> DeriveTranches(
    const ContractTerms& terms, const Policy& policy,
    const WorkingDayCalendar& calendar,
    const std::vector<Evaluation>& evaluations,
    const std::map<TrancheKey, Release>& releases) {
  const std::optional<Date> terminated_on = TerminatedOn(evaluations);
  const TrancheAmounts amounts = SplitAnnualFund(policy, terms.annual_fund);
  std::vector<Tranche> out;
  for (int k = 1; k <= terms.years; ++k) {
    const Date year_start = ServiceYearStart(terms.start_date, k);
    for (TrancheKind kind : {TrancheKind::kYearStart, TrancheKind::kMidTerm,
                             TrancheKind::kFinal}) {
      Tranche t;
      t.service_year = k;
      t.year = static_cast<int>(year_start.year());
      t.kind = kind;
      t.amount = TrancheAmount(amounts, kind);
      const Evaluation* phase = nullptr;
      std::optional<Payable> payable;
      if (kind == TrancheKind::kYearStart) {
        std::optional<Date> from;
        if (k == 1) {
          from = year_start;
        } else if (const Evaluation* prev_final =
                       Find(evaluations, k - 1, Phase::kFinal);
                   prev_final != nullptr && prev_final->PassedOn()) {
          from = std::max(year_start, *prev_final->PassedOn());
        }
        if (from) {
          payable = PayableAfter(*from, policy.year_start_payment_working_days,
                                 *from, calendar);
        }
      } else {
        phase = Find(
            evaluations, k,
            kind == TrancheKind::kMidTerm ? Phase::kMidTerm : Phase::kFinal);
        payable = PhasePayable(phase, policy, calendar);
      }
      if (payable && terminated_on && payable->from > *terminated_on) {
        payable.reset();  // its condition came after the termination
      }
      if (payable) {
        if (const Evaluation* blocker =
                HeldBy(evaluations, phase, payable->from)) {
          t.payable_from = payable->from;
          t.hold = HoldOf(*blocker);
          payable.reset();
        } else if (std::optional<Date> lifted =
                       HoldLiftedOn(evaluations, phase, payable->from)) {
          payable->from = *lifted;
          const CalendarDate after =
              calendar.AddWorkingDays(*lifted, payable->working_days);
          if (payable->due.date < after.date) payable->due = after;
        }
      }
      if (payable) {
        t.payable_from = payable->from;
        t.due = payable->due;
      }

      auto released = releases.find({k, kind});
      if (released != releases.end()) {
        t.state = TrancheState::kReleased;
        t.release = released->second;
        t.hold.reset();
      } else if (t.due) {
        t.state = TrancheState::kDue;
      } else if (t.hold && !terminated_on) {
        t.state = TrancheState::kHeld;
      } else if (terminated_on) {
        // Held when the contract ended: the rectification holding it can
        // no longer pass.
        t.hold.reset();
        t.payable_from.reset();
        t.state = TrancheState::kForfeited;
      } else if (phase != nullptr &&
                 (phase->state == PhaseState::kRectifying ||
                  phase->state == PhaseState::kReevaluating)) {
        t.state = TrancheState::kWithheld;
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

absl::Status CheckReleasable(const Tranche& tranche,
                             const std::string& project_id,
                             std::optional<Date> released_on) {
  const std::string name = TrancheLabel(project_id, tranche);
  if (tranche.state == TrancheState::kDue) {
    if (released_on && tranche.payable_from &&
        *released_on < *tranche.payable_from) {
      return absl::FailedPreconditionError(
          absl::StrCat("tranche ", name, " is payable from ",
                       FormatDate(*tranche.payable_from), ", not on ",
                       FormatDate(*released_on)));
    }
    return absl::OkStatus();
  }
  if (tranche.state == TrancheState::kHeld) {
    const Hold& h = *tranche.hold;
    return absl::FailedPreconditionError(absl::StrCat(
        "tranche ", name, " is HELD: ", h.evaluation, " is in ",
        h.state == PhaseState::kReevaluating ? "re-evaluation"
                                             : "rectification",
        h.state == PhaseState::kReevaluating || !h.deadline
            ? ""
            : absl::StrCat(" (deadline ", FormatDate(*h.deadline), ")"),
        "; while it is unresolved the contract may still end, so nothing "
        "payable after its result date ",
        FormatDate(h.result_date), " can be released"));
  }
  if (tranche.state == TrancheState::kReleased) {
    return absl::FailedPreconditionError(absl::StrCat(
        "tranche ", name, " was already released (payment reference ",
        tranche.release->payment_reference, " on ",
        FormatDate(tranche.release->released_on), ")"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("tranche ", name, " is ", TrancheStateCode(tranche.state),
                   ", not DUE: it cannot be released"));
}

}  // namespace evald::scoring
