// Workbooks for the .xlsx import tests, written by Debian's libxlsxwriter:
// a maintained implementation of the format that is not evalctl's, so the
// reader is tested against what a real writer produces (shared strings,
// numbers stored as doubles, empty cells left out).

#ifndef EVALD_TESTS_XLSX_FIXTURE_H_
#define EVALD_TESTS_XLSX_FIXTURE_H_

#include <string>
#include <variant>
#include <vector>

#include "xlsxwriter.h"

namespace evald::testing {

using XlsxCell = std::variant<std::monostate, std::string, double>;

// Writes `rows` into the first sheet of a new workbook at `path`; returns
// whether it was written.
inline bool WriteWorkbook(const std::string& path,
                          const std::vector<std::vector<XlsxCell>>& rows) {
  lxw_workbook* book = workbook_new(path.c_str());
  if (book == nullptr) return false;
  lxw_worksheet* sheet = workbook_add_worksheet(book, "评分");
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const XlsxCell& cell = rows[r][c];
      if (const auto* s = std::get_if<std::string>(&cell)) {
        worksheet_write_string(sheet, r, c, s->c_str(), nullptr);
      } else if (const auto* d = std::get_if<double>(&cell)) {
        worksheet_write_number(sheet, r, c, *d, nullptr);
      }
    }
  }
  return workbook_close(book) == LXW_NO_ERROR;
}

}  // namespace evald::testing

#endif  // EVALD_TESTS_XLSX_FIXTURE_H_
