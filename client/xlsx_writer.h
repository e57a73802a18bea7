// `-o xlsx`: a table as an Excel workbook, written by Debian's
// libxlsxwriter. Cells that are plain numbers ("86.67", "2025",
// "1,040,000.00" with its thousands separators) are written as numbers so
// that Excel can sum them; everything else as text.

#ifndef EVALD_CLIENT_XLSX_WRITER_H_
#define EVALD_CLIENT_XLSX_WRITER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/table.h"

namespace evald::client {

// The workbook's bytes: one sheet named `sheet`, the headers bold and
// frozen. Internal when the temporary file it is written through fails.
absl::StatusOr<std::string> RenderXlsx(const Table& table,
                                       absl::string_view sheet);

}  // namespace evald::client

#endif  // EVALD_CLIENT_XLSX_WRITER_H_
