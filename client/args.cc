#include "client/args.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace evald::client {

absl::StatusOr<Args> Args::Parse(const std::vector<std::string>& argv,
                                 const std::set<std::string>& boolean_flags) {
  Args args;
  bool flags_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (flags_done || word.size() < 2 || word.rfind("--", 0) != 0) {
      if (word == "-o" && !flags_done) {  // kubectl's short form of --output
        if (i + 1 >= argv.size()) {
          return absl::InvalidArgumentError("-o needs a value");
        }
        args.flags_["output"] = argv[++i];
        continue;
      }
      if (word == "-v" && !flags_done) {
        args.flags_["verbose"] = "true";
        continue;
      }
      args.positional_.push_back(word);
      continue;
    }
    if (word == "--") {
      flags_done = true;
      continue;
    }
    std::string name = word.substr(2);
    std::string value;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      if (boolean_flags.count(name)) {
        // --rectifiable=false must not mean --rectifiable.
        if (value == "false") continue;
        if (value != "true") {
          return absl::InvalidArgumentError(absl::StrCat(
              "--", name, " takes no value (or =true, =false), not \"", value,
              "\""));
        }
      }
    } else if (boolean_flags.count(name)) {
      value = "true";
    } else {
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value"));
      }
      value = argv[++i];
    }
    args.flags_[name] = value;
  }
  return args;
}

Args Args::Shifted(size_t n) const {
  Args out = *this;
  out.positional_.erase(
      out.positional_.begin(),
      out.positional_.begin() + std::min(n, out.positional_.size()));
  return out;
}

void Args::Set(absl::string_view name, std::string value) {
  flags_.insert_or_assign(std::string(name), std::move(value));
}

bool Args::Has(absl::string_view name) const {
  return flags_.find(name) != flags_.end();
}

std::optional<std::string> Args::Get(absl::string_view name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) return std::nullopt;
  return it->second;
}

std::string Args::GetOr(absl::string_view name,
                        absl::string_view fallback) const {
  auto it = flags_.find(name);
  return it == flags_.end() ? std::string(fallback) : it->second;
}

std::vector<std::string> Args::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, value] : flags_) names.push_back(name);
  return names;
}

absl::StatusOr<std::string> Args::Required(absl::string_view name) const {
  auto it = flags_.find(name);
  if (it == flags_.end() || it->second.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " is required"));
  }
  return it->second;
}

absl::StatusOr<int> Args::Int(absl::string_view name, int fallback) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) return fallback;
  int value = 0;
  if (!absl::SimpleAtoi(it->second, &value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, ": \"", it->second, "\" is not a whole number"));
  }
  return value;
}

absl::StatusOr<int> Args::RequiredInt(absl::string_view name) const {
  if (!Has(name)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " is required"));
  }
  return Int(name, 0);
}

}  // namespace evald::client
