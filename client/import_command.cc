// evalctl import FILE.csv: a batch of scores and financial evaluations
// from a spreadsheet (import.h parses and checks it).

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/import.h"
#include "client/xlsx.h"
#include "evalctl/v1/output.pb.h"

namespace evald::client {
namespace {

int RunImport(Session& s, const Args& args) {
  if (args.positional().size() != 1) {
    *s.err << "error: import takes one FILE.csv or FILE.xlsx (see --help)\n";
    return kUsage;
  }
  const std::string path = args.positional()[0];
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *s.err << "error: cannot read " << path << "\n";
    return kUsage;
  }
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  const std::string name = path.substr(path.find_last_of('/') + 1);
  // The policy in force says what a score may be: every row is checked
  // against it before anything is sent.
  v1::Policy policy;
  if (!Call(s, &Stub::GetPolicy, v1::GetPolicyRequest(), &policy)) {
    return kRefused;
  }
  absl::StatusOr<ScoreRange> range = ScoreRangeOf(policy.score_scale());
  if (!range.ok()) {
    *s.err << "error: " << range.status().message() << "\n";
    return kRefused;
  }
  const v1::CostStructure& cs = policy.cost_structure();
  const CostLimits limits{cs.personnel_min_percent(),
                          cs.personnel_plus_quality_min_percent(),
                          cs.management_max_percent()};
  ParsedImport parsed;
  if (absl::EndsWithIgnoreCase(path, ".xlsx")) {
    // The workbook's first sheet, read as the CSV would be.
    absl::StatusOr<std::vector<CsvRow>> rows =
        text.size() > kMaxImportBytes
            ? absl::InvalidArgumentError(absl::StrCat(
                  "the file is larger than ", kMaxImportBytes >> 20, " MiB"))
            : ReadXlsx(text);
    if (!rows.ok()) {
      parsed.problems.push_back({0, std::string(rows.status().message())});
    } else {
      parsed = ParseImportRows(name, *std::move(rows), *range, limits);
    }
  } else {
    parsed = ParseImport(name, text, *range, limits);
  }
  for (const ImportProblem& w : parsed.warnings) {
    *s.err << path << ":" << w.line << ": warning: " << w.reason << "\n";
  }
  for (const ImportProblem& p : parsed.problems) {
    if (p.line > 0) {
      *s.err << path << ":" << p.line << ": " << p.reason << "\n";
    } else {
      *s.err << path << ": " << p.reason << "\n";
    }
  }
  const bool keep_going = args.Has("continue-on-error");
  if (!parsed.problems.empty() && !keep_going) {
    *s.err << "import: " << parsed.problems.size()
           << " bad row(s); nothing was sent (fix them, or use "
              "--continue-on-error to send the good rows)\n";
    return kRefused;
  }
  const bool tty = isatty(STDERR_FILENO);
  const size_t total = parsed.rows.size();
  size_t sent = 0, refused = 0;
  for (size_t i = 0; i < total; ++i) {
    const ImportRow& row = parsed.rows[i];
    v1::Evaluation reply;
    std::ostringstream error;
    std::ostream* real_err = s.err;
    s.err = &error;
    const bool ok = row.financial ? Call(s, &Stub::SubmitFinancialEvaluation,
                                         row.financial_request, &reply)
                                  : Call(s, &Stub::SubmitProfessionalScore,
                                         row.score, &reply);
    s.err = real_err;
    if (ok) {
      ++sent;
    } else {
      ++refused;
      *s.err << path << ":" << row.line << ": " << error.str();
      if (!keep_going) break;
    }
    if (total >= 100 && ((i + 1) % 100 == 0 || i + 1 == total)) {
      if (tty) {
        *s.err << "\rimport: " << i + 1 << "/" << total << " rows"
               << std::flush;
        if (i + 1 == total) *s.err << "\n";
      } else if ((i + 1) % 1000 == 0 || i + 1 == total) {
        *s.err << "import: " << i + 1 << "/" << total << " rows\n";
      }
    }
  }
  const size_t skipped = total - sent - refused;
  Table t;
  t.headers = {"ROWS", "ACCEPTED", "REFUSED", "INVALID", "NOT SENT"};
  t.rows.push_back({absl::StrCat(total + parsed.problems.size()),
                    absl::StrCat(sent), absl::StrCat(refused),
                    absl::StrCat(parsed.problems.size()),
                    absl::StrCat(skipped)});
  if (s.output == OutputFormat::kJson) {
    evalctl::v1::ImportReport doc;
    doc.set_rows(total + parsed.problems.size());
    doc.set_accepted(sent);
    doc.set_refused(refused);
    doc.set_invalid(parsed.problems.size());
    doc.set_not_sent(skipped);
    *s.out << Json(doc) << "\n";
  } else {
    *s.out << (s.output == OutputFormat::kCsv ? RenderCsv(t) : RenderText(t));
  }
  return refused == 0 && parsed.problems.empty() ? kOk : kRefused;
}

}  // namespace

std::vector<Command> ImportCommands() {
  return {
      {"import",
       "",
       "Submit a batch of scores and financial evaluations from a CSV file "
       "or an Excel workbook (its first sheet).",
       "FILE.csv|FILE.xlsx [--continue-on-error]",
       "evalctl import scores-2025-mid.csv",
       {},
       {"continue-on-error"},
       true,
       RunImport},
  };
}

}  // namespace evald::client
