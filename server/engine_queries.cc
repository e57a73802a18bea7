// The read side of Engine: lookups and lists. Reads take no locks.

#include <functional>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "server/authz.h"
#include "server/commands.h"
#include "server/convert.h"
#include "server/engine.h"
#include "server/organisations.h"
#include "server/read_time.h"
#include "server/validate.h"

namespace evald::server {
namespace {

// The projects the records of one list belong to, each read once per
// request: whether `who` may see them, and whether they are terminated.
class ProjectCache {
 public:
  ProjectCache(const storage::Store* store, const Principal& who)
      : store_(store), who_(who) {}

  bool Visible(const std::string& project_id) {
    if (SeesEveryProject(who_)) return true;
    const v1::Project* p = Get(project_id);
    return p != nullptr && RelatedTo(who_, *p);
  }

  bool Terminated(const std::string& project_id) {
    const v1::Project* p = Get(project_id);
    return p != nullptr && p->terminated();
  }

 private:
  const v1::Project* Get(const std::string& project_id) {
    auto it = cache_.find(project_id);
    if (it == cache_.end()) {
      absl::StatusOr<std::optional<v1::Project>> p =
          store_->GetProject(project_id);
      it = cache_.emplace(project_id, p.ok() ? *std::move(p) : std::nullopt)
               .first;
    }
    return it->second ? &*it->second : nullptr;
  }

  const storage::Store* store_;
  const Principal& who_;
  std::map<std::string, std::optional<v1::Project>> cache_;
};

absl::Status ValidateOptionalId(absl::string_view field,
                                absl::string_view value) {
  return value.empty() ? absl::OkStatus() : ValidateId(field, value);
}

// The project, township, year and phase filters both evaluation lists take.
template <typename Request>
storage::EvaluationFilter FilterOf(const Request& r) {
  storage::EvaluationFilter filter;
  filter.project_id = r.project_id();
  filter.township = r.township();
  filter.year = r.year();
  filter.phase = r.phase();
  return filter;
}

absl::Status ValidatePageSize(int page_size) {
  if (page_size < 0 || page_size > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: ", page_size, " is not in [0, 1000]"));
  }
  return absl::OkStatus();
}

// Evaluations matching `filter` and `also` that `who` may see (validates
// the filter; a township is confined to its own township).
absl::StatusOr<storage::Page<v1::Evaluation>> VisibleEvaluations(
    const storage::Store* store, const Principal& who,
    storage::EvaluationFilter filter, int page_size,
    const std::string& page_token,
    const std::function<bool(const v1::Evaluation&, ProjectCache&)>& also) {
  if (absl::Status s = ValidateOptionalId("project_id", filter.project_id);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateOptionalId("township", filter.township);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidatePageSize(page_size); !s.ok()) return s;
  // A township only ever sees its own: let the index do the filtering.
  if (who.role == Role::kTownship && filter.township.empty()) {
    filter.township = who.organisation;
  }
  ProjectCache projects(store, who);
  return store->ListEvaluations(
      filter, page_size, page_token, [&](const v1::Evaluation& e) {
        return also(e, projects) && projects.Visible(e.project_id());
      });
}

}  // namespace

absl::StatusOr<v1::Project> Engine::GetProject(
    const Principal& who, const v1::GetProjectRequest& r) const {
  if (absl::Status s = AuthorizeMethod("GetProject", who); !s.ok()) return s;
  if (absl::Status s = ValidateId("project_id", r.project_id()); !s.ok())
    return s;
  return VisibleProject(who, r.project_id());
}

absl::StatusOr<v1::ListProjectsResponse> Engine::ListProjects(
    const Principal& who, const v1::ListProjectsRequest& r) const {
  if (absl::Status s = AuthorizeMethod("ListProjects", who); !s.ok()) return s;
  if (absl::Status s = ValidateOptionalId("township", r.township()); !s.ok())
    return s;
  if (absl::Status s = ValidatePageSize(r.page_size()); !s.ok()) return s;
  auto page = store_->ListProjects(
      r.township(), r.page_size(), r.page_token(),
      [&](const v1::Project& p) { return RelatedTo(who, p); });
  if (!page.ok()) return page.status();
  v1::ListProjectsResponse out;
  out.mutable_projects()->Swap(&page->items);
  out.set_next_page_token(page->next_page_token);
  return out;
}

absl::StatusOr<v1::Evaluation> Engine::GetEvaluation(
    const Principal& who, const v1::GetEvaluationRequest& r) const {
  if (absl::Status s = AuthorizeMethod("GetEvaluation", who); !s.ok()) return s;
  if (absl::Status s = ValidateRef(r.evaluation()); !s.ok()) return s;
  const v1::EvaluationRef& ref = r.evaluation();
  auto e = store_->GetEvaluation(ref.project_id(), ref.year(), ref.phase());
  if (!e.ok()) return e.status();
  if (!*e || !SeesEveryProject(who)) {
    // The project decides what the caller may see, and whether the answer
    // is "no such project" or "no such evaluation".
    absl::StatusOr<v1::Project> project = VisibleProject(who, ref.project_id());
    if (!project.ok()) return project.status();
  }
  if (!*e) {
    return absl::NotFoundError(
        absl::StrCat("project ", ref.project_id(), " has no ",
                     scoring::PhaseName(*FromProto(ref.phase())),
                     " evaluation in year ", ref.year()));
  }
  AddReadTimeFields(Today(), **e);
  return *std::move(*e);
}

absl::StatusOr<v1::ListEvaluationsResponse> Engine::ListEvaluations(
    const Principal& who, const v1::ListEvaluationsRequest& r) const {
  if (absl::Status s = AuthorizeMethod("ListEvaluations", who); !s.ok()) {
    return s;
  }
  absl::StatusOr<scoring::Date> as_of =
      ParseDateOr("as_of", r.as_of(), Today());
  if (!as_of.ok()) return as_of.status();
  storage::EvaluationFilter filter = FilterOf(r);
  filter.state = r.state();
  const bool by_deadline = r.lapsed_only() || r.deadline_within_days() != 0;
  if (r.deadline_within_days() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "deadline_within_days: ", r.deadline_within_days(), " is negative"));
  }
  if (by_deadline) {
    if (filter.state != v1::EVALUATION_STATE_UNSPECIFIED &&
        filter.state != v1::RECTIFYING) {
      return absl::InvalidArgumentError(
          "state: deadlines are those of RECTIFYING phases; leave state out "
          "or give RECTIFYING");
    }
    filter.state = v1::RECTIFYING;
  }
  auto page =
      VisibleEvaluations(store_, who, filter, r.page_size(), r.page_token(),
                         [&](const v1::Evaluation& e, ProjectCache&) {
                           if (!by_deadline) return true;
                           v1::Evaluation read = e;
                           AddReadTimeFields(*as_of, read);
                           if (r.lapsed_only() && !read.deadline_passed())
                             return false;
                           if (r.deadline_within_days() != 0 &&
                               (read.deadline_passed() ||
                                read.days_left() > r.deadline_within_days())) {
                             return false;
                           }
                           return true;
                         });
  if (!page.ok()) return page.status();
  v1::ListEvaluationsResponse out;
  for (v1::Evaluation& e : page->items) AddReadTimeFields(*as_of, e);
  out.mutable_evaluations()->Swap(&page->items);
  out.set_next_page_token(page->next_page_token);
  return out;
}

