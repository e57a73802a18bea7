// evalctl: the command-line client of evald, kubectl-style:
//
//   evalctl [global flags] NOUN VERB [flags]
//
// Global flags: --server HOST:PORT (default $EVAL_SERVER, then
// 127.0.0.1:50051), --token (default $EVAL_TOKEN), -o/--output
// table|json|csv (default table), --timeout SECONDS (default 30).
//
// Exit codes: 0 success; 1 the server refused (the gRPC status and message
// on stderr, e.g. "error: FAILED_PRECONDITION: evaluation P1/2025/mid-term
// is PASSED: ...") or could not be reached, or an import had bad rows;
// 2 a usage error. docs/cli.md walks through every command.

#ifndef EVALD_CLIENT_EVALCTL_H_
#define EVALD_CLIENT_EVALCTL_H_

#include <ostream>
#include <string>
#include <vector>

namespace evald::client {

// Runs one evalctl invocation (argv without the program name) and returns
// its exit code. `env_server` and `env_token` are $EVAL_SERVER/$EVAL_TOKEN.
int RunEvalctl(const std::vector<std::string>& argv,
               const std::string& env_server, const std::string& env_token,
               std::ostream& out, std::ostream& err);

}  // namespace evald::client

#endif  // EVALD_CLIENT_EVALCTL_H_
