// End-to-end tests of evalctl: the real evalctl binary, run as a
// subprocess, against the real evald (tests/evald_process.h) on a free
// loopback port with the demo principals. Every assertion is about what a
// user sees: the exit code, stdout and stderr. The state behind a command is
// read back through evalctl itself (`-o json`, parsed into the API's
// messages), never through a side channel.

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/xlsx.h"
#include "evaluation/v1/evaluation.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/evald_process.h"
#include "tests/run_program.h"
#include "tests/xlsx_fixture.h"

#ifndef EVALCTL_BINARY
#error "EVALCTL_BINARY must name the evalctl executable"
#endif

extern char** environ;

namespace evald::testing {
namespace {

namespace v1 = ::evaluation::v1;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// What one evalctl invocation did.
struct Result {
  int code = -1;  // exit code; 128 + signal if it was killed
  std::string out;
  std::string err;
};

std::ostream& operator<<(std::ostream& os, const Result& r) {
  return os << "exit " << r.code << "\n--- stdout\n"
            << r.out << "--- stderr\n"
            << r.err;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs EVALCTL_BINARY with `args`, stdin from /dev/null, stdout and stderr
// captured to files in `scratch`. $EVAL_SERVER and $EVAL_TOKEN of the test's
// own environment are not passed on, so only the flags count.
Result RunBinary(const std::vector<std::string>& args,
                 const std::string& scratch) {
  static int run = 0;
  ++run;
  const std::string out_path = absl::StrCat(scratch, "/run-", run, ".out");
  const std::string err_path = absl::StrCat(scratch, "/run-", run, ".err");

  // Everything the child needs is built before fork(): between fork and
  // exec it only calls async-signal-safe functions.
  std::vector<std::string> argv_text = {EVALCTL_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "EVAL_SERVER=", 12) == 0 ||
        std::strncmp(*e, "EVAL_TOKEN=", 11) == 0) {
      continue;
    }
    envp.push_back(*e);
  }
  envp.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  Result r;
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid) {
    r.code = WIFEXITED(status)     ? WEXITSTATUS(status)
             : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                   : -1;
  }
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  return r;
}

// Parses evalctl's -o json output: exactly one JSON document on one line,
// whose field names are all fields of M (proto names; unknown ones fail).
template <typename M>
M ParseJson(const std::string& out) {
  M message;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1)
      << "want one JSON document on one line:\n"
      << out;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status =
      google::protobuf::util::JsonStringToMessage(out, &message, options);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << out;
  return message;
}

// Columns of `utf8` on a terminal, computed independently of the client:
// CJK ideographs, CJK punctuation and fullwidth forms take two.
int TerminalWidth(const std::string& utf8) {
  int width = 0;
  for (size_t i = 0; i < utf8.size();) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    const int n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    uint32_t cp = n == 1 ? c : c & (0xff >> (n + 1));
    for (int k = 1; k < n && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3f);
    }
    const bool wide = (cp >= 0x3000 && cp <= 0x303f) ||
                      (cp >= 0x4e00 && cp <= 0x9fff) ||
                      (cp >= 0xff00 && cp <= 0xff60);
    width += wide ? 2 : 1;
    i += n;
  }
  return width;
}

// The lines of `text` (without their '\n').
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// What -o csv printed, as plain lines: the byte-order mark and the CRLF
// line ends that Excel needs taken off (CsvHasAHeaderAndQuotesWhereNeeded
// checks that they are there).
std::string Unexcel(const std::string& csv) {
  const std::string bom = "\xEF\xBB\xBF";
  return absl::StrReplaceAll(absl::StartsWith(csv, bom) ? csv.substr(3) : csv,
                             {{"\r\n", "\n"}});
}

// The line of `text` that starts with `prefix`, or "".
std::string LineStartingWith(const std::string& text,
                             const std::string& prefix) {
  for (const std::string& line : Lines(text)) {
    if (absl::StartsWith(line, prefix)) return line;
  }
  return "";
}

constexpr char kStationName[] = "黄阁镇社工站";
// A FIELD/VALUE table has a row named `label` whose value is `value` (or,
// for HasRowStartingWith, starts with it), whatever the column's width.
MATCHER_P2(HasRow, label, value, "") {
  for (absl::string_view line : absl::StrSplit(arg, '\n')) {
    if (!absl::ConsumePrefix(&line, label) || line.size() < 2 ||
        line.substr(0, 2) != "  ") {
      continue;
    }
    if (absl::StripLeadingAsciiWhitespace(line) == value) return true;
  }
  return false;
}
MATCHER_P2(HasRowStartingWith, label, value, "") {
  for (absl::string_view line : absl::StrSplit(arg, '\n')) {
    if (!absl::ConsumePrefix(&line, label) || line.size() < 2 ||
        line.substr(0, 2) != "  ") {
      continue;
    }
    if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), value)) {
      return true;
    }
  }
  return false;
}

const std::regex kRequestIdLine("request-id: (evalctl-[0-9a-f]{32})\n");

class EvalctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The expected outputs are English: a Chinese desktop locale would turn
    // evalctl's headers Chinese (--lang).
    setenv("LANG", "C.UTF-8", 1);
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    char pattern[] = "/tmp/evalctl-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    scratch_ = pattern;
    ASSERT_TRUE(evald_.Start());
  }

  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
  }

  // evalctl --server=<evald> [--token=TOKEN] ARGS...
  Result Run(const std::string& token, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--server=" + evald_.address()};
    if (!token.empty()) all.push_back("--token=" + token);
    all.insert(all.end(), args.begin(), args.end());
    return RunBinary(all, scratch_);
  }

  // Run, expecting exit 0.
  Result Ok(const std::string& token, const std::vector<std::string>& args) {
    Result r = Run(token, args);
    EXPECT_EQ(r.code, 0) << absl::StrJoin(args, " ") << "\n" << r;
    return r;
  }

  // Run, expecting exit 1 and stderr starting with `error_prefix`.
  Result Refused(const std::string& token, const std::vector<std::string>& args,
                 const std::string& error_prefix) {
    Result r = Run(token, args);
    EXPECT_EQ(r.code, 1) << absl::StrJoin(args, " ") << "\n" << r;
    // Mutating commands first announce their request id.
    std::string err = std::regex_replace(r.err, kRequestIdLine, "");
    EXPECT_THAT(err, StartsWith(error_prefix)) << r;
    EXPECT_EQ(r.out, "") << r;
    return r;
  }

  // Run, expecting exit 2, a usage error on stderr and nothing on stdout.
  Result UsageError(const std::vector<std::string>& args,
                    const std::string& error_prefix) {
    Result r = Run(kBureau, args);
    EXPECT_EQ(r.code, 2) << absl::StrJoin(args, " ") << "\n" << r;
    EXPECT_THAT(r.err, StartsWith(error_prefix)) << r;
    EXPECT_THAT(r.err, Not(HasSubstr("request-id:"))) << r;
    EXPECT_EQ(r.out, "") << r;
    return r;
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = scratch_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // A project of township huangge, provider PR1, villages V01 and V02,
  // agency AG1, starting 2025-07-01 with 2,600,000.00 yuan a year.
  void CreateProject(const std::string& id,
                     const std::string& name = kStationName) {
    Ok(kBureau,
       {"project", "create", "--id", id, "--name", name, "--township",
        "huangge", "--provider", "PR1", "--villages", "V01,V02", "--start",
        "2025-07-01", "--fund", "2600000.00", "--agency", "AG1"});
  }

  static std::vector<std::string> RefFlags(const std::string& project, int year,
                                           const std::string& phase) {
    return {"--project",        project,   "--year",
            absl::StrCat(year), "--phase", phase};
  }

  static std::vector<std::string> Cat(std::vector<std::string> a,
                                      const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  // The agency scores `agency` (marked rectifiable if asked), every other
  // party `others`; the agency's financial evaluation scores `financial`
  // with a sound cost structure (75 % / 12 % / 10 % / 3 % of 1,000,000.00).
  void SubmitAll(const std::string& project, int year, const std::string& phase,
                 const std::string& agency, const std::string& others,
                 const std::string& financial = "82",
                 bool rectifiable = false) {
    const std::vector<std::string> ref = RefFlags(project, year, phase);
    std::vector<std::string> agency_args =
        Cat({"score", "submit", "--score", agency}, ref);
    if (rectifiable) agency_args.push_back("--rectifiable");
    Ok(kAgency, agency_args);
    for (const char* token : {kTownship, kVillage1, kVillage2, kBureau}) {
      Ok(token, Cat({"score", "submit", "--score", others}, ref));
    }
    Ok(kAgency, Cat({"financial", "submit", "--score", financial, "--personnel",
                     "750000", "--service-quality", "120000", "--management",
                     "100000", "--other", "30000"},
                    ref));
  }

  v1::Evaluation GetEvaluation(const std::string& project, int year,
                               const std::string& phase) {
    Result r = Ok(kBureau, Cat({"evaluation", "get", "-o", "json"},
                               RefFlags(project, year, phase)));
    return ParseJson<v1::Evaluation>(r.out);
  }

  v1::Project GetProject(const std::string& id) {
    return ParseJson<v1::Project>(
        Ok(kBureau, {"project", "get", "--id", id, "-o", "json"}).out);
  }

  std::vector<v1::AuditEvent> Audit(const std::string& project) {
    Result r =
        Ok(kBureau, {"audit", "list", "--project", project, "-o", "json"});
    v1::ListAuditEventsResponse list =
        ParseJson<v1::ListAuditEventsResponse>(r.out);
    return {list.events().begin(), list.events().end()};
  }

  int CountActions(const std::string& project, const std::string& action) {
    int n = 0;
    for (const v1::AuditEvent& e : Audit(project)) n += e.action() == action;
    return n;
  }

  v1::Disbursement Tranche(const std::string& project, int year,
                           v1::TrancheKind kind,
                           const std::string& as_of = "2026-01-01") {
    Result r = Ok(kFinance, {"disbursement", "list", "--project", project,
                             "--as-of", as_of, "-o", "json"});
    const v1::ListDisbursementsResponse list =
        ParseJson<v1::ListDisbursementsResponse>(r.out);
    for (const v1::Disbursement& d : list.disbursements()) {
      if (d.year() == year && d.kind() == kind) return d;
    }
    ADD_FAILURE() << "no tranche " << project << "/" << year << "/" << kind;
    return v1::Disbursement();
  }

  EvaldProcess evald_;
  std::string scratch_;
};

// ------------------------------------------------------------ Help, usage

// The command names of the top-level help's command table.
std::vector<std::string> CommandsInTopHelp(const std::string& help) {
  std::vector<std::string> commands;
  bool in_table = false;
  for (const std::string& line : Lines(help)) {
    if (absl::StartsWith(line, "  COMMAND")) {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (line.empty()) break;
    // "  project create         Create a project ..." -> "project create"
    const size_t gap = line.find("  ", 2);
    commands.push_back(line.substr(2, gap - 2));
  }
  return commands;
}

TEST_F(EvalctlTest, HelpOnEveryLevelExitsZeroAndShowsTheExample) {
  Result top = Ok("", {"--help"});
  EXPECT_THAT(top.out,
              AllOf(HasSubstr("Usage: evalctl [global flags] NOUN VERB"),
                    HasSubstr("--server HOST:PORT"), HasSubstr("--token"),
                    HasSubstr("-o, --output FORMAT"),
                    HasSubstr("Exit codes: 0 success, 1 refused by the "
                              "server (or bad import rows), 2 usage error.")));
  EXPECT_EQ(top.err, "");

  // At least the commands of the issue (the table may grow).
  const std::vector<std::string> commands = CommandsInTopHelp(top.out);
  EXPECT_THAT(commands, ::testing::IsSupersetOf(
                            std::vector<std::string>{"project create",
                                                     "project assign-agency",
                                                     "project get",
                                                     "project list",
                                                     "score submit",
                                                     "financial submit",
                                                     "veto raise",
                                                     "veto confirm",
                                                     "veto dismiss",
                                                     "evaluation get",
                                                     "evaluation list",
                                                     "evaluation finalize",
                                                     "evaluation reopen",
                                                     "evaluation late",
                                                     "rectification apply",
                                                     "rectification decide",
                                                     "rectification expire",
                                                     "disbursement list",
                                                     "disbursement release",
                                                     "summary",
                                                     "audit list",
                                                     "policy show",
                                                     "import"}));

  // Every command: its usage line and an example that runs it.
  for (const std::string& command : commands) {
    SCOPED_TRACE(command);
    std::vector<std::string> args = absl::StrSplit(command, ' ');
    args.push_back("--help");
    Result r = Ok("", args);
    EXPECT_THAT(r.out, StartsWith(absl::StrCat("evalctl ", command, ": ")));
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("\nUsage: evalctl ", command)));
    const size_t at = r.out.find("\nExample:\n  evalctl ");
    ASSERT_NE(at, std::string::npos) << r;
    const std::string example =
        r.out.substr(at, r.out.find('\n', at + 12) - at);
    EXPECT_THAT(example, HasSubstr(command)) << r;
  }
  Result release = Ok("", {"disbursement", "release", "--help"});
  EXPECT_THAT(release.out,
              HasSubstr("Example:\n  evalctl disbursement release --project P1 "
                        "--year 2025 --kind year-start --reference "
                        "BANK-2025-0001\n"));

  // Noun level: every verb of the noun, with its usage.
  Result noun = Ok("", {"evaluation", "--help"});
  EXPECT_THAT(noun.out, StartsWith("evalctl evaluation commands:\n"));
  for (const char* verb : {"get", "list", "finalize", "reopen", "late"}) {
    EXPECT_THAT(noun.out,
                HasSubstr(absl::StrCat("  evalctl evaluation ", verb, " ")));
  }
  EXPECT_THAT(noun.out, Not(HasSubstr("evalctl project")));
  // --help anywhere on the line, before the words too.
  EXPECT_EQ(Ok("", {"--help", "veto", "raise"}).out,
            Ok("", {"veto", "raise", "--help"}).out);
}

