// What evald and evalutl read at start: the policies and the working-day
// calendar, from the directories their flags name (or the built-in ones),
// and whole files.

#ifndef EVALD_SERVER_CONFIG_H_
#define EVALD_SERVER_CONFIG_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scoring/calendar.h"
#include "server/policy_set.h"

namespace evald::server {

// The whole file; NotFound naming it if it cannot be read.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// name -> contents of every regular file in `dir` ending in `suffix`.
absl::StatusOr<std::map<std::string, std::string>> ReadDir(
    const std::string& dir, absl::string_view suffix);

// The built-in policy plus every *.textproto of `policy_dir` (if not
// empty); `default_id` (if not empty) becomes the policy new projects get.
// InvalidArgument names the file and every violation.
absl::StatusOr<PolicySet> LoadPolicies(const std::string& policy_dir,
                                       const std::string& default_id);

// The calendar of every YYYY.txt of `calendar_dir`, or the built-in one
// when it is empty.
absl::StatusOr<scoring::WorkingDayCalendar> LoadCalendar(
    const std::string& calendar_dir);

}  // namespace evald::server

#endif  // EVALD_SERVER_CONFIG_H_
