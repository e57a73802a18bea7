#include "client/format.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace evald::client {

std::string Yuan(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t abs = negative ? -static_cast<uint64_t>(fen) : fen;
  std::string whole = absl::StrCat(abs / 100);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  const int cents = static_cast<int>(abs % 100);
  return absl::StrCat(negative ? "-" : "", grouped, ".", cents < 10 ? "0" : "",
                      cents);
}

std::string PhaseName(v1::Phase phase) {
  return phase == v1::MID_TERM ? "mid-term"
         : phase == v1::FINAL  ? "final"
                               : "-";
}

std::string TrancheName(v1::TrancheKind kind) {
  switch (kind) {
    case v1::YEAR_START:
      return "year-start";
    case v1::MID_TERM_TRANCHE:
      return "mid-term";
    case v1::FINAL_TRANCHE:
      return "final";
    default:
      return "-";
  }
}

std::string GradeText(v1::Grade grade) {
  switch (grade) {
    case v1::EXCELLENT:
      return "EXCELLENT 优秀";
    case v1::GOOD:
      return "GOOD 良好";
    case v1::QUALIFIED:
      return "QUALIFIED 合格";
    case v1::UNQUALIFIED:
      return "UNQUALIFIED 不合格";
    case v1::QUALIFIED_AFTER_RECTIFICATION:
      return "QUALIFIED_AFTER_RECTIFICATION 合格(整改后)";
    default:
      return "-";
  }
}

std::string ChinaTime(absl::string_view rfc3339) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error)) {
    return std::string(rfc3339);
  }
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", t,
                          absl::FixedTimeZone(8 * 3600));
}

}  // namespace evald::client