TEST_F(EvalctlTest, UsageErrorsExitTwoAndSendNothing) {
  CreateProject("P1");
  const size_t events = Audit("P1").size();
  const std::vector<std::string> mid = RefFlags("P1", 2025, "mid-term");

  // No words at all: the overview, on stderr.
  Result none = Run(kBureau, {});
  EXPECT_EQ(none.code, 2);
  EXPECT_THAT(none.err, HasSubstr("Usage: evalctl [global flags]"));
  EXPECT_EQ(none.out, "");

  UsageError({"frobnicate"}, "error: unknown command \"frobnicate\"");
  Result verb = UsageError({"project", "frobnicate"},
                           "error: unknown command \"project frobnicate\"\n");
  EXPECT_THAT(verb.err, HasSubstr("evalctl project create --id ID"));
  UsageError({"project"}, "error: unknown command \"project\"\n");
  UsageError({"project", "get", "--id", "P1", "--bogus", "1"},
             "error: unknown flag --bogus for evalctl project get");
  // A slip gets the word meant.
  UsageError({"porject", "list"},
             "error: unknown command \"porject\" (did you mean \"project\"?)");
  UsageError({"evaluation", "finalise"},
             "error: unknown command \"evaluation finalise\" (did you mean "
             "\"evaluation finalize\"?)");
  UsageError({"project", "get", "--idd", "P1"},
             "error: unknown flag --idd for evalctl project get (did you mean "
             "\"--id\"?)");
  UsageError({"project", "get", "P1"}, "error: unexpected argument \"P1\"");
  UsageError({"project", "get"}, "error: --id is required (see --help)\n");
  UsageError({"project", "get", "--id"}, "error: --id needs a value");
  UsageError({"project", "get", "--id", "P1", "-o", "yaml"},
             "error: -o/--output: want table, json, csv or xlsx\n");
  UsageError({"project", "get", "--id", "P1", "--output=xml"},
             "error: -o/--output: want table, json, csv or xlsx\n");
  UsageError({"project", "get", "--id", "P1", "--timeout", "0"},
             "error: --timeout: want a positive whole number of seconds\n");

  // Mutating commands: a usage error sends nothing and spends no request id.
  UsageError(Cat({"score", "submit"}, mid), "error: --score is required");
  UsageError({"score", "submit", "--project", "P1", "--phase", "mid-term",
              "--score", "85"},
             "error: --year is required");
  UsageError({"score", "submit", "--project", "P1", "--year", "twenty",
              "--phase", "mid-term", "--score", "85"},
             "error: --year: \"twenty\" is not a whole number");
  UsageError({"score", "submit", "--project", "P1", "--year", "2025", "--phase",
              "spring", "--score", "85"},
             "error: --phase: \"spring\" is not one of mid-term, final");
  UsageError(
      Cat({"score", "submit", "--score", "85", "--rectifiable=maybe"}, mid),
      "error: --rectifiable takes no value");
  UsageError(
      Cat({"financial", "submit", "--score", "82", "--personnel", "750000",
           "--service-quality", "120000", "--management", "100000"},
          mid),
      "error: --other is required");
  UsageError(Cat({"financial", "submit", "--score", "82", "--personnel", "-5",
                  "--service-quality", "120000", "--management", "100000",
                  "--other", "1"},
                 mid),
             "error: --personnel: \"-5\" is negative");
  UsageError(Cat({"veto", "raise", "--kind", "moral", "--code", "X",
                  "--evidence", "e"},
                 mid),
             "error: --kind: \"moral\" is not one of professional, "
             "financial");
  UsageError(Cat({"rectification", "decide", "--pass", "--fail", "--date",
                  "2026-03-02"},
                 mid),
             "error: give exactly one of --pass and --fail");
  UsageError({"disbursement", "release", "--project", "P1", "--year", "2025",
              "--kind", "bonus", "--reference", "R"},
             "error: ");
  UsageError({"disbursement", "list", "--state", "lost"},
             "error: --state: \"lost\" is not one of pending, due, withheld, "
             "held, released, forfeited");
  UsageError({"evaluation", "list", "--state", "happy"},
             "error: --state: \"happy\" is not one of open, scored, passed, "
             "failed, rectifying, reevaluating, passed-after-rectification");
  UsageError({"project", "create", "--id", "P2", "--name", "x", "--township",
              "huangge", "--provider", "PR1", "--villages", "V01", "--start",
              "2025-07-01", "--fund", "2,600,000.005"},
             "error: --fund: ");
  UsageError({"import"}, "error: import takes one FILE.csv");
  UsageError({"import", scratch_ + "/no-such-file.csv"}, "error: cannot read ");

  EXPECT_EQ(Audit("P1").size(), events);
  EXPECT_EQ(GetEvaluation("P1", 2025, "mid-term").submission_versions(), 0);
}

// ------------------------------------------------------ Server refusals

TEST_F(EvalctlTest, ServerRefusalsExitOneWithCodeAndMessage) {
  CreateProject("P1");
  // Exactly "error: CODE: message\n" after the request-id line.
  Result denied =
      Refused(kTownship,
              {"project", "create", "--id", "P2", "--name", "x", "--township",
               "huangge", "--provider", "PR1", "--villages", "V01", "--start",
               "2025-07-01", "--fund", "1"},
              "error: PERMISSION_DENIED: ");
  EXPECT_THAT(denied.err,
              HasSubstr("error: PERMISSION_DENIED: a township cannot create "
                        "projects (principal township-huangge)\n"));
  // Only -v names the request id: a script reads a clean stderr.
  EXPECT_THAT(denied.err, Not(HasSubstr("request-id")));
  Result verbose = Run(
      kTownship, {"-v", "project", "create", "--id", "P2", "--name", "x",
                  "--township", "huangge", "--provider", "PR1", "--villages",
                  "V01", "--start", "2025-07-01", "--fund", "1"});
  EXPECT_THAT(verbose.err,
              ContainsRegex("^request-id: evalctl-[0-9a-f]{32}\nerror: "
                            "PERMISSION_DENIED: "));

  Refused(kBureau,
          {"project", "create", "--id", "P1", "--name", "again", "--township",
           "huangge", "--provider", "PR1", "--villages", "V01", "--start",
           "2025-07-01", "--fund", "1"},
          "error: ALREADY_EXISTS: project P1 already exists\n");
  Refused(kBureau, {"project", "get", "--id", "P9"},
          "error: NOT_FOUND: project P9 not found\n");
  Refused(kOtherTownship, {"project", "get", "--id", "P1"},
          "error: PERMISSION_DENIED: principal township-other (township "
          "other-town) has no part in project P1\n");
  // No token, or one with a tab or line break pasted along: a usage error,
  // nothing sent.
  Result no_token = Run("", {"project", "list"});
  EXPECT_EQ(no_token.code, 2);
  EXPECT_EQ(no_token.err, "error: no token: set EVAL_TOKEN or pass --token\n");
  for (const char* pasted : {"demo-bureau\n", "demo\tbureau", "demo bureau"}) {
    Result bad = Run(pasted, {"project", "list"});
    EXPECT_EQ(bad.code, 2) << bad;
    EXPECT_THAT(bad.err, StartsWith("error: --token: the token contains a "
                                    "space, tab, line break"));
  }
  Refused("no-such-token", {"project", "list"},
          "error: UNAUTHENTICATED: unknown or revoked token\n");
  Refused(kFinance,
          Cat({"score", "submit", "--score", "85"},
              RefFlags("P1", 2025, "mid-term")),
          "error: PERMISSION_DENIED: finance cannot submit scores (principal "
          "finance)\n");
  Refused(kAgency,
          Cat({"score", "submit", "--score", "100.01"},
              RefFlags("P1", 2025, "mid-term")),
          "error: INVALID_ARGUMENT: --score: \"100.01\" is above the maximum "
          "100.00\n");
  Refused(kBureau,
          Cat({"evaluation", "finalize", "--result-date", "2025-12-15"},
              RefFlags("P1", 2025, "mid-term")),
          "error: FAILED_PRECONDITION: ");

  // Nobody listening: exit 1, not a usage error.
  Result unreachable = RunBinary({"--server=127.0.0.1:1", "--token=demo-bureau",
                                  "--timeout=5", "project", "list"},
                                 scratch_);
  EXPECT_EQ(unreachable.code, 1) << unreachable;
  EXPECT_THAT(unreachable.err, StartsWith("error: UNAVAILABLE: "));
}

// ------------------------------------------------------------- Projects

