#include "server/policy_set.h"

#include "absl/strings/str_cat.h"

namespace evald::server {

PolicySet::PolicySet() {
  const scoring::Policy& builtin = scoring::BuiltInPolicy();
  default_id_ = builtin.id;
  by_id_.emplace(builtin.id, builtin);
}

absl::Status PolicySet::Add(scoring::Policy policy) {
  auto it = by_id_.find(policy.id);
  if (it != by_id_.end()) {
    if (it->second.proto.SerializeAsString() ==
        policy.proto.SerializeAsString()) {
      return absl::OkStatus();  // the same policy twice is harmless
    }
    return absl::AlreadyExistsError(
        absl::StrCat("policy \"", policy.id,
                     "\" is already loaded with different rules; give the new "
                     "rules a new id"));
  }
  by_id_.emplace(policy.id, std::move(policy));
  return absl::OkStatus();
}

absl::Status PolicySet::SetDefault(absl::string_view id) {
  if (Find(id) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("policy \"", id, "\" is not loaded"));
  }
  default_id_ = std::string(id);
  return absl::OkStatus();
}

const scoring::Policy* PolicySet::Find(absl::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

const scoring::Policy& PolicySet::Default() const { return *Find(default_id_); }

}  // namespace evald::server
