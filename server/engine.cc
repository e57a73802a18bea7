#include "server/engine.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/audit_chain.h"
#include "common/random.h"
#include "common/sha256.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "scoring/tranche.h"
#include "server/authz.h"
#include "server/convert.h"
#include "server/validate.h"

namespace evald::server {
namespace {

// China Standard Time has had no daylight saving since 1991.
const absl::TimeZone& ChinaTime() {
  static const absl::TimeZone* const tz =
      new absl::TimeZone(absl::FixedTimeZone(8 * 3600));
  return *tz;
}

std::string DeterministicBytes(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// Which scoring party a role submits as.
absl::StatusOr<scoring::Party> PartyOf(const Principal& who) {
  switch (who.role) {
    case Role::kAgency:
      return scoring::Party::kThirdParty;
    case Role::kTownship:
      return scoring::Party::kTownship;
    case Role::kVillage:
      return scoring::Party::kVillage;
    case Role::kBureau:
      return scoring::Party::kBureau;
    default:
      return absl::PermissionDeniedError(absl::StrCat(
          "role ", RoleName(who.role), " does not score evaluations"));
  }
}

std::string DescribeCommand(const scoring::Command& command) {
  using namespace scoring;  // NOLINT: local to a formatting helper
  return std::visit(
      [](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, SubmitProfessional>) {
          return absl::StrCat(PartyName(c.party),
                              c.village_id.empty() ? "" : ":", c.village_id,
                              " score ", c.score.ToString(),
                              c.rectifiable ? " (rectifiable)" : "");
        } else if constexpr (std::is_same_v<T, SubmitFinancial>) {
          const Expenditure& x = c.submission.expenditure;
          return absl::StrCat(
              "financial score ", c.submission.score.ToString(), "; personnel ",
              x.personnel.ToYuanString(), ", service quality ",
              x.service_quality.ToYuanString(), ", management ",
              x.management.ToYuanString(), ", other ", x.other.ToYuanString(),
              c.submission.rectifiable ? " (rectifiable)" : "");
        } else if constexpr (std::is_same_v<T, RaiseVeto>) {
          return absl::StrCat(
              c.kind == VetoKind::kProfessional ? "professional" : "financial",
              " veto ", c.code, ": ", c.evidence);
        } else if constexpr (std::is_same_v<T, ConfirmVeto>) {
          return absl::StrCat("veto ", c.veto_id, " confirmed");
        } else if constexpr (std::is_same_v<T, DismissVeto>) {
          return absl::StrCat("veto ", c.veto_id, " dismissed: ", c.reason);
        } else if constexpr (std::is_same_v<T, Finalise>) {
          return absl::StrCat("finalised, result date ",
                              FormatDate(c.result_date));
        } else if constexpr (std::is_same_v<T, ApplyRectification>) {
          return absl::StrCat("rectification applied on ",
                              FormatDate(c.application_date));
        } else if constexpr (std::is_same_v<T, DecideReevaluation>) {
          return absl::StrCat("re-evaluation ", c.passed ? "passed" : "failed",
                              " on ", FormatDate(c.decision_date));
        } else if constexpr (std::is_same_v<T, ExpireRectification>) {
          return absl::StrCat("rectification deadline expired as of ",
                              FormatDate(c.as_of));
        } else {
          return absl::StrCat("reopened for review: ", c.reason);
        }
      },
      command);
}

// Whether the money that `phase` passing made payable has been paid: its
// own tranche, and for a final the next year's year-start tranche.
bool ReleasedBecauseOf(const scoring::Evaluation& phase,
                       const std::vector<v1::Disbursement>& tranches) {
  const v1::TrancheKind own_tranche = ToProto(scoring::TrancheOf(phase.phase));
  for (const v1::Disbursement& d : tranches) {
    if (d.state() != v1::RELEASED) continue;
    const bool own =
        d.service_year() == phase.service_year && d.kind() == own_tranche;
    const bool next_year_start = phase.phase == scoring::Phase::kFinal &&
                                 d.service_year() == phase.service_year + 1 &&
                                 d.kind() == v1::YEAR_START;
    if (own || next_year_start) return true;
  }
  return false;
}

}  // namespace

Engine::Engine(storage::Store* store, PolicySet policies,
               scoring::WorkingDayCalendar calendar,
               std::function<absl::Time()> now)
    : store_(store),
      policies_(std::move(policies)),
      calendar_(std::move(calendar)),
      now_(std::move(now)) {}

scoring::Date Engine::Today() const {
  return absl::ToCivilDay(now_(), ChinaTime());
}

size_t Engine::StripeOf(absl::string_view project_id) {
  return absl::Hash<absl::string_view>()(project_id) % kStripes;
}

namespace {
absl::Status ProjectNotFound(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("project ", id, " not found"));
}
}  // namespace