TEST_F(EvalctlTest, ProjectCreateAssignGetList) {
  Result created =
      Ok(kBureau, {"project", "create", "--id", "P1", "--name", kStationName,
                   "--township", "huangge", "--provider", "PR1", "--villages",
                   "V01,V02", "--start", "2025-07-01", "--fund", "2,600,000.00",
                   "--request-id", "create-p1"});
  EXPECT_EQ(created.out,
            "FIELD             VALUE\n"
            "project           P1\n"
            "name              黄阁镇社工站\n"
            "township          huangge 黄阁镇\n"
            "provider          PR1 南沙区启航社会工作服务中心\n"
            "villages          V01 大塘村, V02 莲溪村\n"
            "start_date        2025-07-01\n"
            "years             5\n"
            "annual_fund_yuan  2,600,000.00\n"
            "agency            -\n"
            "policy            nansha-2019\n"
            "terminated        no\n");
  EXPECT_EQ(created.err, "");  // the request id was given: nothing to say
  // The same request id again: the first answer, not a second project.
  EXPECT_EQ(
      Ok(kBureau, {"project", "create", "--id", "P1", "--name", kStationName,
                   "--township", "huangge", "--provider", "PR1", "--villages",
                   "V01,V02", "--start", "2025-07-01", "--fund", "2,600,000.00",
                   "--request-id", "create-p1"})
          .out,
      created.out);

  // Before the agency is assigned, the agency sees nothing of P1.
  Refused(kAgency, {"project", "get", "--id", "P1"},
          "error: PERMISSION_DENIED: ");
  Result assigned = Ok(
      kBureau, {"project", "assign-agency", "--id", "P1", "--agency", "AG1"});
  EXPECT_THAT(assigned.out, HasRow("agency", "AG1 广州市明衡第三方评估中心"));
  EXPECT_EQ(assigned.err, "");
  Refused(kAgency,
          {"project", "assign-agency", "--id", "P1", "--agency", "AG9"},
          "error: PERMISSION_DENIED: an evaluation agency cannot assign "
          "agencies (principal agency-ag1)\n");

  Result got = Ok(kAgency, {"project", "get", "--id", "P1", "-o", "json"});
  EXPECT_THAT(
      got.out,
      AllOf(HasSubstr("\"project_id\":\"P1\""),
            HasSubstr("\"annual_fund_fen\":\"260000000\""),
            HasSubstr("\"start_date\":\"2025-07-01\""),
            HasSubstr("\"villages\":[\"V01\",\"V02\"]"),
            HasSubstr("\"agency\":\"AG1\""), HasSubstr("\"terminated\":false"),
            Not(HasSubstr("projectId")), Not(HasSubstr("annualFundFen"))));
  v1::Project p = ParseJson<v1::Project>(got.out);
  EXPECT_EQ(p.name(), kStationName);
  EXPECT_EQ(p.years(), 5);
  EXPECT_EQ(p.policy_id(), "nansha-2019");

  CreateProject("P2", "Nansha Station");
  Result all = Ok(kTownship, {"project", "list"});
  ASSERT_EQ(Lines(all.out).size(), 3u) << all;
  EXPECT_THAT(Lines(all.out)[0],
              StartsWith("PROJECT  NAME            TOWNSHIP        PROVIDER  "
                         "                      VILLAGES  "));
  EXPECT_THAT(all.out, HasSubstr("2,600,000.00"));
  Result filtered = Ok(kBureau, {"project", "list", "--township", "other"});
  EXPECT_EQ(Lines(filtered.out).size(), 1u) << filtered;  // headers only
  // Only the projects a principal has a part in.
  Result other = Ok(kOtherTownship, {"project", "list", "-o", "json"});
  EXPECT_EQ(ParseJson<v1::ListProjectsResponse>(other.out).projects_size(), 0);
}

// -------------------------------------------------------- Organisations

TEST_F(EvalctlTest, OrganisationsAreListedManagedAndNamedBesideCodes) {
  // The registry evald was started with (deploy/demo/organisations.tsv);
  // any role may read it.
  const std::vector<std::string> huangge_villages = {
      "org", "list", "--kind", "village", "--township", "huangge"};
  const std::string listed =
      "CODE  KIND     NAME    NAME (EN)       TOWNSHIP        STATUS\n"
      "V01   village  大塘村  Datang Village  huangge 黄阁镇  active\n"
      "V02   village  莲溪村  Lianxi Village  huangge 黄阁镇  active\n"
      "V03   village  麒麟村  Qilin Village   huangge 黄阁镇  active\n";
  EXPECT_EQ(Ok(kTownship, huangge_villages).out, listed);

  // Only the bureau (or an admin) registers one.
  const std::vector<std::string> create_v04 = {
      "org",     "create", "--code", "V04",        "--kind",
      "village", "--name", "新村",   "--township", "huangge"};
  Refused(kTownship, create_v04, "error: PERMISSION_DENIED: ");
  EXPECT_EQ(Ok(kBureau, create_v04).out,
            "FIELD     VALUE\n"
            "code      V04\n"
            "kind      village\n"
            "name      新村\n"
            "name_en   -\n"
            "township  huangge 黄阁镇\n"
            "status    active\n");

  // Names may be typed for codes, Chinese commas and all; the project
  // records the codes.
  Result created =
      Ok(kBureau, {"project", "create", "--id", "P1", "--name", kStationName,
                   "--township", "黄阁镇", "--provider", "PR1", "--villages",
                   "大塘村，新村", "--start", "2025-07-01", "--fund",
                   "2,600,000.00", "--agency", "AG1"});
  EXPECT_EQ(created.out,
            "FIELD             VALUE\n"
            "project           P1\n"
            "name              黄阁镇社工站\n"
            "township          huangge 黄阁镇\n"
            "provider          PR1 南沙区启航社会工作服务中心\n"
            "villages          V01 大塘村, V04 新村\n"
            "start_date        2025-07-01\n"
            "years             5\n"
            "annual_fund_yuan  2,600,000.00\n"
            "agency            AG1 广州市明衡第三方评估中心\n"
            "policy            nansha-2019\n"
            "terminated        no\n");
  const v1::Project p1 = GetProject("P1");
  EXPECT_EQ(p1.township(), "huangge");
  EXPECT_THAT(p1.villages(), ElementsAre("V01", "V04"));

  // A code the registry does not have is refused, not recorded.
  Refused(kBureau,
          {"project", "create", "--id", "P2", "--name", "x", "--township",
           "huanggee", "--provider", "PR1", "--villages", "V01", "--start",
           "2025-07-01", "--fund", "1"},
          "error: FAILED_PRECONDITION: --township: \"huanggee\" is not a "
          "township in the registry");
  Refused(kBureau, {"project", "get", "--id", "P2"},
          "error: NOT_FOUND: project P2 not found\n");

  // Retired: no new project may name it; P1 keeps it.
  Result retired =
      Ok(kBureau, {"org", "retire", "--code", "V04", "--reason", "撤并"});
  EXPECT_THAT(retired.out, AllOf(HasRow("code", "V04"), HasRow("name", "新村"),
                                 HasRow("status", "retired")));
  Refused(kBureau,
          {"project", "create", "--id", "P3", "--name", "x", "--township",
           "huangge", "--provider", "PR1", "--villages", "V01,V04", "--start",
           "2025-07-01", "--fund", "1"},
          "error: FAILED_PRECONDITION: --villages: V04 新村 is retired\n");
  Refused(kBureau, {"project", "get", "--id", "P3"},
          "error: NOT_FOUND: project P3 not found\n");
  EXPECT_EQ(Ok(kTownship, huangge_villages).out, listed);

  // Renamed: the code stays, every table shows the new name.
  EXPECT_EQ(
      Ok(kBureau, {"org", "rename", "--code", "V04", "--name", "新安村"}).out,
      "FIELD     VALUE\n"
      "code      V04\n"
      "kind      village\n"
      "name      新安村\n"
      "name_en   -\n"
      "township  huangge 黄阁镇\n"
      "status    retired\n");
  EXPECT_THAT(Ok(kBureau, {"project", "get", "--id", "P1"}).out,
              HasRow("villages", "V01 大塘村, V04 新安村"));
  EXPECT_THAT(GetProject("P1").villages(), ElementsAre("V01", "V04"));
  EXPECT_EQ(Ok(kTownship, Cat(huangge_villages, {"--all"})).out,
            absl::StrCat(listed,
                         "V04   village  新安村  -               huangge "
                         "黄阁镇  retired\n"));
}

// ------------------------------------- A mid-term, from scores to money