absl::StatusOr<v1::ListLatePartiesResponse> Engine::ListLateParties(
    const Principal& who, const v1::ListLatePartiesRequest& r) const {
  if (absl::Status s = AuthorizeMethod("ListLateParties", who); !s.ok()) {
    return s;
  }
  absl::StatusOr<scoring::Date> as_of =
      ParseDateOr("as_of", r.as_of(), Today());
  if (!as_of.ok()) return as_of.status();
  if (!r.project_id().empty()) {
    if (absl::Status s = ValidateId("project_id", r.project_id()); !s.ok()) {
      return s;
    }
    // As GetProject: an unknown project is NotFound, not an empty list.
    absl::StatusOr<v1::Project> project = VisibleProject(who, r.project_id());
    if (!project.ok()) return project.status();
  }
  storage::EvaluationFilter filter = FilterOf(r);
  filter.state = v1::OPEN;  // only an open phase waits for submissions
  const std::string as_of_text = scoring::FormatDate(*as_of);
  auto page =
      VisibleEvaluations(store_, who, filter, r.page_size(), r.page_token(),
                         [&](const v1::Evaluation& e, ProjectCache& projects) {
                           // RULES.md §3: late only once the evaluation has
                           // opened; a terminated contract waits for nobody.
                           // Dates are YYYY-MM-DD, so text order is date order.
                           return e.opens_on() <= as_of_text &&
                                  !projects.Terminated(e.project_id());
                         });
  if (!page.ok()) return page.status();
  v1::ListLatePartiesResponse out;
  for (const v1::Evaluation& e : page->items) {
    v1::LateEntry* late = out.add_late();
    late->set_evaluation(e.name());
    late->set_project_id(e.project_id());
    late->set_township(e.township());
    late->set_year(e.year());
    late->set_phase(e.phase());
    *late->mutable_missing() = e.missing();
    late->set_opens_on(e.opens_on());
    absl::StatusOr<scoring::Date> opens = scoring::ParseDate(e.opens_on());
    if (opens.ok()) late->set_days_late(static_cast<int>(*as_of - *opens));
  }
  out.set_next_page_token(page->next_page_token);
  return out;
}

