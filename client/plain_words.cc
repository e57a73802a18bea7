#include "client/plain_words.h"

#include <regex>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace evald::client {
namespace {

// Fields of the requests and the flags evalctl gives them, in order of
// preference where a field has two (a project is --project, or --id when
// it is created).
const std::vector<std::pair<std::string, std::string>>& KnownFields() {
  static const auto* const fields =
      new std::vector<std::pair<std::string, std::string>>{
          {"result_date", "result-date"},
          {"application_date", "date"},
          {"decision_date", "date"},
          {"released_on", "date"},
          {"as_of", "as-of"},
          {"payment_reference", "reference"},
          {"due_before", "due-before"},
          {"deadline_within_days", "deadline-within"},
          {"score", "score"},
          {"code", "code"},
          {"evidence", "evidence"},
          {"reason", "reason"},
          {"veto_id", "veto-id"},
          {"project_id", "project"},
          {"project_id", "id"},
          {"evaluation.project_id", "project"},
          {"evaluation.year", "year"},
          {"evaluation.phase", "phase"},
          {"township", "township"},
          {"provider", "provider"},
          {"agency", "agency"},
          {"villages", "villages"},
          {"start_date", "start"},
          {"annual_fund_fen", "fund"},
          {"years", "years"},
          {"name", "name"},
          {"year", "year"},
          {"kind", "kind"},
          {"state", "state"},
          {"role", "role"},
          {"organisation", "organisation"},
          {"expenditure.personnel_fen", "personnel"},
          {"expenditure.service_quality_fen", "service-quality"},
          {"expenditure.management_fen", "management"},
          {"expenditure.other_fen", "other"},
      };
  return *fields;
}

// What each role is, in a sentence.
std::string RolePhrase(const std::string& role) {
  static const auto* const roles = new std::map<std::string, std::string>{
      {"agency", "an evaluation agency"},
      {"township", "a township"},
      {"village", "a village committee"},
      {"bureau", "the bureau"},
      {"provider", "a provider"},
      {"finance", "finance"},
      {"admin", "an admin"},
  };
  auto it = roles->find(role);
  return it == roles->end() ? absl::StrCat("role ", role) : it->second;
}

// What each RPC does, as "cannot ..." finishes it.
std::string MethodPhrase(const std::string& method) {
  static const auto* const methods = new std::map<std::string, std::string>{
      {"CreateProject", "create projects"},
      {"AssignAgency", "assign agencies"},
      {"GetProject", "read projects"},
      {"ListProjects", "list projects"},
      {"SubmitProfessionalScore", "submit scores"},
      {"SubmitFinancialEvaluation", "submit financial evaluations"},
      {"RaiseVeto", "raise veto findings"},
      {"ConfirmVeto", "confirm veto findings"},
      {"DismissVeto", "dismiss veto findings"},
      {"FinalizeEvaluation", "finalise evaluations"},
      {"ApplyRectification", "apply for re-evaluation"},
      {"DecideReevaluation", "decide re-evaluations"},
      {"ExpireRectification", "record lapsed rectifications"},
      {"ReopenEvaluation", "reopen evaluations"},
      {"GetEvaluation", "read evaluations"},
      {"ListEvaluations", "list evaluations"},
      {"ListLateParties", "list late parties"},
      {"ListDisbursements", "list tranches"},
      {"ReleaseDisbursement", "record payments"},
      {"CorrectRelease", "correct payments"},
      {"GetSummary", "read the summary"},
      {"GetYearOverview", "read the year overview"},
      {"ListAuditEvents", "read the audit log"},
      {"GetPolicy", "read the policy"},
      {"WhoAmI", "ask who it is"},
      {"CreatePrincipal", "issue tokens"},
      {"ListPrincipals", "list principals"},
      {"RevokePrincipal", "revoke tokens"},
      {"CreateOrganisation", "register organisations"},
      {"RenameOrganisation", "rename organisations"},
      {"RetireOrganisation", "retire organisations"},
      {"ListOrganisations", "list organisations"},
      {"ListEvents", "read the event feed"},
      {"WatchEvents", "watch the event feed"},
      {"CreateBackup", "make backups"},
      {"ListWebhookDeliveries", "list webhook deliveries"},
      {"RedeliverWebhooks", "redeliver webhooks"},
  };
  auto it = methods->find(method);
  return it == methods->end() ? absl::StrCat("call ", method) : it->second;
}

}  // namespace

std::map<std::string, std::string> FieldFlags(
    const std::set<std::string>& flags) {
  std::map<std::string, std::string> out;
  for (const auto& [field, flag] : KnownFields()) {
    if (flags.count(flag) && !out.count(field)) {
      out[field] = absl::StrCat("--", flag);
    }
  }
  return out;
}

std::string PlainWords(absl::string_view message,
                       const std::map<std::string, std::string>& field_flags) {
  static const std::regex* const kMayNotCall = new std::regex(
      "^principal (\\S+) \\(role (\\w+)\\) may not call (\\w+)$");
  std::smatch m;
  const std::string text(message);
  if (std::regex_match(text, m, *kMayNotCall)) {
    return absl::StrCat(RolePhrase(m[2]), " cannot ", MethodPhrase(m[3]),
                        " (principal ", m[1].str(), ")");
  }
  const size_t colon = text.find(": ");
  if (colon != std::string::npos) {
    auto it = field_flags.find(text.substr(0, colon));
    if (it != field_flags.end()) {
      return absl::StrCat(it->second, text.substr(colon));
    }
  }
  return text;
}

}  // namespace evald::client
