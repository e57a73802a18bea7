// The commit core of Engine: locks, idempotency, the caches and the
// principal registry around the one write path (apply.h).

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <type_traits>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/random.h"
#include "common/sha256.h"
#include "server/authz.h"
#include "server/commands.h"
#include "server/convert.h"
#include "server/engine.h"
#include "server/organisations.h"
#include "server/validate.h"

namespace evald::server {

// Apply's reads under a stripe's lock: the project record and the chain
// tip from the stripe's caches, everything else from `reads` (the store's
// CommandReads). A store with other writers (etcd) keeps no caches: the
// reader then remembers what it read for one command only.
class Engine::CachedReader : public StoreReader {
 public:
  CachedReader(const storage::Store* store, const storage::RecordReader* reads,
               Stripe& stripe) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stripe.mu)
      : StoreReader(reads),
        reads_(reads),
        projects_(store->SingleWriter() ? stripe.projects : own_projects_),
        tips_(store->SingleWriter() ? stripe.tips : own_tips_) {}

  absl::StatusOr<std::optional<v1::Project>> Project(
      const std::string& id) override ABSL_NO_THREAD_SAFETY_ANALYSIS {
    // The caller holds the stripe's lock (the constructor requires it, and
    // the reader lives only inside that critical section).
    auto it = projects_.find(id);
    if (it != projects_.end()) {
      v1::Project project;
      if (!project.ParseFromString(it->second)) {
        return absl::InternalError(absl::StrCat("project ", id, " in memory"));
      }
      return project;
    }
    absl::StatusOr<std::optional<v1::Project>> p = reads_->GetProject(id);
    if (p.ok() && *p) projects_.emplace(id, (*p)->SerializeAsString());
    return p;  // an absent one is not kept: it may be created
  }

  absl::StatusOr<ChainTip> Tip(const std::string& stream) override
      ABSL_NO_THREAD_SAFETY_ANALYSIS {
    auto it = tips_.find(stream);
    if (it != tips_.end()) return it->second;
    absl::StatusOr<ChainTip> tip = StoreReader::Tip(stream);
    if (tip.ok()) tips_.emplace(stream, *tip);
    return tip;
  }

 private:
  const storage::RecordReader* reads_;
  absl::flat_hash_map<std::string, std::string> own_projects_;
  absl::flat_hash_map<std::string, ChainTip> own_tips_;
  absl::flat_hash_map<std::string, std::string>& projects_;
  absl::flat_hash_map<std::string, ChainTip>& tips_;
};

namespace {

// Whether a new project, agency or principal names registered, active
// organisations (organisations.h). The request's own fields are checked
// first, so that a malformed one is InvalidArgument as before. The lookup
// is not under the registry's lock: a retirement racing a CreateProject
// may let the project name what was retired a moment before, which
// retiring allows for records made earlier anyway.
absl::Status CheckRegistry(const v1::Command& command,
                           const storage::RecordReader& store) {
  const OrganisationLookup lookup = [&store](const std::string& code) {
    return store.GetOrganisation(code);
  };
  if (command.has_create_project() || command.has_assign_agency()) {
    if (absl::Status s = ProjectCommandOf(command).status(); !s.ok()) {
      return s;
    }
    return CheckProjectOrganisations(command, lookup);
  }
  if (command.has_create_principal()) {
    v1::Command with_digest = command;
    with_digest.set_token_sha256_hex(std::string(64, '0'));
    if (absl::Status s = PrincipalCommandOf(with_digest).status(); !s.ok()) {
      return s;
    }
    return CheckPrincipalOrganisation(command, lookup);
  }
  return absl::OkStatus();
}

// What `command` will read (storage::ReadPlan): its request record, its
// stream, and the phase or the whole contract its rules need (ReadsOf).
storage::ReadPlan PlanOf(const v1::Command& command) {
  storage::ReadPlan plan;
  plan.principal = command.principal();
  plan.request_id = command.request_id();
  plan.stream = StreamOf(command);
  absl::StatusOr<ProjectCommand> pc = ProjectCommandOf(command);
  if (!pc.ok()) return plan;  // not a project command (or a bad one)
  switch (scoring::ReadsOf(pc->command)) {
    case scoring::Reads::kContract:
      break;
    case scoring::Reads::kPhase:
      plan.year = pc->year;
      plan.phase = ToProto(pc->phase);
      break;
    case scoring::Reads::kWholeContract:
      plan.whole_contract = true;
      break;
  }
  return plan;
}

}  // namespace