absl::StatusOr<v1::Project> Engine::VisibleProject(
    const Principal& who, const std::string& id) const {
  absl::StatusOr<std::optional<v1::Project>> p = store_->GetProject(id);
  if (!p.ok()) return p.status();
  if (!*p) return ProjectNotFound(id);
  if (absl::Status s = AuthorizeProject(who, **p); !s.ok()) return s;
  return *std::move(*p);
}

absl::StatusOr<v1::Project> Engine::ProjectForChange(const Principal& who,
                                                     const std::string& id) {
  absl::flat_hash_map<std::string, std::string>& shard =
      projects_[StripeOf(id)];
  v1::Project project;
  auto it = shard.find(id);
  if (it == shard.end()) {
    absl::StatusOr<std::optional<v1::Project>> p = store_->GetProject(id);
    if (!p.ok()) return p.status();
    if (!*p) return ProjectNotFound(id);  // not kept: it may be created
    project = *std::move(*p);
    shard.emplace(id, project.SerializeAsString());
  } else if (!project.ParseFromString(it->second)) {
    return absl::InternalError(absl::StrCat("project ", id, " in memory"));
  }
  if (absl::Status s = AuthorizeProject(who, project); !s.ok()) return s;
  return project;
}

absl::StatusOr<const scoring::Policy*> Engine::PolicyOf(
    const v1::Project& project) const {
  const scoring::Policy* policy = policies_.Find(project.policy_id());
  if (policy == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "project ", project.project_id(), " was made under policy ",
        project.policy_id(), ", which this server has not loaded"));
  }
  return policy;
}

template <typename Reply>
absl::StatusOr<Reply> Engine::Mutate(
    const Principal& who, absl::string_view method,
    const google::protobuf::Message& request, const std::string& request_id,
    const std::string& project_id,
    const std::function<absl::StatusOr<Reply>(Change&)>& body) {
  if (absl::Status s = AuthorizeMethod(method, who); !s.ok()) return s;
  if (absl::Status s = ValidateRequestId(request_id); !s.ok()) return s;
  const std::string digest =
      Sha256(absl::StrCat(method, "\n", DeterministicBytes(request)));

  // The request record is keyed by (principal, request_id) and the change
  // by project: hold both locks, always in this order, so that neither a
  // concurrent retry nor a concurrent change of the project slips between
  // the check and the commit.
  std::lock_guard<std::mutex> request_lock(
      request_locks_
          [absl::Hash<std::pair<absl::string_view, absl::string_view>>()(
               {who.name, request_id}) %
           request_locks_.size()]);
  const size_t stripe = StripeOf(project_id);
  std::lock_guard<std::mutex> lock(project_locks_[stripe]);
  absl::StatusOr<std::optional<storage::RequestRecord>> seen =
      store_->GetRequest(who.name, request_id);
  if (!seen.ok()) return seen.status();
  if (*seen) {
    if ((*seen)->method() != method || (*seen)->request_digest() != digest) {
      return absl::AlreadyExistsError(
          absl::StrCat("request_id: \"", request_id, "\" was already used by ",
                       who.name, " for a different request (",
                       (*seen)->method(), "); use a new request_id"));
    }
    Reply reply;
    if (!reply.ParseFromString((*seen)->reply())) {
      return absl::DataLossError("stored reply does not parse");
    }
    return reply;
  }

  Change change;
  absl::StatusOr<Reply> reply = body(change);
  if (!reply.ok()) return reply.status();

  auto cached_tip = tips_[stripe].find(project_id);
  if (cached_tip == tips_[stripe].end()) {
    absl::StatusOr<std::optional<v1::AuditEvent>> last =
        store_->LastAuditEvent(project_id);
    if (!last.ok()) return last.status();
    ChainTip tip;
    if (*last) tip = {(*last)->sequence(), (*last)->hash()};
    cached_tip = tips_[stripe].emplace(project_id, std::move(tip)).first;
  }
  int64_t sequence = cached_tip->second.sequence + 1;
  std::string prev_hash = cached_tip->second.hash;
  const std::string time =
      absl::FormatTime(absl::RFC3339_full, now_(), absl::UTCTimeZone());
  for (Change::Event& e : change.events) {
    v1::AuditEvent event;
    event.set_project_id(project_id);
    event.set_sequence(sequence++);
    event.set_time(time);
    event.set_principal(who.name);
    event.set_role(RoleName(who.role));
    event.set_action(std::move(e.action));
    event.set_target(std::move(e.target));
    event.set_policy_id(change.policy_id);
    event.set_request_id(request_id);
    event.set_detail(std::move(e.detail));
    event.set_prev_hash(prev_hash);
    event.set_hash(AuditEventHash(event));
    prev_hash = event.hash();
    change.writes.events.push_back(std::move(event));
  }
  storage::RequestRecord record;
  record.set_method(std::string(method));
  record.set_request_digest(digest);
  record.set_reply(reply->SerializeAsString());
  record.set_project_id(project_id);
  change.writes.request = std::move(record);
  change.writes.request_principal = who.name;
  change.writes.request_id = request_id;

  if (absl::Status s = store_->Commit(change.writes); !s.ok()) {
    // Whatever it left on disk, the next command reads it again.
    tips_[stripe].erase(project_id);
    projects_[stripe].erase(project_id);
    return s;
  }
  if (!change.writes.events.empty()) {
    const v1::AuditEvent& last = change.writes.events.back();
    cached_tip->second = {last.sequence(), last.hash()};
  }
  for (const v1::Project& p : change.writes.projects) {
    if (p.project_id() == project_id) {
      projects_[stripe].insert_or_assign(project_id, p.SerializeAsString());
    }
  }
  return reply;
}

