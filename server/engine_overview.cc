// Engine::GetYearOverview: one service year, per township, for the
// dashboard's first page. Reads take no locks.
//
// Everything but the rectification deadlines comes from the summary
// counters (storage/counters.h): lateness and overdue money by summing the
// date-keyed counters up to the day asked about. RECTIFYING phases, few by
// nature, are read through the state index for their deadlines. The cost
// therefore grows with the number of townships and dates, not projects.

#include <map>
#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/authz.h"
#include "server/engine.h"
#include "server/read_time.h"
#include "server/validate.h"

namespace evald::server {
namespace {

constexpr int kDefaultDeadlineWithinDays = 14;
constexpr int kScanPage = 1000;

// Calls `each` for every item of a paged store list, page after page.
template <typename T, typename List>
absl::Status ForEachPage(const List& list,
                         const std::function<void(const T&)>& each) {
  std::string token;
  do {
    absl::StatusOr<storage::Page<T>> page = list(token);
    if (!page.ok()) return page.status();
    for (const T& item : page->items) each(item);
    token = page->next_page_token;
  } while (!token.empty());
  return absl::OkStatus();
}

// The flag and its reasons from a row's counts (the rule of Flag's
// comment in the proto).
void SetFlag(v1::TownshipOverview& row) {
  auto reason = [&](int64_t n, absl::string_view what) {
    if (n > 0) row.add_flag_reasons(absl::StrCat(n, " ", what));
  };
  reason(row.overdue_tranches(), "tranches overdue");
  reason(row.rectifications_past_deadline(),
         "rectifications past their deadline");
  const bool red = row.flag_reasons_size() > 0;
  reason(row.late_phases(), "phases with submissions late");
  reason(row.rectifications_near_deadline(),
         "rectifications near their deadline");
  reason(row.held_tranches(), "tranches held");
  row.set_flag(red                           ? v1::RED
               : row.flag_reasons_size() > 0 ? v1::AMBER
                                             : v1::GREEN);
}

}  // namespace

absl::StatusOr<v1::YearOverview> Engine::GetYearOverview(
    const Principal& who, const v1::GetYearOverviewRequest& r) const {
  if (absl::Status s = AuthorizeMethod("GetYearOverview", who); !s.ok()) {
    return s;
  }
  if (r.year() < 1900 || r.year() > 9999) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: ", r.year(),
                     " is not a calendar year (give the year the "
                     "service year starts in)"));
  }
  if (!r.township().empty()) {
    if (absl::Status s = ValidateId("township", r.township()); !s.ok()) {
      return s;
    }
  }
  if (r.deadline_within_days() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "deadline_within_days: ", r.deadline_within_days(), " is negative"));
  }
  absl::StatusOr<scoring::Date> as_of =
      ParseDateOr("as_of", r.as_of(), Today());
  if (!as_of.ok()) return as_of.status();
  std::string township = r.township();
  if (who.role == Role::kTownship) {
    if (!township.empty() && township != who.organisation) {
      return absl::PermissionDeniedError(absl::StrCat(
          "principal ", who.name, " may only see the overview of township ",
          who.organisation));
    }
    township = who.organisation;
  }
  const int within = r.deadline_within_days() == 0 ? kDefaultDeadlineWithinDays
                                                   : r.deadline_within_days();
  const std::string as_of_text = scoring::FormatDate(*as_of);

  std::map<std::string, v1::TownshipOverview> rows;
  auto row_of = [&](const std::string& t) -> v1::TownshipOverview& {
    v1::TownshipOverview& row = rows[t];
    row.set_township(t);
    return row;
  };

  auto counts = store_->Summary(township, r.year());
  if (!counts.ok()) return counts.status();
  for (const auto& [key, values] : *counts) {
    if (key.second != r.year()) continue;
    v1::TownshipOverview& row = row_of(key.first);
    for (const auto& [name, n] : values) {
      const size_t slash = name.find('/');
      const std::string family = name.substr(0, slash);
      const std::string value = name.substr(slash + 1);
      int points = 0;
      if (family == "state") {
        (*row.mutable_by_state())[value] = n;
      } else if (family == "grade") {
        (*row.mutable_by_grade())[value] = n;
      } else if (family == "score" && absl::SimpleAtoi(value, &points)) {
        v1::ScoreBucket* bucket = row.add_scores();  // keys are in order
        bucket->set_points(points);
        bucket->set_count(n);
      } else if (family == "opened" && value <= as_of_text) {
        // Dates are YYYY-MM-DD, so text order is date order; the window is
        // open on its first day (as ListLateParties).
        row.set_late_phases(row.late_phases() + n);
      } else if (family == "due" && value < as_of_text) {
        // Overdue the day after the due date (scoring::OverdueOn).
        row.set_overdue_tranches(row.overdue_tranches() + n);
      } else if (family == "due-fen" && value < as_of_text) {
        row.set_overdue_fen(row.overdue_fen() + n);
      } else if (family == "held") {
        if (value == "count") row.set_held_tranches(n);
        if (value == "fen") row.set_held_fen(n);
      }
    }
  }

  storage::EvaluationFilter filter;
  filter.township = township;
  filter.year = r.year();
  auto evaluations = [&](const storage::EvaluationFilter& f) {
    return [this, f](const std::string& token) {
      return store_->ListEvaluations(
          f, kScanPage, token, [](const v1::Evaluation&) { return true; });
    };
  };
  filter.state = v1::RECTIFYING;
  absl::Status s = ForEachPage<v1::Evaluation>(
      evaluations(filter), [&](const v1::Evaluation& stored) {
        v1::Evaluation e = stored;
        AddReadTimeFields(*as_of, e);
        v1::TownshipOverview& row = row_of(e.township());
        if (e.deadline_passed()) {
          row.set_rectifications_past_deadline(
              row.rectifications_past_deadline() + 1);
        } else if (e.days_left() <= within) {
          row.set_rectifications_near_deadline(
              row.rectifications_near_deadline() + 1);
        }
      });
  if (!s.ok()) return s;

  v1::YearOverview out;
  out.set_year(r.year());
  out.set_as_of(as_of_text);
  out.set_deadline_within_days(within);
  for (auto& [name, row] : rows) {
    SetFlag(row);
    *out.add_townships() = std::move(row);
  }
  return out;
}

}  // namespace evald::server