Engine::Stripe& Engine::StripeOf(absl::string_view stream) {
  return stripes_[absl::Hash<absl::string_view>()(stream) % kStripes];
}

absl::StatusOr<Applied> Engine::ApplyAndCommit(
    const v1::Command& command, const ProjectCheck& check, Stripe& stripe,
    std::shared_ptr<const storage::RecordReader> reads) {
  absl::StatusOr<Applied> applied;
  for (int attempt = 1;; ++attempt) {
    if (reads == nullptr) {
      absl::StatusOr<std::shared_ptr<const storage::RecordReader>> fresh =
          store_->CommandReads(PlanOf(command));
      if (!fresh.ok()) return fresh.status();
      reads = std::move(*fresh);
    }
    CachedReader reader(store_, reads.get(), stripe);
    applied = applier_.Apply(command, reader, check);
    if (!applied.ok()) return applied;
    applied->writes.read_revision = reads->Revision();
    reads = nullptr;  // a next attempt reads again
    const std::string& stream = applied->writes.events.front().project_id();
    absl::Status s = store_->Commit(applied->writes);
    if (s.ok()) break;
    // Whatever it left on disk, the next command reads it again.
    stripe.tips.erase(stream);
    stripe.projects.erase(stream);
    // Another replica changed the stream between our reads and our commit:
    // decide again from what is there now, a few times, after a short
    // random pause that grows with each attempt, so that two replicas
    // racing on one stream do not keep colliding in step. The pause holds
    // the stream's lock: a lost race is rare, and the next command of the
    // stream would only lose it too.
    if (!absl::IsAborted(s) || attempt == kCommitAttempts) return s;
    thread_local std::minstd_rand jitter(std::random_device{}());
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(
        1, std::min(1 << attempt, 50))(jitter)));
  }
  if (store_->SingleWriter()) {
    stripe.tips.insert_or_assign(applied->writes.events.front().project_id(),
                                 applied->tip);
    if (applied->project) {
      stripe.projects.insert_or_assign(applied->project->project_id(),
                                       applied->project->SerializeAsString());
    }
  }
  if (applied->principal && principals_ != nullptr) {
    const storage::PrincipalRecord& p = *applied->principal;
    if (p.revoked()) {
      principals_->Remove(p.name());
    } else {
      principals_->Put(
          p.token_sha256_hex(),
          Principal{p.name(), *ParseRole(p.role()), p.organisation()});
    }
  }
  return applied;
}