absl::StatusOr<Engine::Snapshot> Engine::LoadSnapshot(
    const v1::Project& project) const {
  const std::string& project_id = project.project_id();
  Snapshot snap;
  absl::StatusOr<std::vector<v1::Evaluation>> stored =
      store_->ProjectEvaluations(project_id);
  if (!stored.ok()) return stored.status();
  absl::StatusOr<std::vector<v1::Disbursement>> tranches =
      store_->ProjectDisbursements(project_id);
  if (!tranches.ok()) return tranches.status();
  snap.tranches = *std::move(tranches);
  for (const v1::Evaluation& e : *stored) {
    absl::StatusOr<scoring::Evaluation> domain = FromProto(e);
    if (!domain.ok()) return domain.status();
    // The served villages are the project's; evaluations do not repeat them.
    domain->served_villages.assign(project.villages().begin(),
                                   project.villages().end());
    snap.domain.push_back(*std::move(domain));
  }
  return snap;
}

absl::StatusOr<std::vector<scoring::Tranche>> Engine::DeriveProjectTranches(
    const v1::Project& project, const scoring::Policy& policy,
    const std::vector<scoring::Evaluation>& evals,
    const std::vector<v1::Disbursement>& stored) const {
  std::map<scoring::TrancheKey, scoring::Release> releases;
  for (const v1::Disbursement& d : stored) {
    absl::StatusOr<std::optional<scoring::Release>> r = ReleaseOf(d);
    if (!r.ok()) return r.status();
    absl::StatusOr<scoring::TrancheKind> kind = FromProto(d.kind());
    if (*r && kind.ok()) releases[{d.service_year(), *kind}] = **r;
  }
  absl::StatusOr<scoring::Date> start =
      scoring::ParseDate(project.start_date());
  if (!start.ok()) return absl::DataLossError("stored project start date");
  scoring::ContractTerms terms{
      project.project_id(), *start, project.years(),
      scoring::Money::FromFen(project.annual_fund_fen())};
  return scoring::DeriveTranches(terms, policy, calendar_, evals, releases);
}

void Engine::AddChangedTranches(const v1::Project& project,
                                const std::vector<scoring::Tranche>& tranches,
                                const std::vector<v1::Disbursement>& stored,
                                Change& change) {
  std::map<std::string, const v1::Disbursement*> stored_by_name;
  for (const v1::Disbursement& d : stored) stored_by_name[d.name()] = &d;
  for (const scoring::Tranche& t : tranches) {
    v1::Disbursement d = ToProto(t, project);
    auto it = stored_by_name.find(d.name());
    if (it == stored_by_name.end() ||
        it->second->SerializeAsString() != d.SerializeAsString()) {
      change.writes.disbursements.push_back(std::move(d));
    }
  }
}

// ------------------------------------------------------------------ Projects

