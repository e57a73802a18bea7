#include "scoring/phase_result.h"

#include "absl/strings/str_cat.h"

namespace evald::scoring {

const char* OutcomeCode(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "PASS";
    case Outcome::kFailRectifiable:
      return "FAIL_RECTIFIABLE";
    case Outcome::kFailFinal:
      return "FAIL_FINAL";
    case Outcome::kPassAfterRectification:
      return "PASS_AFTER_RECTIFICATION";
  }
  return "UNKNOWN";
}

PhaseResult DecidePhaseResult(const Policy& policy, const PhaseInputs& in) {
  PhaseResult r;
  r.professional = in.professional;
  r.grade = in.professional.grade;
  r.financial = EvaluateFinancial(policy, in.financial);

  bool professional_veto = false;
  bool financial_veto = false;
  bool non_curable_veto = false;
  std::vector<std::string> veto_reasons;
  for (const ConfirmedVeto& veto : in.confirmed_vetoes) {
    const VetoRule* rule = policy.FindVeto(veto.kind, veto.code);
    const bool curable = rule != nullptr && rule->curable;
    non_curable_veto |= !curable;
    const bool professional = veto.kind == VetoKind::kProfessional;
    (professional ? professional_veto : financial_veto) = true;
    std::string reason =
        absl::StrCat(professional ? "professional" : "financial", " veto ",
                     veto.code, curable ? " (curable)" : " (not curable)");
    if (rule != nullptr) absl::StrAppend(&reason, ": ", rule->title_en);
    if (professional) {
      veto_reasons.push_back(std::move(reason));
    } else {
      r.financial.reasons.push_back(std::move(reason));
    }
  }
  if (financial_veto) r.financial.passed = false;

  if (professional_veto) r.grade = Grade::kUnqualified;
  r.professional_passed = r.grade != Grade::kUnqualified;

  if (!r.professional_passed) {
    for (std::string& reason : veto_reasons) r.reasons.push_back(reason);
    if (in.professional.grade == Grade::kUnqualified) {
      r.reasons.push_back(absl::StrCat(
          "professional-service score ", r.professional.rounded.ToString(),
          " is below ", policy.qualified_min.ToString(), " (",
          GradeNameZh(Grade::kUnqualified), ")"));
    }
  }
  for (const std::string& reason : r.financial.reasons) {
    r.reasons.push_back(reason);
  }

  if (r.professional_passed && r.financial.passed) {
    r.outcome = Outcome::kPass;
  } else {
    const bool rectifiable =
        (r.professional_passed || in.professional_rectifiable) &&
        (r.financial.passed || in.financial.rectifiable) && !non_curable_veto;
    r.outcome = rectifiable ? Outcome::kFailRectifiable : Outcome::kFailFinal;
  }
  return r;
}

}  // namespace evald::scoring
