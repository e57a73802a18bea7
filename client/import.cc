#include "client/import.h"

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "client/csv.h"
#include "client/flags.h"
#include "client/format.h"
#include "common/sha256.h"

namespace evald::client {
namespace {

namespace v1 = ::evaluation::v1;

enum Column {
  kKind,
  kProject,
  kYear,
  kPhase,
  kScore,
  kRectifiable,
  kPersonnel,
  kServiceQuality,
  kManagement,
  kOther,
  kIgnored,
};

const std::map<std::string, Column>& ColumnNames() {
  static const auto* const names = new std::map<std::string, Column>{
      {"kind", kKind},
      {"类型", kKind},
      {"project", kProject},
      {"项目编号", kProject},
      {"year", kYear},
      {"年度", kYear},
      {"phase", kPhase},
      {"阶段", kPhase},
      {"score", kScore},
      {"分数", kScore},
      {"rectifiable", kRectifiable},
      {"可整改", kRectifiable},
      {"personnel", kPersonnel},
      {"人员经费", kPersonnel},
      {"service_quality", kServiceQuality},
      {"服务质量经费", kServiceQuality},
      {"management", kManagement},
      {"管理费用", kManagement},
      {"other", kOther},
      {"其他费用", kOther},
      {"project_name", kIgnored},
      {"项目名称", kIgnored},
      {"note", kIgnored},
      {"备注", kIgnored},
      {"序号", kIgnored},
      {"#", kIgnored},
      {"no", kIgnored},
      {"no.", kIgnored},
  };
  return *names;
}

// 10000 -> "100.00".
std::string Hundredths(int64_t h) {
  return absl::StrCat(h / 100, ".", h % 100 < 10 ? "0" : "", h % 100);
}

std::optional<bool> ParseYesNo(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (t.empty() || t == "no" || t == "false" || t == "0" || t == "否") {
    return false;
  }
  if (t == "yes" || t == "true" || t == "1" || t == "是") return true;
  return std::nullopt;
}

std::string RequestIdOf(absl::string_view identity) {
  return absl::StrCat("import-", Sha256Hex(identity).substr(0, 32));
}

// "65.00%": hundredths of a percent of part in whole, rounded down.
std::string Percent(int64_t part, int64_t whole) {
  return absl::StrCat(Hundredths(whole == 0 ? 0 : part * 10000 / whole), "%");
}

// Warnings for a financial row whose spending breaks the cost-structure
// rules; exact integer comparisons, as the server's.
std::vector<std::string> CostWarnings(const v1::Expenditure& x,
                                      const CostLimits& limits) {
  const int64_t total = x.personnel_fen() + x.service_quality_fen() +
                        x.management_fen() + x.other_fen();
  std::vector<std::string> out;
  if (total <= 0) return out;
  if (x.personnel_fen() * 100 < limits.personnel_min_percent * total) {
    out.push_back(absl::StrCat("personnel is ",
                               Percent(x.personnel_fen(), total),
                               " of spending, below the policy's ",
                               limits.personnel_min_percent, "%"));
  }
  const int64_t pq = x.personnel_fen() + x.service_quality_fen();
  if (pq * 100 < limits.personnel_plus_quality_min_percent * total) {
    out.push_back(absl::StrCat("personnel and service quality are ",
                               Percent(pq, total),
                               " of spending, below the policy's ",
                               limits.personnel_plus_quality_min_percent, "%"));
  }
  if (x.management_fen() * 100 > limits.management_max_percent * total) {
    out.push_back(absl::StrCat("management is ",
                               Percent(x.management_fen(), total),
                               " of spending, above the policy's ",
                               limits.management_max_percent, "%"));
  }
  return out;
}

}  // namespace

absl::StatusOr<ScoreRange> ScoreRangeOf(
    const evaluation::v1::ScoreScale& scale) {
  absl::StatusOr<int64_t> min = ParseHundredths("score_scale.min", scale.min());
  absl::StatusOr<int64_t> max = ParseHundredths("score_scale.max", scale.max());
  if (!min.ok() || !max.ok() || scale.decimals() < 0 || scale.decimals() > 2) {
    return absl::InvalidArgumentError("the policy's score scale is malformed");
  }
  return ScoreRange{*min, *max, scale.decimals()};
}

ParsedImport ParseImport(absl::string_view file_name, absl::string_view text,
                         const ScoreRange& range, const CostLimits& limits) {
  if (text.size() > kMaxImportBytes) {
    ParsedImport out;
    out.problems.push_back({0, absl::StrCat("the file is larger than ",
                                            kMaxImportBytes >> 20, " MiB")});
    return out;
  }
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(text);
  if (!rows.ok()) {
    ParsedImport out;
    out.problems.push_back({0, std::string(rows.status().message())});
    return out;
  }
  return ParseImportRows(file_name, *std::move(rows), range, limits);
}

ParsedImport ParseImportRows(absl::string_view file_name,
                             std::vector<CsvRow> table, const ScoreRange& range,
                             const CostLimits& limits) {
  ParsedImport out;
  const std::vector<CsvRow>* rows = &table;
  if (rows->empty()) {
    out.problems.push_back({0, "the file is empty: a header row is required"});
    return out;
  }
  if (rows->size() - 1 > kMaxImportRows) {
    out.problems.push_back(
        {0, absl::StrCat("more than ", kMaxImportRows, " rows")});
    return out;
  }

  // Header: map each column to its meaning.
  std::vector<Column> columns;
  std::map<Column, int> position;
  std::map<Column, std::string> heading;  // as the file names each column
  for (const std::string& raw : (*rows)[0].fields) {
    const std::string name =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(raw));
    auto it = ColumnNames().find(name);
    if (it == ColumnNames().end()) {
      if (!name.empty()) {
        out.warnings.push_back(
            {(*rows)[0].line,
             absl::StrCat("column \"", raw,
                          "\" is not one evalctl reads; it is ignored")});
      }
      columns.push_back(kIgnored);
      continue;
    }
    heading[it->second] = std::string(absl::StripAsciiWhitespace(raw));
    if (it->second != kIgnored && position.count(it->second)) {
      out.problems.push_back(
          {(*rows)[0].line, absl::StrCat("column \"", raw, "\" is repeated")});
      return out;
    }
    position[it->second] = static_cast<int>(columns.size());
    columns.push_back(it->second);
  }
  for (Column required : {kKind, kProject, kYear, kPhase, kScore}) {
    if (!position.count(required)) {
      out.problems.push_back(
          {(*rows)[0].line,
           "the header needs the columns kind, project, year, phase, score"});
      return out;
    }
  }

