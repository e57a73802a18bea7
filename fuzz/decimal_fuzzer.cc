// Fuzzes the exact-number and date parsers: no input may crash them, and
// whatever they accept must print back to text that parses to the same
// value (RULES.md §3: scores and money are exact).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scoring/date.h"
#include "scoring/decimal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  using evald::scoring::Money;
  using evald::scoring::Score;
  if (auto s = Score::Parse(text); s.ok()) {
    if (s->hundredths() < 0 || s->hundredths() > Score::kMaxHundredths) {
      std::abort();
    }
    auto again = Score::Parse(s->ToString());
    if (!again.ok() || *again != *s) std::abort();
  }
  if (auto m = Money::ParseYuan(text); m.ok()) {
    auto again = Money::ParseYuan(m->ToYuanString());
    if (!again.ok() || *again != *m) std::abort();
  }
  if (auto d = evald::scoring::ParseDate(text); d.ok()) {
    if (evald::scoring::FormatDate(*d) != text) std::abort();
  }
  return 0;
}
