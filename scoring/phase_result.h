// The result of one evaluation phase (RULES.md §4, §5, §6).
//
// PASS when the professional-service result is QUALIFIED or better and the
// financial evaluation passes; otherwise FAIL, rectifiable when every failed
// part is marked rectifiable by the agency and no confirmed veto is
// non-curable. A confirmed professional veto makes the professional result
// UNQUALIFIED whatever S is; a confirmed financial veto fails the financial
// part whatever its score.

#ifndef EVALD_SCORING_PHASE_RESULT_H_
#define EVALD_SCORING_PHASE_RESULT_H_

#include <string>
#include <vector>

#include "scoring/financial.h"
#include "scoring/policy.h"
#include "scoring/professional_score.h"

namespace evald::scoring {

// kPassAfterRectification is never decided by DecidePhaseResult: the state
// machine gives it to a phase whose re-evaluation passed (RULES.md §8).
enum class Outcome {
  kPass,
  kFailRectifiable,
  kFailFinal,
  kPassAfterRectification,
};

// "PASS", "FAIL_RECTIFIABLE", "FAIL_FINAL", "PASS_AFTER_RECTIFICATION".
const char* OutcomeCode(Outcome outcome);

// A veto finding the bureau has confirmed, as the result needs it.
struct ConfirmedVeto {
  VetoKind kind = VetoKind::kProfessional;
  std::string code;
};

struct PhaseInputs {
  ProfessionalScore professional;
  // The agency's "can be rectified to pass" mark on its professional score.
  bool professional_rectifiable = false;
  FinancialSubmission financial;
  std::vector<ConfirmedVeto> confirmed_vetoes;
};

struct PhaseResult {
  ProfessionalScore professional;
  // The grade after vetoes: UNQUALIFIED when a professional veto stands.
  Grade grade = Grade::kUnqualified;
  bool professional_passed = false;
  FinancialResult financial;
  Outcome outcome = Outcome::kFailFinal;
  // Every reason the phase failed, professional ones first; empty on PASS.
  std::vector<std::string> reasons;
  // While the result is provisional (the phase is SCORED): what the veto
  // findings still awaiting the bureau's decision would do if confirmed.
  // The outcome above counts only confirmed findings.
  std::vector<std::string> pending;
};

// Decides the phase result. Precondition: every confirmed veto's code is in
// `policy`'s catalogue of its kind (the state machine checks this when the
// finding is raised); an unknown code counts as non-curable.
PhaseResult DecidePhaseResult(const Policy& policy, const PhaseInputs& in);

}  // namespace evald::scoring

#endif  // EVALD_SCORING_PHASE_RESULT_H_