template <typename Reply>
absl::StatusOr<Reply> Engine::Mutate(const Principal& who,
                                     absl::string_view method,
                                     const google::protobuf::Message& request) {
  if (absl::Status s = AuthorizeMethod(method, who); !s.ok()) return s;
  absl::StatusOr<v1::Command> command =
      NewCommand(who, method, request, now_());
  if (!command.ok()) return absl::InternalError(command.status().message());
  if (absl::Status s = ValidateRequestId(command->request_id()); !s.ok()) {
    return s;
  }
  if (allow_future_dates_) command->set_allow_future_dates(true);
  if (command->has_finalize_evaluation() &&
      command->finalize_evaluation().validate_only()) {
    // A dry run decides under the project's lock, as the real call would,
    // and commits nothing: no request record either, so it is never
    // replayed as an answer.
    Stripe& stripe = StripeOf(StreamOf(*command));
    absl::MutexLock lock(&stripe.mu);
    absl::StatusOr<std::shared_ptr<const storage::RecordReader>> reads =
        store_->CommandReads(PlanOf(*command));
    if (!reads.ok()) return reads.status();
    CachedReader reader(store_, reads->get(), stripe);
    absl::StatusOr<Applied> applied = applier_.Apply(
        *command, reader,
        [&who](const v1::Project& p) { return AuthorizeProject(who, p); });
    if (!applied.ok()) return applied.status();
    return std::get<Reply>(std::move(applied->reply));
  }
  const bool principal_change =
      command->has_create_principal() || command->has_revoke_principal();
  if (principal_change && principals_ == nullptr) {
    return absl::FailedPreconditionError("principal management is off");
  }

  // The request record is keyed by (principal, request_id) and the change
  // by stream: hold both locks, always in this order, so that neither a
  // concurrent retry nor a concurrent change of the stream slips between
  // the lookup and the commit.
  absl::MutexLock request_lock(
      &request_locks_
          [absl::Hash<std::pair<absl::string_view, absl::string_view>>()(
               {who.name, command->request_id()}) %
           kStripes]);
  Stripe& stripe = StripeOf(StreamOf(*command));
  absl::MutexLock lock(&stripe.mu);
  absl::StatusOr<std::shared_ptr<const storage::RecordReader>> reads =
      store_->CommandReads(PlanOf(*command));
  if (!reads.ok()) return reads.status();
  absl::StatusOr<std::optional<storage::RequestRecord>> seen =
      (*reads)->GetRequest(who.name, command->request_id());
  if (!seen.ok()) return seen.status();
  if (*seen) {
    if ((*seen)->method() != method ||
        (*seen)->request_digest() != RequestDigest(*command)) {
      return absl::AlreadyExistsError(absl::StrCat(
          "request_id: \"", command->request_id(), "\" was already used by ",
          who.name, " for a different request (", (*seen)->method(),
          "); use a new request_id"));
    }
    Reply reply;
    if (!reply.ParseFromString((*seen)->reply())) {
      return absl::DataLossError(absl::StrCat(
          "storage: the stored reply of request ", command->request_id(),
          " of ", who.name, " does not parse"));
    }
    return reply;
  }

  if (absl::Status s = CheckRegistry(*command, **reads); !s.ok()) return s;

  std::string token;  // CreatePrincipal: returned once, never stored
  if (command->has_create_project()) {
    command->set_policy_id(command->create_project().policy_id().empty()
                               ? policies_.Default().id
                               : command->create_project().policy_id());
  } else if (command->has_create_principal()) {
    token = RandomHex(32);  // 256 bits
    command->set_token_sha256_hex(Sha256Hex(token));
  }
  absl::StatusOr<Applied> applied = ApplyAndCommit(
      *command,
      [&who](const v1::Project& p) { return AuthorizeProject(who, p); }, stripe,
      *std::move(reads));
  if (!applied.ok() && !store_->SingleWriter()) {
    // The same request, retried on another replica, may have been the one
    // that committed first -- then deciding again was refused (Aborted, or
    // by the rules: the project it created exists): its reply is the
    // answer.
    absl::StatusOr<std::optional<storage::RequestRecord>> first =
        store_->GetRequest(who.name, command->request_id());
    if (first.ok() && *first && (*first)->method() == method &&
        (*first)->request_digest() == RequestDigest(*command)) {
      Reply reply;
      if (reply.ParseFromString((*first)->reply())) return reply;
    }
  }
  if (!applied.ok()) return applied.status();
  Reply reply = std::get<Reply>(std::move(applied->reply));
  if constexpr (std::is_same_v<Reply, v1::CreatePrincipalResponse>) {
    reply.set_token(token);
  }
  return reply;
}

template absl::StatusOr<v1::Project> Engine::Mutate(
    const Principal&, absl::string_view, const google::protobuf::Message&);
template absl::StatusOr<v1::Evaluation> Engine::Mutate(
    const Principal&, absl::string_view, const google::protobuf::Message&);
template absl::StatusOr<v1::Disbursement> Engine::Mutate(
    const Principal&, absl::string_view, const google::protobuf::Message&);
template absl::StatusOr<v1::CreatePrincipalResponse> Engine::Mutate(
    const Principal&, absl::string_view, const google::protobuf::Message&);
template absl::StatusOr<v1::PrincipalInfo> Engine::Mutate(
    const Principal&, absl::string_view, const google::protobuf::Message&);
template absl::StatusOr<v1::Organisation> Engine::Mutate(
    const Principal&, absl::string_view, const google::protobuf::Message&);