  // A column's heading as the file gives it ("年度" or "year").
  auto named = [&](Column c, absl::string_view fallback) {
    auto it = heading.find(c);
    return it == heading.end() ? std::string(fallback) : it->second;
  };
  for (size_t r = 1; r < rows->size(); ++r) {
    const CsvRow& row = (*rows)[r];
    // A spreadsheet's blank lines (",,,,") are no rows.
    if (std::all_of(row.fields.begin(), row.fields.end(),
                    [](const std::string& f) {
                      return absl::StripAsciiWhitespace(f).empty();
                    })) {
      continue;
    }
    auto cell = [&](Column c) -> std::string {
      auto it = position.find(c);
      if (it == position.end() ||
          it->second >= static_cast<int>(row.fields.size())) {
        return "";
      }
      return std::string(absl::StripAsciiWhitespace(row.fields[it->second]));
    };
    auto problem = [&](std::string reason) {
      out.problems.push_back({row.line, std::move(reason)});
    };
    if (row.fields.size() > columns.size()) {
      problem(absl::StrCat(row.fields.size(), " fields, but the header has ",
                           columns.size()));
      continue;
    }
    // A template row left blank (no score, no money): not filled in yet.
    if (cell(kScore).empty() && cell(kPersonnel).empty() &&
        cell(kServiceQuality).empty() && cell(kManagement).empty() &&
        cell(kOther).empty()) {
      out.warnings.push_back(
          {row.line,
           absl::StrCat("no ", named(kScore, "score"),
                        ": the row is not filled in and is skipped")});
      continue;
    }
    const std::string kind = absl::AsciiStrToLower(cell(kKind));
    const bool financial = kind == "financial" || kind == "财务";
    if (!financial && kind != "score" && kind != "评分") {
      problem(absl::StrCat(named(kKind, "kind"), " \"", cell(kKind),
                           "\" is not score or financial"));
      continue;
    }
    v1::EvaluationRef ref;
    ref.set_project_id(cell(kProject));
    if (ref.project_id().empty()) {
      problem(absl::StrCat(named(kProject, "project"), " is empty"));
      continue;
    }
    int year = 0;
    if (!absl::SimpleAtoi(cell(kYear), &year) || year < 1900 || year > 9999) {
      problem(absl::StrCat(named(kYear, "year"), " \"", cell(kYear),
                           "\" is not a year"));
      continue;
    }
    ref.set_year(year);
    absl::StatusOr<v1::Phase> phase =
        ParsePhase(named(kPhase, "phase"), cell(kPhase));
    if (!phase.ok()) {
      problem(std::string(phase.status().message()));
      continue;
    }
    ref.set_phase(*phase);
    const std::string score_name = named(kScore, "score");
    absl::StatusOr<int64_t> hundredths =
        ParseHundredths(score_name, cell(kScore));
    if (!hundredths.ok()) {
      problem(std::string(hundredths.status().message()));
      continue;
    }
    const std::string score = Hundredths(*hundredths);
    const int64_t step = range.decimals >= 2   ? 1
                         : range.decimals == 1 ? 10
                                               : 100;
    if (*hundredths > range.max_hundredths) {
      problem(absl::StrCat(score_name, ": \"", score,
                           "\" is above the maximum ",
                           Hundredths(range.max_hundredths)));
      continue;
    }
    if (*hundredths < range.min_hundredths) {
      problem(absl::StrCat(score_name, ": \"", score,
                           "\" is below the minimum ",
                           Hundredths(range.min_hundredths)));
      continue;
    }
    if (*hundredths % step != 0) {
      problem(absl::StrCat(score_name, ": \"", score, "\" has more than ",
                           range.decimals, " decimals"));
      continue;
    }
    std::optional<bool> rectifiable = ParseYesNo(cell(kRectifiable));
    if (!rectifiable) {
      problem(absl::StrCat(named(kRectifiable, "rectifiable"), " \"",
                           cell(kRectifiable), "\" is not yes or no"));
      continue;
    }
    // What the row says, not where it stands: sorting the sheet re-sends
    // nothing. (The expenditure joins below, once it is read.)
    std::string identity =
        absl::StrCat(file_name, "\n", financial ? "financial" : "score", "\n",
                     ref.project_id(), "/", ref.year(), "/", ref.phase(), "\n",
                     score, "\n", *rectifiable ? "rectifiable" : "");

    ImportRow out_row;
    out_row.line = row.line;
    out_row.financial = financial;
    if (financial) {
      v1::SubmitFinancialEvaluationRequest& f = out_row.financial_request;
      *f.mutable_evaluation() = ref;
      f.set_score(score);
      f.set_rectifiable(*rectifiable);
      bool ok = true;
      for (auto [column, name, setter] :
           {std::tuple{kPersonnel, "personnel",
                       &v1::Expenditure::set_personnel_fen},
            std::tuple{kServiceQuality, "service_quality",
                       &v1::Expenditure::set_service_quality_fen},
            std::tuple{kManagement, "management",
                       &v1::Expenditure::set_management_fen},
            std::tuple{kOther, "other", &v1::Expenditure::set_other_fen}}) {
        const std::string value = cell(column);
        if (value.empty()) {
          problem(absl::StrCat(named(column, name),
                               " is required on a financial row"));
          ok = false;
          break;
        }
        // Named as the file names the column, not as a command-line flag.
        absl::StatusOr<int64_t> fen = ParseYuan(named(column, name), value);
        if (!fen.ok()) {
          problem(std::string(fen.status().message()));
          ok = false;
          break;
        }
        (f.mutable_expenditure()->*setter)(*fen);
      }
      if (!ok) continue;
      const v1::Expenditure& x = f.expenditure();
      absl::StrAppend(&identity, "\n", x.personnel_fen(), ",",
                      x.service_quality_fen(), ",", x.management_fen(), ",",
                      x.other_fen());
      f.set_request_id(RequestIdOf(identity));
      for (std::string& w : CostWarnings(x, limits)) {
        out.warnings.push_back({row.line, std::move(w)});
      }
    } else {
      for (Column c : {kPersonnel, kServiceQuality, kManagement, kOther}) {
        if (!cell(c).empty()) {
          problem("expenditure columns belong to financial rows only");
          break;
        }
      }
      if (!out.problems.empty() && out.problems.back().line == row.line) {
        continue;
      }
      v1::SubmitProfessionalScoreRequest& s = out_row.score;
      s.set_request_id(RequestIdOf(identity));
      *s.mutable_evaluation() = ref;
      s.set_score(score);
      s.set_rectifiable(*rectifiable);
    }
    out.rows.push_back(std::move(out_row));
  }
  return out;
}

}  // namespace evald::client
