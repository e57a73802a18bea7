// Fuzzes the policy loader (protobuf text format + validation): no input
// may crash it, and an accepted policy must satisfy the invariants the
// rules rely on.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scoring/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto policy = evald::scoring::ParsePolicyText(
      std::string(reinterpret_cast<const char*>(data), size));
  if (!policy.ok()) return 0;
  const auto& p = *policy;
  if (p.third_party_percent + p.township_percent + p.village_percent +
          p.bureau_percent !=
      100) {
    std::abort();
  }
  if (p.year_start_percent + p.mid_term_percent + p.final_percent != 100) {
    std::abort();
  }
  if (!(p.excellent_min > p.good_min && p.good_min > p.qualified_min)) {
    std::abort();
  }
  return 0;
}