TEST_F(EvalctlTest, MidTermScoredFinalisedReopenedAndPaidOnce) {
  CreateProject("P1");
  const std::vector<std::string> mid = RefFlags("P1", 2025, "mid-term");

  // The mid-term opened on 2025-12-01 (5 months into the service year);
  // as of 2026-01-10 nobody has submitted: everyone is 40 days late.
  const std::vector<std::string> late_mid = {
      "evaluation", "late",    "--project", "P1",      "--year",
      "2025",       "--phase", "mid-term",  "--as-of", "2026-01-10"};
  Result late = Ok(kBureau, late_mid);
  EXPECT_EQ(late.out,
            "EVALUATION        TOWNSHIP        OPENED      DAYS LATE  MISSING\n"
            "P1/2025/mid-term  huangge 黄阁镇  2025-12-01  40         "
            "third_party, "
            "township, bureau, village:V01, village:V02, financial\n");
  // On 2025-11-30 the window had not opened: nobody was late yet.
  std::vector<std::string> before_window = late_mid;
  before_window.back() = "2025-11-30";
  EXPECT_EQ(Lines(Ok(kBureau, before_window).out).size(), 1u);

  Result agency = Ok(kAgency, Cat({"score", "submit", "--score", "85.5"}, mid));
  EXPECT_THAT(agency.out, HasRow("third_party", "85.50 (agency-ag1, v1)"));
  EXPECT_THAT(agency.out, HasRow("state", "OPEN"));
  for (const char* token : {kTownship, kVillage1, kVillage2, kBureau}) {
    Ok(token, Cat({"score", "submit", "--score", "88"}, mid));
  }
  late = Ok(kTownship, late_mid);
  EXPECT_EQ(Lines(late.out)[1],
            "P1/2025/mid-term  huangge 黄阁镇  2025-12-01  40         "
            "financial");

  Result financial =
      Ok(kAgency, Cat({"financial", "submit", "--score", "82", "--personnel",
                       "750000", "--service-quality", "120,000.00",
                       "--management", "100000", "--other", "30000"},
                      mid));
  EXPECT_THAT(financial.out,
              HasRow("expenditure",
                     "personnel 750,000.00; service quality 120,000.00; "
                     "management 100,000.00; other 30,000.00"));
  EXPECT_THAT(financial.out, HasRow("state", "SCORED"));
  late = Ok(kBureau, late_mid);
  EXPECT_EQ(late.out, "EVALUATION  TOWNSHIP  OPENED  DAYS LATE  MISSING\n");

  // S = 0.7 x 85.50 + 0.1 x 88 x 3 = 86.25: GOOD.
  Result finalised =
      Ok(kBureau,
         Cat({"evaluation", "finalize", "--result-date", "2025-12-15"}, mid));
  EXPECT_THAT(finalised.out,
              AllOf(HasRow("state", "PASSED"),
                    HasRow("score", "86.25 (exact 86.25; village mean 88.00)"),
                    HasRow("grade", "GOOD 良好"), HasRow("outcome", "PASS"),
                    HasSubstr("mid-term tranche of 2025 due by 2026-01-06")));
  Refused(kBureau,
          Cat({"evaluation", "finalize", "--result-date", "2025-12-15"}, mid),
          "error: FAILED_PRECONDITION: evaluation P1/2025/mid-term is PASSED");
  Refused(kAgency, Cat({"score", "submit", "--score", "90"}, mid),
          "error: FAILED_PRECONDITION: ");

  Result listed = Ok(kTownship, {"evaluation", "list", "--state", "passed"});
  EXPECT_EQ(listed.out,
            "EVALUATION        TOWNSHIP        STATE   SCORE  GRADE      "
            "DEADLINE  MISSING\n"
            "P1/2025/mid-term  huangge 黄阁镇  PASSED  86.25  GOOD 良好  "
            "-         -\n");
  Result open = Ok(kBureau, {"evaluation", "list", "--project", "P1", "--state",
                             "open", "-o", "json"});
  EXPECT_EQ(ParseJson<v1::ListEvaluationsResponse>(open.out).evaluations_size(),
            9);  // 5 years x 2 phases, less the finalised one

  // Reopened for review (复核) and finalised again with a later date.
  Result reopened = Ok(
      kBureau, Cat({"evaluation", "reopen", "--reason", "乡镇申请复核"}, mid));
  EXPECT_THAT(reopened.out, HasRow("state", "SCORED"));
  // The withdrawn result stays in the history; the scores show again,
  // provisionally.
  EXPECT_THAT(
      reopened.out,
      AllOf(HasRow("score",
                   "86.25 (exact 86.25; village mean 88.00) provisional"),
            HasRow("history 1 result_date", "2025-12-15")));
  EXPECT_THAT(reopened.out, HasSubstr("withdrawn for review: 乡镇申请复核"));
  EXPECT_EQ(GetEvaluation("P1", 2025, "mid-term").reopen_count(), 1);
  Ok(kBureau,
     Cat({"evaluation", "finalize", "--result-date", "2025-12-20"}, mid));

  // Finance: two tranches due; as of 2026-01-10 both are overdue.
  Result due = Ok(kFinance, {"disbursement", "list", "--state", "due",
                             "--as-of", "2026-01-10"});
  EXPECT_EQ(due.out,
            "TRANCHE             NAME          TOWNSHIP        AMOUNT (YUAN)  "
            "STATE  DUE         OVERDUE         REFERENCE  RELEASED\n"
            "P1/2025/year-start  黄阁镇社工站  huangge 黄阁镇  1,040,000.00   "
            "DUE    2025-07-22  yes (172 days)  -          -\n"
            "P1/2025/mid-term    黄阁镇社工站  huangge 黄阁镇  780,000.00     "
            "DUE    2026-01-12  no              -          -\n"
            "total: 2 tranches, 1,820,000.00 yuan (DUE 1,820,000.00)\n");
  Result overdue = Ok(
      kFinance, {"disbursement", "list", "--overdue", "--as-of", "2026-01-10"});
  EXPECT_EQ(Lines(overdue.out).size(), 3u) << overdue;  // header, row, total
  // This week's payments: due on or before 2026-01-12 as of 2026-01-05.
  auto tranches = [&](std::vector<std::string> flags) {
    std::vector<std::string> names;
    for (const std::string& line : Lines(Unexcel(
             Ok(kFinance, Cat({"disbursement", "list", "-o", "csv"}, flags))
                 .out))) {
      if (!absl::StartsWith(line, "TRANCHE")) {
        names.push_back(line.substr(0, line.find(',')));
      }
    }
    return names;
  };
  EXPECT_THAT(tranches({"--state", "due", "--due-within", "7d", "--as-of",
                        "2026-01-05"}),
              ElementsAre("P1/2025/year-start", "P1/2025/mid-term"));
  EXPECT_THAT(tranches({"--state", "due", "--due-within", "6d", "--as-of",
                        "2026-01-05"}),
              ElementsAre("P1/2025/year-start"));
  EXPECT_THAT(tranches({"--due-before", "2025-07-23"}),
              ElementsAre("P1/2025/year-start"));
  UsageError({"disbursement", "list", "--due-before", "2025/07/23"},
             "error: --due-before: ");
  Refused(kVillage1, {"disbursement", "list"},
          "error: PERMISSION_DENIED: a village committee cannot list tranches "
          "(principal village-v01)\n");

  // A release without --request-id, with -v, names the id it made up ...
  const std::vector<std::string> release = {
      "disbursement", "release",        "--project", "P1",
      "--year",       "2025",           "--kind",    "mid-term",
      "--reference",  "BANK-2026-0007", "--date",    "2026-01-09"};
  Result first = Ok(kFinance, Cat({"-v"}, release));
  std::smatch id;
  ASSERT_TRUE(std::regex_match(first.err, id,
                               std::regex("request-id: (evalctl-[0-9a-f]{32})"
                                          "\n")))
      << first;
  EXPECT_EQ(first.out,
            "TRANCHE           TOWNSHIP        AMOUNT (YUAN)  STATE     "
            "DUE         OVERDUE  REFERENCE\n"
            "P1/2025/mid-term  huangge 黄阁镇  780,000.00     RELEASED  "
            "2026-01-12  no       BANK-2026-0007\n");
  // ... and a retry with that id answers the same and releases nothing more.
  Result retry = Ok(kFinance, Cat(release, {"--request-id", id[1].str()}));
  EXPECT_EQ(retry.out, first.out);
  EXPECT_EQ(retry.err, "");
  Result retry_json =
      Ok(kFinance, Cat(release, {"--request-id", id[1].str(), "-o", "json"}));
  v1::Disbursement paid = ParseJson<v1::Disbursement>(retry_json.out);
  EXPECT_EQ(paid.released_on(), "2026-01-09");
  EXPECT_EQ(paid.released_by(), "finance");
  EXPECT_EQ(CountActions("P1", "disbursement.released"), 1);
  EXPECT_THAT(tranches({"--reference", "BANK-2026-0007"}),
              ElementsAre("P1/2025/mid-term"));

  // The same id for a different release; a new id for the same tranche.
  std::vector<std::string> other_reference = release;
  other_reference[9] = "BANK-2026-0008";
  Refused(kFinance, Cat(other_reference, {"--request-id", id[1].str()}),
          absl::StrCat("error: ALREADY_EXISTS: request_id: \"", id[1].str(),
                       "\" was already used by finance for a different "
                       "request"));
  // The same payment (tranche and reference) under a new id is the same
  // fact: recorded once, answered as it was.
  Result again = Ok(kFinance, release);
  EXPECT_EQ(again.out, first.out);
  // Another reference for a paid tranche is refused.
  Refused(kFinance, other_reference,
          "error: FAILED_PRECONDITION: tranche P1/2025/mid-term was already "
          "released (payment reference BANK-2026-0007 on 2026-01-09)\n");
  Refused(kBureau, Cat(release, {"--request-id", "bureau-pays"}),
          "error: PERMISSION_DENIED: the bureau cannot record payments "
          "(principal bureau)\n");
  EXPECT_EQ(CountActions("P1", "disbursement.released"), 1);
  EXPECT_EQ(Tranche("P1", 2025, v1::MID_TERM_TRANCHE).state(), v1::RELEASED);

  // Once its tranche is paid, the phase can no longer be reopened.
  Refused(kBureau, Cat({"evaluation", "reopen", "--reason", "again"}, mid),
          "error: FAILED_PRECONDITION: evaluation P1/2025/mid-term: its "
          "mid-term tranche has been released");
}

// ----------------------------------- Veto, rectification, expiry

TEST_F(EvalctlTest, FinalWithCurableVetoIsRectifiedAndPaidFromApplication) {
  CreateProject("P1");
  const std::vector<std::string> fin = RefFlags("P1", 2025, "final");
  SubmitAll("P1", 2025, "final", "91", "90", "85", /*rectifiable=*/true);

  Result raised = Ok(
      kAgency, Cat({"veto", "raise", "--kind", "professional", "--code",
                    "UNDERSTAFFING", "--evidence", "6个岗位中3个自3月起空缺"},
                   fin));
  EXPECT_THAT(raised.out, HasRow("veto 1",
                                 "UNDERSTAFFING RAISED (raised by agency-ag1): "
                                 "6个岗位中3个自3月起空缺"));
  Ok(kBureau, Cat({"veto", "raise", "--code", "UNRESOLVED_COMPLAINT",
                   "--evidence", "投诉已于5月办结"},
                  fin));
  Refused(kTownship,
          Cat({"veto", "raise", "--code", "SAFETY_INCIDENT", "--evidence", "x"},
              fin),
          "error: PERMISSION_DENIED: a township cannot raise veto findings "
          "(principal township-huangge)\n");

  // Not decided yet: finalising waits for the bureau.
  Refused(kBureau,
          Cat({"evaluation", "finalize", "--result-date", "2026-06-15"}, fin),
          "error: FAILED_PRECONDITION: evaluation P1/2025/final: veto findings "
          "awaiting the bureau's decision");
  Refused(kAgency, Cat({"veto", "confirm", "--veto-id", "1"}, fin),
          "error: PERMISSION_DENIED: an evaluation agency cannot confirm veto "
          "findings (principal agency-ag1)\n");
  Result dismissed =
      Ok(kBureau,
         Cat({"veto", "dismiss", "--veto-id", "2", "--reason", "已核实办结"},
             fin));
  EXPECT_THAT(dismissed.out,
              HasRow("veto 2",
                     "UNRESOLVED_COMPLAINT DISMISSED (raised by bureau, "
                     "decided by bureau): 投诉已于5月办结 / 已核实办结"));
  Result confirmed =
      Ok(kBureau, Cat({"veto", "confirm", "--veto-id", "1"}, fin));
  EXPECT_THAT(confirmed.out, HasSubstr("UNDERSTAFFING CONFIRMED"));
  Refused(kBureau, Cat({"veto", "confirm", "--veto-id", "1"}, fin),
          "error: FAILED_PRECONDITION: veto finding 1 of P1/2025/final is "
          "already CONFIRMED\n");

  // S = 0.7 x 91 + 0.1 x 90 x 3 = 90.70, but the confirmed veto fails it;
  // curable and marked rectifiable: 30 calendar days to rectify.
  Result finalised =
      Ok(kBureau,
         Cat({"evaluation", "finalize", "--result-date", "2026-06-15"}, fin));
  EXPECT_THAT(
      finalised.out,
      AllOf(HasRow("state", "RECTIFYING"),
            HasRowStartingWith("score", "90.70 (exact 90.70;"),
            HasRow("grade", "UNQUALIFIED 不合格"),
            HasRow("outcome", "FAIL_RECTIFIABLE"),
            HasRowStartingWith("rectification_deadline", "2026-07-15")));
  EXPECT_EQ(Tranche("P1", 2025, v1::FINAL_TRANCHE).state(), v1::WITHHELD);

  Refused(kTownship,
          Cat({"rectification", "apply", "--date", "2026-07-01"}, fin),
          "error: PERMISSION_DENIED: a township cannot apply for re-evaluation "
          "(principal township-huangge)\n");
  Result applied = Ok(
      kProvider, Cat({"rectification", "apply", "--date", "2026-07-01"}, fin));
  EXPECT_THAT(applied.out, AllOf(HasRow("state", "REEVALUATING"),
                                 HasRow("application_date", "2026-07-01")));
  Result decided = Ok(
      kAgency,
      Cat({"rectification", "decide", "--pass", "--date", "2026-07-08"}, fin));
  EXPECT_THAT(decided.out, AllOf(HasRow("state", "PASSED_AFTER_RECTIFICATION"),
                                 HasRow("reevaluation_date", "2026-07-08")));

  // Due 15 working days from the application (Wed 2026-07-01; no holiday
  // in July): 07-02, 03, 06..10, 13..17, 20, 21, 22.
  const v1::Disbursement d =
      Tranche("P1", 2025, v1::FINAL_TRANCHE, "2026-07-10");
  EXPECT_EQ(d.state(), v1::DUE);
  EXPECT_EQ(d.due_date(), "2026-07-22");
  EXPECT_EQ(d.amount_fen(), 78000000);
  // The provider sees its own tranches too.
  Result provider = Ok(kProvider, {"disbursement", "list", "--project", "P1",
                                   "--state", "due", "--as-of", "2026-07-10"});
  EXPECT_THAT(
      provider.out,
      HasSubstr("P1/2025/final       黄阁镇社工站  huangge 黄阁镇  "
                "780,000.00     DUE    2026-07-22  no              -          "
                "-\n"));
}