absl::StatusOr<v1::Project> Engine::CreateProject(
    const Principal& who, const v1::CreateProjectRequest& r) {
  // Validate everything before taking the lock: a bad request costs nothing.
  for (auto [field, value] : {std::pair{"project_id", &r.project_id()},
                              std::pair{"township", &r.township()},
                              std::pair{"provider", &r.provider()}}) {
    if (absl::Status s = ValidateId(field, *value); !s.ok()) return s;
  }
  if (r.project_id()[0] == '_') {
    return absl::InvalidArgumentError(
        "project_id: ids starting with '_' are reserved");
  }
  if (!r.agency().empty()) {
    if (absl::Status s = ValidateId("agency", r.agency()); !s.ok()) return s;
  }
  if (absl::Status s = ValidateText("name", r.name(), 200); !s.ok()) return s;
  if (r.villages().empty()) {
    return absl::InvalidArgumentError(
        "villages: a project serves at least one village");
  }
  std::set<std::string> seen_villages;
  for (const std::string& v : r.villages()) {
    if (absl::Status s = ValidateId("villages", v); !s.ok()) return s;
    if (!seen_villages.insert(v).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("villages: \"", v, "\" is listed twice"));
    }
  }
  absl::StatusOr<scoring::Date> start =
      ParseDateField("start_date", r.start_date());
  if (!start.ok()) return start.status();
  const scoring::Policy* policy = r.policy_id().empty()
                                      ? &policies_.Default()
                                      : policies_.Find(r.policy_id());
  if (policy == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy_id: \"", r.policy_id(), "\" is not loaded"));
  }
  const int years = r.years() == 0 ? policy->contract_years : r.years();
  if (years < 1 || years > 20) {
    return absl::InvalidArgumentError(
        absl::StrCat("years: ", years, " is not in [1, 20]"));
  }
  if (r.annual_fund_fen() <= 0) {
    return absl::InvalidArgumentError("annual_fund_fen: must be positive");
  }
  absl::StatusOr<scoring::Money> fund =
      MoneyField("annual_fund_fen", r.annual_fund_fen());
  if (!fund.ok()) return fund.status();

  return Mutate<v1::Project>(
      who, "CreateProject", r, r.request_id(), r.project_id(),
      [&](Change& change) -> absl::StatusOr<v1::Project> {
        absl::StatusOr<std::optional<v1::Project>> existing =
            store_->GetProject(r.project_id());
        if (!existing.ok()) return existing.status();
        if (*existing) {
          return absl::AlreadyExistsError(
              absl::StrCat("project ", r.project_id(), " already exists"));
        }
        v1::Project p;
        p.set_project_id(r.project_id());
        p.set_name(r.name());
        p.set_township(r.township());
        p.set_provider(r.provider());
        *p.mutable_villages() = r.villages();
        p.set_start_date(scoring::FormatDate(*start));
        p.set_years(years);
        p.set_annual_fund_fen(fund->fen());
        p.set_agency(r.agency());
        p.set_policy_id(policy->id);

        std::vector<std::string> villages(r.villages().begin(),
                                          r.villages().end());
        std::vector<scoring::Evaluation> evals;
        v1::Evaluation blank;
        blank.set_township(p.township());
        for (int k = 1; k <= years; ++k) {
          const int year =
              static_cast<int>(scoring::ServiceYearStart(*start, k).year());
          for (scoring::Phase phase :
               {scoring::Phase::kMidTerm, scoring::Phase::kFinal}) {
            evals.push_back(scoring::NewEvaluation(
                p.project_id(), year, k, phase, villages, policy->id));
            change.writes.evaluations.push_back(ToProto(evals.back(), blank));
          }
        }
        absl::StatusOr<std::vector<scoring::Tranche>> tranches =
            DeriveProjectTranches(p, *policy, evals, {});
        if (!tranches.ok()) return tranches.status();
        AddChangedTranches(p, *tranches, {}, change);
        change.writes.projects.push_back(p);
        change.policy_id = policy->id;
        change.events.push_back(
            {"project.created", absl::StrCat("projects/", p.project_id()),
             absl::StrCat(p.name(), "; township ", p.township(), "; provider ",
                          p.provider(), "; villages ",
                          absl::StrJoin(villages, ","), "; start ",
                          p.start_date(), "; ", years, " years; annual fund ",
                          fund->ToYuanString(), " yuan")});
        return p;
      });
}

absl::StatusOr<v1::Project> Engine::AssignAgency(
    const Principal& who, const v1::AssignAgencyRequest& r) {
  if (absl::Status s = ValidateId("project_id", r.project_id()); !s.ok())
    return s;
  if (absl::Status s = ValidateId("agency", r.agency()); !s.ok()) return s;
  return Mutate<v1::Project>(
      who, "AssignAgency", r, r.request_id(), r.project_id(),
      [&](Change& change) -> absl::StatusOr<v1::Project> {
        absl::StatusOr<v1::Project> p = ProjectForChange(who, r.project_id());
        if (!p.ok()) return p.status();
        const std::string previous = p->agency();
        p->set_agency(r.agency());
        change.writes.projects.push_back(*p);
        change.policy_id = p->policy_id();
        change.events.push_back(
            {"project.agency_assigned",
             absl::StrCat("projects/", p->project_id()),
             absl::StrCat("agency ", r.agency(),
                          previous.empty() ? "" : " (was " + previous + ")")});
        return *p;
      });
}

// --------------------------------------------------------------- Evaluations

