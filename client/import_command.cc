// evalctl import FILE.csv: a batch of scores and financial evaluations
// from a spreadsheet (import.h parses and checks it).

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/flags.h"
#include "client/import.h"
#include "client/xlsx.h"
#include "evalctl/v1/output.pb.h"

namespace evald::client {
namespace {

// The version of the caller's own submission in `e`: its financial
// evaluation, or its party's professional score (0 when it has none).
int VersionOf(const v1::Evaluation& e, bool financial,
              const v1::PrincipalInfo& caller) {
  if (financial) return e.has_financial() ? e.financial().version() : 0;
  const std::string& role = caller.role();
  if (role == "agency") return e.third_party().version();
  if (role == "township") return e.township_score().version();
  if (role == "bureau") return e.bureau().version();
  if (role == "village") {
    for (const v1::VillageScore& v : e.villages()) {
      if (v.village() == caller.organisation()) return v.score().version();
    }
  }
  return 0;
}

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
  size_t sent = 0, refused = 0, fresh = 0, replaced = 0, already = 0;
  v1::PrincipalInfo caller;
  if (total > 0 && !Call(s, &Stub::WhoAmI, v1::WhoAmIRequest(), &caller)) {
    return kRefused;
  }
  for (size_t i = 0; i < total; ++i) {
    const ImportRow& row = parsed.rows[i];
    // The caller's version of this submission before the row is sent: the
    // reply's then says whether the row was new, replaced one, or had been
    // applied already (a repeated request answers with its first reply).
    const v1::EvaluationRef& ref = row.financial
                                       ? row.financial_request.evaluation()
                                       : row.score.evaluation();
    v1::GetEvaluationRequest get;
    *get.mutable_evaluation() = ref;
    v1::Evaluation before;
    std::ostringstream ignored;
    std::ostream* real_err_before = s.err;
    s.err = &ignored;
    const bool known = Call(s, &Stub::GetEvaluation, get, &before);
    s.err = real_err_before;
    const int prior = known ? VersionOf(before, row.financial, caller) : 0;
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
      const int now = VersionOf(reply, row.financial, caller);
      if (now <= prior) {
        ++already;
      } else if (prior == 0) {
        ++fresh;
      } else {
        ++replaced;
      }
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
  t.headers = {"ROWS",    "NEW",     "REPLACED", "ALREADY APPLIED",
               "REFUSED", "INVALID", "NOT SENT"};
  t.rows.push_back(
      {absl::StrCat(total + parsed.problems.size()), absl::StrCat(fresh),
       absl::StrCat(replaced), absl::StrCat(already), absl::StrCat(refused),
       absl::StrCat(parsed.problems.size()), absl::StrCat(skipped)});
  evalctl::v1::ImportReport doc;
  doc.set_rows(total + parsed.problems.size());
  doc.set_accepted(sent);
  doc.set_new_(fresh);
  doc.set_replaced(replaced);
  doc.set_already_applied(already);
  doc.set_refused(refused);
  doc.set_invalid(parsed.problems.size());
  doc.set_not_sent(skipped);
  Print(s, doc, t);
  return refused == 0 && parsed.problems.empty() ? kOk : kRefused;
}

// A sheet to fill in for one round: a row per project and submission the
// caller owes (an agency: its score and its financial evaluation; the
// others: their score), in the import's Chinese headings.
int RunTemplate(Session& s, const Args& a) {
  EVALD_TRY_FLAG(year, a.RequiredInt("year"));
  EVALD_TRY_FLAG(phase_text, a.Required("phase"));
  EVALD_TRY_FLAG(phase, ParsePhase("--phase", *phase_text));
  v1::PrincipalInfo caller;
  if (!Call(s, &Stub::WhoAmI, v1::WhoAmIRequest(), &caller)) return kRefused;
  v1::ListProjectsRequest r;
  r.set_township(a.GetOr("township", ""));
  v1::ListProjectsResponse all;
  if (!ListAll(s, &Stub::ListProjects, r, &all)) return kRefused;
  Table t;
  t.headers = {"序号",     "类型",     "项目编号", "项目名称", "年度",
               "阶段",     "分数",     "可整改",   "人员经费", "服务质量经费",
               "管理费用", "其他费用", "备注"};
  const std::string phase_zh = *phase == v1::FINAL ? "末期" : "中期";
  int n = 0;
  for (const v1::Project& p : all.projects()) {
    const int first = std::stoi(p.start_date().substr(0, 4));
    if (p.terminated() || *year < first || *year >= first + p.years()) continue;
    std::vector<std::string> kinds = {"评分"};
    if (caller.role() == "agency") kinds.push_back("财务");
    for (const std::string& kind : kinds) {
      t.rows.push_back({absl::StrCat(++n), kind, p.project_id(), p.name(),
                        absl::StrCat(*year), phase_zh, "", "", "", "", "", "",
                        ""});
    }
  }
  if (s.output == OutputFormat::kTable) s.output = OutputFormat::kXlsx;
  if (s.output == OutputFormat::kXlsx && isatty(STDOUT_FILENO)) {
    *s.err << "error: the template is a workbook: redirect it to a file "
              "(> template.xlsx), or use -o csv\n";
    return kUsage;
  }
  Print(s, all, t);
  return kOk;
}

}  // namespace

std::vector<Command> ImportCommands() {
  return {
      {"import",
       "template",
       "A sheet to fill in for one round, one row per project and "
       "submission you owe: an .xlsx on stdout (or -o csv).",
       "--year Y --phase mid-term|final [--township T]",
       "evalctl import template --year 2025 --phase mid-term > "
       "agency-2025-mid.xlsx",
       {"year", "phase", "township"},
       {},
       false,
       RunTemplate},
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
