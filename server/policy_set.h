// The policies a server knows: the built-in one plus any loaded from the
// policy directory. Evaluations name the policy they were made under, so
// old policies stay loadable for as long as results made under them exist.

#ifndef EVALD_SERVER_POLICY_SET_H_
#define EVALD_SERVER_POLICY_SET_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "scoring/policy.h"

namespace evald::server {

class PolicySet {
 public:
  // Holds the built-in policy, which is also the default.
  PolicySet();

  // Adds a policy. AlreadyExists if its id is taken by a different policy.
  absl::Status Add(scoring::Policy policy);

  // Makes `id` the policy new projects get. NotFound if unknown.
  absl::Status SetDefault(absl::string_view id);

  const scoring::Policy* Find(absl::string_view id) const;
  const scoring::Policy& Default() const;

 private:
  std::map<std::string, scoring::Policy, std::less<>> by_id_;
  std::string default_id_;
};

}  // namespace evald::server

#endif  // EVALD_SERVER_POLICY_SET_H_
