#include "server/principals.h"

#include <mutex>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/sha256.h"

namespace evald::server {
namespace {

constexpr struct {
  Role role;
  const char* name;
} kRoles[] = {
    {Role::kAgency, "agency"},     {Role::kTownship, "township"},
    {Role::kVillage, "village"},   {Role::kBureau, "bureau"},
    {Role::kProvider, "provider"}, {Role::kFinance, "finance"},
    {Role::kAdmin, "admin"},
};

}  // namespace

const char* RoleName(Role role) {
  for (const auto& r : kRoles) {
    if (r.role == role) return r.name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (const auto& r : kRoles) {
    if (name == r.name) return r.role;
  }
  return std::nullopt;
}

absl::StatusOr<PrincipalRegistry> PrincipalRegistry::Parse(
    absl::string_view text) {
  PrincipalRegistry registry;
  std::set<std::string> names;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = line.substr(0, line.find('#'));
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    auto invalid = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("principals line ", line_number, ": ", why));
    };
    if (fields.size() != 4) {
      return invalid("want 4 fields: sha256-hex role organisation name");
    }
    std::string hash = absl::AsciiStrToLower(fields[0]);
    if (hash.size() != 64 ||
        hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return invalid("the token hash is not 64 hex digits");
    }
    std::optional<Role> role = ParseRole(fields[1]);
    if (!role) return invalid(absl::StrCat("unknown role \"", fields[1], "\""));
    Principal p{std::string(fields[3]), *role, std::string(fields[2])};
    if (p.name.find('/') != std::string::npos) {
      // Names are part of storage keys (req/{name}/{request_id}).
      return invalid("a name may not contain '/'");
    }
    if (!names.insert(p.name).second) {
      return invalid(absl::StrCat("name \"", p.name, "\" is repeated"));
    }
    absl::MutexLock lock(&registry.state_->mu);
    if (!registry.state_->by_hash.emplace(hash, std::move(p)).second) {
      return invalid("the token hash is repeated");
    }
  }
  return registry;
}

std::optional<Principal> PrincipalRegistry::Authenticate(
    absl::string_view token) const {
  if (token.empty()) return std::nullopt;
  const std::string hash = Sha256Hex(token);
  absl::ReaderMutexLock lock(&state_->mu);
  auto it = state_->by_hash.find(hash);
  if (it == state_->by_hash.end()) return std::nullopt;
  return it->second;
}

void PrincipalRegistry::Put(const std::string& hash_hex, Principal p) {
  absl::MutexLock lock(&state_->mu);
  for (auto it = state_->by_hash.begin(); it != state_->by_hash.end(); ++it) {
    if (it->second.name == p.name) {
      state_->by_hash.erase(it);
      break;
    }
  }
  state_->by_hash[hash_hex] = std::move(p);
}

void PrincipalRegistry::Remove(absl::string_view name) {
  absl::MutexLock lock(&state_->mu);
  for (auto it = state_->by_hash.begin(); it != state_->by_hash.end(); ++it) {
    if (it->second.name == name) {
      state_->by_hash.erase(it);
      return;
    }
  }
}

std::vector<std::pair<std::string, Principal>> PrincipalRegistry::Entries()
    const {
  absl::ReaderMutexLock lock(&state_->mu);
  return {state_->by_hash.begin(), state_->by_hash.end()};
}

size_t PrincipalRegistry::size() const {
  absl::ReaderMutexLock lock(&state_->mu);
  return state_->by_hash.size();
}

}  // namespace evald::server
