// The authorization matrix (docs/security.md): which role may call which
// RPC, and on which projects.
//
// Every RPC has exactly one row. A role in the row may call the RPC; for
// project-scoped calls the principal must also be related to the project:
//   township  - the project's buyer township
//   village   - one of the villages the project serves
//   provider  - the project's provider
//   agency    - the evaluation agency assigned to the project
//   bureau, finance, admin - every project
// Results are visible along the same relation (RULES.md §8).

#ifndef EVALD_SERVER_AUTHZ_H_
#define EVALD_SERVER_AUTHZ_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "evaluation/v1/evaluation.pb.h"
#include "server/principals.h"

namespace evald::server {

struct MatrixRow {
  const char* method;  // RPC name as in the proto service
  std::set<Role> roles;
};

// The whole matrix, one row per RPC of EvaluationService.
const std::vector<MatrixRow>& AuthorizationMatrix();

// PermissionDenied unless `who`'s role is in `method`'s row. A method with
// no row is denied to everyone.
absl::Status AuthorizeMethod(absl::string_view method, const Principal& who);

// Whether `who` is related to `project` as described above.
bool RelatedTo(const Principal& who, const evaluation::v1::Project& project);

// Whether `who` is related to every project (bureau, finance, admin): a
// read by such a caller needs no project record to be authorized.
bool SeesEveryProject(const Principal& who);

// PermissionDenied naming the principal and project unless RelatedTo.
absl::Status AuthorizeProject(const Principal& who,
                              const evaluation::v1::Project& project);

}  // namespace evald::server

#endif  // EVALD_SERVER_AUTHZ_H_