TEST_F(EvalctlTest, RectificationNotAppliedForExpiresAndTerminates) {
  CreateProject("P2");
  const std::vector<std::string> mid = RefFlags("P2", 2025, "mid-term");
  // S = 0.7 x 50 + 0.1 x 60 x 3 = 53.00: UNQUALIFIED, marked rectifiable.
  SubmitAll("P2", 2025, "mid-term", "50", "60", "82", /*rectifiable=*/true);
  Result finalised =
      Ok(kBureau,
         Cat({"evaluation", "finalize", "--result-date", "2025-12-15"}, mid));
  EXPECT_THAT(
      finalised.out,
      AllOf(HasRow("state", "RECTIFYING"),
            HasRow("third_party", "50.00 (agency-ag1, v1), marked rectifiable"),
            HasRowStartingWith("rectification_deadline", "2026-01-14")));

  // The list says why, beside the deadline.
  EXPECT_THAT(
      Ok(kBureau,
         {"evaluation", "list", "--project", "P2", "--as-of", "2026-01-10"})
          .out,
      AllOf(HasSubstr("  REASONS\n"),
            ContainsRegex("P2/2025/mid-term .*RECTIFYING .*2026-01-14 \\(4 "
                          "days left\\) .*professional-service score 53.00 "
                          "is below 60.00")));
  Refused(kBureau,
          Cat({"rectification", "expire", "--as-of", "2026-01-14"}, mid),
          "error: FAILED_PRECONDITION: evaluation P2/2025/mid-term: the "
          "rectification deadline 2026-01-14 has not passed as of "
          "2026-01-14\n");
  Refused(kTownship,
          Cat({"rectification", "expire", "--as-of", "2026-01-15"}, mid),
          "error: PERMISSION_DENIED: ");
  Result expired = Ok(
      kBureau, Cat({"rectification", "expire", "--as-of", "2026-01-15"}, mid));
  EXPECT_THAT(expired.out,
              AllOf(HasRow("state", "FAILED"),
                    HasSubstr("contract of project P2 terminated")));
  EXPECT_TRUE(GetProject("P2").terminated());
  EXPECT_THAT(Ok(kBureau, {"project", "get", "--id", "P2"}).out,
              HasRow("terminated", "yes"));
  EXPECT_EQ(Tranche("P2", 2025, v1::MID_TERM_TRANCHE).state(), v1::FORFEITED);
  // Too late to apply now.
  Refused(kProvider,
          Cat({"rectification", "apply", "--date", "2026-01-10"}, mid),
          "error: FAILED_PRECONDITION: ");
}

TEST_F(EvalctlTest, FinalisingIntoATerminationNeedsConfirmation) {
  CreateProject("P3");
  const std::vector<std::string> mid = RefFlags("P3", 2025, "mid-term");
  // S = 53.00, not rectifiable: the phase fails and the contract ends.
  SubmitAll("P3", 2025, "mid-term", "50", "60");
  const std::vector<std::string> finalize =
      Cat({"evaluation", "finalize", "--result-date", "2025-12-15"}, mid);
  Result dry = Ok(kBureau, Cat(finalize, {"--dry-run"}));
  EXPECT_THAT(dry.err, HasSubstr("dry run: nothing was written"));
  EXPECT_THAT(dry.out, AllOf(HasRow("state", "FAILED"),
                             HasSubstr("contract of project P3 terminated")));
  EXPECT_FALSE(GetProject("P3").terminated());

  Result refused = Refused(kBureau, finalize,
                           "error: finalising P3/2025/mid-term would fail it "
                           "and end the contract of project P3; nothing was "
                           "written. To finalise, run the same command with "
                           "--confirm-termination.\n");
  EXPECT_THAT(refused.err, HasSubstr("  effect: contract of project P3 "
                                     "terminated"));
  EXPECT_FALSE(GetProject("P3").terminated());

  Result done = Ok(kBureau, Cat(finalize, {"--confirm-termination"}));
  EXPECT_THAT(done.out, HasRow("state", "FAILED"));
  EXPECT_TRUE(GetProject("P3").terminated());
}

TEST_F(EvalctlTest, TodaySaysWhatEachRoleHasToDo) {
  CreateProject("P1");
  const std::vector<std::string> mid = RefFlags("P1", 2025, "mid-term");
  // The mid-term window opens 2025-12-01; nobody has submitted.
  EXPECT_THAT(Ok(kTownship, {"today", "--as-of", "2025-12-05"}).out,
              AllOf(StartsWith("today 2025-12-05 for township-huangge "
                               "(township, huangge 黄阁镇): 1 thing to do\n"),
                    HasSubstr("submit  P1/2025/mid-term  2025-12-01  missing "
                              "township; open 4 days\n")));
  EXPECT_THAT(Ok(kTownship, {"today", "--as-of", "2025-11-30"}).out,
              EndsWith(": 0 things to do\n"));
  // The year-start tranche was due 2025-07-22.
  EXPECT_THAT(Ok(kFinance, {"today", "--as-of", "2025-07-15"}).out,
              HasSubstr("due   P1/2025/year-start tranche  2025-07-22  "
                        "1,040,000.00 yuan, payable from 2025-07-01\n"));
  EXPECT_THAT(Ok(kFinance, {"today", "--as-of", "2025-07-25"}).out,
              HasSubstr("overdue  P1/2025/year-start tranche  2025-07-22  "
                        "1,040,000.00 yuan, was due 2025-07-22\n"));

  SubmitAll("P1", 2025, "mid-term", "50", "60", "82", /*rectifiable=*/true);
  EXPECT_THAT(Ok(kBureau, {"today", "--as-of", "2025-12-10"}).out,
              HasSubstr("finalise  P1/2025/mid-term  2025-12-01  every "
                        "submission is in"));
  Ok(kBureau,
     Cat({"evaluation", "finalize", "--result-date", "2025-12-15"}, mid));
  // Rectification by 2026-01-14.
  EXPECT_THAT(Ok(kBureau, {"today", "--as-of", "2026-01-10"}).out,
              HasSubstr("deadline  P1/2025/mid-term  2026-01-14  4 days left"));
  EXPECT_THAT(Ok(kProvider, {"today", "--as-of", "2026-01-10"}).out,
              HasSubstr("apply  P1/2025/mid-term  2026-01-14  4 days left to "
                        "apply"));
  EXPECT_THAT(Ok(kBureau, {"today", "--as-of", "2026-01-20"}).out,
              HasSubstr("lapsed  P1/2025/mid-term  2026-01-14  no "
                        "application, lapsed 6 days ago"));
  UsageError({"today", "--within", "soon"},
             "error: --within: \"soon\" is not a number of days (e.g. 7d)");
}

// A finance script as a shell pipe: `event list` pages with a cursor to
// continue from; `event watch -o json` is one JSON object a line, the
// history first, then a bookmark with the cursor to resume from.
TEST_F(EvalctlTest, TheEventFeedIsListedAndWatchedAsJsonLines) {
  CreateProject("P1");
  Ok(kFinance,
     {"disbursement", "release", "--project", "P1", "--year", "2025", "--kind",
      "year-start", "--reference", "BANK-1", "--date", "2025-07-15"});
  Result listed = Ok(kFinance, {"event", "list", "--kind", "due,released"});
  ASSERT_EQ(Lines(listed.out).size(), 4u) << listed;
  EXPECT_THAT(Lines(listed.out)[0],
              StartsWith("CURSOR  TIME (CST)           PROJECT  TOWNSHIP"));
  EXPECT_THAT(Lines(listed.out)[1],
              ContainsRegex("P1 +huangge 黄阁镇 +due +project.created +"
                            "2025/tranches/year-start DUE 1,040,000.00 due "));
  EXPECT_THAT(Lines(listed.out)[2],
              ContainsRegex("released +disbursement.released +2025/tranches/"
                            "year-start RELEASED 1,040,000.00 ref BANK-1$"));
  EXPECT_THAT(Lines(listed.out)[3], StartsWith("up to date at cursor "));
  UsageError({"event", "list", "--kind", "relesed"},
             "error: --kind: \"relesed\" is not an event kind; the kinds are ");

  RunResult watched = RunProgram(
      "/usr/bin/timeout", {"2", EVALCTL_BINARY, "--server=" + evald_.address(),
                           "--token=" + std::string(kFinance), "event", "watch",
                           "--kind", "released", "-o", "json"});
  EXPECT_EQ(WEXITSTATUS(watched.status), 124) << watched.err;  // timeout
  const std::vector<std::string> lines = Lines(watched.out);
  ASSERT_EQ(lines.size(), 2u) << watched.out;
  v1::WatchEventsResponse event =
      ParseJson<v1::WatchEventsResponse>(lines[0] + "\n");
  EXPECT_EQ(event.event().action(), "disbursement.released");
  EXPECT_EQ(event.event().tranches(0).payment_reference(), "BANK-1");
  v1::WatchEventsResponse bookmark =
      ParseJson<v1::WatchEventsResponse>(lines[1] + "\n");
  EXPECT_GE(bookmark.bookmark().cursor(), event.event().cursor());
}

TEST_F(EvalctlTest, AWrongPaymentReferenceIsCorrectedAndStaysOnePayment) {
  CreateProject("P1");
  Ok(kFinance,
     {"disbursement", "release", "--project", "P1", "--year", "2025", "--kind",
      "year-start", "--reference", "BANK-1", "--date", "2025-07-15"});
  const std::vector<std::string> correct = {
      "disbursement", "correct", "--project", "P1",
      "--year",       "2025",    "--kind",    "year-start",
      "--reference",  "BANK-1A", "--reason",  "回单号录入错误"};
  Refused(kTownship, correct, "error: PERMISSION_DENIED: ");
  UsageError({"disbursement", "correct", "--project", "P1", "--year", "2025",
              "--kind", "year-start", "--reason", "x"},
             "error: --reference, --date: give the right reference, the "
             "right date, or both");
  Result fixed = Ok(kFinance, correct);
  EXPECT_THAT(fixed.out,
              AllOf(ContainsRegex("P1/2025/year-start +huangge 黄阁镇 +"
                                  "1,040,000.00 +RELEASED +2025-07-22 +no +"
                                  "BANK-1A\n"),
                    ContainsRegex("  was BANK-1 on 2025-07-15 .*corrected by "
                                  "finance on [0-9-]{10}: 回单号录入错误")));
  v1::Disbursement t = Tranche("P1", 2025, v1::YEAR_START);
  EXPECT_EQ(t.state(), v1::RELEASED);
  EXPECT_EQ(t.payment_reference(), "BANK-1A");
  ASSERT_EQ(t.corrections_size(), 1);
  EXPECT_EQ(t.corrections(0).previous_reference(), "BANK-1");
  // The payment under its right reference is the same payment; under the
  // old one it is a second payment, refused.
  Ok(kFinance, {"disbursement", "release", "--project", "P1", "--year", "2025",
                "--kind", "year-start", "--reference", "BANK-1A"});
  Refused(kFinance,
          {"disbursement", "release", "--project", "P1", "--year", "2025",
           "--kind", "year-start", "--reference", "BANK-1"},
          "error: FAILED_PRECONDITION: ");
  EXPECT_EQ(CountActions("P1", "disbursement.released"), 1);
  EXPECT_EQ(CountActions("P1", "disbursement.release_corrected"), 1);
}

TEST_F(EvalctlTest, RectificationDecidedFailTerminates) {
  CreateProject("P1");
  const std::vector<std::string> mid = RefFlags("P1", 2025, "mid-term");
  SubmitAll("P1", 2025, "mid-term", "50", "60", "82", /*rectifiable=*/true);
  Ok(kBureau,
     Cat({"evaluation", "finalize", "--result-date", "2026-01-20"}, mid));
  Ok(kProvider, Cat({"rectification", "apply", "--date", "2026-02-10"}, mid));
  Result failed = Ok(
      kBureau,
      Cat({"rectification", "decide", "--fail", "--date", "2026-03-02"}, mid));
  EXPECT_THAT(failed.out, HasRow("state", "FAILED"));
  EXPECT_TRUE(GetProject("P1").terminated());
}

// ------------------------------------------- Summary, audit, policy

