// How evalctl shows values to people: money in yuan with thousands
// separators, enum values by their short lower-case names, grades in
// English and Chinese.

#ifndef EVALD_CLIENT_FORMAT_H_
#define EVALD_CLIENT_FORMAT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "evaluation/v1/evaluation.pb.h"

namespace evald::client {

namespace v1 = ::evaluation::v1;

// 260000000 -> "2,600,000.00".
// An RFC 3339 time as "2026-12-02 01:23:52" in China Standard Time
// (UTC+8); text that does not parse is returned as it is.
std::string ChinaTime(absl::string_view rfc3339);

std::string Yuan(int64_t fen);

std::string PhaseName(v1::Phase phase);         // "mid-term", "final"
std::string TrancheName(v1::TrancheKind kind);  // "year-start", ...

// "GOOD 良好".
std::string GradeText(v1::Grade grade);

}  // namespace evald::client

#endif  // EVALD_CLIENT_FORMAT_H_
