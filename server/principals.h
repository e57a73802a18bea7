// Who is calling: principals and their bearer tokens.
//
// evald never stores a token, only its SHA-256. Principals live in the
// database; the principals file given at start seeds it (a name already in
// the database, revoked or not, is left alone), and admins add and revoke
// principals over the API. The file lists one principal per line:
//
//   # sha256(token) in hex          role       organisation  name
//   9f86d081884c7d65...0f00a08      bureau     nansha        bureau-admin
//   60303ae22b998861...ba1f04f      village    V01           v01-committee
//
// role is one of agency, township, village, bureau, provider, finance,
// admin. organisation is the id the role acts for: the agency id, township
// id, village id, provider id; for bureau, finance and admin it is free text.
// Names are unique and contain no '/'. '#' starts a comment; blank lines are
// ignored.
//
// Thread-safety: a PrincipalRegistry may be read and changed concurrently;
// a revocation is seen by every call that authenticates after it.

#ifndef EVALD_SERVER_PRINCIPALS_H_
#define EVALD_SERVER_PRINCIPALS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace evald::server {

enum class Role {
  kAgency,
  kTownship,
  kVillage,
  kBureau,
  kProvider,
  kFinance,
  kAdmin
};

// "agency", "township", ...
const char* RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);

struct Principal {
  std::string name;
  Role role = Role::kBureau;
  std::string organisation;
};

class PrincipalRegistry {
 public:
  PrincipalRegistry() : state_(std::make_unique<State>()) {}

  // Parses the file format above; InvalidArgument names the line and reason.
  static absl::StatusOr<PrincipalRegistry> Parse(absl::string_view text);

  // The principal whose token hashes to the stored hash, if any.
  std::optional<Principal> Authenticate(absl::string_view token) const;

  // Adds or replaces the principal `p.name` with token hash `hash_hex`.
  void Put(const std::string& hash_hex, Principal p);

  // Removes the principal `name`: its token stops working at once.
  void Remove(absl::string_view name);

  // (hash, principal) of every principal, in hash order.
  std::vector<std::pair<std::string, Principal>> Entries() const;

  size_t size() const;

 private:
  // Behind a pointer so that a registry can be moved (from Parse).
  struct State {
    absl::Mutex mu;
    std::map<std::string, Principal> by_hash
        ABSL_GUARDED_BY(mu);  // hex SHA-256
  };
  std::unique_ptr<State> state_;
};

}  // namespace evald::server

#endif  // EVALD_SERVER_PRINCIPALS_H_