absl::StatusOr<PrincipalRegistry> Engine::SeedPrincipals(
    const PrincipalRegistry& file) {
  absl::StatusOr<std::vector<storage::PrincipalRecord>> stored =
      store_->ListPrincipals();
  if (!stored.ok()) return stored.status();
  std::set<std::string> known;
  for (const storage::PrincipalRecord& r : *stored) known.insert(r.name());
  const Principal seeder{"seed", Role::kAdmin, "evald"};
  int seeded = 0;
  for (const auto& [hash, p] : file.Entries()) {
    if (known.count(p.name)) continue;
    v1::CreatePrincipalRequest request;
    request.set_name(p.name);
    request.set_role(RoleName(p.role));
    request.set_organisation(p.organisation);
    absl::StatusOr<v1::Command> command =
        NewCommand(seeder, "SeedPrincipal", request, now_());
    if (!command.ok()) return command.status();
    command->set_request_id(absl::StrCat("seed:", p.name));
    command->set_token_sha256_hex(hash);
    Stripe& stripe = StripeOf(kPrincipalsStream);
    absl::MutexLock lock(&stripe.mu);
    absl::StatusOr<Applied> applied = ApplyAndCommit(*command, {}, stripe);
    if (!applied.ok()) {
      // Another replica starting at the same moment may have seeded it.
      if (absl::StatusOr<bool> there = HasPrincipal(p.name);
          there.ok() && *there) {
        continue;
      }
      return applied.status();
    }
    ++seeded;
  }
  // Read again: what this process seeded, and what another replica did.
  absl::StatusOr<std::vector<storage::PrincipalRecord>> all =
      store_->ListPrincipals();
  if (!all.ok()) return all.status();
  stored = *std::move(all);
  PrincipalRegistry registry;
  for (const storage::PrincipalRecord& r : *stored) {
    if (r.revoked()) continue;
    std::optional<Role> role = ParseRole(r.role());
    if (!role) {
      return absl::DataLossError(
          absl::StrCat("principal ", r.name(), " has unknown role ", r.role()));
    }
    registry.Put(r.token_sha256_hex(),
                 Principal{r.name(), *role, r.organisation()});
  }
  return registry;
}

absl::Status Engine::RegisterAtStart(
    absl::string_view method, const v1::CreateOrganisationRequest& request) {
  const Principal seeder{"seed", Role::kAdmin, "evald"};
  absl::StatusOr<v1::Command> command =
      NewCommand(seeder, method, request, now_());
  if (!command.ok()) return command.status();
  command->set_request_id(absl::StrCat("seed:", request.code()));
  Stripe& stripe = StripeOf(kOrganisationsStream);
  absl::MutexLock lock(&stripe.mu);
  absl::Status s = ApplyAndCommit(*command, {}, stripe).status();
  if (!s.ok()) {
    // Another replica starting at the same moment may have registered it.
    absl::StatusOr<std::optional<v1::Organisation>> there =
        store_->GetOrganisation(request.code());
    if (there.ok() && *there) return absl::OkStatus();
  }
  return s;
}

absl::StatusOr<bool> Engine::HasPrincipal(const std::string& name) const {
  absl::StatusOr<std::vector<storage::PrincipalRecord>> all =
      store_->ListPrincipals();
  if (!all.ok()) return all.status();
  for (const storage::PrincipalRecord& r : *all) {
    if (r.name() == name) return true;
  }
  return false;
}

absl::StatusOr<bool> Engine::RefreshPrincipals() {
  if (principals_ == nullptr) return false;
  absl::MutexLock lock(&refresh_mu_);
  // Under the principals' stream lock: a revocation made here commits and
  // leaves the registry under it, so a list read before it cannot put the
  // revoked token back after.
  Stripe& stripe = StripeOf(kPrincipalsStream);
  absl::MutexLock stream_lock(&stripe.mu);
  absl::StatusOr<std::optional<v1::AuditEvent>> tip =
      store_->LastAuditEvent(kPrincipalsStream);
  if (!tip.ok()) return tip.status();
  const int64_t sequence = *tip ? (*tip)->sequence() : 0;
  if (sequence == principals_seen_) return false;
  // Listed after the tip was read: what the list holds is at least that
  // new, and a change in between is seen again at the next call.
  absl::StatusOr<std::vector<storage::PrincipalRecord>> all =
      store_->ListPrincipals();
  if (!all.ok()) return all.status();
  for (const storage::PrincipalRecord& r : *all) {
    std::optional<Role> role = ParseRole(r.role());
    if (r.revoked() || !role) {
      principals_->Remove(r.name());
    } else {
      principals_->Put(r.token_sha256_hex(),
                       Principal{r.name(), *role, r.organisation()});
    }
  }
  principals_seen_ = sequence;
  return true;
}

