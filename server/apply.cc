#include "server/apply.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/overloaded.h"
#include "server/commands.h"
#include "server/convert.h"
#include "server/organisations.h"

namespace evald::server {
namespace {

const char* ContractStateName(const scoring::Contract& c) {
  return c.terminated ? "TERMINATED" : "ACTIVE";
}

// The stored record of (year, phase), if it was read.
const v1::Evaluation* FindRecord(const std::vector<v1::Evaluation>& records,
                                 int year, scoring::Phase phase) {
  for (const v1::Evaluation& r : records) {
    if (r.year() == year && r.phase() == ToProto(phase)) return &r;
  }
  return nullptr;
}

const v1::Disbursement* FindRecord(const std::vector<v1::Disbursement>& records,
                                   int year, scoring::TrancheKind kind) {
  for (const v1::Disbursement& r : records) {
    if (r.year() == year && r.kind() == ToProto(kind)) return &r;
  }
  return nullptr;
}

template <typename Record>
std::optional<Record> Copy(const Record* r) {
  return r == nullptr ? std::nullopt : std::optional<Record>(*r);
}

storage::RequestRecord RequestRecordOf(const v1::Command& command,
                                       const std::string& stream,
                                       const google::protobuf::Message& reply) {
  storage::RequestRecord record;
  record.set_method(MethodOf(command));
  record.set_request_digest(RequestDigest(command));
  record.set_reply(reply.SerializeAsString());
  record.set_project_id(stream);
  return record;
}

// What a project command is called in the audit log, and what it names.
std::pair<std::string, std::string> ActionAndTarget(const ProjectCommand& pc) {
  return std::visit(Overloaded{
                        [&](const scoring::CreateContract&) {
                          return std::pair<std::string, std::string>(
                              "project.created", ProjectName(pc.project_id));
                        },
                        [&](const scoring::AssignAgency&) {
                          return std::pair<std::string, std::string>(
                              "project.agency_assigned",
                              ProjectName(pc.project_id));
                        },
                        [&](const scoring::OnPhase& c) {
                          return std::pair<std::string, std::string>(
                              scoring::CommandName(c.command),
                              EvaluationName(pc.project_id, c.year, c.phase));
                        },
                        [&](const scoring::ReleaseTranche& c) {
                          return std::pair<std::string, std::string>(
                              "disbursement.released",
                              TrancheName(pc.project_id, c.year, c.kind));
                        },
                        [&](const scoring::CorrectRelease& c) {
                          return std::pair<std::string, std::string>(
                              "disbursement.release_corrected",
                              TrancheName(pc.project_id, c.year, c.kind));
                        },
                    },
                    pc.command);
}

}  // namespace

// ------------------------------------------------------------- StoreReader

absl::StatusOr<std::optional<v1::Project>> StoreReader::Project(
    const std::string& id) {
  return store_->GetProject(id);
}
absl::StatusOr<std::optional<v1::Evaluation>> StoreReader::Evaluation(
    const std::string& project, int year, v1::Phase phase) {
  return store_->GetEvaluation(project, year, phase);
}
absl::StatusOr<std::vector<v1::Evaluation>> StoreReader::Evaluations(
    const std::string& project) {
  return store_->ProjectEvaluations(project);
}
absl::StatusOr<std::vector<v1::Disbursement>> StoreReader::Tranches(
    const std::string& project) {
  return store_->ProjectDisbursements(project);
}
absl::StatusOr<ChainTip> StoreReader::Tip(const std::string& stream) {
  absl::StatusOr<std::optional<v1::AuditEvent>> last =
      store_->LastAuditEvent(stream);
  if (!last.ok()) return last.status();
  if (!*last) return ChainTip{};
  return ChainTip{(*last)->sequence(), (*last)->hash()};
}
absl::StatusOr<std::vector<storage::PrincipalRecord>>
StoreReader::Principals() {
  return store_->ListPrincipals();
}

absl::StatusOr<std::optional<std::string>> StoreReader::OverdueMark(
    const std::string& tranche) {
  return store_->GetOverdueMark(tranche);
}

absl::StatusOr<std::vector<v1::Organisation>> StoreReader::Organisations() {
  return store_->ListOrganisations();
}

// ------------------------------------------------------------------- Apply

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

absl::StatusOr<Applied> Applier::Apply(v1::Command command, StateReader& reader,
                                       const ProjectCheck& check) const {
  switch (command.request_case()) {
    case v1::Command::REQUEST_NOT_SET:
      return absl::InvalidArgumentError("command: no request");
    case v1::Command::kCreatePrincipal:
    case v1::Command::kRevokePrincipal:
    case v1::Command::kSeedPrincipal:
      return ApplyToPrincipals(std::move(command), reader);
    case v1::Command::kCreateOrganisation:
    case v1::Command::kRenameOrganisation:
    case v1::Command::kRetireOrganisation:
    case v1::Command::kSeedOrganisation:
    case v1::Command::kMigrateOrganisation:
      return ApplyToOrganisations(std::move(command), reader);
    case v1::Command::kAnnounceOverdue:
      return ApplyOverdue(std::move(command), reader);
    default:
      return ApplyToProject(std::move(command), reader, check);
  }
}

absl::StatusOr<Applied> Applier::ApplyToProject(
    v1::Command command, StateReader& reader, const ProjectCheck& check) const {
  absl::StatusOr<ProjectCommand> pc = ProjectCommandOf(command);
  if (!pc.ok()) return pc.status();
  const std::string& id = pc->project_id;
  const bool creates =
      std::holds_alternative<scoring::CreateContract>(pc->command);

  const scoring::Policy* policy = nullptr;
  if (creates) {
    policy = policies_->Find(command.policy_id());
    if (policy == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "policy_id: \"", command.policy_id(), "\" is not loaded"));
    }
  }
  absl::StatusOr<std::optional<v1::Project>> project = reader.Project(id);
  if (!project.ok()) return project.status();
  scoring::ContractState state;
  if (creates) {
    if (*project) {
      return absl::AlreadyExistsError(
          absl::StrCat("project ", id, " already exists"));
    }
  } else {
    if (!*project) {
      return absl::NotFoundError(absl::StrCat("project ", id, " not found"));
    }
    if (check) {
      if (absl::Status s = check(**project); !s.ok()) return s;
    }
    absl::StatusOr<scoring::Contract> contract = FromRecord(**project);
    if (!contract.ok()) return contract.status();
    policy = policies_->Find(contract->policy_id);
    if (policy == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "project ", id, " was made under policy ", contract->policy_id,
          ", which this server has not loaded"));
    }
    command.set_policy_id(contract->policy_id);
    state.contract = *std::move(contract);
  }

  // The records as read: the previous versions of what the command writes.
  std::vector<v1::Evaluation> evaluations;
  std::vector<v1::Disbursement> tranches;
  switch (scoring::ReadsOf(pc->command)) {
    case scoring::Reads::kContract:
      break;
    case scoring::Reads::kPhase: {
      absl::StatusOr<std::optional<v1::Evaluation>> e =
          reader.Evaluation(id, pc->year, ToProto(pc->phase));
      if (!e.ok()) return e.status();
      if (!*e) {
        return absl::NotFoundError(absl::StrCat(
            "project ", id, " has no ", scoring::PhaseName(pc->phase),
            " evaluation in year ", pc->year));
      }
      evaluations.push_back(**std::move(e));
      break;
    }
    case scoring::Reads::kWholeContract: {
      absl::StatusOr<std::vector<v1::Evaluation>> all = reader.Evaluations(id);
      if (!all.ok()) return all.status();
      evaluations = *std::move(all);
      absl::StatusOr<std::vector<v1::Disbursement>> stored =
          reader.Tranches(id);
      if (!stored.ok()) return stored.status();
      tranches = *std::move(stored);
      state.whole = true;
      break;
    }
  }
  for (const v1::Evaluation& r : evaluations) {
    absl::StatusOr<scoring::Evaluation> e = FromRecord(r);
    if (!e.ok()) return e.status();
    state.evaluations.push_back(*std::move(e));
  }
  for (const v1::Disbursement& r : tranches) {
    absl::StatusOr<scoring::Tranche> t = FromRecord(r);
    if (!t.ok()) return t.status();
    state.tranches.push_back(*std::move(t));
  }

  absl::StatusOr<scoring::ContractDecision> decision =
      scoring::Decide(state, pc->command, *policy, *calendar_);
  if (!decision.ok()) return decision.status();

  Applied out;
  const scoring::Contract& after =
      decision->contract ? *decision->contract : *state.contract;
  std::vector<v1::Effect> effects;
  std::vector<std::string> described;  // for people: what the money did
  if (decision->contract) {
    v1::Project record = ToProto(*decision->contract);
    effects.push_back(RecordEffect(
        ProjectName(id), *project ? ContractStateName(*state.contract) : "",
        ContractStateName(after)));
    out.writes.projects.push_back({record, *project});
    out.project = std::move(record);
  } else {
    out.project = **project;
  }
  for (const scoring::TrancheChange& t : decision->tranches) {
    described.push_back(DescribeTranche(t));
  }
  const std::string evaluation_target =
      pc->reply == ProjectCommand::Reply::kEvaluation
          ? EvaluationName(id, pc->year, pc->phase)
          : "";
  for (const scoring::Effect& e : decision->effects) {
    described.push_back(e.description);
  }
  for (const scoring::Evaluation& e : decision->evaluations) {
    v1::Evaluation record = ToProto(e, after);
    const v1::Evaluation* before = FindRecord(evaluations, e.year, e.phase);
    if (record.name() == evaluation_target) {
      for (const std::string& d : described) record.add_effects(d);
    }
    effects.push_back(RecordEffect(
        record.name(), before ? v1::EvaluationState_Name(before->state()) : "",
        v1::EvaluationState_Name(record.state())));
    out.writes.evaluations.push_back({std::move(record), Copy(before)});
  }
  for (const scoring::TrancheChange& t : decision->tranches) {
    effects.push_back(TrancheEffect(t, after));
    out.writes.disbursements.push_back(
        {ToProto(t.after, after),
         Copy(FindRecord(tranches, t.after.year, t.after.kind))});
  }
  for (const scoring::Effect& e : decision->effects) {
    effects.push_back(PhaseEffect(e, id, evaluation_target));
  }

  // The reply, and the summary for people.
  auto [action, target] = ActionAndTarget(*pc);
  std::string detail;
  switch (pc->reply) {
    case ProjectCommand::Reply::kProject: {
      out.reply = *out.project;
      const v1::Project& p = *out.project;
      if (creates) {
        detail = absl::StrCat(
            p.name(), "; township ", p.township(), "; provider ", p.provider(),
            "; villages ", absl::StrJoin(p.villages(), ","), "; start ",
            p.start_date(), "; ", p.years(), " years; annual fund ",
            after.annual_fund.ToYuanString(), " yuan");
      } else {
        detail = absl::StrCat("agency ", p.agency(),
                              state.contract->agency.empty()
                                  ? ""
                                  : " (was " + state.contract->agency + ")");
      }
      break;
    }
    case ProjectCommand::Reply::kEvaluation: {
      const v1::Evaluation& e = out.writes.evaluations.front().record;
      out.reply = e;
      const auto& phase_command =
          std::get<scoring::OnPhase>(pc->command).command;
      detail = DescribeCommand(phase_command);
      if (!described.empty()) {
        absl::StrAppend(&detail, "; ", absl::StrJoin(described, "; "));
      }
      absl::StrAppend(&detail, "; state ", v1::EvaluationState_Name(e.state()));
      break;
    }
    case ProjectCommand::Reply::kTranche: {
      if (const auto* correct =
              std::get_if<scoring::CorrectRelease>(&pc->command)) {
        const v1::Disbursement* corrected = nullptr;
        for (const auto& put : out.writes.disbursements) {
          if (put.record.name() == target) corrected = &put.record;
        }
        out.reply = *corrected;
        const v1::ReleaseCorrection& last = *corrected->corrections().rbegin();
        detail = absl::StrCat(
            "release corrected: payment reference ", last.previous_reference(),
            " -> ", corrected->payment_reference(), ", released on ",
            last.previous_released_on(), " -> ", corrected->released_on(),
            "; because: ", correct->reason);
        break;
      }
      const scoring::Release& release =
          std::get<scoring::ReleaseTranche>(pc->command).release;
      if (decision->already_recorded) {
        const v1::Disbursement* stored =
            FindRecord(tranches, pc->year, pc->kind);
        out.reply = *stored;
        action = "disbursement.release_repeated";
        detail = absl::StrCat("payment reference ", release.payment_reference,
                              " was already recorded on ",
                              stored->released_on(), "; nothing changed");
        break;
      }
      const v1::Disbursement* released = nullptr;
      for (const auto& put : out.writes.disbursements) {
        if (put.record.name() == target) released = &put.record;
      }
      out.reply = *released;
      detail = absl::StrCat(
          scoring::Money::FromFen(released->amount_fen()).ToYuanString(),
          " yuan released on ", released->released_on(), ", payment reference ",
          released->payment_reference(), " (due ", released->due_date(), ")");
      break;
    }
  }

  absl::StatusOr<ChainTip> tip = reader.Tip(id);
  if (!tip.ok()) return tip.status();
  const google::protobuf::Message& reply = std::visit(
      [](const auto& r) -> const google::protobuf::Message& { return r; },
      out.reply);
  out.writes.request = RequestRecordOf(command, id, reply);
  out.writes.request_principal = command.principal();
  out.writes.request_id = command.request_id();
  out.writes.events.push_back(
      ChainedEvent(command, id, std::move(action), std::move(target),
                   std::move(effects), std::move(detail), *tip));
  out.tip = {out.writes.events.back().sequence(),
             out.writes.events.back().hash()};
  return out;
}