TEST_F(EvalctlTest, SummaryAuditListAndPolicyShow) {
  CreateProject("P1");
  SubmitAll("P1", 2025, "mid-term", "95", "92");
  Ok(kBureau, Cat({"evaluation", "finalize", "--result-date", "2025-12-15"},
                  RefFlags("P1", 2025, "mid-term")));

  Result summary = Ok(kBureau, {"summary", "--year", "2025"});
  EXPECT_EQ(summary.out,
            "TOWNSHIP        YEAR  OPEN  SCORED  PASSED  RECTIFYING  "
            "REEVALUATING  PASSED_AFTER_RECTIFICATION  FAILED  EXCELLENT  "
            "GOOD  QUALIFIED  QUALIFIED_AFTER_RECTIFICATION  UNQUALIFIED\n"
            "huangge 黄阁镇  2025  1     0       1       0           "
            "0             0                           0       1          "
            "0     0          0                              0\n");
  v1::Summary all =
      ParseJson<v1::Summary>(Ok(kTownship, {"summary", "-o", "json"}).out);
  EXPECT_EQ(all.rows_size(), 5);  // 2025..2029
  Refused(kTownship, {"summary", "--township", "other-town"},
          "error: PERMISSION_DENIED: principal township-huangge may only see "
          "the summary of township huangge\n");
  Refused(kVillage1, {"summary"}, "error: PERMISSION_DENIED: ");

  Result audit = Ok(kBureau, {"audit", "list", "--project", "P1"});
  const std::vector<std::string> lines = Lines(audit.out);
  ASSERT_EQ(lines.size(), 9u) << audit;  // header, create, 6 submits, final
  EXPECT_THAT(lines[0], StartsWith("SEQ  TIME (CST)           PRINCIPAL"));
  // China Standard Time, to the second, and the request id of the change.
  EXPECT_THAT(lines[1],
              AllOf(StartsWith("1    "),
                    ContainsRegex("^1    20[0-9]{2}-[0-9]{2}-[0-9]{2} "
                                  "[0-9]{2}:[0-9]{2}:[0-9]{2}  bureau "),
                    HasSubstr("project.created"), HasSubstr("  evalctl-"),
                    HasSubstr("annual fund 2600000.00 yuan")));
  EXPECT_THAT(lines[8],
              AllOf(StartsWith("8    "), HasSubstr("evaluation.finalised"),
                    HasSubstr("state PASSED")));
  Refused(kTownship, {"audit", "list", "--project", "P1"},
          "error: PERMISSION_DENIED: a township cannot read the audit log "
          "(principal township-huangge)\n");

  Result policy = Ok(kVillage1, {"policy", "show"});
  EXPECT_THAT(
      policy.out,
      AllOf(HasRow("id", "nansha-2019"),
            HasRow("weights",
                   "third party 70%, township 10%, village 10%, bureau 10%"),
            HasSubstr("UNDERSTAFFING: 人员配备长期低于合同约定"),
            HasSubstr("(curable)"), HasSubstr("(not curable)")));
  Refused(kVillage1, {"policy", "show", "--id", "nope"},
          "error: NOT_FOUND: policy nope is not loaded\n");
}

// ------------------------------------------------------ Output formats

TEST_F(EvalctlTest, JsonIsOneCanonicalDocumentEvenAcrossPages) {
  // 11 projects x 10 phases = 110 evaluations: two pages of the server's
  // default 100, merged into one document.
  for (int i = 1; i <= 11; ++i) CreateProject(absl::StrCat("P", i));
  Result list = Ok(kBureau, {"evaluation", "list", "-o", "json"});
  v1::ListEvaluationsResponse evaluations =
      ParseJson<v1::ListEvaluationsResponse>(list.out);
  EXPECT_EQ(evaluations.evaluations_size(), 110);
  EXPECT_EQ(evaluations.next_page_token(), "");
  EXPECT_THAT(list.out, AllOf(StartsWith("{\"evaluations\":[{\"name\":"
                                         "\"projects/P1/years/2025/phases/"
                                         "mid-term\",\"project_id\":\"P1\""),
                              HasSubstr("\"phase\":\"MID_TERM\""),
                              HasSubstr("\"state\":\"OPEN\""),
                              HasSubstr("\"submission_versions\":\"0\""),
                              HasSubstr("\"next_page_token\":\"\"")));
  // The table has every row too.
  EXPECT_EQ(Lines(Ok(kBureau, {"evaluation", "list"}).out).size(), 111u);
  // 11 x 15 tranches.
  v1::ListDisbursementsResponse tranches =
      ParseJson<v1::ListDisbursementsResponse>(
          Ok(kFinance, {"disbursement", "list", "-o", "json"}).out);
  EXPECT_EQ(tranches.disbursements_size(), 165);

  // Any JSON reader takes it: a google.protobuf.Struct is plain JSON.
  google::protobuf::Struct plain = ParseJson<google::protobuf::Struct>(
      Ok(kBureau, {"project", "get", "--id", "P1", "--output=json"}).out);
  EXPECT_EQ(plain.fields().at("project_id").string_value(), "P1");
  EXPECT_EQ(plain.fields().at("annual_fund_fen").string_value(), "260000000");
  EXPECT_EQ(plain.fields().at("years").number_value(), 5);
}

// The contract docs/cli.md promises scripts: one document per command,
// the same keys whatever the state, enum words that are also flag words,
// 64-bit integers as strings, ids a script needs, and a clean stderr.
TEST_F(EvalctlTest, JsonContractTheSameShapeInEveryState) {
  CreateProject("P1");
  const std::vector<std::string> mid = RefFlags("P1", 2025, "mid-term");
  auto keys = [](const std::string& json) {
    google::protobuf::Struct doc = ParseJson<google::protobuf::Struct>(json);
    std::set<std::string> out;
    for (const auto& [key, value] : doc.fields()) {
      out.insert(key);
      if (value.has_struct_value()) {
        for (const auto& [inner, ignored] : value.struct_value().fields()) {
          out.insert(key + "." + inner);
        }
      }
    }
    return out;
  };
  const std::vector<std::string> get =
      Cat({"evaluation", "get", "-o", "json"}, mid);
  const std::set<std::string> open = keys(Ok(kBureau, get).out);
  EXPECT_TRUE(open.count("result.outcome"));
  EXPECT_TRUE(open.count("financial.score"));
  SubmitAll("P1", 2025, "mid-term", "85", "88", "82");
  Ok(kBureau,
     Cat({"evaluation", "finalize", "--result-date", "2025-12-15"}, mid));
  EXPECT_EQ(keys(Ok(kBureau, get).out), open);

  // An enum word of the output is a word the flags take.
  const v1::Evaluation passed = GetEvaluation("P1", 2025, "mid-term");
  EXPECT_EQ(v1::Phase_Name(passed.phase()), "MID_TERM");
  Ok(kBureau, {"evaluation", "get", "--project", "P1", "--year", "2025",
               "--phase", "MID_TERM"});
  Ok(kBureau, {"evaluation", "list", "--state", "PASSED"});
  Ok(kFinance, {"disbursement", "list", "--kind", "MID_TERM_TRANCHE", "--year",
                "2025", "--state", "DUE"});
  google::protobuf::Struct one = ParseJson<google::protobuf::Struct>(
      Ok(kFinance, {"disbursement", "list", "--kind", "mid-term", "--year",
                    "2025", "-o", "json"})
          .out);
  ASSERT_EQ(one.fields().at("disbursements").list_value().values_size(), 1);
  const auto& tranche =
      one.fields().at("disbursements").list_value().values(0).struct_value();
  EXPECT_EQ(tranche.fields().at("kind").string_value(), "MID_TERM_TRANCHE");
  // 64-bit integers are strings, always.
  EXPECT_EQ(tranche.fields().at("amount_fen").string_value(), "78000000");

  // veto raise says which id the new finding has.
  SubmitAll("P1", 2025, "final", "85", "88", "82");
  const std::vector<std::string> fin = RefFlags("P1", 2025, "final");
  Result raised = Ok(kAgency, Cat({"veto", "raise", "--code", "UNDERSTAFFING",
                                   "--evidence", "x", "-o", "json"},
                                  fin));
  google::protobuf::Struct veto =
      ParseJson<google::protobuf::Struct>(raised.out);
  EXPECT_EQ(veto.fields().at("veto_id").string_value(), "1");
  EXPECT_EQ(veto.fields()
                .at("evaluation")
                .struct_value()
                .fields()
                .at("state")
                .string_value(),
            "SCORED");
  // A change's stderr is empty unless -v asks for the request id.
  EXPECT_EQ(raised.err, "");

  // audit verify too prints one document.
  google::protobuf::Struct verified = ParseJson<google::protobuf::Struct>(
      Ok(kBureau, {"audit", "verify", "--project", "P1", "-o", "json"}).out);
  EXPECT_TRUE(verified.fields().at("intact").bool_value());
  EXPECT_EQ(verified.fields().at("project").string_value(), "P1");
  EXPECT_EQ(verified.fields().at("events").string_value(),
            absl::StrCat(Audit("P1").size()));
  EXPECT_EQ(verified.fields().at("head").string_value().size(), 64u);
}

TEST_F(EvalctlTest, TableAlignsChineseByDisplayWidthAndShowsYuan) {
  CreateProject("P1", kStationName);      // 6 ideographs: 12 columns, 18 bytes
  CreateProject("P2", "Nansha Station");  // 14 columns, 14 bytes
  Result r = Ok(kBureau, {"project", "list"});
  const std::string header = LineStartingWith(r.out, "PROJECT");
  const std::string p1 = LineStartingWith(r.out, "P1 ");
  const std::string p2 = LineStartingWith(r.out, "P2 ");
  ASSERT_FALSE(header.empty() || p1.empty() || p2.empty()) << r;

  // PROJECT is 7 wide, NAME 14 (the longer name), two spaces between: the
  // TOWNSHIP column starts at column 7 + 2 + 14 + 2 = 25 on every line.
  const size_t header_at = header.find("TOWNSHIP");
  const size_t p1_at = p1.find("huangge");
  const size_t p2_at = p2.find("huangge");
  EXPECT_EQ(TerminalWidth(header.substr(0, header_at)), 25) << r;
  EXPECT_EQ(TerminalWidth(p1.substr(0, p1_at)), 25) << r;
  EXPECT_EQ(TerminalWidth(p2.substr(0, p2_at)), 25) << r;
  // In bytes they differ: the ideographs are 3 bytes but 2 columns each.
  EXPECT_EQ(p1_at, 31u);
  EXPECT_EQ(p2_at, 25u);
  EXPECT_EQ(p1.substr(0, p1_at), "P1       黄阁镇社工站    ");
  // The township's name is Chinese too: "huangge 黄阁镇" is 14 columns and
  // 20 bytes, so PROVIDER starts at column 25 + 14 + 2 = 41 on every line.
  const size_t header_provider = header.find("PROVIDER");
  const size_t p1_provider = p1.find("PR1 ");
  const size_t p2_provider = p2.find("PR1 ");
  EXPECT_EQ(TerminalWidth(header.substr(0, header_provider)), 41) << r;
  EXPECT_EQ(TerminalWidth(p1.substr(0, p1_provider)), 41) << r;
  EXPECT_EQ(TerminalWidth(p2.substr(0, p2_provider)), 41) << r;
  EXPECT_EQ(p1.substr(p1_at, p1_provider - p1_at), "huangge 黄阁镇  ");
  // Money in yuan with thousands separators, also in the next columns; the
  // agency's name beside its code.
  EXPECT_THAT(p1, HasSubstr("  2,600,000.00        AG1 "
                            "广州市明衡第三方评估中心  no"));
  EXPECT_THAT(p2, HasSubstr("  2,600,000.00        AG1 "
                            "广州市明衡第三方评估中心  no"));
}

