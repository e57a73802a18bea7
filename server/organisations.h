// The registry of organisations (proto: organisation.proto): what a change
// of it decides, and the checks that make projects and principals name
// registered, active organisations.
//
// Both are pure: they read the registry through an OrganisationLookup and
// write nothing. The Applier commits a change (apply.h); evald's engine
// runs the checks when it admits a CreateProject, AssignAgency or
// CreatePrincipal (replay does not: it reproduces accepted commands, and
// an organisation retired since must not make history refuse).

#ifndef EVALD_SERVER_ORGANISATIONS_H_
#define EVALD_SERVER_ORGANISATIONS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "evaluation/v1/evaluation.pb.h"
#include "server/principals.h"

namespace evald::server {

namespace v1 = ::evaluation::v1;

// The audit stream of registry changes (project ids may not start with
// '_').
inline constexpr char kOrganisationsStream[] = "_organisations";

// One organisation by code: absent when not registered.
using OrganisationLookup =
    std::function<absl::StatusOr<std::optional<v1::Organisation>>(
        const std::string& code)>;

// The registry as read: code -> record.
using Registry = std::map<std::string, v1::Organisation>;

// What one registry command decides.
struct OrganisationChange {
  v1::Organisation record;  // as it is after the command
  std::string action;       // "organisation.created", ...
  std::string before;       // "" (new), "ACTIVE" or "RETIRED"
  std::string after;
  std::string detail;  // for people: names, kind, township, reason
};

// Decides CreateOrganisation, RenameOrganisation, RetireOrganisation and
// the seed and migration commands. InvalidArgument names the field
// (code, kind, name_zh, name_en, township, reason); AlreadyExists for a
// code taken (of any kind: codes are unique across kinds); NotFound for a
// code to rename or retire that is not registered; FailedPrecondition for
// a village whose township is not an active township, a second
// retirement, or a township retired while active villages remain.
absl::StatusOr<OrganisationChange> DecideOrganisation(
    const v1::Command& command, const Registry& registry);

// Whether every organisation a CreateProject or AssignAgency command names
// is registered, active and of the right kind, and every village belongs
// to the project's township. `project` is the project AssignAgency
// changes (ignored for CreateProject). Ok for any other command.
// FailedPrecondition naming the field, the code and what is wrong, with
// the registered name beside the code.
absl::Status CheckProjectOrganisations(const v1::Command& command,
                                       const OrganisationLookup& lookup);

// The kind of organisation a role belongs to: agency -> AGENCY, township
// -> TOWNSHIP, village -> VILLAGE, provider -> PROVIDER; bureau, finance
// and admin -> DISTRICT.
v1::OrganisationKind KindOfRole(Role role);

// Whether a CreatePrincipal's organisation is registered, active and of
// the kind its role implies (FailedPrecondition naming "organisation").
// Ok for any other command.
absl::Status CheckPrincipalOrganisation(const v1::Command& command,
                                        const OrganisationLookup& lookup);

// "huangge 黄阁镇" (the code, and the Chinese name when it is not the
// code).
std::string Labelled(const v1::Organisation& o);

// "a township", "an agency", ...: for messages.
std::string WithArticle(v1::OrganisationKind kind);

// "township", "village", ... (lower case, as the CLI and files spell it);
// and back (nullopt for anything else).
std::string KindName(v1::OrganisationKind kind);
std::optional<v1::OrganisationKind> ParseKind(absl::string_view name);

}  // namespace evald::server

#endif  // EVALD_SERVER_ORGANISATIONS_H_
