// Reading the first worksheet of an .xlsx file (Office Open XML), as
// spreadsheet programs save it, into the rows evalctl import reads.
//
// An .xlsx file is a zip archive of XML parts. This reads, with Debian's
// libzip and expat: xl/workbook.xml and its relationships (to find the
// first sheet), xl/sharedStrings.xml (the text cells refer to it), and the
// sheet's <row>/<c> cells: shared strings, inline strings, formula text,
// booleans and numbers. No XLSX reading library is packaged for Debian's
// C++ (libxlsxwriter only writes), and this is the part of the format a
// data sheet uses, so a small reader over two maintained libraries is the
// smaller dependency.
//
// Numbers are kept as the text the file stores; a binary double such as
// "85.499999999999986" that is a whole number of hundredths to within
// 1e-6 becomes that number of hundredths ("85.50"), because a spreadsheet
// cannot store 85.5 any other way. Rows keep their spreadsheet row number
// as their line.

#ifndef EVALD_CLIENT_XLSX_H_
#define EVALD_CLIENT_XLSX_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/csv.h"

namespace evald::client {

// The first worksheet's rows (empty rows left out). InvalidArgument when
// `bytes` is not an .xlsx file or a part does not parse, naming the part.
absl::StatusOr<std::vector<CsvRow>> ReadXlsx(absl::string_view bytes);

// "85.499999999999986" -> "85.50"; other text is returned as it is.
std::string XlsxNumberText(absl::string_view number);

}  // namespace evald::client

#endif  // EVALD_CLIENT_XLSX_H_
