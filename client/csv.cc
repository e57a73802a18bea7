#include "client/csv.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace evald::client {
namespace {

// A row ends at "\n" or "\r\n". A lone "\r" is an ordinary character, so
// that line numbers count the same lines as an editor does.
bool RowEndAt(absl::string_view text, size_t i) {
  return text[i] == '\n' ||
         (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n');
}

}  // namespace

absl::StatusOr<std::vector<CsvRow>> ParseCsv(absl::string_view text) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<CsvRow> rows;
  size_t i = 0;
  int line = 1;
  while (i < text.size()) {
    CsvRow row;
    row.line = line;
    const size_t start = i;
    std::string field;
    bool row_done = false;
    while (!row_done) {
      if (i < text.size() && text[i] == '"') {
        ++i;  // quoted field
        for (;;) {
          if (i >= text.size()) {
            return absl::InvalidArgumentError(absl::StrCat(
                "line ", row.line, ": a quoted field is not closed"));
          }
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        if (i < text.size() && text[i] != ',' && !RowEndAt(text, i)) {
          return absl::InvalidArgumentError(
              absl::StrCat("line ", line, ": text after a closing quote"));
        }
      } else {
        while (i < text.size() && text[i] != ',' && !RowEndAt(text, i)) {
          field += text[i++];
        }
      }
      row.fields.push_back(std::move(field));
      field.clear();
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      size_t end = i;
      if (i < text.size() && text[i] == '\r') ++i;  // RowEndAt: "\r\n"
      if (i < text.size() && text[i] == '\n') ++i;
      ++line;
      row.raw = std::string(text.substr(start, end - start));
      row_done = true;
    }
    const bool blank = row.fields.size() == 1 && row.fields[0].empty();
    if (!blank) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace evald::client
