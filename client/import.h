// `evalctl import FILE.csv|FILE.xlsx`: a batch of submissions from a
// spreadsheet (docs/cli.md, "CSV import").
//
// Header row (English or Chinese names, any order; optional columns may be
// absent; a 序号 / # / no column and any column evalctl does not read are
// ignored, the unknown ones with a warning):
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
// Rows whose cells are all empty are skipped. Every row is validated before
// anything is sent; messages name the file's own column headings. Each
// row's request id is derived from the file's name and what the row says
// (its kind, target and values), not from its line, so re-running the file,
// or running it sorted another way, never submits a row twice. A financial
// row whose cost structure breaks the policy's rules gets a warning: the
// agency sees it before the bureau finalises.

#ifndef EVALD_CLIENT_IMPORT_H_
#define EVALD_CLIENT_IMPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/csv.h"
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
  // Not errors: ignored columns, cost-structure breaches.
  std::vector<ImportProblem> warnings;
};

// The range scores must lie in: the policy's score scale (GetPolicy).
struct ScoreRange {
  int64_t min_hundredths = 0;
  int64_t max_hundredths = 10000;
  int decimals = 2;
};

// The policy's cost-structure rules (RULES.md §5), in whole percent.
struct CostLimits {
  int personnel_min_percent = 70;
  int personnel_plus_quality_min_percent = 85;
  int management_max_percent = 15;
};

// `scale`'s range of a policy; InvalidArgument if it does not parse.
absl::StatusOr<ScoreRange> ScoreRangeOf(
    const evaluation::v1::ScoreScale& scale);

// Parses and validates the file's text. `file_name` feeds the request ids.
ParsedImport ParseImport(absl::string_view file_name, absl::string_view text,
                         const ScoreRange& range = {},
                         const CostLimits& limits = {});

// The same for rows already read, e.g. from an .xlsx sheet (xlsx.h): the
// first row is the header.
ParsedImport ParseImportRows(absl::string_view file_name,
                             std::vector<CsvRow> rows,
                             const ScoreRange& range = {},
                             const CostLimits& limits = {});

}  // namespace evald::client

#endif  // EVALD_CLIENT_IMPORT_H_