absl::StatusOr<Engine::Migration> Engine::SeedOrganisations(
    const std::vector<v1::CreateOrganisationRequest>& file,
    const PrincipalRegistry& principals_file) {
  absl::StatusOr<std::vector<v1::Organisation>> before =
      store_->ListOrganisations();
  if (!before.ok()) return before.status();
  Migration out;
  std::map<std::string, v1::OrganisationKind> known;
  for (const v1::Organisation& o : *before) known.emplace(o.code(), o.kind());
  for (const v1::CreateOrganisationRequest& r : file) {
    if (known.count(r.code())) continue;
    if (absl::Status s = RegisterAtStart("SeedOrganisation", r); !s.ok()) {
      return absl::Status(
          s.code(), absl::StrCat("organisation ", r.code(), ": ", s.message()));
    }
    known.emplace(r.code(), r.kind());
    ++out.seeded;
  }

  // The codes in use, in the order met, with the kind they are used as.
  std::vector<v1::CreateOrganisationRequest> in_use;
  auto use = [&](const std::string& code, v1::OrganisationKind kind,
                 const std::string& township, const std::string& where) {
    if (!ValidateId("code", code).ok()) return;  // free text: not a code
    auto [it, added] = known.emplace(code, kind);
    if (!added) {
      if (it->second != kind) {
        out.conflicts.push_back(
            absl::StrCat(code, " is a ", KindName(it->second), " but ", where,
                         " uses it as a ", KindName(kind)));
      }
      return;
    }
    v1::CreateOrganisationRequest r;
    r.set_code(code);
    r.set_kind(kind);
    r.set_name_zh(code);
    r.set_township(township);
    in_use.push_back(std::move(r));
  };
  // The projects are read once: on the first start of a registry-aware
  // evald on the database (the marker is set when the migration is done).
  absl::StatusOr<bool> migrated = store_->HasMarker("registry_migrated");
  if (!migrated.ok()) return migrated.status();
  if (!*migrated) {
    std::string token;
    do {
      absl::StatusOr<storage::Page<v1::Project>> page =
          store_->ListProjects("", 1000, token);
      if (!page.ok()) return page.status();
      for (const v1::Project& p : page->items) {
        const std::string where = absl::StrCat("project ", p.project_id());
        use(p.township(), v1::TOWNSHIP, "", where);
        use(p.provider(), v1::PROVIDER, "", where);
        if (!p.agency().empty()) use(p.agency(), v1::AGENCY, "", where);
        for (const std::string& v : p.villages()) {
          use(v, v1::VILLAGE, p.township(), where);
        }
      }
      token = page->next_page_token;
    } while (!token.empty());
  }
  absl::StatusOr<std::vector<storage::PrincipalRecord>> stored =
      store_->ListPrincipals();
  if (!stored.ok()) return stored.status();
  for (const storage::PrincipalRecord& p : *stored) {
    if (std::optional<Role> role = ParseRole(p.role())) {
      use(p.organisation(), KindOfRole(*role), "",
          absl::StrCat("principal ", p.name()));
    }
  }
  for (const auto& [hash, p] : principals_file.Entries()) {
    use(p.organisation, KindOfRole(p.role), "",
        absl::StrCat("principal ", p.name, " of the principals file"));
  }
  std::stable_partition(in_use.begin(), in_use.end(), [](const auto& r) {
    return r.kind() != v1::VILLAGE;  // after their townships
  });
  for (const v1::CreateOrganisationRequest& r : in_use) {
    if (absl::Status s = RegisterAtStart("MigrateOrganisation", r); !s.ok()) {
      return absl::Status(
          s.code(), absl::StrCat("organisation ", r.code(), ": ", s.message()));
    }
    absl::StatusOr<std::optional<v1::Organisation>> made =
        store_->GetOrganisation(r.code());
    if (!made.ok()) return made.status();
    if (*made) out.placeholders.push_back(**made);
  }
  if (!*migrated) {
    if (absl::Status s = store_->SetMarker("registry_migrated"); !s.ok()) {
      return s;
    }
  }
  return out;
}

}  // namespace evald::server