absl::StatusOr<Applied> Applier::ApplyToPrincipals(v1::Command command,
                                                   StateReader& reader) const {
  absl::StatusOr<PrincipalCommand> pc = PrincipalCommandOf(command);
  if (!pc.ok()) return pc.status();
  absl::StatusOr<std::vector<storage::PrincipalRecord>> all =
      reader.Principals();
  if (!all.ok()) return all.status();
  auto existing = std::find_if(all->begin(), all->end(), [&](const auto& p) {
    return p.name() == pc->name;
  });
  Applied out;
  storage::PrincipalRecord record;
  std::string action, before, detail;
  if (pc->kind == PrincipalCommand::Kind::kRevoke) {
    if (existing == all->end()) {
      return absl::NotFoundError(
          absl::StrCat("principal ", pc->name, " not found"));
    }
    if (existing->revoked()) {
      return absl::FailedPreconditionError(
          absl::StrCat("principal ", pc->name, " is already revoked"));
    }
    record = *existing;
    record.set_revoked(true);
    action = "principal.revoked";
    before = "ACTIVE";
    detail = absl::StrCat("role ", record.role(), ", organisation ",
                          record.organisation());
    out.reply = InfoOf(record);
  } else {
    if (existing != all->end()) {
      return absl::AlreadyExistsError(absl::StrCat(
          "principal ", pc->name, " already exists",
          existing->revoked() ? " (revoked; names are never reused)" : ""));
    }
    record.set_name(pc->name);
    record.set_role(RoleName(pc->role));
    record.set_organisation(pc->organisation);
    record.set_token_sha256_hex(pc->token_sha256_hex);
    record.set_created_by(command.principal());
    action = pc->kind == PrincipalCommand::Kind::kSeed ? "principal.seeded"
                                                       : "principal.created";
    detail = absl::StrCat("role ", record.role(), ", organisation ",
                          record.organisation(), ", token sha256 ",
                          record.token_sha256_hex().substr(0, 8), "…");
    v1::CreatePrincipalResponse response;
    *response.mutable_principal() = InfoOf(record);
    out.reply = std::move(response);  // stored for replays without the token
  }
  const std::string target = absl::StrCat("principals/", pc->name);
  std::vector<v1::Effect> effects = {
      RecordEffect(target, before, record.revoked() ? "REVOKED" : "ACTIVE")};
  out.writes.principals.push_back(record);
  out.principal = record;

  absl::StatusOr<ChainTip> tip = reader.Tip(kPrincipalsStream);
  if (!tip.ok()) return tip.status();
  if (pc->kind != PrincipalCommand::Kind::kSeed) {
    const google::protobuf::Message& reply = std::visit(
        [](const auto& r) -> const google::protobuf::Message& { return r; },
        out.reply);
    out.writes.request = RequestRecordOf(command, kPrincipalsStream, reply);
    out.writes.request_principal = command.principal();
    out.writes.request_id = command.request_id();
  }
  out.writes.events.push_back(ChainedEvent(command, kPrincipalsStream, action,
                                           target, std::move(effects),
                                           std::move(detail), *tip));
  out.tip = {out.writes.events.back().sequence(),
             out.writes.events.back().hash()};
  return out;
}

