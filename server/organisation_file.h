// The organisations file: the registry's first entries, read at start
// (evald --organisations=FILE) so that a new district, or the demo, need
// not be typed in through evalctl. One organisation per line, fields
// separated by tabs:
//
//   code  kind  name_zh  [name_en]  [township]
//
// kind is district, township, village, provider or agency; a village names
// its township's code. '#' starts a comment line; blank lines are skipped.
// evald adds the codes its database does not know, in the file's order
// with villages last, and changes none it knows (renames go through
// evalctl org rename, which the audit log records with who did it).

#ifndef EVALD_SERVER_ORGANISATION_FILE_H_
#define EVALD_SERVER_ORGANISATION_FILE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "evaluation/v1/evaluation.pb.h"

namespace evald::server {

// The file's organisations, villages after every other kind.
// InvalidArgument naming the line and the field for a line that does not
// parse (the fields themselves are checked when each is registered).
absl::StatusOr<std::vector<evaluation::v1::CreateOrganisationRequest>>
ParseOrganisationsFile(absl::string_view text);

}  // namespace evald::server

#endif  // EVALD_SERVER_ORGANISATION_FILE_H_