TEST_F(EvalctlTest, CsvHasAHeaderAndQuotesWhereNeeded) {
  CreateProject("P1");
  CreateProject("P3", "Pilot \"A\", Nansha");
  Result r = Ok(kBureau, {"project", "list", "-o", "csv"});
  // For Excel: a UTF-8 byte-order mark, and CRLF line ends.
  EXPECT_THAT(r.out, StartsWith("\xEF\xBB\xBFPROJECT,NAME,"));
  EXPECT_THAT(r.out, HasSubstr(",TERMINATED\r\nP1,"));
  EXPECT_EQ(Unexcel(r.out),
            "PROJECT,NAME,TOWNSHIP,PROVIDER,VILLAGES,START,ANNUAL FUND "
            "(YUAN),AGENCY,TERMINATED\n"
            "P1,黄阁镇社工站,huangge 黄阁镇,PR1 南沙区启航社会工作服务中心,"
            "\"V01 大塘村, V02 莲溪村\",2025-07-01,\"2,600,000.00\","
            "AG1 广州市明衡第三方评估中心,no\n"
            "P3,\"Pilot \"\"A\"\", Nansha\",huangge 黄阁镇,"
            "PR1 南沙区启航社会工作服务中心,\"V01 大塘村, V02 莲溪村\","
            "2025-07-01,\"2,600,000.00\",AG1 广州市明衡第三方评估中心,no\n");

  SubmitAll("P1", 2025, "mid-term", "85.5", "88");
  Result e = Ok(kBureau, Cat({"evaluation", "get", "-o", "csv"},
                             RefFlags("P1", 2025, "mid-term")));
  e.out = Unexcel(e.out);
  EXPECT_THAT(e.out, StartsWith("FIELD,VALUE\nevaluation,P1/2025/mid-term\n"
                                "state,SCORED\n"));
  EXPECT_THAT(e.out, HasSubstr("\nthird_party,\"85.50 (agency-ag1, v1)\"\n"));
  EXPECT_THAT(e.out,
              HasSubstr("\nexpenditure,\"personnel 750,000.00; service "
                        "quality 120,000.00; management 100,000.00; other "
                        "30,000.00\"\n"));
}

// ------------------------------------------------------------ CSV import

constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr char kChineseHeader[] =
    "类型,项目编号,年度,阶段,分数,可整改,人员经费,服务质量经费,管理费用,"
    "其他费用,备注\r\n";

class ImportTest : public EvalctlTest {
 protected:
  void SetUp() override {
    EvalctlTest::SetUp();
    CreateProject("P1");
  }

  // submission_versions of P1's phases, mid-term and final of 2025.
  std::pair<int64_t, int64_t> Versions() {
    return {GetEvaluation("P1", 2025, "mid-term").submission_versions(),
            GetEvaluation("P1", 2025, "final").submission_versions()};
  }
};

TEST_F(ImportTest, GoodFileWithBomAndChineseHeadersAppliesEveryRow) {
  const std::string path = WriteFile(
      "scores-2025.csv",
      absl::StrCat(kBom, kChineseHeader,
                   "评分,P1,2025,中期,85.5,否,,,,,\"中期评分，含备注\"\r\n",
                   "财务,P1,2025,中期,82,,750000,120000,100000,30000,"
                   "经费结构合规\r\n",
                   "score,P1,2025,final,90,,,,,,\r\n",
                   "financial,P1,2025,末期,80.5,是,\"750,000.00\",120000,"
                   "100000,30000,\"备注, with a comma\"\r\n"));
  Result r = Ok(kAgency, {"import", path});
  EXPECT_EQ(r.out,
            "ROWS  NEW  REPLACED  ALREADY APPLIED  REFUSED  INVALID  NOT SENT\n"
            "4     4    0         0                0        0        0\n");
  EXPECT_EQ(r.err, "");  // short file: no progress line

  const v1::Evaluation mid = GetEvaluation("P1", 2025, "mid-term");
  EXPECT_EQ(mid.third_party().score(), "85.50");
  EXPECT_EQ(mid.third_party().submitted_by(), "agency-ag1");
  EXPECT_EQ(mid.financial().score(), "82.00");
  EXPECT_EQ(mid.financial().expenditure().personnel_fen(), 75000000);
  EXPECT_FALSE(mid.financial().rectifiable());
  EXPECT_EQ(mid.submission_versions(), 2);
  const v1::Evaluation fin = GetEvaluation("P1", 2025, "final");
  EXPECT_EQ(fin.third_party().score(), "90.00");
  EXPECT_EQ(fin.financial().score(), "80.50");
  EXPECT_EQ(fin.financial().expenditure().personnel_fen(), 75000000);
  EXPECT_EQ(fin.financial().expenditure().other_fen(), 3000000);
  EXPECT_TRUE(fin.financial().rectifiable());
  EXPECT_EQ(fin.submission_versions(), 2);

  // Each row carries a request id derived from the file and what it says.
  std::set<std::string> ids;
  for (const v1::AuditEvent& e : Audit("P1")) {
    if (e.principal() != "agency-ag1") continue;
    EXPECT_THAT(e.request_id(), ContainsRegex("^import-[0-9a-f]{32}$"));
    ids.insert(e.request_id());
  }
  EXPECT_EQ(ids.size(), 4u);

  // -o json and -o csv summaries.
  EXPECT_EQ(Ok(kAgency, {"import", path, "-o", "json"}).out,
            "{\"rows\":\"4\",\"accepted\":\"4\",\"refused\":\"0\","
            "\"invalid\":\"0\",\"not_sent\":\"0\",\"new\":\"0\","
            "\"replaced\":\"0\",\"already_applied\":\"4\"}\n");
  EXPECT_EQ(Unexcel(Ok(kAgency, {"import", path, "-o", "csv"}).out),
            "ROWS,NEW,REPLACED,ALREADY APPLIED,REFUSED,INVALID,NOT SENT\n"
            "4,0,0,4,0,0,0\n");
}

TEST_F(ImportTest, RerunningAGoodFileChangesNothing) {
  const std::string path = WriteFile(
      "agency-mid.csv",
      "kind,project,year,phase,score,rectifiable,personnel,service_quality,"
      "management,other\n"
      "score,P1,2025,mid-term,85.5,no,,,,\n"
      "financial,P1,2025,mid-term,82,no,750000,120000,100000,30000\n");
  Ok(kAgency, {"import", path});
  const std::pair<int64_t, int64_t> versions = Versions();
  EXPECT_EQ(versions, std::make_pair(int64_t{2}, int64_t{0}));
  const std::vector<v1::AuditEvent> events = Audit("P1");

  for (int i = 0; i < 2; ++i) {
    Result again = Ok(kAgency, {"import", path});
    EXPECT_EQ(
        again.out,
        "ROWS  NEW  REPLACED  ALREADY APPLIED  REFUSED  INVALID  NOT SENT\n"
        "2     0    0         2                0        0        0\n");
  }
  EXPECT_EQ(Versions(), versions);
  EXPECT_EQ(Audit("P1").size(), events.size());
  const v1::Evaluation mid = GetEvaluation("P1", 2025, "mid-term");
  EXPECT_EQ(mid.third_party().version(), 1);
  EXPECT_EQ(mid.financial().version(), 1);

  // A corrected line is new text: a new request id, a new version.
  WriteFile("agency-mid.csv",
            "kind,project,year,phase,score,rectifiable,personnel,"
            "service_quality,management,other\n"
            "score,P1,2025,mid-term,86,no,,,,\n"
            "financial,P1,2025,mid-term,82,no,750000,120000,100000,30000\n");
  Ok(kAgency, {"import", path});
  const v1::Evaluation corrected = GetEvaluation("P1", 2025, "mid-term");
  EXPECT_EQ(corrected.third_party().score(), "86.00");
  EXPECT_EQ(corrected.third_party().version(), 2);
  EXPECT_EQ(corrected.financial().version(), 1);
  EXPECT_EQ(corrected.submission_versions(), 3);
}

// Lines 2 and 4 are good; 3 (score above 100), 5 (no such phase) and 6 (a
// financial row without its expenditure) are bad.
constexpr char kBadFile[] =
    "kind,project,year,phase,score,note\n"
    "score,P1,2025,mid-term,85,第一行\n"
    "score,P1,2025,final,100.01,分数超出\n"
    "score,P1,2025,final,90,\n"
    "score,P1,2025,春季,80,阶段不对\n"
    "financial,P1,2025,final,70,\n";

TEST_F(ImportTest, BadRowsAreReportedByLineAndNothingIsApplied) {
  const std::string path = WriteFile("bad.csv", kBadFile);
  const size_t events = Audit("P1").size();
  Result r = Run(kAgency, {"import", path});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_EQ(
      r.err,
      absl::StrCat(path, ":3: score: \"100.01\" is above the maximum 100.00\n",
                   path, ":5: phase: \"春季\" is not one of mid-term, final\n",
                   path,
                   ":6: personnel is required on a financial row\n"
                   "import: 3 bad row(s); nothing was sent (fix them, or "
                   "use --continue-on-error to send the good rows)\n"));
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Versions(), std::make_pair(int64_t{0}, int64_t{0}));
  EXPECT_EQ(Audit("P1").size(), events);
}

TEST_F(ImportTest, ContinueOnErrorAppliesTheGoodRowsOnly) {
  const std::string path = WriteFile("bad.csv", kBadFile);
  for (int run = 0; run < 2; ++run) {  // the second run changes nothing
    Result r = Run(kAgency, {"import", path, "--continue-on-error"});
    EXPECT_EQ(r.code, 1) << r;  // bad rows: still not a success
    EXPECT_THAT(r.err, HasSubstr(path + ":3: score: \"100.01\""));
    EXPECT_THAT(r.err, HasSubstr(path + ":5: phase: \"春季\""));
    EXPECT_THAT(r.err, Not(HasSubstr("nothing was sent")));
    EXPECT_EQ(
        r.out,
        "ROWS  NEW  REPLACED  ALREADY APPLIED  REFUSED  INVALID  NOT SENT\n"
        "5     " +
            std::string(run == 0 ? "2    0         0                "
                                 : "0    0         2                ") +
            "0        3        0\n");
    const v1::Evaluation mid = GetEvaluation("P1", 2025, "mid-term");
    const v1::Evaluation fin = GetEvaluation("P1", 2025, "final");
    EXPECT_EQ(mid.third_party().score(), "85.00");
    EXPECT_EQ(fin.third_party().score(), "90.00");  // line 4, not line 3
    EXPECT_EQ(fin.third_party().version(), 1);
    // -o json prints every field: an absent financial evaluation is one
    // with no score.
    EXPECT_EQ(fin.financial().score(), "");
    EXPECT_EQ(Versions(), std::make_pair(int64_t{1}, int64_t{1}));
  }
}

TEST_F(ImportTest, ARowRepeatedInTheFileIsOneSubmission) {
  // Lines 2 and 3 say the same thing about the same phase: one request id,
  // so one submission (the second answers as the first did).
  const std::string path = WriteFile("dup.csv",
                                     "kind,project,year,phase,score\n"
                                     "score,P1,2025,mid-term,85\n"
                                     "score,P1,2025,mid-term,85\n");
  Result r = Ok(kAgency, {"import", path});
  EXPECT_EQ(r.out,
            "ROWS  NEW  REPLACED  ALREADY APPLIED  REFUSED  INVALID  NOT SENT\n"
            "2     1    0         1                0        0        0\n");
  v1::Evaluation mid = GetEvaluation("P1", 2025, "mid-term");
  EXPECT_EQ(mid.third_party().score(), "85.00");
  EXPECT_EQ(mid.third_party().version(), 1);
  EXPECT_EQ(CountActions("P1", "professional.submitted"), 1);
}

