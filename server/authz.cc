#include "server/authz.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace evald::server {

const std::vector<MatrixRow>& AuthorizationMatrix() {
  using R = Role;
  static const auto* const matrix = new std::vector<MatrixRow>{
      {"CreateProject", {R::kBureau, R::kAdmin}},
      {"AssignAgency", {R::kBureau, R::kAdmin}},
      {"GetProject",
       {R::kAgency, R::kTownship, R::kVillage, R::kBureau, R::kProvider,
        R::kFinance, R::kAdmin}},
      {"ListProjects",
       {R::kAgency, R::kTownship, R::kVillage, R::kBureau, R::kProvider,
        R::kFinance, R::kAdmin}},
      {"SubmitProfessionalScore",
       {R::kAgency, R::kTownship, R::kVillage, R::kBureau}},
      {"SubmitFinancialEvaluation", {R::kAgency}},
      {"RaiseVeto", {R::kAgency, R::kBureau}},
      {"ConfirmVeto", {R::kBureau}},
      {"DismissVeto", {R::kBureau}},
      {"FinalizeEvaluation", {R::kBureau}},
      {"ApplyRectification", {R::kProvider}},
      {"DecideReevaluation", {R::kAgency, R::kBureau}},
      {"ExpireRectification", {R::kBureau}},
      {"ReopenEvaluation", {R::kBureau}},
      {"GetEvaluation",
       {R::kAgency, R::kTownship, R::kVillage, R::kBureau, R::kProvider,
        R::kAdmin}},
      {"ListEvaluations",
       {R::kAgency, R::kTownship, R::kVillage, R::kBureau, R::kProvider,
        R::kAdmin}},
      {"ListLateParties",
       {R::kAgency, R::kTownship, R::kVillage, R::kBureau, R::kProvider,
        R::kAdmin}},
      {"ListDisbursements",
       {R::kTownship, R::kBureau, R::kProvider, R::kFinance, R::kAdmin}},
      {"ReleaseDisbursement", {R::kFinance}},
      {"CorrectRelease", {R::kFinance}},
      {"GetSummary", {R::kTownship, R::kBureau, R::kFinance, R::kAdmin}},
      {"GetYearOverview", {R::kTownship, R::kBureau, R::kFinance, R::kAdmin}},
      {"ListAuditEvents", {R::kBureau, R::kAdmin}},
      {"CreatePrincipal", {R::kAdmin}},
      {"ListPrincipals", {R::kAdmin}},
      {"WhoAmI",
       {R::kAgency, R::kTownship, R::kVillage, R::kBureau, R::kProvider,
        R::kFinance, R::kAdmin}},
      {"RevokePrincipal", {R::kAdmin}},
      {"CreateOrganisation", {R::kBureau, R::kAdmin}},
      {"RenameOrganisation", {R::kBureau, R::kAdmin}},
      {"RetireOrganisation", {R::kBureau, R::kAdmin}},
      {"ListEvents",
       {R::kAgency, R::kTownship, R::kVillage, R::kBureau, R::kProvider,
        R::kFinance, R::kAdmin}},
      {"WatchEvents",
       {R::kAgency, R::kTownship, R::kVillage, R::kBureau, R::kProvider,
        R::kFinance, R::kAdmin}},
      {"CreateBackup", {R::kAdmin}},
      {"ListWebhookDeliveries", {R::kAdmin}},
      {"RedeliverWebhooks", {R::kAdmin}},
      {"ListOrganisations",
       {R::kAgency, R::kTownship, R::kVillage, R::kBureau, R::kProvider,
        R::kFinance, R::kAdmin}},
      {"GetPolicy",
       {R::kAgency, R::kTownship, R::kVillage, R::kBureau, R::kProvider,
        R::kFinance, R::kAdmin}},
  };
  return *matrix;
}

absl::Status AuthorizeMethod(absl::string_view method, const Principal& who) {
  for (const MatrixRow& row : AuthorizationMatrix()) {
    if (method == row.method) {
      if (row.roles.count(who.role)) return absl::OkStatus();
      break;
    }
  }
  return absl::PermissionDeniedError(absl::StrCat("principal ", who.name,
                                                  " (role ", RoleName(who.role),
                                                  ") may not call ", method));
}

bool SeesEveryProject(const Principal& who) {
  return who.role == Role::kBureau || who.role == Role::kFinance ||
         who.role == Role::kAdmin;
}

bool RelatedTo(const Principal& who, const evaluation::v1::Project& project) {
  if (SeesEveryProject(who)) return true;
  switch (who.role) {
    case Role::kBureau:
    case Role::kFinance:
    case Role::kAdmin:
      return true;
    case Role::kTownship:
      return project.township() == who.organisation;
    case Role::kProvider:
      return project.provider() == who.organisation;
    case Role::kAgency:
      return !project.agency().empty() && project.agency() == who.organisation;
    case Role::kVillage:
      return std::find(project.villages().begin(), project.villages().end(),
                       who.organisation) != project.villages().end();
  }
  return false;
}

absl::Status AuthorizeProject(const Principal& who,
                              const evaluation::v1::Project& project) {
  if (RelatedTo(who, project)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "principal ", who.name, " (", RoleName(who.role), " ", who.organisation,
      ") has no part in project ", project.project_id()));
}

}  // namespace evald::server
