// Engine's mutations: each is the one write path (engine_write.cc) with its
// method name, and a reply carrying its read-time fields.

#include "server/engine.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/authz.h"
#include "server/commands.h"
#include "server/read_time.h"

namespace evald::server {
namespace {

template <typename Record>
absl::StatusOr<Record> AsOf(scoring::Date today, absl::StatusOr<Record> reply) {
  if (reply.ok()) AddReadTimeFields(today, *reply);
  return reply;
}

}  // namespace

Engine::Engine(storage::Store* store, PolicySet policies,
               scoring::WorkingDayCalendar calendar,
               std::function<absl::Time()> now)
    : store_(store),
      policies_(std::move(policies)),
      calendar_(std::move(calendar)),
      applier_(&policies_, &calendar_),
      now_(std::move(now)) {}

scoring::Date Engine::Today() const { return ChinaDay(now_()); }

absl::StatusOr<v1::Project> Engine::VisibleProject(
    const Principal& who, const std::string& id) const {
  absl::StatusOr<std::optional<v1::Project>> p = store_->GetProject(id);
  if (!p.ok()) return p.status();
  if (!*p)
    return absl::NotFoundError(absl::StrCat("project ", id, " not found"));
  if (absl::Status s = AuthorizeProject(who, **p); !s.ok()) return s;
  return *std::move(*p);
}

absl::StatusOr<v1::Project> Engine::CreateProject(
    const Principal& who, const v1::CreateProjectRequest& r) {
  return Mutate<v1::Project>(who, "CreateProject", r);
}

absl::StatusOr<v1::Project> Engine::AssignAgency(
    const Principal& who, const v1::AssignAgencyRequest& r) {
  return Mutate<v1::Project>(who, "AssignAgency", r);
}

absl::StatusOr<v1::Evaluation> Engine::SubmitProfessionalScore(
    const Principal& who, const v1::SubmitProfessionalScoreRequest& r) {
  return AsOf(Today(),
              Mutate<v1::Evaluation>(who, "SubmitProfessionalScore", r));
}

absl::StatusOr<v1::Evaluation> Engine::SubmitFinancialEvaluation(
    const Principal& who, const v1::SubmitFinancialEvaluationRequest& r) {
  return AsOf(Today(),
              Mutate<v1::Evaluation>(who, "SubmitFinancialEvaluation", r));
}

absl::StatusOr<v1::Evaluation> Engine::RaiseVeto(
    const Principal& who, const v1::RaiseVetoRequest& r) {
  return AsOf(Today(), Mutate<v1::Evaluation>(who, "RaiseVeto", r));
}

absl::StatusOr<v1::Evaluation> Engine::ConfirmVeto(
    const Principal& who, const v1::DecideVetoRequest& r) {
  return AsOf(Today(), Mutate<v1::Evaluation>(who, "ConfirmVeto", r));
}

absl::StatusOr<v1::Evaluation> Engine::DismissVeto(
    const Principal& who, const v1::DecideVetoRequest& r) {
  return AsOf(Today(), Mutate<v1::Evaluation>(who, "DismissVeto", r));
}

absl::StatusOr<v1::Evaluation> Engine::FinalizeEvaluation(
    const Principal& who, const v1::FinalizeEvaluationRequest& r) {
  return AsOf(Today(), Mutate<v1::Evaluation>(who, "FinalizeEvaluation", r));
}

absl::StatusOr<v1::Evaluation> Engine::ApplyRectification(
    const Principal& who, const v1::ApplyRectificationRequest& r) {
  return AsOf(Today(), Mutate<v1::Evaluation>(who, "ApplyRectification", r));
}

absl::StatusOr<v1::Evaluation> Engine::DecideReevaluation(
    const Principal& who, const v1::DecideReevaluationRequest& r) {
  return AsOf(Today(), Mutate<v1::Evaluation>(who, "DecideReevaluation", r));
}

absl::StatusOr<v1::Evaluation> Engine::ExpireRectification(
    const Principal& who, const v1::ExpireRectificationRequest& r) {
  return AsOf(Today(), Mutate<v1::Evaluation>(who, "ExpireRectification", r));
}

absl::StatusOr<v1::Evaluation> Engine::ReopenEvaluation(
    const Principal& who, const v1::ReopenEvaluationRequest& r) {
  return AsOf(Today(), Mutate<v1::Evaluation>(who, "ReopenEvaluation", r));
}

absl::StatusOr<v1::Disbursement> Engine::ReleaseDisbursement(
    const Principal& who, const v1::ReleaseDisbursementRequest& r) {
  return AsOf(Today(), Mutate<v1::Disbursement>(who, "ReleaseDisbursement", r));
}

absl::StatusOr<v1::Disbursement> Engine::CorrectRelease(
    const Principal& who, const v1::CorrectReleaseRequest& r) {
  return AsOf(Today(), Mutate<v1::Disbursement>(who, "CorrectRelease", r));
}

absl::StatusOr<v1::CreatePrincipalResponse> Engine::CreatePrincipal(
    const Principal& who, const v1::CreatePrincipalRequest& r) {
  return Mutate<v1::CreatePrincipalResponse>(who, "CreatePrincipal", r);
}

absl::StatusOr<v1::PrincipalInfo> Engine::RevokePrincipal(
    const Principal& who, const v1::RevokePrincipalRequest& r) {
  return Mutate<v1::PrincipalInfo>(who, "RevokePrincipal", r);
}

absl::StatusOr<v1::Organisation> Engine::CreateOrganisation(
    const Principal& who, const v1::CreateOrganisationRequest& r) {
  return Mutate<v1::Organisation>(who, "CreateOrganisation", r);
}

absl::StatusOr<v1::Organisation> Engine::RenameOrganisation(
    const Principal& who, const v1::RenameOrganisationRequest& r) {
  return Mutate<v1::Organisation>(who, "RenameOrganisation", r);
}

absl::StatusOr<v1::Organisation> Engine::RetireOrganisation(
    const Principal& who, const v1::RetireOrganisationRequest& r) {
  return Mutate<v1::Organisation>(who, "RetireOrganisation", r);
}

absl::StatusOr<v1::ListOrganisationsResponse> Engine::ListOrganisations(
    const Principal& who, const v1::ListOrganisationsRequest& r) const {
  if (absl::Status s = AuthorizeMethod("ListOrganisations", who); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::vector<v1::Organisation>> all =
      store_->ListOrganisations();
  if (!all.ok()) return all.status();
  v1::ListOrganisationsResponse out;
  for (v1::Organisation& o : *all) {
    if (r.kind() != v1::ORGANISATION_KIND_UNSPECIFIED && o.kind() != r.kind()) {
      continue;
    }
    if (!r.township().empty() && o.township() != r.township()) continue;
    if (o.retired() && !r.include_retired()) continue;
    if (r.placeholders_only() && !o.placeholder()) continue;
    *out.add_organisations() = std::move(o);
  }
  return out;
}

absl::StatusOr<v1::ListPrincipalsResponse> Engine::ListPrincipals(
    const Principal& who, const v1::ListPrincipalsRequest&) const {
  if (absl::Status s = AuthorizeMethod("ListPrincipals", who); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::vector<storage::PrincipalRecord>> all =
      store_->ListPrincipals();
  if (!all.ok()) return all.status();
  v1::ListPrincipalsResponse out;
  for (const storage::PrincipalRecord& p : *all) {
    *out.add_principals() = InfoOf(p);
  }
  return out;
}

absl::StatusOr<v1::PrincipalInfo> Engine::WhoAmI(
    const Principal& who, const v1::WhoAmIRequest&) const {
  if (absl::Status s = AuthorizeMethod("WhoAmI", who); !s.ok()) return s;
  v1::PrincipalInfo out;
  out.set_name(who.name);
  out.set_role(RoleName(who.role));
  out.set_organisation(who.organisation);
  return out;
}

}  // namespace evald::server
