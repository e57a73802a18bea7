// `evalctl import FILE.csv`: a batch of submissions from a spreadsheet
// export (docs/cli.md, "CSV import").
//
// Header row (English or Chinese names, any order; unknown columns are an
// error, optional ones may be absent):
//   kind|类型            score | financial   (评分 | 财务)
//   project|项目编号     project id
//   year|年度            calendar year the service year starts in
//   phase|阶段           mid-term | final  (中期 | 末期)
//   score|分数           0-100, at most two decimals
//   rectifiable|可整改   yes/no, true/false, 1/0, 是/否; empty = no
//   personnel|人员经费, service_quality|服务质量经费, management|管理费用,
//   other|其他费用       yuan, financial rows only (required there)
//   project_name|项目名称, note|备注   optional, not sent
//
// Every row is validated before anything is sent. Each row's request id is
// derived from the file's name, the line and the row's text, so re-running
// the same file never submits a row twice.

#ifndef EVALD_CLIENT_IMPORT_H_
#define EVALD_CLIENT_IMPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "evaluation/v1/evaluation.pb.h"

namespace evald::client {

// Limits that keep an import bounded.
inline constexpr size_t kMaxImportBytes = 16 << 20;
inline constexpr size_t kMaxImportRows = 100000;

struct ImportRow {
  int line = 0;
  bool financial = false;
  evaluation::v1::SubmitProfessionalScoreRequest score;
  evaluation::v1::SubmitFinancialEvaluationRequest financial_request;
};

struct ImportProblem {
  int line = 0;  // 0 for a problem with the whole file
  std::string reason;
};

struct ParsedImport {
  std::vector<ImportRow> rows;
  std::vector<ImportProblem> problems;
};

// The range scores must lie in: the policy's score scale (GetPolicy).
struct ScoreRange {
  int64_t min_hundredths = 0;
  int64_t max_hundredths = 10000;
  int decimals = 2;
};

// `scale`'s range of a policy; InvalidArgument if it does not parse.
absl::StatusOr<ScoreRange> ScoreRangeOf(
    const evaluation::v1::ScoreScale& scale);

// Parses and validates the file's text. `file_name` feeds the request ids.
ParsedImport ParseImport(absl::string_view file_name, absl::string_view text,
                         const ScoreRange& range = {});

}  // namespace evald::client

#endif  // EVALD_CLIENT_IMPORT_H_
