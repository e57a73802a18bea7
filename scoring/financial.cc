#include "scoring/financial.h"

#include "absl/strings/str_cat.h"

namespace evald::scoring {
namespace {

// amount / total as a percentage with two decimals, for messages only.
std::string Share(Money amount, Money total) {
  const __int128 num = static_cast<__int128>(amount.fen()) * 10000;
  const __int128 den = total.fen();
  return absl::StrCat(
      FormatHundredths(static_cast<int64_t>((2 * num + den) / (2 * den))), "%");
}

}  // namespace

std::vector<std::string> CostStructureBreaches(const Policy& policy,
                                               const Expenditure& spent) {
  std::vector<std::string> breaches;
  const Money total = spent.Total();
  if (total.fen() == 0) {
    breaches.push_back("cost structure: total reported expenditure is zero");
    return breaches;
  }
  // Compare a/t >= p/100 as a*100 >= p*t; fen below 10^15 keeps this exact.
  const __int128 t = total.fen();
  const __int128 personnel = spent.personnel.fen();
  const __int128 with_quality = personnel + spent.service_quality.fen();
  const __int128 management = spent.management.fen();
  if (personnel * 100 < t * policy.personnel_min_percent) {
    breaches.push_back(absl::StrCat(
        "cost structure: personnel share ", Share(spent.personnel, total),
        " is below the minimum ", policy.personnel_min_percent, "%"));
  }
  if (with_quality * 100 < t * policy.personnel_plus_quality_min_percent) {
    breaches.push_back(
        absl::StrCat("cost structure: personnel + service-quality share ",
                     Share(spent.personnel + spent.service_quality, total),
                     " is below the minimum ",
                     policy.personnel_plus_quality_min_percent, "%"));
  }
  if (management * 100 > t * policy.management_max_percent) {
    breaches.push_back(
        absl::StrCat("cost structure: provider-management share ",
                     Share(spent.management, total), " is above the maximum ",
                     policy.management_max_percent, "%"));
  }
  return breaches;
}

FinancialResult EvaluateFinancial(const Policy& policy,
                                  const FinancialSubmission& submission) {
  FinancialResult result;
  if (submission.score < policy.financial_pass_mark) {
    result.reasons.push_back(absl::StrCat(
        "financial score ", submission.score.ToString(),
        " is below the pass mark ", policy.financial_pass_mark.ToString()));
  }
  for (std::string& breach :
       CostStructureBreaches(policy, submission.expenditure)) {
    result.reasons.push_back(std::move(breach));
  }
  result.passed = result.reasons.empty();
  return result;
}

}  // namespace evald::scoring
