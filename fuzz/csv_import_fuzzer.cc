// Fuzzes evalctl's CSV importer: no file may crash it, every problem names
// a line within the file, and every accepted row carries a request id.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "client/import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const evald::client::ParsedImport parsed =
      evald::client::ParseImport("fuzz.csv", text);
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (const auto& problem : parsed.problems) {
    if (problem.line < 0 || static_cast<size_t>(problem.line) > lines) {
      std::abort();
    }
  }
  for (const auto& row : parsed.rows) {
    const std::string& id = row.financial ? row.financial_request.request_id()
                                          : row.score.request_id();
    if (id.empty()) std::abort();
  }
  return 0;
}
