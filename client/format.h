// How evalctl shows values to people: money in yuan with thousands
// separators, enum values by their short lower-case names, grades in
// English and Chinese.

#ifndef EVALD_CLIENT_FORMAT_H_
#define EVALD_CLIENT_FORMAT_H_

#include <cstdint>
#include <string>

#include "evaluation/v1/evaluation.pb.h"

namespace evald::client {

namespace v1 = ::evaluation::v1;

// 260000000 -> "2,600,000.00".
std::string Yuan(int64_t fen);

std::string PhaseName(v1::Phase phase);         // "mid-term", "final"
std::string TrancheName(v1::TrancheKind kind);  // "year-start", ...

// "GOOD 良好".
std::string GradeText(v1::Grade grade);

}  // namespace evald::client

#endif  // EVALD_CLIENT_FORMAT_H_
