// From a request to a command: pure functions, no store, no clock, no RPC.
//
// A mutating request becomes a v1::Command -- the request as given, who
// gave it, when and under which policy (proto/evaluation/v1) -- which is
// what the audit log keeps. From a v1::Command the functions here build
// the domain command scoring/ decides, checking every field on the way
// (InvalidArgument naming the field and the reason). evald builds commands
// from live requests, evalutl from the audit log; both through here.

#ifndef EVALD_SERVER_COMMANDS_H_
#define EVALD_SERVER_COMMANDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "evaluation/v1/evaluation.pb.h"
#include "google/protobuf/message.h"
#include "scoring/contract.h"
#include "server/principals.h"

namespace evald::server {

namespace v1 = ::evaluation::v1;

// The audit stream of principal changes (project ids may not start with
// '_').
inline constexpr char kPrincipalsStream[] = "_principals";

// A command's envelope: who, when (`now`, and the day in China Standard
// Time, which is the default of every date a request leaves out), and the
// request itself filed under `method` ("CreateProject" -> create_project).
// InvalidArgument if `method` has no field in v1::Command or `request` is
// not of its type.
absl::StatusOr<v1::Command> NewCommand(const Principal& who,
                                       absl::string_view method,
                                       const google::protobuf::Message& request,
                                       absl::Time now);

// The day `now` is in China Standard Time (UTC+8, no daylight saving).
scoring::Date ChinaDay(absl::Time now);

// "CreateProject" for create_project; "" when no request is set.
std::string MethodOf(const v1::Command& command);

// `m` serialized deterministically (map entries in key order), so that
// equal messages give equal bytes: for fingerprints and comparisons.
std::string DeterministicBytes(const google::protobuf::Message& m);

// The request inside the command (Command's default instance if none).
const google::protobuf::Message& RequestOf(const v1::Command& command);

// SHA-256 of the method and the request's deterministic encoding: the same
// request_id with a different request is refused.
std::string RequestDigest(const v1::Command& command);

// The stream the command's audit event goes to: its project's id, or
// kPrincipalsStream. Empty if the request names no project.
std::string StreamOf(const v1::Command& command);

// What a command to a project decides, and what it answers with.
struct ProjectCommand {
  std::string project_id;
  scoring::ContractCommand command;
  enum class Reply { kProject, kEvaluation, kTranche } reply = Reply::kProject;
  // The phase or tranche the reply is, when it is one.
  int year = 0;
  scoring::Phase phase = scoring::Phase::kMidTerm;
  scoring::TrancheKind kind = scoring::TrancheKind::kYearStart;
};

// The domain command of a project command (CreateProject, AssignAgency,
// the phase commands, ReleaseDisbursement). The party a score counts for
// is the principal's role.
absl::StatusOr<ProjectCommand> ProjectCommandOf(const v1::Command& command);

// A change of the principals.
struct PrincipalCommand {
  enum class Kind { kCreate, kRevoke, kSeed } kind = Kind::kCreate;
  std::string name;
  Role role = Role::kBureau;  // kCreate, kSeed
  std::string organisation;   // kCreate, kSeed
  std::string token_sha256_hex;
};

absl::StatusOr<PrincipalCommand> PrincipalCommandOf(const v1::Command& command);

}  // namespace evald::server

#endif  // EVALD_SERVER_COMMANDS_H_