absl::StatusOr<v1::Evaluation> Engine::RunCommand(
    const Principal& who, absl::string_view method,
    const google::protobuf::Message& request, const std::string& request_id,
    const v1::EvaluationRef& ref,
    const std::function<absl::StatusOr<scoring::Command>()>& make_command,
    const std::function<void(const v1::Evaluation&, v1::Evaluation&)>& stamp) {
  if (absl::Status s = AuthorizeMethod(method, who); !s.ok()) return s;
  if (absl::Status s = ValidateRef(ref); !s.ok()) return s;
  absl::StatusOr<scoring::Command> command = make_command();
  if (!command.ok()) return command.status();

  return Mutate<v1::Evaluation>(
      who, method, request, request_id, ref.project_id(),
      [&](Change& change) -> absl::StatusOr<v1::Evaluation> {
        absl::StatusOr<v1::Project> project =
            ProjectForChange(who, ref.project_id());
        if (!project.ok()) return project.status();
        absl::StatusOr<const scoring::Policy*> policy = PolicyOf(*project);
        if (!policy.ok()) return policy.status();
        absl::StatusOr<std::optional<v1::Evaluation>> stored =
            store_->GetEvaluation(ref.project_id(), ref.year(), ref.phase());
        if (!stored.ok()) return stored.status();
        if (!*stored) {
          return absl::NotFoundError(
              absl::StrCat("project ", ref.project_id(), " has no ",
                           scoring::PhaseName(FromProto(ref.phase())),
                           " evaluation in year ", ref.year()));
        }
        const v1::Evaluation& previous = **stored;
        absl::StatusOr<scoring::Evaluation> current = FromProto(previous);
        if (!current.ok()) return current.status();
        // The served villages are the project's; evaluations do not repeat
        // them.
        current->served_villages.assign(project->villages().begin(),
                                        project->villages().end());

        // The rest of the contract is loaded only when the rules need it:
        // reopening asks whether the money was paid, and a change of a
        // phase's state or dates re-derives the tranches. Scores, financial
        // data and veto findings (nearly every command) need neither.
        std::optional<Snapshot> snap;
        scoring::DecisionContext context;
        // Kept on the project by every command that changes it.
        context.contract_terminated = project->terminated();
        if (std::holds_alternative<scoring::Reopen>(*command)) {
          absl::StatusOr<Snapshot> loaded = LoadSnapshot(*project);
          if (!loaded.ok()) return loaded.status();
          snap = *std::move(loaded);
          context.tranche_released =
              ReleasedBecauseOf(*current, snap->tranches);
        }

        absl::StatusOr<scoring::Decision> decision =
            scoring::DecidePhase(*current, *command, **policy, calendar_, context);
        if (!decision.ok()) return decision.status();

        v1::Evaluation next = ToProto(decision->next, previous);
        stamp(previous, next);
        std::vector<std::string> effects;
        for (const scoring::Effect& e : decision->effects) {
          next.add_effects(e.description);
          effects.push_back(e.description);
        }
        change.writes.evaluations.push_back(next);
        if (!scoring::SameTrancheInputs(*current, decision->next)) {
          if (!snap) {
            absl::StatusOr<Snapshot> loaded = LoadSnapshot(*project);
            if (!loaded.ok()) return loaded.status();
            snap = *std::move(loaded);
          }
          std::vector<scoring::Evaluation>& evals = snap->domain;
          for (scoring::Evaluation& e : evals) {
            if (e.service_year == current->service_year &&
                e.phase == current->phase) {
              e = decision->next;
            }
          }
          absl::StatusOr<std::vector<scoring::Tranche>> derived =
              DeriveProjectTranches(*project, **policy, evals, snap->tranches);
          if (!derived.ok()) return derived.status();
          AddChangedTranches(*project, *derived, snap->tranches, change);
          const bool terminated = scoring::ContractTerminated(evals);
          if (terminated != project->terminated()) {
            project->set_terminated(terminated);
            change.writes.projects.push_back(*project);
          }
        }
        change.policy_id = (*policy)->id;
        std::string detail = DescribeCommand(*command);
        if (!effects.empty()) {
          absl::StrAppend(&detail, "; ", absl::StrJoin(effects, "; "));
        }
        absl::StrAppend(&detail, "; state ",
                        v1::EvaluationState_Name(next.state()));
        change.events.push_back(
            {scoring::CommandName(*command), next.name(), std::move(detail)});
        return next;
      });
}

absl::StatusOr<v1::Evaluation> Engine::SubmitProfessionalScore(
    const Principal& who, const v1::SubmitProfessionalScoreRequest& r) {
  return RunCommand(
      who, "SubmitProfessionalScore", r, r.request_id(), r.evaluation(),
      [&]() -> absl::StatusOr<scoring::Command> {
        absl::StatusOr<scoring::Party> party = PartyOf(who);
        if (!party.ok()) return party.status();
        absl::StatusOr<scoring::Score> score = scoring::Score::Parse(r.score());
        if (!score.ok()) return score.status();
        scoring::SubmitProfessional c;
        c.party = *party;
        if (c.party == scoring::Party::kVillage)
          c.village_id = who.organisation;
        c.score = *score;
        c.rectifiable = r.rectifiable();
        return c;
      },
      [&](const v1::Evaluation& previous, v1::Evaluation& next) {
        auto bump = [&](const v1::PartyScore& before, v1::PartyScore* after) {
          after->set_submitted_by(who.name);
          after->set_version(before.version() + 1);
        };
        switch (who.role) {
          case Role::kAgency:
            bump(previous.third_party(), next.mutable_third_party());
            break;
          case Role::kTownship:
            bump(previous.township_score(), next.mutable_township_score());
            break;
          case Role::kBureau:
            bump(previous.bureau(), next.mutable_bureau());
            break;
          default:
            for (v1::VillageScore& v : *next.mutable_villages()) {
              if (v.village() != who.organisation) continue;
              v1::PartyScore before;
              for (const v1::VillageScore& p : previous.villages()) {
                if (p.village() == v.village()) before = p.score();
              }
              bump(before, v.mutable_score());
            }
        }
      });
}

