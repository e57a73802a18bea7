#include "client/xlsx_writer.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "xlsxwriter.h"

namespace evald::client {
namespace {

// "1,040,000.00" -> 1040000.00; nullopt for anything but a plain number
// (ids such as "P1" or dates stay text).
std::optional<double> NumberOf(const std::string& cell) {
  static const std::regex* const kNumber = new std::regex(
      "^-?[0-9]{1,3}(,[0-9]{3})*(\\.[0-9]+)?$|^-?[0-9]+(\\.[0-9]+)?$");
  if (!std::regex_match(cell, *kNumber)) return std::nullopt;
  double value = 0;
  if (!absl::SimpleAtod(absl::StrReplaceAll(cell, {{",", ""}}), &value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

absl::StatusOr<std::string> RenderXlsx(const Table& table,
                                       absl::string_view sheet) {
  // libxlsxwriter 1.1 writes to a file: a private temporary one.
  const char* tmp = std::getenv("TMPDIR");
  std::string path =
      absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/evalctl-XXXXXX");
  const int fd = mkstemp(path.data());
  if (fd < 0) return absl::InternalError("cannot make a temporary file");
  close(fd);
  lxw_workbook* book = workbook_new(path.c_str());
  if (book == nullptr) {
    unlink(path.c_str());
    return absl::InternalError("cannot start a workbook");
  }
  lxw_worksheet* ws =
      workbook_add_worksheet(book, std::string(sheet.substr(0, 31)).c_str());
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  for (size_t c = 0; c < table.headers.size(); ++c) {
    worksheet_write_string(ws, 0, c, table.headers[c].c_str(), bold);
  }
  worksheet_freeze_panes(ws, 1, 0);
  for (size_t r = 0; r < table.rows.size(); ++r) {
    for (size_t c = 0; c < table.rows[r].size(); ++c) {
      const std::string& cell = table.rows[r][c];
      if (std::optional<double> n = NumberOf(cell)) {
        worksheet_write_number(ws, r + 1, c, *n, nullptr);
      } else if (!cell.empty()) {
        worksheet_write_string(ws, r + 1, c, Printable(cell, true).c_str(),
                               nullptr);
      }
    }
  }
  const lxw_error closed = workbook_close(book);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  unlink(path.c_str());
  if (closed != LXW_NO_ERROR || bytes.empty()) {
    return absl::InternalError(
        absl::StrCat("cannot write the workbook: ", lxw_strerror(closed)));
  }
  return bytes;
}

}  // namespace evald::client
