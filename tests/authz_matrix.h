// The authorization matrix as documented (docs/api.md, docs/security.md),
// written out once for every test that checks it -- over gRPC in-process
// (service_authz_test.cc), against the real binary (security_test.cc) and
// over HTTP -- independently of server/authz.cc, so that a change to
// either is caught.

#ifndef EVALD_TESTS_AUTHZ_MATRIX_H_
#define EVALD_TESTS_AUTHZ_MATRIX_H_

#include <map>
#include <set>
#include <string>

namespace evald::testing {

// "own" roles must be related to the project; the others see every project.
struct Expected {
  std::set<std::string> roles;
  bool project_scoped;
};

inline const std::map<std::string, Expected>& DocumentedMatrix() {
  static const auto* const m = new std::map<std::string, Expected>{
      {"CreateProject", {{"bureau", "admin"}, false}},
      {"AssignAgency", {{"bureau", "admin"}, true}},
      {"GetProject",
       {{"agency", "township", "village", "bureau", "provider", "finance",
         "admin"},
        true}},
      {"ListProjects",
       {{"agency", "township", "village", "bureau", "provider", "finance",
         "admin"},
        false}},
      {"SubmitProfessionalScore",
       {{"agency", "township", "village", "bureau"}, true}},
      {"SubmitFinancialEvaluation", {{"agency"}, true}},
      {"RaiseVeto", {{"agency", "bureau"}, true}},
      {"ConfirmVeto", {{"bureau"}, true}},
      {"DismissVeto", {{"bureau"}, true}},
      {"FinalizeEvaluation", {{"bureau"}, true}},
      {"ApplyRectification", {{"provider"}, true}},
      {"DecideReevaluation", {{"agency", "bureau"}, true}},
      {"ExpireRectification", {{"bureau"}, true}},
      {"ReopenEvaluation", {{"bureau"}, true}},
      {"GetEvaluation",
       {{"agency", "township", "village", "bureau", "provider", "admin"},
        true}},
      {"ListEvaluations",
       {{"agency", "township", "village", "bureau", "provider", "admin"},
        false}},
      // With a project named, as GetEvaluation: an outsider is refused.
      {"ListLateParties",
       {{"agency", "township", "village", "bureau", "provider", "admin"},
        true}},
      {"ListDisbursements",
       {{"township", "bureau", "provider", "finance", "admin"}, false}},
      {"ReleaseDisbursement", {{"finance"}, true}},
      {"CorrectRelease", {{"finance"}, true}},
      {"GetSummary", {{"township", "bureau", "finance", "admin"}, false}},
      {"GetYearOverview", {{"township", "bureau", "finance", "admin"}, false}},
      {"ListAuditEvents", {{"bureau", "admin"}, true}},
      {"GetPolicy",
       {{"agency", "township", "village", "bureau", "provider", "finance",
         "admin"},
        false}},
      {"WhoAmI",
       {{"agency", "township", "village", "bureau", "provider", "finance",
         "admin"},
        false}},
      {"CreatePrincipal", {{"admin"}, false}},
      {"ListPrincipals", {{"admin"}, false}},
      {"RevokePrincipal", {{"admin"}, false}},
      {"CreateOrganisation", {{"bureau", "admin"}, false}},
      {"RenameOrganisation", {{"bureau", "admin"}, false}},
      {"RetireOrganisation", {{"bureau", "admin"}, false}},
      // Every role, each seeing what it has a part in (feed_events.h).
      {"ListEvents",
       {{"agency", "township", "village", "bureau", "provider", "finance",
         "admin"},
        false}},
      {"WatchEvents",
       {{"agency", "township", "village", "bureau", "provider", "finance",
         "admin"},
        false}},
      {"CreateBackup", {{"admin"}, false}},
      {"ListWebhookDeliveries", {{"admin"}, false}},
      {"RedeliverWebhooks", {{"admin"}, false}},
      {"ListOrganisations",
       {{"agency", "township", "village", "bureau", "provider", "finance",
         "admin"},
        false}},
  };
  return *m;
}

}  // namespace evald::testing

#endif  // EVALD_TESTS_AUTHZ_MATRIX_H_
