// The financial evaluation (RULES.md §5).
//
// The third-party agency submits a financial score and the period's
// expenditure breakdown in fen; the service itself checks the cost structure
// (personnel ≥ 70 %, personnel + service quality ≥ 85 %, provider management
// ≤ 15 % of the total, thresholds from the policy).

#ifndef EVALD_SCORING_FINANCIAL_H_
#define EVALD_SCORING_FINANCIAL_H_

#include <string>
#include <vector>

#include "scoring/decimal.h"
#include "scoring/policy.h"

namespace evald::scoring {

struct Expenditure {
  Money personnel;
  Money service_quality;
  Money management;
  Money other;

  Money Total() const {
    return personnel + service_quality + management + other;
  }
};

struct FinancialSubmission {
  Score score;
  Expenditure expenditure;
  // The agency's judgement that a failure can be rectified to pass.
  bool rectifiable = false;
};

struct FinancialResult {
  bool passed = false;
  // One entry per failure, each naming its rule and the figures, e.g.
  // "personnel share 65.00% is below the minimum 70%". Empty iff passed and
  // no financial veto is confirmed.
  std::vector<std::string> reasons;
};

// Checks the cost structure alone; one reason per breach. Shares are
// compared exactly (amount × 100 against threshold × total). A zero total
// is a breach of its own: there is no structure to check.
std::vector<std::string> CostStructureBreaches(const Policy& policy,
                                               const Expenditure& spent);

// Score against the pass mark, plus the cost structure. Confirmed financial
// vetoes are added by the phase result, not here.
FinancialResult EvaluateFinancial(const Policy& policy,
                                  const FinancialSubmission& submission);

}  // namespace evald::scoring

#endif  // EVALD_SCORING_FINANCIAL_H_
