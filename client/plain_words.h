// The server's refusals in the words of the command line. The server names
// request fields and RPCs ("result_date: ...", "may not call
// ListLateParties"); a clerk typed flags and commands. So a field the
// command has as a flag is named as that flag, and a call the role may not
// make is said as what the role cannot do. Everything else is left as the
// server wrote it.

#ifndef EVALD_CLIENT_PLAIN_WORDS_H_
#define EVALD_CLIENT_PLAIN_WORDS_H_

#include <map>
#include <set>
#include <string>

#include "absl/strings/string_view.h"

namespace evald::client {

// Request field -> flag, for the fields whose flag is in `flags` (a
// command's value flags): {"result_date": "--result-date", ...}.
std::map<std::string, std::string> FieldFlags(
    const std::set<std::string>& flags);

// `message` with a leading "field: " named by its flag (`field_flags`), and
// "principal P (role R) may not call M" as "a village committee cannot list
// late parties (principal P)".
std::string PlainWords(absl::string_view message,
                       const std::map<std::string, std::string>& field_flags);

}  // namespace evald::client

#endif  // EVALD_CLIENT_PLAIN_WORDS_H_
