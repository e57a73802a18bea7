// An evalctl command ("NOUN VERB"), the helpers every command's flags use,
// and the lists of commands each noun file returns.

#ifndef EVALD_CLIENT_COMMAND_H_
#define EVALD_CLIENT_COMMAND_H_

#include <functional>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/args.h"
#include "client/output.h"
#include "client/session.h"
#include "client/views.h"

namespace evald::client {

struct Command {
  const char* noun;
  const char* verb;  // "" for single-word commands (summary, import)
  const char* summary;
  const char* usage;
  const char* example;
  std::set<std::string> flags;     // that take a value
  std::set<std::string> booleans;  // that take none
  // Whether the command takes positional arguments after its words.
  bool takes_arguments = false;
  std::function<int(Session&, const Args&)> run;
};

// "project create", "summary".
std::string CommandName(const Command& c);

// Reports a bad flag value as a usage error (exit 2): nothing was sent.
int Usage(Session& s, const absl::Status& status);

// `var` = the value of `expr`, or return a usage error.
#define EVALD_TRY_FLAG(var, expr) \
  auto var = (expr);              \
  if (!var.ok()) return Usage(s, var.status());

// --project, --year and --phase of a phase.
absl::StatusOr<v1::EvaluationRef> RefFlags(const Args& args);

// The flag names of RefFlags plus --request-id.
const std::set<std::string>& RefFlagNames();

std::set<std::string> With(std::set<std::string> base,
                           std::initializer_list<std::string> more);

// A change to one phase: --project, --year and --phase name it, `fill`
// sets the rest of the request (an error is a usage error: nothing is
// sent), and the phase as it is afterwards is printed. The reply is also
// left in `*reply` when given.
template <typename Request>
int PhaseChange(Session& s, const Args& args,
                grpc::Status (Stub::*method)(grpc::ClientContext*,
                                             const Request&, v1::Evaluation*),
                const std::function<absl::Status(Request&)>& fill,
                v1::Evaluation* reply = nullptr) {
  EVALD_TRY_FLAG(ref, RefFlags(args));
  Request r;
  *r.mutable_evaluation() = *ref;
  if (absl::Status st = fill(r); !st.ok()) return Usage(s, st);
  r.set_request_id(RequestId(s, args));
  v1::Evaluation local;
  v1::Evaluation& out = reply != nullptr ? *reply : local;
  const bool ok = Call(s, method, r, &out);
  if (reply != nullptr) return ok ? kOk : kRefused;
  return PrintReply(s, ok, out, EvaluationDetail(out));
}

// The commands of each noun (one file each).
std::vector<Command> ProjectCommands();
std::vector<Command> SubmissionCommands();    // score, financial, veto
std::vector<Command> EvaluationCommands();    // evaluation, rectification
std::vector<Command> MoneyCommands();         // disbursement
std::vector<Command> HistoryCommands();       // summary, audit, policy
std::vector<Command> PrincipalCommands();     // principal (admin)
std::vector<Command> OrganisationCommands();  // org (the registry)
std::vector<Command> EventCommands();         // event (the feed)
std::vector<Command> OpsCommands();           // backup, webhook (admin)
std::vector<Command> ImportCommands();        // import
std::vector<Command> TodayCommands();         // today

}  // namespace evald::client

#endif  // EVALD_CLIENT_COMMAND_H_
