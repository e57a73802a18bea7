// Tabular output of evalctl: aligned text tables (Chinese text aligned by
// display width) and RFC 4180 CSV.

#ifndef EVALD_CLIENT_TABLE_H_
#define EVALD_CLIENT_TABLE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace evald::client {

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

// Columns on a terminal: 2 for East Asian wide and fullwidth characters
// (汉字, fullwidth forms), 1 for others; invalid UTF-8 counts 1 a byte.
int DisplayWidth(absl::string_view utf8);

// `text` with everything that could act on a terminal written out instead:
// C0 and C1 control characters, DEL and bidirectional overrides become
// "\u001b", "\u202e", ...; bytes that are not UTF-8 become "\xff". Both
// renderers below pass every cell through it, whatever evald sent; CSV
// keeps line breaks and tabs, which it quotes (`keep_breaks`).
std::string Printable(absl::string_view text, bool keep_breaks = false);

// Left-aligned columns separated by two spaces; headers first.
std::string RenderText(const Table& table);

// Header line, then one line per row, each ended by CRLF (RFC 4180, as
// Excel writes it); fields quoted when they hold a comma, quote or line
// break.
std::string RenderCsv(const Table& table);

}  // namespace evald::client

#endif  // EVALD_CLIENT_TABLE_H_