absl::StatusOr<v1::ListDisbursementsResponse> Engine::ListDisbursements(
    const Principal& who, const v1::ListDisbursementsRequest& r) const {
  if (absl::Status s = AuthorizeMethod("ListDisbursements", who); !s.ok())
    return s;
  if (absl::Status s = ValidateOptionalId("project_id", r.project_id());
      !s.ok())
    return s;
  if (absl::Status s = ValidateOptionalId("township", r.township()); !s.ok())
    return s;
  if (absl::Status s = ValidatePageSize(r.page_size()); !s.ok()) return s;
  absl::StatusOr<scoring::Date> as_of =
      ParseDateOr("as_of", r.as_of(), Today());
  if (!as_of.ok()) return as_of.status();
  if (!r.due_before().empty()) {
    if (absl::Status s = ParseDateField("due_before", r.due_before()).status();
        !s.ok()) {
      return s;
    }
  }
  storage::DisbursementFilter filter;
  filter.project_id = r.project_id();
  filter.township = r.township();
  filter.state = r.overdue_only() ? v1::DUE : r.state();
  if (who.role == Role::kTownship && filter.township.empty()) {
    filter.township = who.organisation;
  }
  ProjectCache projects(store_, who);
  auto page = store_->ListDisbursements(
      filter, r.page_size(), r.page_token(), [&](const v1::Disbursement& d) {
        if (r.year() != 0 && d.year() != r.year()) return false;
        if (r.kind() != v1::TRANCHE_KIND_UNSPECIFIED && d.kind() != r.kind()) {
          return false;
        }
        // Dates are YYYY-MM-DD: text order is date order.
        if (!r.due_before().empty() &&
            (d.due_date().empty() || d.due_date() >= r.due_before())) {
          return false;
        }
        if (!r.payment_reference().empty() &&
            d.payment_reference() != r.payment_reference()) {
          return false;
        }
        if (r.overdue_only()) {
          v1::Disbursement read = d;
          AddReadTimeFields(*as_of, read);
          if (!read.overdue()) return false;
        }
        return projects.Visible(d.project_id());
      });
  if (!page.ok()) return page.status();
  v1::ListDisbursementsResponse out;
  for (v1::Disbursement& d : page->items) AddReadTimeFields(*as_of, d);
  out.mutable_disbursements()->Swap(&page->items);
  out.set_next_page_token(page->next_page_token);
  return out;
}

absl::StatusOr<v1::Summary> Engine::GetSummary(
    const Principal& who, const v1::GetSummaryRequest& r) const {
  if (absl::Status s = AuthorizeMethod("GetSummary", who); !s.ok()) return s;
  if (absl::Status s = ValidateOptionalId("township", r.township()); !s.ok())
    return s;
  std::string township = r.township();
  if (who.role == Role::kTownship) {
    if (!township.empty() && township != who.organisation) {
      return absl::PermissionDeniedError(absl::StrCat(
          "principal ", who.name, " may only see the summary of township ",
          who.organisation));
    }
    township = who.organisation;
  }
  auto counts = store_->Summary(township, r.year());
  if (!counts.ok()) return counts.status();
  v1::Summary out;
  for (const auto& [key, values] : *counts) {
    v1::SummaryRow* row = out.add_rows();
    row->set_township(key.first);
    row->set_year(key.second);
    for (const auto& [name, n] : values) {
      if (name.rfind("state/", 0) == 0) {
        (*row->mutable_by_state())[name.substr(6)] = n;
      } else if (name.rfind("grade/", 0) == 0) {
        (*row->mutable_by_grade())[name.substr(6)] = n;
      }
    }
  }
  return out;
}

absl::StatusOr<v1::ListAuditEventsResponse> Engine::ListAuditEvents(
    const Principal& who, const v1::ListAuditEventsRequest& r) const {
  if (absl::Status s = AuthorizeMethod("ListAuditEvents", who); !s.ok())
    return s;
  if (absl::Status s = ValidateId("project_id", r.project_id()); !s.ok())
    return s;
  if (absl::Status s = ValidatePageSize(r.page_size()); !s.ok()) return s;
  if (r.project_id() != kPrincipalsStream &&
      r.project_id() != kOrganisationsStream) {
    absl::StatusOr<v1::Project> project = VisibleProject(who, r.project_id());
    if (!project.ok()) return project.status();
  }
  auto page = store_->ListAudit(r.project_id(), r.page_size(), r.page_token());
  if (!page.ok()) return page.status();
  v1::ListAuditEventsResponse out;
  out.mutable_events()->Swap(&page->items);
  out.set_next_page_token(page->next_page_token);
  return out;
}

absl::StatusOr<evaluation::v1::Policy> Engine::GetPolicy(
    const Principal& who, const v1::GetPolicyRequest& r) const {
  if (absl::Status s = AuthorizeMethod("GetPolicy", who); !s.ok()) return s;
  const scoring::Policy* policy = r.policy_id().empty()
                                      ? &policies_.Default()
                                      : policies_.Find(r.policy_id());
  if (policy == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("policy ", r.policy_id(), " is not loaded"));
  }
  return policy->proto;
}

}  // namespace evald::server
