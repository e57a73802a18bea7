#include "server/organisation_file.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/organisations.h"

namespace evald::server {

absl::StatusOr<std::vector<evaluation::v1::CreateOrganisationRequest>>
ParseOrganisationsFile(absl::string_view text) {
  std::vector<evaluation::v1::CreateOrganisationRequest> out;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    std::vector<std::string> fields = absl::StrSplit(line, '\t');
    for (std::string& f : fields) {
      f = std::string(absl::StripAsciiWhitespace(f));
    }
    if (fields.size() < 3 || fields.size() > 5) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line_number, ": expected code, kind, name_zh, [name_en], ",
          "[township] separated by tabs; found ", fields.size(), " field",
          fields.size() == 1 ? "" : "s"));
    }
    std::optional<evaluation::v1::OrganisationKind> kind = ParseKind(fields[1]);
    if (!kind) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line_number, ": kind \"", fields[1],
          "\" is not district, township, village, provider or agency"));
    }
    evaluation::v1::CreateOrganisationRequest r;
    r.set_code(fields[0]);
    r.set_kind(*kind);
    r.set_name_zh(fields[2]);
    if (fields.size() > 3) r.set_name_en(fields[3]);
    if (fields.size() > 4) r.set_township(fields[4]);
    out.push_back(std::move(r));
  }
  std::stable_partition(out.begin(), out.end(), [](const auto& r) {
    return r.kind() != evaluation::v1::VILLAGE;
  });
  return out;
}

}  // namespace evald::server