absl::StatusOr<v1::Evaluation> Engine::SubmitFinancialEvaluation(
    const Principal& who, const v1::SubmitFinancialEvaluationRequest& r) {
  return RunCommand(
      who, "SubmitFinancialEvaluation", r, r.request_id(), r.evaluation(),
      [&]() -> absl::StatusOr<scoring::Command> {
        absl::StatusOr<scoring::Score> score = scoring::Score::Parse(r.score());
        if (!score.ok()) return score.status();
        scoring::SubmitFinancial c;
        c.submission.score = *score;
        c.submission.rectifiable = r.rectifiable();
        const v1::Expenditure& x = r.expenditure();
        for (auto [field, fen, out] :
             {std::tuple{"expenditure.personnel_fen", x.personnel_fen(),
                         &c.submission.expenditure.personnel},
              std::tuple{"expenditure.service_quality_fen",
                         x.service_quality_fen(),
                         &c.submission.expenditure.service_quality},
              std::tuple{"expenditure.management_fen", x.management_fen(),
                         &c.submission.expenditure.management},
              std::tuple{"expenditure.other_fen", x.other_fen(),
                         &c.submission.expenditure.other}}) {
          absl::StatusOr<scoring::Money> m = MoneyField(field, fen);
          if (!m.ok()) return m.status();
          *out = *m;
        }
        return c;
      },
      [&](const v1::Evaluation& previous, v1::Evaluation& next) {
        next.mutable_financial()->set_submitted_by(who.name);
        next.mutable_financial()->set_version(previous.financial().version() +
                                              1);
      });
}

absl::StatusOr<v1::Evaluation> Engine::RaiseVeto(
    const Principal& who, const v1::RaiseVetoRequest& r) {
  return RunCommand(
      who, "RaiseVeto", r, r.request_id(), r.evaluation(),
      [&]() -> absl::StatusOr<scoring::Command> {
        if (r.kind() != v1::PROFESSIONAL && r.kind() != v1::FINANCIAL) {
          return absl::InvalidArgumentError(
              "kind: want PROFESSIONAL or FINANCIAL");
        }
        if (absl::Status s = ValidateText("code", r.code(), 64); !s.ok())
          return s;
        if (absl::Status s = ValidateText("evidence", r.evidence(), 4000);
            !s.ok()) {
          return s;
        }
        scoring::RaiseVeto c;
        c.kind = r.kind() == v1::PROFESSIONAL ? scoring::VetoKind::kProfessional
                                              : scoring::VetoKind::kFinancial;
        c.code = r.code();
        c.evidence = r.evidence();
        c.raised_by = who.name;
        return c;
      },
      [](const v1::Evaluation&, v1::Evaluation&) {});
}

namespace {
void StampDecider(const Principal& who, int64_t veto_id, v1::Evaluation& next) {
  for (v1::VetoFinding& v : *next.mutable_vetoes()) {
    if (v.veto_id() == veto_id) v.set_decided_by(who.name);
  }
}
}  // namespace

absl::StatusOr<v1::Evaluation> Engine::ConfirmVeto(
    const Principal& who, const v1::DecideVetoRequest& r) {
  return RunCommand(
      who, "ConfirmVeto", r, r.request_id(), r.evaluation(),
      [&]() -> absl::StatusOr<scoring::Command> {
        return scoring::ConfirmVeto{r.veto_id()};
      },
      [&](const v1::Evaluation&, v1::Evaluation& next) {
        StampDecider(who, r.veto_id(), next);
      });
}

absl::StatusOr<v1::Evaluation> Engine::DismissVeto(
    const Principal& who, const v1::DecideVetoRequest& r) {
  return RunCommand(
      who, "DismissVeto", r, r.request_id(), r.evaluation(),
      [&]() -> absl::StatusOr<scoring::Command> {
        if (absl::Status s = ValidateText("reason", r.reason(), 4000);
            !s.ok()) {
          return s;
        }
        return scoring::DismissVeto{r.veto_id(), r.reason()};
      },
      [&](const v1::Evaluation&, v1::Evaluation& next) {
        StampDecider(who, r.veto_id(), next);
      });
}

absl::StatusOr<v1::Evaluation> Engine::FinalizeEvaluation(
    const Principal& who, const v1::FinalizeEvaluationRequest& r) {
  return RunCommand(
      who, "FinalizeEvaluation", r, r.request_id(), r.evaluation(),
      [&]() -> absl::StatusOr<scoring::Command> {
        absl::StatusOr<scoring::Date> d =
            ParseDateField("result_date", r.result_date());
        if (!d.ok()) return d.status();
        return scoring::Finalise{*d};
      },
      [](const v1::Evaluation&, v1::Evaluation&) {});
}

