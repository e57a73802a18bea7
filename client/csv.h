// A small RFC 4180 CSV reader for spreadsheet exports: quoted fields with
// embedded commas, quotes ("") and line breaks; CRLF or LF; a UTF-8 byte
// order mark at the start is dropped.

#ifndef EVALD_CLIENT_CSV_H_
#define EVALD_CLIENT_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace evald::client {

struct CsvRow {
  int line = 0;  // 1-based line on which the row starts
  std::vector<std::string> fields;
  std::string raw;  // the row's text as it appears in the file
};

// Splits `text` into rows; blank lines are skipped. InvalidArgument naming
// the line for an unterminated quote or text after a closing quote.
absl::StatusOr<std::vector<CsvRow>> ParseCsv(absl::string_view text);

}  // namespace evald::client

#endif  // EVALD_CLIENT_CSV_H_
