#include "server/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace evald::server {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

absl::StatusOr<std::map<std::string, std::string>> ReadDir(
    const std::string& dir, absl::string_view suffix) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !absl::EndsWith(name, suffix)) continue;
    absl::StatusOr<std::string> text = ReadFile(entry.path().string());
    if (!text.ok()) return text.status();
    files[name] = *std::move(text);
  }
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat("cannot list ", dir, ": ", ec.message()));
  }
  return files;
}

absl::StatusOr<PolicySet> LoadPolicies(const std::string& policy_dir,
                                       const std::string& default_id) {
  PolicySet policies;
  if (!policy_dir.empty()) {
    auto files = ReadDir(policy_dir, ".textproto");
    if (!files.ok()) return files.status();
    for (const auto& [name, text] : *files) {
      absl::StatusOr<scoring::Policy> p = scoring::ParsePolicyText(text);
      if (!p.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": ", p.status().message()));
      }
      if (absl::Status s = policies.Add(*std::move(p)); !s.ok()) return s;
    }
  }
  if (!default_id.empty()) {
    if (absl::Status s = policies.SetDefault(default_id); !s.ok()) return s;
  }
  return policies;
}

absl::StatusOr<scoring::WorkingDayCalendar> LoadCalendar(
    const std::string& calendar_dir) {
  if (calendar_dir.empty()) return scoring::WorkingDayCalendar::BuiltIn();
  auto files = ReadDir(calendar_dir, ".txt");
  if (!files.ok()) return files.status();
  return scoring::WorkingDayCalendar::FromFiles(*files);
}

}  // namespace evald::server