TEST_F(ImportTest, SpreadsheetHabitsAreToleratedAndSortingResendsNothing) {
  // A 序号 column, a column evalctl does not read, a blank line, and a
  // financial row whose management share (20%) breaks the policy's 15%.
  const std::string rows[] = {
      "1,评分,P1,2025,中期,85,,,,,,王五\r\n",
      ",,,,,,,,,,,\r\n",
      "2,财务,P1,2025,中期,82,,700000,100000,200000,0,王五\r\n",
  };
  const std::string header =
      "序号,类型,项目编号,年度,阶段,分数,可整改,人员经费,服务质量经费,管理费用,"
      "其他费用,联系人\r\n";
  const std::string path = WriteFile(
      "agency.csv", absl::StrCat(kBom, header, rows[0], rows[1], rows[2]));
  Result r = Ok(kAgency, {"import", path});
  EXPECT_EQ(r.out,
            "ROWS  NEW  REPLACED  ALREADY APPLIED  REFUSED  INVALID  NOT SENT\n"
            "2     2    0         0                0        0        0\n");
  EXPECT_THAT(r.err,
              AllOf(HasSubstr("agency.csv:1: warning: column \"联系人\" is "
                              "not one evalctl reads; it is ignored\n"),
                    HasSubstr("agency.csv:4: warning: management is 20.00% "
                              "of spending, above the policy's 15%\n"),
                    Not(HasSubstr("序号"))));
  EXPECT_EQ(Versions(), std::make_pair(int64_t{2}, int64_t{0}));
  // The same sheet sorted the other way sends nothing again.
  const std::string sorted = WriteFile(
      "agency.csv", absl::StrCat(kBom, header, rows[2], rows[1], rows[0]));
  Ok(kAgency, {"import", sorted});
  EXPECT_EQ(Versions(), std::make_pair(int64_t{2}, int64_t{0}));
  // Messages name the sheet's own headings.
  Result bad =
      Run(kAgency,
          {"import", WriteFile("bad.csv", absl::StrCat(header,
                                                       "1,评分,P1,二〇二五,"
                                                       "中期,85,,,,,\r\n"))});
  EXPECT_EQ(bad.code, 1) << bad;
  EXPECT_THAT(bad.err, HasSubstr("bad.csv:2: 年度 \"二〇二五\" is not a year"));
}

TEST_F(ImportTest, AnExcelWorkbookImportsAsItsCsvWould) {
  const std::string path = scratch_ + "/agency-2025.xlsx";
  using S = std::string;
  ASSERT_TRUE(
      WriteWorkbook(path, {{S("序号"), S("类型"), S("项目编号"), S("年度"),
                            S("阶段"), S("分数"), S("可整改"), S("人员经费"),
                            S("服务质量经费"), S("管理费用"), S("其他费用")},
                           {1.0, S("评分"), S("P1"), 2025.0, S("中期"), 86.4},
                           {2.0, S("财务"), S("P1"), 2025.0, S("中期"), 85.0,
                            S("否"), 750000.0, 120000.0, 100000.0, 30000.0}}));
  Result r = Ok(kAgency, {"import", path});
  EXPECT_EQ(r.out,
            "ROWS  NEW  REPLACED  ALREADY APPLIED  REFUSED  INVALID  NOT SENT\n"
            "2     2    0         0                0        0        0\n");
  const v1::Evaluation mid = GetEvaluation("P1", 2025, "mid-term");
  EXPECT_EQ(mid.third_party().score(), "86.40");
  EXPECT_EQ(mid.financial().expenditure().personnel_fen(), 75000000);
  // Run again: nothing new.
  Ok(kAgency, {"import", path});
  EXPECT_EQ(Versions(), std::make_pair(int64_t{2}, int64_t{0}));
  // A file named .xlsx that is not one.
  Result bad =
      Run(kAgency, {"import", WriteFile("fake.xlsx", "kind,project\n")});
  EXPECT_EQ(bad.code, 1) << bad;
  EXPECT_THAT(bad.err, HasSubstr("fake.xlsx: the file is not an .xlsx "
                                 "workbook"));
}

TEST_F(ImportTest, ATemplateForTheRoundComesBackFilledIn) {
  // The agency's sheet for 2025 mid-term: its score and its financial row.
  Result csv = Ok(kAgency, {"import", "template", "--year", "2025", "--phase",
                            "mid-term", "-o", "csv"});
  csv.out = Unexcel(csv.out);
  EXPECT_EQ(
      csv.out,
      "序号,类型,项目编号,项目名称,年度,阶段,分数,可整改,人员经费,服务质量"
      "经费,管理费用,其他费用,备注\n"
      "1,评分,P1,黄阁镇社工站,2025,中期,,,,,,,\n"
      "2,财务,P1,黄阁镇社工站,2025,中期,,,,,,,\n");
  // A village owes its score only.
  EXPECT_THAT(
      Lines(Unexcel(Ok(kVillage1, {"import", "template", "--year", "2025",
                                   "--phase", "mid-term", "-o", "csv"})
                        .out)),
      ::testing::SizeIs(2));
  // Filled in (the score row only), it imports; the blank row is skipped
  // with a word.
  const std::string filled = WriteFile(
      "filled.csv", absl::StrCat(Lines(csv.out)[0], "\n",
                                 "1,评分,P1,黄阁镇社工站,2025,中期,88,,,,,,\n",
                                 "2,财务,P1,黄阁镇社工站,2025,中期,,,,,,,\n"));
  Result r = Ok(kAgency, {"import", filled});
  EXPECT_THAT(r.err, HasSubstr("filled.csv:3: warning: no 分数: the row is "
                               "not filled in and is skipped"));
  EXPECT_EQ(GetEvaluation("P1", 2025, "mid-term").third_party().score(),
            "88.00");
  // The default is a workbook, which reads back as the same sheet.
  Result book = Ok(
      kAgency, {"import", "template", "--year", "2025", "--phase", "mid-term"});
  absl::StatusOr<std::vector<client::CsvRow>> rows = client::ReadXlsx(book.out);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[2].fields[1], "财务");
  EXPECT_EQ((*rows)[2].fields[4], "2025");  // a number in the workbook
}

TEST_F(EvalctlTest, HeadersInChineseWithLangZh) {
  CreateProject("P1");
  EXPECT_THAT(
      Ok(kBureau, {"project", "list", "--lang", "zh"}).out,
      StartsWith("项目编号  名称          镇(街)          承接机构  "
                 "                      村(居)                  开始日期  "));
  EXPECT_THAT(Unexcel(Ok(kFinance, {"disbursement", "list", "--project", "P1",
                                    "--lang", "zh", "-o", "csv"})
                          .out),
              StartsWith("拨款批次,名称,镇(街),金额(元),状态,应付日期,逾期,"
                         "支付凭证,已拨付\n"));
  // JSON keeps the API's names; English stays the default here.
  EXPECT_THAT(
      Ok(kBureau, {"project", "list", "--lang", "zh", "-o", "json"}).out,
      StartsWith("{\"projects\":[{\"project_id\":\"P1\""));
  EXPECT_THAT(Ok(kBureau, {"project", "list"}).out, StartsWith("PROJECT  "));
  UsageError({"project", "list", "--lang", "fr"},
             "error: --lang: want en or zh");
}

TEST_F(EvalctlTest, AnyTableAsAnExcelWorkbook) {
  CreateProject("P1");
  Result book = Ok(kFinance, {"disbursement", "list", "--project", "P1",
                              "--year", "2025", "-o", "xlsx"});
  absl::StatusOr<std::vector<client::CsvRow>> rows = client::ReadXlsx(book.out);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 4u);  // the header and three tranches
  EXPECT_EQ((*rows)[0].fields[0], "TRANCHE");
  EXPECT_EQ((*rows)[1].fields[0], "P1/2025/year-start");
  // Money is a number Excel can sum: 1,040,000.00 yuan.
  EXPECT_EQ((*rows)[1].fields[3], "1040000");
  UsageError({"project", "list", "-o", "pdf"},
             "error: -o/--output: want table, json, csv or xlsx");
}

TEST_F(ImportTest, LongFileShowsProgressAndASummary) {
  // 120 rows: 12 versions of the agency's score in each of P1's 10 phases.
  std::string text = "kind,project,year,phase,score\n";
  for (int i = 0; i < 12; ++i) {
    for (int year = 2025; year <= 2029; ++year) {
      for (const char* phase : {"mid-term", "final"}) {
        absl::StrAppend(&text, "score,P1,", year, ",", phase, ",", 80 + i,
                        "\n");
      }
    }
  }
  const std::string path = WriteFile("long.csv", text);
  Result r = Ok(kAgency, {"import", path});
  // Not a terminal: one progress line at the end, no carriage returns.
  EXPECT_EQ(r.err, "import: 120/120 rows\n");
  EXPECT_EQ(r.out,
            "ROWS  NEW  REPLACED  ALREADY APPLIED  REFUSED  INVALID  NOT SENT\n"
            "120   10   110       0                0        0        0\n");
  for (int year = 2025; year <= 2029; ++year) {
    for (const char* phase : {"mid-term", "final"}) {
      const v1::Evaluation e = GetEvaluation("P1", year, phase);
      EXPECT_EQ(e.third_party().version(), 12) << year << " " << phase;
      EXPECT_EQ(e.third_party().score(), "91.00") << year << " " << phase;
    }
  }
  // Over a page of audit events (1 + 120), listed as one document.
  EXPECT_EQ(Audit("P1").size(), 121u);
}

TEST_F(ImportTest, ServerRefusalStopsTheImportAtThatRow) {
  // Valid rows the server refuses (no project P9): the import stops there
  // unless --continue-on-error. Rows before it were already accepted: the
  // server has no batch transaction; only rows bad in themselves are caught
  // before anything is sent.
  const std::string path = WriteFile("refused.csv",
                                     "kind,project,year,phase,score\n"
                                     "score,P1,2025,mid-term,85\n"
                                     "score,P9,2025,mid-term,85\n"
                                     "score,P1,2025,final,90\n");
  Result r = Run(kAgency, {"import", path});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_EQ(r.err, path + ":3: error: NOT_FOUND: project P9 not found\n");
  EXPECT_EQ(r.out,
            "ROWS  NEW  REPLACED  ALREADY APPLIED  REFUSED  INVALID  NOT SENT\n"
            "3     1    0         0                1        0        1\n");
  EXPECT_EQ(Versions(), std::make_pair(int64_t{1}, int64_t{0}));

  r = Run(kAgency, {"import", path, "--continue-on-error"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_EQ(r.out,
            "ROWS  NEW  REPLACED  ALREADY APPLIED  REFUSED  INVALID  NOT SENT\n"
            "3     1    0         1                1        0        0\n");
  EXPECT_EQ(Versions(), std::make_pair(int64_t{1}, int64_t{1}));

  // The whole file is refused for a principal that does not score.
  r = Run(kFinance, {"import", path, "--continue-on-error"});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr(path + ":2: error: PERMISSION_DENIED: "));
  EXPECT_EQ(Versions(), std::make_pair(int64_t{1}, int64_t{1}));
}

TEST_F(ImportTest, BadHeaderRejectsTheWholeFile) {
  Result r = Run(kAgency, {"import", WriteFile("h.csv",
                                               "kind,project,year,phase,grade\n"
                                               "score,P1,2025,mid-term,85\n")});
  EXPECT_EQ(r.code, 1) << r;
  // "grade" is not read (a warning), so the score column is missing.
  EXPECT_THAT(r.err,
              AllOf(HasSubstr("h.csv:1: warning: column \"grade\" is not one "
                              "evalctl reads; it is ignored\n"),
                    HasSubstr("h.csv:1: the header needs the columns kind, "
                              "project, year, phase, score\n")));
  r = Run(kAgency, {"import", WriteFile("q.csv",
                                        "kind,project,year,phase,score\n"
                                        "score,P1,2025,\"mid-term,85\n")});
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("q.csv: line 2: a quoted field is not closed"));
  EXPECT_EQ(Versions(), std::make_pair(int64_t{0}, int64_t{0}));
}

}  // namespace
}  // namespace evald::testing
