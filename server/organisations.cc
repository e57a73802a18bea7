#include "server/organisations.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/validate.h"

namespace evald::server {
namespace {

constexpr size_t kMaxNameBytes = 300;  // 100 CJK characters in UTF-8

OrganisationLookup LookupIn(const Registry& registry) {
  return [&registry](const std::string& code)
             -> absl::StatusOr<std::optional<v1::Organisation>> {
    auto it = registry.find(code);
    if (it == registry.end()) return std::nullopt;
    return it->second;
  };
}

// The registered record of `code`, or FailedPrecondition saying why the
// field may not name it.
absl::StatusOr<v1::Organisation> Active(const OrganisationLookup& lookup,
                                        absl::string_view field,
                                        const std::string& code,
                                        v1::OrganisationKind kind) {
  absl::StatusOr<std::optional<v1::Organisation>> o = lookup(code);
  if (!o.ok()) return o.status();
  if (!*o) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, ": \"", code, "\" is not ", WithArticle(kind),
        " in the registry", " (evalctl org list --kind ", KindName(kind),
        " lists them; the bureau registers new ones with evalctl org "
        "create)"));
  }
  if ((*o)->kind() != kind) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ": ", Labelled(**o), " is ",
                     WithArticle((*o)->kind()), ", not ", WithArticle(kind)));
  }
  if ((*o)->retired()) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ": ", Labelled(**o), " is retired"));
  }
  return **std::move(o);
}