absl::StatusOr<v1::Evaluation> Engine::ApplyRectification(
    const Principal& who, const v1::ApplyRectificationRequest& r) {
  return RunCommand(
      who, "ApplyRectification", r, r.request_id(), r.evaluation(),
      [&]() -> absl::StatusOr<scoring::Command> {
        absl::StatusOr<scoring::Date> d =
            ParseDateField("application_date", r.application_date());
        if (!d.ok()) return d.status();
        return scoring::ApplyRectification{*d};
      },
      [](const v1::Evaluation&, v1::Evaluation&) {});
}

absl::StatusOr<v1::Evaluation> Engine::DecideReevaluation(
    const Principal& who, const v1::DecideReevaluationRequest& r) {
  return RunCommand(
      who, "DecideReevaluation", r, r.request_id(), r.evaluation(),
      [&]() -> absl::StatusOr<scoring::Command> {
        absl::StatusOr<scoring::Date> d =
            ParseDateField("decision_date", r.decision_date());
        if (!d.ok()) return d.status();
        return scoring::DecideReevaluation{r.passed(), *d};
      },
      [](const v1::Evaluation&, v1::Evaluation&) {});
}

absl::StatusOr<v1::Evaluation> Engine::ExpireRectification(
    const Principal& who, const v1::ExpireRectificationRequest& r) {
  return RunCommand(
      who, "ExpireRectification", r, r.request_id(), r.evaluation(),
      [&]() -> absl::StatusOr<scoring::Command> {
        absl::StatusOr<scoring::Date> d =
            ParseDateOr("as_of", r.as_of(), Today());
        if (!d.ok()) return d.status();
        return scoring::ExpireRectification{*d};
      },
      [](const v1::Evaluation&, v1::Evaluation&) {});
}

absl::StatusOr<v1::Evaluation> Engine::ReopenEvaluation(
    const Principal& who, const v1::ReopenEvaluationRequest& r) {
  return RunCommand(
      who, "ReopenEvaluation", r, r.request_id(), r.evaluation(),
      [&]() -> absl::StatusOr<scoring::Command> {
        if (absl::Status s = ValidateText("reason", r.reason(), 4000);
            !s.ok()) {
          return s;
        }
        return scoring::Reopen{r.reason()};
      },
      [](const v1::Evaluation&, v1::Evaluation&) {});
}

// --------------------------------------------------------------------- Money

