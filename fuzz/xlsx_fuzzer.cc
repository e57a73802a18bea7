// Fuzzes evalctl's .xlsx reader (zip archive, then XML parts): no file may
// crash it or hang it, and every row it returns has a positive row number
// and feeds the importer without crashing.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "client/import.h"
#include "client/xlsx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<evald::client::CsvRow>> rows =
      evald::client::ReadXlsx(bytes);
  if (!rows.ok()) return 0;
  for (const evald::client::CsvRow& row : *rows) {
    if (row.line <= 0) std::abort();
  }
  evald::client::ParseImportRows("fuzz.xlsx", *std::move(rows));
  return 0;
}
