// Command-line arguments of evalctl: positional words and --flags.
//
// Accepted forms: --name=value, --name value, and --name alone for boolean
// flags (which also take =true or =false; --name=false is as if absent).
// Two short forms: -o FORMAT is --output FORMAT, -v is --verbose. "--" ends
// flag parsing. Unknown flags and missing values are usage errors (exit
// code 2), reported by name.

#ifndef EVALD_CLIENT_ARGS_H_
#define EVALD_CLIENT_ARGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace evald::client {

// A usage error: evalctl prints it with a hint and exits 2.
struct UsageError {
  std::string message;
};

class Args {
 public:
  // `boolean_flags` are the flags that take no value.
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& argv,
                                    const std::set<std::string>& boolean_flags);

  const std::vector<std::string>& positional() const { return positional_; }
  // The same flags with the first `n` positional words dropped (a
  // command's own arguments follow its NOUN VERB).
  Args Shifted(size_t n) const;
  bool Has(absl::string_view name) const;
  // The flag's value, or nullopt.
  std::optional<std::string> Get(absl::string_view name) const;
  // The value or `fallback`.
  std::string GetOr(absl::string_view name, absl::string_view fallback) const;
  // Replaces (or adds) a flag's value.
  void Set(absl::string_view name, std::string value);
  // Names of every flag given, for checking against a command's flags.
  std::vector<std::string> Names() const;

  // Typed access: InvalidArgument naming --name when missing or malformed.
  absl::StatusOr<std::string> Required(absl::string_view name) const;
  absl::StatusOr<int> Int(absl::string_view name, int fallback) const;
  absl::StatusOr<int> RequiredInt(absl::string_view name) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string, std::less<>> flags_;
};

}  // namespace evald::client

#endif  // EVALD_CLIENT_ARGS_H_