absl::StatusOr<v1::Disbursement> Engine::ReleaseDisbursement(
    const Principal& who, const v1::ReleaseDisbursementRequest& r) {
  if (absl::Status s = AuthorizeMethod("ReleaseDisbursement", who); !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateId("project_id", r.project_id()); !s.ok())
    return s;
  absl::StatusOr<scoring::TrancheKind> kind = FromProto(r.kind());
  if (!kind.ok()) return kind.status();
  if (absl::Status s =
          ValidateText("payment_reference", r.payment_reference(), 128);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<scoring::Date> released_on =
      ParseDateOr("released_on", r.released_on(), Today());
  if (!released_on.ok()) return released_on.status();

  return Mutate<v1::Disbursement>(
      who, "ReleaseDisbursement", r, r.request_id(), r.project_id(),
      [&](Change& change) -> absl::StatusOr<v1::Disbursement> {
        absl::StatusOr<v1::Project> project =
            ProjectForChange(who, r.project_id());
        if (!project.ok()) return project.status();
        absl::StatusOr<const scoring::Policy*> policy = PolicyOf(*project);
        if (!policy.ok()) return policy.status();
        absl::StatusOr<Snapshot> snap = LoadSnapshot(*project);
        if (!snap.ok()) return snap.status();
        absl::StatusOr<std::vector<scoring::Tranche>> derived =
            DeriveProjectTranches(*project, **policy, snap->domain,
                                  snap->tranches);
        if (!derived.ok()) return derived.status();
        auto it = std::find_if(derived->begin(), derived->end(),
                               [&](const scoring::Tranche& t) {
                                 return t.year == r.year() && t.kind == *kind;
                               });
        if (it == derived->end()) {
          return absl::NotFoundError(absl::StrCat(
              "project ", r.project_id(), " has no ",
              scoring::TrancheKindName(*kind), " tranche in year ", r.year()));
        }
        if (absl::Status s =
                scoring::CheckReleasable(*it, r.project_id(), *released_on);
            !s.ok()) {
          return s;
        }
        it->state = scoring::TrancheState::kReleased;
        it->release =
            scoring::Release{r.payment_reference(), *released_on, who.name};
        // Also refreshes any other tranche whose derived state moved (e.g.
        // a new calendar file changed a deadline).
        AddChangedTranches(*project, *derived, snap->tranches, change);
        const v1::Disbursement released = ToProto(*it, *project);
        change.policy_id = (*policy)->id;
        change.events.push_back(
            {"disbursement.released", released.name(),
             absl::StrCat(
                 scoring::Money::FromFen(released.amount_fen()).ToYuanString(),
                 " yuan released on ", released.released_on(),
                 ", payment reference ", r.payment_reference(), " (due ",
                 released.due_date(), ")")});
        return released;
      });
}

// ---------------------------------------------------------------- Principals

namespace {

v1::PrincipalInfo InfoOf(const storage::PrincipalRecord& r) {
  v1::PrincipalInfo info;
  info.set_name(r.name());
  info.set_role(r.role());
  info.set_organisation(r.organisation());
  info.set_revoked(r.revoked());
  info.set_token_hash_prefix(r.token_sha256_hex().substr(0, 8));
  info.set_created_by(r.created_by());
  return info;
}

}  // namespace

absl::StatusOr<v1::CreatePrincipalResponse> Engine::CreatePrincipal(
    const Principal& who, const v1::CreatePrincipalRequest& r) {
  if (absl::Status s = AuthorizeMethod("CreatePrincipal", who); !s.ok()) {
    return s;
  }
  if (principals_ == nullptr) {
    return absl::FailedPreconditionError("principal management is off");
  }
  if (absl::Status s = ValidateId("name", r.name()); !s.ok()) return s;
  std::optional<Role> role = ParseRole(r.role());
  if (!role) {
    return absl::InvalidArgumentError(absl::StrCat(
        "role: \"", r.role(),
        "\" is not agency, township, village, bureau, provider, finance or "
        "admin"));
  }
  if (absl::Status s = ValidateId("organisation", r.organisation()); !s.ok()) {
    return s;
  }
  std::string token;  // set only when this call creates the principal
  storage::PrincipalRecord record;
  absl::StatusOr<v1::CreatePrincipalResponse> reply =
      Mutate<v1::CreatePrincipalResponse>(
          who, "CreatePrincipal", r, r.request_id(), kPrincipalsStream,
          [&](Change& change) -> absl::StatusOr<v1::CreatePrincipalResponse> {
            absl::StatusOr<std::vector<storage::PrincipalRecord>> all =
                store_->ListPrincipals();
            if (!all.ok()) return all.status();
            for (const storage::PrincipalRecord& p : *all) {
              if (p.name() == r.name()) {
                return absl::AlreadyExistsError(absl::StrCat(
                    "principal ", r.name(), " already exists",
                    p.revoked() ? " (revoked; names are never reused)" : ""));
              }
            }
            token = RandomHex(32);  // 256 bits
            record.set_name(r.name());
            record.set_role(RoleName(*role));
            record.set_organisation(r.organisation());
            record.set_token_sha256_hex(Sha256Hex(token));
            record.set_created_by(who.name);
            change.writes.principals.push_back(record);
            change.events.push_back(
                {"principal.created", absl::StrCat("principals/", r.name()),
                 absl::StrCat("role ", record.role(), ", organisation ",
                              record.organisation(), ", token sha256 ",
                              record.token_sha256_hex().substr(0, 8), "…")});
            v1::CreatePrincipalResponse out;
            *out.mutable_principal() = InfoOf(record);
            return out;  // stored for replays without the token
          });
  if (!reply.ok() || token.empty()) return reply;
  principals_->Put(record.token_sha256_hex(),
                   Principal{record.name(), *role, record.organisation()});
  reply->set_token(token);
  return reply;
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

absl::StatusOr<v1::PrincipalInfo> Engine::RevokePrincipal(
    const Principal& who, const v1::RevokePrincipalRequest& r) {
  if (absl::Status s = AuthorizeMethod("RevokePrincipal", who); !s.ok()) {
    return s;
  }
  if (principals_ == nullptr) {
    return absl::FailedPreconditionError("principal management is off");
  }
  if (absl::Status s = ValidateId("name", r.name()); !s.ok()) return s;
  if (r.name() == who.name) {
    return absl::FailedPreconditionError(
        "name: an admin cannot revoke its own principal (ask another admin)");
  }
  absl::StatusOr<v1::PrincipalInfo> reply = Mutate<v1::PrincipalInfo>(
      who, "RevokePrincipal", r, r.request_id(), kPrincipalsStream,
      [&](Change& change) -> absl::StatusOr<v1::PrincipalInfo> {
        absl::StatusOr<std::vector<storage::PrincipalRecord>> all =
            store_->ListPrincipals();
        if (!all.ok()) return all.status();
        for (storage::PrincipalRecord p : *all) {
          if (p.name() != r.name()) continue;
          if (p.revoked()) {
            return absl::FailedPreconditionError(
                absl::StrCat("principal ", r.name(), " is already revoked"));
          }
          p.set_revoked(true);
          change.writes.principals.push_back(p);
          change.events.push_back(
              {"principal.revoked", absl::StrCat("principals/", r.name()),
               absl::StrCat("role ", p.role(), ", organisation ",
                            p.organisation())});
          return InfoOf(p);
        }
        return absl::NotFoundError(
            absl::StrCat("principal ", r.name(), " not found"));
      });
  if (reply.ok()) principals_->Remove(r.name());
  return reply;
}

}  // namespace evald::server