absl::StatusOr<Applied> Applier::ApplyToOrganisations(
    v1::Command command, StateReader& reader) const {
  absl::StatusOr<std::vector<v1::Organisation>> all = reader.Organisations();
  if (!all.ok()) return all.status();
  Registry registry;
  for (v1::Organisation& o : *all) {
    std::string code = o.code();
    registry.emplace(std::move(code), std::move(o));
  }
  absl::StatusOr<OrganisationChange> change =
      DecideOrganisation(command, registry);
  if (!change.ok()) return change.status();
  Applied out;
  const std::string target =
      absl::StrCat("organisations/", change->record.code());
  out.reply = change->record;
  out.writes.organisations.push_back(change->record);
  absl::StatusOr<ChainTip> tip = reader.Tip(kOrganisationsStream);
  if (!tip.ok()) return tip.status();
  const bool from_a_caller = command.has_create_organisation() ||
                             command.has_rename_organisation() ||
                             command.has_retire_organisation();
  if (from_a_caller) {
    out.writes.request =
        RequestRecordOf(command, kOrganisationsStream, change->record);
    out.writes.request_principal = command.principal();
    out.writes.request_id = command.request_id();
  }
  out.writes.events.push_back(
      ChainedEvent(command, kOrganisationsStream, change->action, target,
                   {RecordEffect(target, change->before, change->after)},
                   std::move(change->detail), *tip));
  out.tip = {out.writes.events.back().sequence(),
             out.writes.events.back().hash()};
  return out;
}

}  // namespace evald::server