absl::Status ValidateNames(const std::string& zh, const std::string& en,
                           bool zh_required) {
  if (zh_required || !zh.empty()) {
    if (absl::Status s = ValidateText("name_zh", zh, kMaxNameBytes); !s.ok()) {
      return s;
    }
  }
  if (!en.empty()) {
    if (absl::Status s = ValidateText("name_en", en, kMaxNameBytes); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

std::string Describe(const v1::Organisation& o) {
  std::string out = absl::StrCat(KindName(o.kind()), " ", o.name_zh());
  if (!o.name_en().empty()) absl::StrAppend(&out, " (", o.name_en(), ")");
  if (!o.township().empty()) absl::StrAppend(&out, ", of ", o.township());
  return out;
}

absl::StatusOr<OrganisationChange> Create(
    const v1::CreateOrganisationRequest& r, bool placeholder,
    const Registry& registry) {
  const OrganisationLookup lookup = LookupIn(registry);
  if (absl::Status s = ValidateId("code", r.code()); !s.ok()) return s;
  if (r.kind() == v1::ORGANISATION_KIND_UNSPECIFIED ||
      !v1::OrganisationKind_IsValid(r.kind())) {
    return absl::InvalidArgumentError(
        "kind: say which: district, township, village, provider or agency");
  }
  if (absl::Status s = ValidateNames(r.name_zh(), r.name_en(), true); !s.ok()) {
    return s;
  }
  if (r.kind() == v1::VILLAGE) {
    // A migrated village may not know its township yet.
    if (r.township().empty() && !placeholder) {
      return absl::InvalidArgumentError(
          "township: a village names the township it belongs to");
    }
    if (!r.township().empty()) {
      absl::StatusOr<v1::Organisation> township =
          Active(lookup, "township", r.township(), v1::TOWNSHIP);
      if (!township.ok()) return township.status();
    }
  } else if (!r.township().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("township: only a village belongs to a township, not ",
                     WithArticle(r.kind())));
  }
  absl::StatusOr<std::optional<v1::Organisation>> existing = lookup(r.code());
  if (!existing.ok()) return existing.status();
  if (*existing) {
    return absl::AlreadyExistsError(
        absl::StrCat("code: ", Labelled(**existing), " is already registered (",
                     KindName((*existing)->kind()),
                     (*existing)->retired() ? ", retired" : "",
                     "); codes are never reused"));
  }
  OrganisationChange out;
  out.record.set_code(r.code());
  out.record.set_kind(r.kind());
  out.record.set_name_zh(r.name_zh());
  out.record.set_name_en(r.name_en());
  out.record.set_township(r.township());
  out.record.set_placeholder(placeholder);
  out.after = "ACTIVE";
  out.detail = Describe(out.record);
  if (placeholder)
    absl::StrAppend(&out.detail, "; its name is to be filled in");
  return out;
}

absl::StatusOr<v1::Organisation> Registered(const Registry& registry,
                                            const std::string& code) {
  if (absl::Status s = ValidateId("code", code); !s.ok()) return s;
  auto it = registry.find(code);
  if (it == registry.end()) {
    return absl::NotFoundError(
        absl::StrCat("code: \"", code, "\" is not a registered organisation"));
  }
  return it->second;
}

}  // namespace

std::string WithArticle(v1::OrganisationKind kind) {
  return absl::StrCat(kind == v1::AGENCY ? "an " : "a ", KindName(kind));
}

std::string KindName(v1::OrganisationKind kind) {
  switch (kind) {
    case v1::DISTRICT:
      return "district";
    case v1::TOWNSHIP:
      return "township";
    case v1::VILLAGE:
      return "village";
    case v1::PROVIDER:
      return "provider";
    case v1::AGENCY:
      return "agency";
    default:
      return "organisation";
  }
}

std::optional<v1::OrganisationKind> ParseKind(absl::string_view name) {
  for (v1::OrganisationKind k :
       {v1::DISTRICT, v1::TOWNSHIP, v1::VILLAGE, v1::PROVIDER, v1::AGENCY}) {
    if (name == KindName(k)) return k;
  }
  return std::nullopt;
}

std::string Labelled(const v1::Organisation& o) {
  if (o.name_zh().empty() || o.name_zh() == o.code()) return o.code();
  return absl::StrCat(o.code(), " ", o.name_zh());
}

v1::OrganisationKind KindOfRole(Role role) {
  switch (role) {
    case Role::kAgency:
      return v1::AGENCY;
    case Role::kTownship:
      return v1::TOWNSHIP;
    case Role::kVillage:
      return v1::VILLAGE;
    case Role::kProvider:
      return v1::PROVIDER;
    case Role::kBureau:
    case Role::kFinance:
    case Role::kAdmin:
      return v1::DISTRICT;
  }
  return v1::DISTRICT;
}

absl::StatusOr<OrganisationChange> DecideOrganisation(
    const v1::Command& command, const Registry& registry) {
  switch (command.request_case()) {
    case v1::Command::kCreateOrganisation: {
      absl::StatusOr<OrganisationChange> c =
          Create(command.create_organisation(), false, registry);
      if (c.ok()) c->action = "organisation.created";
      return c;
    }
    case v1::Command::kSeedOrganisation: {
      absl::StatusOr<OrganisationChange> c =
          Create(command.seed_organisation(), false, registry);
      if (c.ok()) c->action = "organisation.seeded";
      return c;
    }
    case v1::Command::kMigrateOrganisation: {
      absl::StatusOr<OrganisationChange> c =
          Create(command.migrate_organisation(), true, registry);
      if (c.ok()) c->action = "organisation.migrated";
      return c;
    }
    case v1::Command::kRenameOrganisation: {
      const v1::RenameOrganisationRequest& r = command.rename_organisation();
      absl::StatusOr<v1::Organisation> o = Registered(registry, r.code());
      if (!o.ok()) return o.status();
      if (r.name_zh().empty() && r.name_en().empty()) {
        return absl::InvalidArgumentError(
            "name_zh: give a new Chinese name, an English one (name_en), or "
            "both");
      }
      if (absl::Status s = ValidateNames(r.name_zh(), r.name_en(), false);
          !s.ok()) {
        return s;
      }
      OrganisationChange out;
      out.before = out.after = o->retired() ? "RETIRED" : "ACTIVE";
      out.detail = absl::StrCat("was ", o->name_zh());
      if (!o->name_en().empty())
        absl::StrAppend(&out.detail, " (", o->name_en(), ")");
      if (!r.name_zh().empty()) {
        o->set_name_zh(r.name_zh());
        o->set_placeholder(false);
      }
      if (!r.name_en().empty()) o->set_name_en(r.name_en());
      absl::StrAppend(&out.detail, ", now ", o->name_zh());
      if (!o->name_en().empty())
        absl::StrAppend(&out.detail, " (", o->name_en(), ")");
      out.record = *std::move(o);
      out.action = "organisation.renamed";
      return out;
    }
    case v1::Command::kRetireOrganisation: {
      const v1::RetireOrganisationRequest& r = command.retire_organisation();
      absl::StatusOr<v1::Organisation> o = Registered(registry, r.code());
      if (!o.ok()) return o.status();
      if (absl::Status s =
              ValidateText("reason", r.reason(), 2000, Lines::kMany);
          !s.ok()) {
        return s;
      }
      if (o->retired()) {
        return absl::FailedPreconditionError(
            absl::StrCat("code: ", Labelled(*o), " is already retired"));
      }
      if (o->kind() == v1::TOWNSHIP) {
        std::vector<std::string> villages;
        for (const auto& [code, v] : registry) {
          if (v.kind() == v1::VILLAGE && v.township() == o->code() &&
              !v.retired()) {
            villages.push_back(Labelled(v));
          }
        }
        if (!villages.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "code: ", Labelled(*o), " still has active villages (",
              absl::StrJoin(villages, ", "), "); retire them first"));
        }
      }
      OrganisationChange out;
      out.before = "ACTIVE";
      out.after = "RETIRED";
      o->set_retired(true);
      out.detail = absl::StrCat(Describe(*o), "; because ", r.reason());
      out.record = *std::move(o);
      out.action = "organisation.retired";
      return out;
    }
    default:
      return absl::InvalidArgumentError("not a change of the registry");
  }
}

