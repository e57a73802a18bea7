#include "client/table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace evald::client {
namespace {

// Decodes one UTF-8 code point at s[i]; advances i. Returns -1 if invalid.
int32_t NextCodePoint(absl::string_view s, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  int n = c < 0x80           ? 1
          : (c >> 5) == 0x6  ? 2
          : (c >> 4) == 0xe  ? 3
          : (c >> 3) == 0x1e ? 4
                             : 0;
  if (n == 0 || i + n > s.size()) {
    ++i;
    return -1;
  }
  int32_t cp = n == 1 ? c : c & (0xff >> (n + 1));
  for (int k = 1; k < n; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc >> 6) != 0x2) {
      ++i;
      return -1;
    }
    cp = (cp << 6) | (cc & 0x3f);
  }
  i += n;
  return cp;
}

bool Wide(int32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
         (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
         (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
         (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
}

std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

bool ActsOnATerminal(int32_t cp) {
  return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

// Every cell through Printable: what evald sent is shown, never obeyed.
std::vector<std::string> PrintableRow(const std::vector<std::string>& row) {
  std::vector<std::string> out;
  out.reserve(row.size());
  for (const std::string& cell : row) out.push_back(Printable(cell));
  return out;
}

}  // namespace

std::string Printable(absl::string_view text, bool keep_breaks) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    const int32_t cp = NextCodePoint(text, i);
    if (cp < 0) {
      absl::StrAppend(
          &out, "\\x",
          absl::Hex(static_cast<unsigned char>(text[start]), absl::kZeroPad2));
    } else if (ActsOnATerminal(cp) &&
               !(keep_breaks && (cp == '\n' || cp == '\r' || cp == '\t'))) {
      absl::StrAppend(&out, "\\u", absl::Hex(cp, absl::kZeroPad4));
    } else {
      absl::StrAppend(&out, text.substr(start, i - start));
    }
  }
  return out;
}

int DisplayWidth(absl::string_view utf8) {
  int width = 0;
  for (size_t i = 0; i < utf8.size();) {
    const int32_t cp = NextCodePoint(utf8, i);
    width += cp >= 0 && Wide(cp) ? 2 : 1;
  }
  return width;
}

std::string RenderText(const Table& raw) {
  Table table{PrintableRow(raw.headers), {}};
  for (const auto& row : raw.rows) table.rows.push_back(PrintableRow(row));
  std::vector<int> widths(table.headers.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  };
  measure(table.headers);
  for (const auto& row : table.rows) measure(row);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) {
        line.append(widths[c] - DisplayWidth(row[c]) + 2, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  };
  emit(table.headers);
  for (const auto& row : table.rows) emit(row);
  return out;
}

std::string RenderCsv(const Table& table) {
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      out += CsvField(Printable(row[c], /*keep_breaks=*/true));
    }
    out += "\r\n";  // RFC 4180, and what Excel writes
  };
  emit(table.headers);
  for (const auto& row : table.rows) emit(row);
  return out;
}

}  // namespace evald::client
