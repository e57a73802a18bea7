// evalctl's dispatcher: global flags, the command table of every noun
// file, help at every level, and the session each command runs in.

#include "client/evalctl.h"

#include <cstdlib>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/command.h"
#include "client/names.h"
#include "client/suggest.h"
#include "client/table.h"

namespace evald::client {
namespace {

const std::vector<Command>& Commands() {
  static const auto* const commands = [] {
    auto* all = new std::vector<Command>;
    for (auto nouns : {ProjectCommands, SubmissionCommands, EvaluationCommands,
                       MoneyCommands, HistoryCommands, PrincipalCommands,
                       OrganisationCommands, EventCommands, OpsCommands,
                       ImportCommands, TodayCommands}) {
      for (Command& c : nouns()) all->push_back(std::move(c));
    }
    return all;
  }();
  return *commands;
}

const std::set<std::string>& GlobalFlags() {
  static const auto* const flags = new std::set<std::string>{
      "server",    "token",    "output",          "timeout", "help", "ca-file",
      "cert-file", "key-file", "tls-server-name", "verbose", "lang"};
  return *flags;
}

void PrintTopHelp(std::ostream& out) {
  out << "evalctl: the client of evald, the four-party evaluation service.\n\n"
         "Usage: evalctl [global flags] NOUN VERB [flags]\n\n"
         "Global flags:\n"
         "  --server HOST:PORT   evald address (default $EVAL_SERVER, then "
         "127.0.0.1:50051)\n"
         "  --token TOKEN        bearer token (default $EVAL_TOKEN)\n"
         "  -o, --output FORMAT  table (default), json or csv\n"
         "  -v, --verbose        name on stderr the request id of each change\n"
         "  --timeout SECONDS    per call (default 30)\n"
         "  --ca-file FILE       use TLS; verify evald against this CA\n"
         "  --cert-file FILE, --key-file FILE   client certificate (mTLS)\n"
         "  --tls-server-name NAME   expected name in evald's certificate\n\n"
         "Commands:\n";
  Table t;
  t.headers = {"  COMMAND", "WHAT IT DOES"};
  for (const Command& c : Commands()) {
    t.rows.push_back({absl::StrCat("  ", CommandName(c)), c.summary});
  }
  out << RenderText(t)
      << "\nExit codes: 0 success, 1 refused by the server (or bad import "
         "rows), "
         "2 usage error.\n"
         "Run 'evalctl NOUN VERB --help' for a command's flags and an "
         "example.\n";
}

// The command's usage line; every change accepts --request-id, so it is
// shown wherever the command takes it.
std::string UsageLine(const Command& c) {
  std::string usage = c.usage;
  if (c.flags.count("request-id") &&
      usage.find("--request-id") == std::string::npos) {
    absl::StrAppend(&usage, " [--request-id ID]");
  }
  return usage;
}

void PrintCommandHelp(const Command& c, std::ostream& out) {
  out << "evalctl " << CommandName(c) << ": " << c.summary << "\n\n"
      << "Usage: evalctl " << CommandName(c) << " " << UsageLine(c) << "\n\n"
      << "Example:\n  " << c.example << "\n";
}

void PrintNounHelp(const std::string& noun, std::ostream& out) {
  out << "evalctl " << noun << " commands:\n";
  for (const Command& c : Commands()) {
    if (noun == c.noun) {
      out << "  evalctl " << CommandName(c) << " " << UsageLine(c) << "\n      "
          << c.summary << "\n";
    }
  }
}

// The command `words` name, or nullptr; `noun_known` says whether the first
// word is a noun.
const Command* FindCommand(const std::vector<std::string>& words,
                           bool* noun_known) {
  *noun_known = false;
  for (const Command& c : Commands()) {
    if (words[0] != c.noun) continue;
    *noun_known = true;
    if (*c.verb == '\0' || (words.size() > 1 && words[1] == c.verb)) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace

int RunEvalctl(const std::vector<std::string>& argv,
               const std::string& env_server, const std::string& env_token,
               std::ostream& out, std::ostream& err) {
  std::set<std::string> booleans = {"help", "verbose"};
  for (const Command& c : Commands()) {
    booleans.insert(c.booleans.begin(), c.booleans.end());
  }
  absl::StatusOr<Args> args = Args::Parse(argv, booleans);
  if (!args.ok()) {
    err << "error: " << args.status().message() << " (see --help)\n";
    return kUsage;
  }
  std::vector<std::string> words = args->positional();
  // "evalctl admin principal add" reads as "evalctl principal add".
  size_t skipped = 0;
  if (!words.empty() && words[0] == "admin") {
    words.erase(words.begin());
    skipped = 1;
  }
  if (words.empty()) {
    PrintTopHelp(args->Has("help") ? out : err);
    return args->Has("help") ? kOk : kUsage;
  }

  bool noun_known = false;
  const Command* command = FindCommand(words, &noun_known);
  if (command == nullptr) {
    if (noun_known) {
      if (args->Has("help") && words.size() == 1) {
        PrintNounHelp(words[0], out);
        return kOk;
      }
      std::vector<std::string> verbs;
      for (const Command& c : Commands()) {
        if (words[0] == c.noun) verbs.push_back(c.verb);
      }
      err << "error: unknown command \"" << absl::StrJoin(words, " ") << "\""
          << (words.size() > 1 ? DidYouMean(words[1], verbs, words[0] + " ")
                               : std::string())
          << "\n";
      PrintNounHelp(words[0], err);
    } else {
      std::vector<std::string> nouns;
      for (const Command& c : Commands()) nouns.push_back(c.noun);
      err << "error: unknown command \"" << words[0] << "\""
          << DidYouMean(words[0], nouns)
          << " (run 'evalctl --help' for the list)\n";
    }
    return kUsage;
  }
  if (args->Has("help")) {
    PrintCommandHelp(*command, out);
    return kOk;
  }
  const size_t command_words = *command->verb ? 2 : 1;
  if (!command->takes_arguments && words.size() != command_words) {
    err << "error: unexpected argument \"" << words.back() << "\" (see evalctl "
        << CommandName(*command) << " --help)\n";
    return kUsage;
  }
  for (const std::string& name : args->Names()) {
    if (!GlobalFlags().count(name) && !command->flags.count(name) &&
        !command->booleans.count(name)) {
      std::vector<std::string> known(command->flags.begin(),
                                     command->flags.end());
      known.insert(known.end(), command->booleans.begin(),
                   command->booleans.end());
      for (const auto& global : GlobalFlags()) known.push_back(global);
      err << "error: unknown flag --" << name << " for evalctl "
          << CommandName(*command) << DidYouMean(name, known, "--")
          << " (see --help)\n";
      return kUsage;
    }
  }

  Session s;
  s.out = &out;
  s.err = &err;
  const std::string output = args->GetOr("output", "table");
  if (output == "table") {
    s.output = OutputFormat::kTable;
  } else if (output == "json") {
    s.output = OutputFormat::kJson;
  } else if (output == "csv") {
    s.output = OutputFormat::kCsv;
  } else if (output == "xlsx") {
    s.output = OutputFormat::kXlsx;
  } else {
    err << "error: -o/--output: want table, json, csv or xlsx\n";
    return kUsage;
  }
  s.verbose = args->Has("verbose");
  // Headers in the language of the clerk's desktop unless --lang says.
  std::string locale;
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') {
      locale = value;
      break;
    }
  }
  const std::string lang =
      args->GetOr("lang", absl::StartsWith(locale, "zh") ? "zh" : "en");
  if (lang != "en" && lang != "zh") {
    err << "error: --lang: want en or zh\n";
    return kUsage;
  }
  s.chinese_headers = lang == "zh";
  absl::StatusOr<int> timeout = args->Int("timeout", 30);
  if (!timeout.ok() || *timeout <= 0) {
    err << "error: --timeout: want a positive whole number of seconds\n";
    return kUsage;
  }
  s.timeout_seconds = *timeout;
  s.token = args->GetOr("token", env_token);
  if (s.token.empty()) {
    err << "error: no token: set EVAL_TOKEN or pass --token\n";
    return kUsage;
  }
  for (char c : s.token) {
    if (c < 0x21 || c > 0x7e) {
      err << "error: --token: the token contains a space, tab, line break or "
             "other character a token never has; copy it again without "
             "them\n";
      return kUsage;
    }
  }
  const std::string server = args->GetOr(
      "server", env_server.empty() ? "127.0.0.1:50051" : env_server);
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(64 << 20);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentials(*args);
  if (!credentials.ok()) {
    err << "error: " << credentials.status().message() << "\n";
    return kUsage;
  }
  if (std::optional<std::string> name = args->Get("tls-server-name")) {
    channel_args.SetSslTargetNameOverride(*name);
  }
  s.stub = v1::EvaluationService::NewStub(
      grpc::CreateCustomChannel(server, *credentials, channel_args));
  s.field_flags = FieldFlags(command->flags);
  Args own = args->Shifted(skipped + command_words);
  ResolveOrganisationNames(s, &own);
  return command->run(s, own);
}

}  // namespace evald::client