absl::Status CheckProjectOrganisations(const v1::Command& command,
                                       const OrganisationLookup& lookup) {
  if (command.has_assign_agency()) {
    const std::string& agency = command.assign_agency().agency();
    if (agency.empty()) return absl::OkStatus();  // commands.cc refuses it
    return Active(lookup, "agency", agency, v1::AGENCY).status();
  }
  if (!command.has_create_project()) return absl::OkStatus();
  const v1::CreateProjectRequest& r = command.create_project();
  absl::StatusOr<v1::Organisation> township =
      Active(lookup, "township", r.township(), v1::TOWNSHIP);
  if (!township.ok()) return township.status();
  if (absl::Status s =
          Active(lookup, "provider", r.provider(), v1::PROVIDER).status();
      !s.ok()) {
    return s;
  }
  if (!r.agency().empty()) {
    if (absl::Status s =
            Active(lookup, "agency", r.agency(), v1::AGENCY).status();
        !s.ok()) {
      return s;
    }
  }
  for (const std::string& code : r.villages()) {
    absl::StatusOr<v1::Organisation> village =
        Active(lookup, "villages", code, v1::VILLAGE);
    if (!village.ok()) return village.status();
    if (village->township() != r.township()) {
      std::string theirs = village->township().empty()
                               ? std::string("no township yet")
                               : village->township();
      if (!village->township().empty()) {
        absl::StatusOr<std::optional<v1::Organisation>> t =
            lookup(village->township());
        if (!t.ok()) return t.status();
        if (*t) theirs = Labelled(**t);
      }
      return absl::FailedPreconditionError(absl::StrCat(
          "villages: ", Labelled(*village), " belongs to ", theirs, ", not to ",
          Labelled(*township),
          " (a station serves villages of its own township; the bureau "
          "corrects a village's township by retiring it and registering it "
          "again under a new code)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPrincipalOrganisation(const v1::Command& command,
                                        const OrganisationLookup& lookup) {
  if (!command.has_create_principal()) return absl::OkStatus();
  const v1::CreatePrincipalRequest& r = command.create_principal();
  std::optional<Role> role = ParseRole(r.role());
  if (!role) return absl::OkStatus();  // commands.cc names the bad role
  if (absl::Status s = ValidateId("organisation", r.organisation()); !s.ok()) {
    return s;
  }
  return Active(lookup, "organisation", r.organisation(), KindOfRole(*role))
      .status();
}

}  // namespace evald::server
