// The rule set as data (RULES.md, preamble and every [default]).
//
// A Policy is loaded from protobuf text format (evaluation.v1.Policy, see
// proto/evaluation/v1/policy.proto and docs/policy.md), validated, and then
// read by every decision in scoring/. Every evaluation records the id of the
// policy it was computed under, so changing the rules never silently
// rewrites a past result.

#ifndef EVALD_SCORING_POLICY_H_
#define EVALD_SCORING_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "evaluation/v1/policy.pb.h"
#include "scoring/date.h"
#include "scoring/decimal.h"

namespace evald::scoring {

// Which part of a phase a veto finding attacks (RULES.md §4, §5).
enum class VetoKind { kProfessional, kFinancial };

// How S and the village part are rounded (RULES.md §3 [default]).
enum class Rounding { kHalfUp, kHalfEven };

struct VetoRule {
  std::string code;
  std::string title_zh;
  std::string title_en;
  bool curable = false;
};

struct Policy {
  std::string id;
  Date effective_date;
  std::string source;

  // RULES.md §3: whole percentages of S, summing to 100.
  int third_party_percent = 0;
  int township_percent = 0;
  int village_percent = 0;
  int bureau_percent = 0;

  // RULES.md §3: lower bounds (inclusive) on the rounded S.
  Score excellent_min;
  Score good_min;
  Score qualified_min;

  // RULES.md §5.
  Score financial_pass_mark;
  int personnel_min_percent = 0;
  int personnel_plus_quality_min_percent = 0;
  int management_max_percent = 0;

  // RULES.md §4, §5.
  std::vector<VetoRule> professional_vetoes;
  std::vector<VetoRule> financial_vetoes;

  // RULES.md §7.
  int year_start_percent = 0;
  int mid_term_percent = 0;
  int final_percent = 0;
  int rectification_calendar_days = 0;
  int payment_working_days = 0;
  int rectified_payment_working_days = 0;
  int year_start_payment_working_days = 0;

  // RULES.md §2.
  Money annual_fund_per_staff;
  int contract_years = 0;

  // RULES.md §3 [default]: the bounds of every score, the decimals a score
  // may have (0, 1 or 2) and that S and the village part are rounded to.
  Score score_min;
  Score score_max;
  int score_decimals = 2;
  Rounding rounding = Rounding::kHalfUp;

  // RULES.md §3 [default]: whole months after a service year's start when
  // each phase's evaluation opens.
  int mid_term_opens_after_months = 0;
  int final_opens_after_months = 0;

  // The inclusive range of contract start dates.
  Date earliest_start;
  Date latest_start;

  // The message it was loaded from, for display ("policy show").
  evaluation::v1::Policy proto;

  // The catalogue entry for `code`, or nullptr if the code is not in the
  // catalogue of `kind`.
  const VetoRule* FindVeto(VetoKind kind, absl::string_view code) const;

  // OK iff `score` lies in [score_min, score_max] and has at most
  // score_decimals decimals; otherwise InvalidArgument naming `field`, e.g.
  // `score: "100.01" is above the maximum 100.00`.
  absl::Status CheckScore(Score score, absl::string_view field) const;

  // num / den hundredths (den > 0, num >= 0), rounded to score_decimals
  // decimals by `rounding`: how S and the village part are rounded.
  Score RoundScore(int64_t num, int64_t den) const;
};

// Converts and validates a policy message. On failure the status is
// InvalidArgument and its message lists every violation by field name, e.g.
// "policy \"x\": weights: percentages sum to 90, want 100; tranches: ...".
absl::StatusOr<Policy> PolicyFromProto(const evaluation::v1::Policy& proto);

// Parses protobuf text format, then PolicyFromProto. Syntax errors name the
// line and column.
absl::StatusOr<Policy> ParsePolicyText(absl::string_view text);

// The default policy "nansha-2019" built into the binary
// (data/policies/nansha-2019.textproto).
const Policy& BuiltInPolicy();

}  // namespace evald::scoring

#endif  // EVALD_SCORING_POLICY_H_
