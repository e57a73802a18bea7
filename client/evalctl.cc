#include "client/evalctl.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/args.h"
#include "client/format.h"
#include "client/import.h"
#include "client/table.h"
#include "common/audit_chain.h"
#include "evaluation/v1/evaluation.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"

namespace evald::client {
namespace {

namespace v1 = ::evaluation::v1;
using Stub = v1::EvaluationService::Stub;

constexpr int kOk = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 2;

// Everything one invocation needs.
struct Session {
  std::unique_ptr<Stub> stub;
  std::string token;
  std::string output = "table";
  int timeout_seconds = 30;
  std::ostream* out;
  std::ostream* err;
};

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

// Calls one RPC with the session's token and deadline. On failure prints
// "error: CODE: message" and returns false.
template <typename Request, typename Reply>
bool Call(Session& s,
          grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                       Reply*),
          const Request& request, Reply* reply) {
  grpc::ClientContext ctx;
  if (!s.token.empty()) ctx.AddMetadata("authorization", "Bearer " + s.token);
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::seconds(s.timeout_seconds));
  grpc::Status status = ((*s.stub).*method)(&ctx, request, reply);
  if (status.ok()) return true;
  *s.err << "error: " << CodeName(status.error_code()) << ": "
         << status.error_message() << "\n";
  return false;
}

std::string Json(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

// Prints `message` as JSON, or `table` as text or CSV.
void Print(Session& s, const google::protobuf::Message& message,
           const Table& table) {
  if (s.output == "json") {
    *s.out << Json(message) << "\n";
  } else if (s.output == "csv") {
    *s.out << RenderCsv(table);
  } else {
    *s.out << RenderText(table);
  }
}

std::string NewRequestId() {
  std::random_device random;
  std::string id = "evalctl-";
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&id, absl::Hex(random(), absl::kZeroPad8));
  }
  return id;
}

// The --request-id flag, or a fresh one announced on stderr so that a
// retry can reuse it.
std::string RequestId(Session& s, const Args& args) {
  if (std::optional<std::string> id = args.Get("request-id")) return *id;
  std::string id = NewRequestId();
  *s.err << "request-id: " << id << "\n";
  return id;
}

// --project, --year, --phase.
absl::StatusOr<v1::EvaluationRef> RefFlags(const Args& args) {
  v1::EvaluationRef ref;
  absl::StatusOr<std::string> project = args.Required("project");
  if (!project.ok()) return project.status();
  absl::StatusOr<int> year = args.RequiredInt("year");
  if (!year.ok()) return year.status();
  absl::StatusOr<std::string> phase_text = args.Required("phase");
  if (!phase_text.ok()) return phase_text.status();
  absl::StatusOr<v1::Phase> phase = ParsePhaseFlag(*phase_text);
  if (!phase.ok()) return phase.status();
  ref.set_project_id(*project);
  ref.set_year(*year);
  ref.set_phase(*phase);
  return ref;
}

// ----------------------------------------------------------------- Tables

Table FieldTable(std::vector<std::vector<std::string>> rows) {
  Table t;
  t.headers = {"FIELD", "VALUE"};
  t.rows = std::move(rows);
  return t;
}

Table ProjectDetail(const v1::Project& p) {
  return FieldTable({
      {"project", p.project_id()},
      {"name", p.name()},
      {"township", p.township()},
      {"provider", p.provider()},
      {"villages", absl::StrJoin(p.villages(), ",")},
      {"start_date", p.start_date()},
      {"years", absl::StrCat(p.years())},
      {"annual_fund_yuan", Yuan(p.annual_fund_fen())},
      {"agency", p.agency().empty() ? "-" : p.agency()},
      {"policy", p.policy_id()},
      {"terminated", p.terminated() ? "yes" : "no"},
  });
}

Table ProjectList(const v1::ListProjectsResponse& r) {
  Table t;
  t.headers = {"PROJECT",   "NAME",  "TOWNSHIP",           "PROVIDER",
               "VILLAGES",  "START", "ANNUAL FUND (YUAN)", "AGENCY",
               "TERMINATED"};
  for (const v1::Project& p : r.projects()) {
    t.rows.push_back({p.project_id(), p.name(), p.township(), p.provider(),
                      absl::StrJoin(p.villages(), ","), p.start_date(),
                      Yuan(p.annual_fund_fen()),
                      p.agency().empty() ? "-" : p.agency(),
                      p.terminated() ? "yes" : "no"});
  }
  return t;
}

std::string PartyText(const v1::PartyScore& p) {
  if (p.score().empty()) return "-";
  return absl::StrCat(p.score(), " (", p.submitted_by(), ", v", p.version(),
                      ")");
}

std::string EvaluationId(const v1::Evaluation& e) {
  return absl::StrCat(e.project_id(), "/", e.year(), "/", PhaseName(e.phase()));
}

Table EvaluationDetail(const v1::Evaluation& e) {
  std::vector<std::vector<std::string>> rows = {
      {"evaluation", EvaluationId(e)},
      {"state", v1::EvaluationState_Name(e.state())},
      {"policy", e.policy_id()},
      {"third_party", PartyText(e.third_party())},
      {"township", PartyText(e.township_score())},
      {"bureau", PartyText(e.bureau())},
  };
  for (const v1::VillageScore& v : e.villages()) {
    rows.push_back(
        {absl::StrCat("village ", v.village()), PartyText(v.score())});
  }
  if (e.has_financial()) {
    const v1::Expenditure& x = e.financial().expenditure();
    rows.push_back(
        {"financial",
         absl::StrCat(e.financial().score(), " (", e.financial().submitted_by(),
                      ", v", e.financial().version(), ")")});
    rows.push_back(
        {"expenditure",
         absl::StrCat("personnel ", Yuan(x.personnel_fen()),
                      "; service quality ", Yuan(x.service_quality_fen()),
                      "; management ", Yuan(x.management_fen()), "; other ",
                      Yuan(x.other_fen()))});
  }
  if (e.missing_size() > 0) {
    rows.push_back({"missing", absl::StrJoin(e.missing(), ", ")});
  }
  for (const v1::VetoFinding& v : e.vetoes()) {
    rows.push_back(
        {absl::StrCat("veto ", v.veto_id()),
         absl::StrCat(v.code(), " ", v1::VetoStatus_Name(v.status()),
                      " (raised by ", v.raised_by(), "): ", v.evidence(),
                      v.decision_reason().empty()
                          ? ""
                          : absl::StrCat(" / ", v.decision_reason()))});
  }
  if (e.has_result()) {
    const v1::Result& r = e.result();
    rows.push_back(
        {"score", absl::StrCat(r.score(), " (exact ", r.score_exact(),
                               "; village mean ", r.village_mean(), ")")});
    rows.push_back({"grade", GradeText(r.grade())});
    rows.push_back({"outcome", v1::Outcome_Name(r.outcome())});
    rows.push_back({"result_date", r.result_date()});
    for (const std::string& reason : r.reasons())
      rows.push_back({"reason", reason});
  }
  if (!e.rectification_deadline().empty()) {
    rows.push_back({"rectification_deadline", e.rectification_deadline()});
  }
  if (!e.application_date().empty()) {
    rows.push_back({"application_date", e.application_date()});
  }
  if (!e.reevaluation_date().empty()) {
    rows.push_back({"reevaluation_date", e.reevaluation_date()});
  }
  for (const std::string& effect : e.effects())
    rows.push_back({"effect", effect});
  return FieldTable(std::move(rows));
}

Table EvaluationList(const v1::ListEvaluationsResponse& r) {
  Table t;
  t.headers = {"EVALUATION", "TOWNSHIP", "STATE", "SCORE", "GRADE", "MISSING"};
  for (const v1::Evaluation& e : r.evaluations()) {
    t.rows.push_back(
        {EvaluationId(e), e.township(), v1::EvaluationState_Name(e.state()),
         e.has_result() ? e.result().score() : "-",
         e.has_result() ? GradeText(e.result().grade()) : "-",
         e.missing().empty() ? "-" : absl::StrJoin(e.missing(), ",")});
  }
  return t;
}

Table LateList(const v1::ListLatePartiesResponse& r) {
  Table t;
  t.headers = {"EVALUATION", "TOWNSHIP", "MISSING"};
  for (const v1::LateEntry& e : r.late()) {
    t.rows.push_back(
        {absl::StrCat(e.project_id(), "/", e.year(), "/", PhaseName(e.phase())),
         e.township(), absl::StrJoin(e.missing(), ", ")});
  }
  return t;
}

std::vector<std::string> DisbursementRow(const v1::Disbursement& d) {
  return {
      absl::StrCat(d.project_id(), "/", d.year(), "/", TrancheName(d.kind())),
      d.township(),
      Yuan(d.amount_fen()),
      v1::DisbursementState_Name(d.state()),
      d.due_date().empty()
          ? "-"
          : absl::StrCat(d.due_date(), d.due_date_provisional() ? "*" : ""),
      d.overdue() ? "yes" : "no",
      d.payment_reference().empty() ? "-" : d.payment_reference()};
}

Table DisbursementList(const v1::ListDisbursementsResponse& r) {
  Table t;
  t.headers = {"TRANCHE", "TOWNSHIP", "AMOUNT (YUAN)", "STATE",
               "DUE",     "OVERDUE",  "REFERENCE"};
  for (const v1::Disbursement& d : r.disbursements()) {
    t.rows.push_back(DisbursementRow(d));
  }
  return t;
}

Table SummaryTable(const v1::Summary& s) {
  const std::vector<std::string> states = {
      "OPEN",       "SCORED",       "PASSED",
      "RECTIFYING", "REEVALUATING", "PASSED_AFTER_RECTIFICATION",
      "FAILED"};
  const std::vector<std::string> grades = {"EXCELLENT", "GOOD", "QUALIFIED",
                                           "UNQUALIFIED"};
  Table t;
  t.headers = {"TOWNSHIP", "YEAR"};
  t.headers.insert(t.headers.end(), states.begin(), states.end());
  t.headers.insert(t.headers.end(), grades.begin(), grades.end());
  for (const v1::SummaryRow& row : s.rows()) {
    std::vector<std::string> cells = {row.township(), absl::StrCat(row.year())};
    for (const std::string& state : states) {
      auto it = row.by_state().find(state);
      cells.push_back(
          absl::StrCat(it == row.by_state().end() ? 0 : it->second));
    }
    for (const std::string& grade : grades) {
      auto it = row.by_grade().find(grade);
      cells.push_back(
          absl::StrCat(it == row.by_grade().end() ? 0 : it->second));
    }
    t.rows.push_back(std::move(cells));
  }
  return t;
}

Table AuditTable(const v1::ListAuditEventsResponse& r) {
  Table t;
  t.headers = {"SEQ",    "TIME",   "PRINCIPAL", "ROLE",
               "ACTION", "TARGET", "DETAIL"};
  for (const v1::AuditEvent& e : r.events()) {
    t.rows.push_back({absl::StrCat(e.sequence()), e.time(), e.principal(),
                      e.role(), e.action(), e.target(), e.detail()});
  }
  return t;
}

Table PolicyTable(const v1::Policy& p) {
  std::vector<std::vector<std::string>> rows = {
      {"id", p.id()},
      {"effective_date", p.effective_date()},
      {"source", p.source()},
      {"weights",
       absl::StrCat("third party ", p.weights().third_party_percent(),
                    "%, township ", p.weights().township_percent(),
                    "%, village ", p.weights().village_percent(), "%, bureau ",
                    p.weights().bureau_percent(), "%")},
      {"grade_bands",
       absl::StrCat("优秀 EXCELLENT >= ", p.grade_bands().excellent_min(),
                    ", 良好 GOOD >= ", p.grade_bands().good_min(),
                    ", 合格 QUALIFIED >= ", p.grade_bands().qualified_min())},
      {"financial_pass_mark", p.financial_pass_mark()},
      {"cost_structure",
       absl::StrCat("personnel >= ", p.cost_structure().personnel_min_percent(),
                    "%, personnel + service quality >= ",
                    p.cost_structure().personnel_plus_quality_min_percent(),
                    "%, management <= ",
                    p.cost_structure().management_max_percent(), "%")},
      {"tranches",
       absl::StrCat("year start ", p.tranches().year_start_percent(),
                    "%, mid-term ", p.tranches().mid_term_percent(),
                    "%, final ", p.tranches().final_percent(), "%")},
      {"deadlines",
       absl::StrCat(
           "rectification ", p.deadlines().rectification_calendar_days(),
           " calendar days; payment ", p.deadlines().payment_working_days(),
           " working days; after rectification ",
           p.deadlines().rectified_payment_working_days(),
           " working days from the application; year start ",
           p.deadlines().year_start_payment_working_days(), " working days")},
      {"contract_years", absl::StrCat(p.contract_years())},
  };
  for (const auto& [label, list] :
       {std::pair{"veto (professional)", &p.professional_vetoes()},
        std::pair{"veto (financial)", &p.financial_vetoes()}}) {
    for (const v1::VetoRule& v : *list) {
      rows.push_back(
          {label,
           absl::StrCat(v.code(), ": ", v.title_zh(), " / ", v.title_en(),
                        v.curable() ? " (curable)" : " (not curable)")});
    }
  }
  return FieldTable(std::move(rows));
}

// ------------------------------------------------------------- Commands

struct Command {
  const char* noun;
  const char* verb;  // "" for single-word commands (summary, import)
  const char* summary;
  const char* usage;
  const char* example;
  std::set<std::string> flags;
  std::set<std::string> booleans;
  std::function<int(Session&, const Args&)> run;
};

// Reports a bad flag value as a usage error.
int Usage(Session& s, const absl::Status& status) {
  *s.err << "error: " << status.message() << " (see --help)\n";
  return kUsage;
}

#define EVALD_TRY_FLAG(var, expr) \
  auto var = (expr);              \
  if (!var.ok()) return Usage(s, var.status());

int Submit(Session& s, bool ok, const google::protobuf::Message& reply,
           const Table& table) {
  if (!ok) return kRefused;
  Print(s, reply, table);
  return kOk;
}

template <typename Request, typename Reply>
int EvaluationCommand(Session& s, const Args& args,
                      grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                   const Request&, Reply*),
                      const std::function<absl::Status(Request&)>& fill) {
  EVALD_TRY_FLAG(ref, RefFlags(args));
  Request r;
  *r.mutable_evaluation() = *ref;
  if (absl::Status st = fill(r); !st.ok()) return Usage(s, st);
  r.set_request_id(RequestId(s, args));
  Reply reply;
  const bool ok = Call(s, method, r, &reply);
  return Submit(s, ok, reply, EvaluationDetail(reply));
}

// Follows next_page_token until the end, merging the pages.
template <typename Request, typename Reply>
bool ListAll(Session& s,
             grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                          Reply*),
             Request request, Reply* all) {
  for (;;) {
    Reply page;
    if (!Call(s, method, request, &page)) return false;
    std::string next = page.next_page_token();
    page.clear_next_page_token();
    all->MergeFrom(page);
    if (next.empty()) return true;
    request.set_page_token(next);
  }
}

// Passes the value of the required flag --`flag` to `set`.
absl::Status RequiredText(const Args& a, absl::string_view flag,
                          const std::function<void(const std::string&)>& set) {
  absl::StatusOr<std::string> value = a.Required(flag);
  if (!value.ok()) return value.status();
  set(*value);
  return absl::OkStatus();
}

// --project, --township, --year, --phase of the evaluation lists.
template <typename Request>
absl::Status FilterFlags(const Args& a, Request& r) {
  r.set_project_id(a.GetOr("project", ""));
  r.set_township(a.GetOr("township", ""));
  absl::StatusOr<int> year = a.Int("year", 0);
  if (!year.ok()) return year.status();
  r.set_year(*year);
  if (a.Has("phase")) {
    absl::StatusOr<v1::Phase> phase = ParsePhaseFlag(*a.Get("phase"));
    if (!phase.ok()) return phase.status();
    r.set_phase(*phase);
  }
  return absl::OkStatus();
}

const std::set<std::string> kRef = {"project", "year", "phase", "request-id"};

std::set<std::string> With(std::set<std::string> base,
                           std::initializer_list<std::string> more) {
  base.insert(more);
  return base;
}

const std::vector<Command>& Commands() {
  static const auto* const commands = new std::vector<Command>{
      {"project",
       "create",
       "Create a project (bureau, admin).",
       "--id ID --name NAME --township T --provider P --villages V1,V2 "
       "--start YYYY-MM-DD --fund YUAN [--years N] [--agency A] [--policy ID] "
       "[--request-id ID]",
       "evalctl project create --id P1 --name 黄阁镇社工站 --township huangge "
       "--provider PR1 --villages V01,V02 --start 2025-07-01 --fund 2600000.00 "
       "--agency AG1",
       {"id", "name", "township", "provider", "villages", "start", "fund",
        "years", "agency", "policy", "request-id"},
       {},
       [](Session& s, const Args& a) {
         v1::CreateProjectRequest r;
         EVALD_TRY_FLAG(id, a.Required("id"));
         EVALD_TRY_FLAG(name, a.Required("name"));
         EVALD_TRY_FLAG(township, a.Required("township"));
         EVALD_TRY_FLAG(provider, a.Required("provider"));
         EVALD_TRY_FLAG(villages, a.Required("villages"));
         EVALD_TRY_FLAG(start, a.Required("start"));
         EVALD_TRY_FLAG(fund_text, a.Required("fund"));
         EVALD_TRY_FLAG(fund, ParseYuanFlag("fund", *fund_text));
         EVALD_TRY_FLAG(years, a.Int("years", 0));
         r.set_project_id(*id);
         r.set_name(*name);
         r.set_township(*township);
         r.set_provider(*provider);
         for (absl::string_view v :
              absl::StrSplit(*villages, ',', absl::SkipWhitespace())) {
           r.add_villages(std::string(v));
         }
         r.set_start_date(*start);
         r.set_annual_fund_fen(*fund);
         r.set_years(*years);
         r.set_agency(a.GetOr("agency", ""));
         r.set_policy_id(a.GetOr("policy", ""));
         r.set_request_id(RequestId(s, a));
         v1::Project reply;
         const bool ok = Call(s, &Stub::CreateProject, r, &reply);
         return Submit(s, ok, reply, ProjectDetail(reply));
       }},
      {"project",
       "assign-agency",
       "Assign the evaluation agency (bureau).",
       "--id ID --agency A [--request-id ID]",
       "evalctl project assign-agency --id P1 --agency AG1",
       {"id", "agency", "request-id"},
       {},
       [](Session& s, const Args& a) {
         v1::AssignAgencyRequest r;
         EVALD_TRY_FLAG(id, a.Required("id"));
         EVALD_TRY_FLAG(agency, a.Required("agency"));
         r.set_project_id(*id);
         r.set_agency(*agency);
         r.set_request_id(RequestId(s, a));
         v1::Project reply;
         const bool ok = Call(s, &Stub::AssignAgency, r, &reply);
         return Submit(s, ok, reply, ProjectDetail(reply));
       }},
      {"project",
       "get",
       "Show one project.",
       "--id ID",
       "evalctl project get --id P1",
       {"id"},
       {},
       [](Session& s, const Args& a) {
         v1::GetProjectRequest r;
         EVALD_TRY_FLAG(id, a.Required("id"));
         r.set_project_id(*id);
         v1::Project reply;
         const bool ok = Call(s, &Stub::GetProject, r, &reply);
         return Submit(s, ok, reply, ProjectDetail(reply));
       }},
      {"project",
       "list",
       "List the projects you may see.",
       "[--township T]",
       "evalctl project list --township huangge",
       {"township"},
       {},
       [](Session& s, const Args& a) {
         v1::ListProjectsRequest r;
         r.set_township(a.GetOr("township", ""));
         v1::ListProjectsResponse all;
         const bool ok = ListAll(s, &Stub::ListProjects, r, &all);
         return Submit(s, ok, all, ProjectList(all));
       }},
      {"score",
       "submit",
       "Submit your professional score (your token says which party you are).",
       "--project P --year Y --phase mid-term|final --score S [--rectifiable] "
       "[--request-id ID]",
       "evalctl score submit --project P1 --year 2025 --phase mid-term --score "
       "85.5",
       With(kRef, {"score"}),
       {"rectifiable"},
       [](Session& s, const Args& a) {
         return EvaluationCommand<v1::SubmitProfessionalScoreRequest,
                                  v1::Evaluation>(
             s, a, &Stub::SubmitProfessionalScore, [&](auto& r) {
               absl::StatusOr<std::string> score = a.Required("score");
               if (!score.ok()) return score.status();
               r.set_score(*score);
               r.set_rectifiable(a.Has("rectifiable"));
               return absl::OkStatus();
             });
       }},
      {"financial",
       "submit",
       "Submit the financial evaluation (agency): score and expenditure in "
       "yuan.",
       "--project P --year Y --phase PH --score S --personnel YUAN "
       "--service-quality YUAN --management YUAN --other YUAN [--rectifiable]",
       "evalctl financial submit --project P1 --year 2025 --phase mid-term "
       "--score 82 --personnel 750000 --service-quality 120000 --management "
       "100000 --other 30000",
       With(kRef,
            {"score", "personnel", "service-quality", "management", "other"}),
       {"rectifiable"},
       [](Session& s, const Args& a) {
         return EvaluationCommand<v1::SubmitFinancialEvaluationRequest,
                                  v1::Evaluation>(
             s, a, &Stub::SubmitFinancialEvaluation, [&](auto& r) {
               absl::StatusOr<std::string> score = a.Required("score");
               if (!score.ok()) return score.status();
               r.set_score(*score);
               r.set_rectifiable(a.Has("rectifiable"));
               for (auto [flag, setter] :
                    {std::pair{"personnel",
                               &v1::Expenditure::set_personnel_fen},
                     std::pair{"service-quality",
                               &v1::Expenditure::set_service_quality_fen},
                     std::pair{"management",
                               &v1::Expenditure::set_management_fen},
                     std::pair{"other", &v1::Expenditure::set_other_fen}}) {
                 absl::StatusOr<std::string> text = a.Required(flag);
                 if (!text.ok()) return text.status();
                 absl::StatusOr<int64_t> fen = ParseYuanFlag(flag, *text);
                 if (!fen.ok()) return fen.status();
                 (r.mutable_expenditure()->*setter)(*fen);
               }
               return absl::OkStatus();
             });
       }},
      {"veto",
       "raise",
       "Raise a one-vote-veto finding (agency, bureau).",
       "--project P --year Y --phase PH --kind professional|financial --code "
       "CODE --evidence TEXT",
       "evalctl veto raise --project P1 --year 2025 --phase mid-term --kind "
       "professional --code UNDERSTAFFING --evidence '3 of 6 posts vacant "
       "since March'",
       With(kRef, {"kind", "code", "evidence"}),
       {},
       [](Session& s, const Args& a) {
         return EvaluationCommand<v1::RaiseVetoRequest, v1::Evaluation>(
             s, a, &Stub::RaiseVeto, [&](auto& r) {
               const std::string kind = a.GetOr("kind", "professional");
               if (kind != "professional" && kind != "financial") {
                 return absl::InvalidArgumentError(
                     "--kind: want professional or financial");
               }
               r.set_kind(kind == "financial" ? v1::FINANCIAL
                                              : v1::PROFESSIONAL);
               absl::StatusOr<std::string> code = a.Required("code");
               if (!code.ok()) return code.status();
               absl::StatusOr<std::string> evidence = a.Required("evidence");
               if (!evidence.ok()) return evidence.status();
               r.set_code(*code);
               r.set_evidence(*evidence);
               return absl::OkStatus();
             });
       }},
      {"veto",
       "confirm",
       "Confirm a veto finding (bureau).",
       "--project P --year Y --phase PH --veto-id N",
       "evalctl veto confirm --project P1 --year 2025 --phase mid-term "
       "--veto-id 1",
       With(kRef, {"veto-id"}),
       {},
       [](Session& s, const Args& a) {
         return EvaluationCommand<v1::DecideVetoRequest, v1::Evaluation>(
             s, a, &Stub::ConfirmVeto, [&](auto& r) {
               absl::StatusOr<int> id = a.RequiredInt("veto-id");
               if (!id.ok()) return id.status();
               r.set_veto_id(*id);
               return absl::OkStatus();
             });
       }},
      {"veto",
       "dismiss",
       "Dismiss a veto finding with a reason (bureau).",
       "--project P --year Y --phase PH --veto-id N --reason TEXT",
       "evalctl veto dismiss --project P1 --year 2025 --phase mid-term "
       "--veto-id 1 --reason '岗位已补齐'",
       With(kRef, {"veto-id", "reason"}),
       {},
       [](Session& s, const Args& a) {
         return EvaluationCommand<v1::DecideVetoRequest, v1::Evaluation>(
             s, a, &Stub::DismissVeto, [&](auto& r) {
               absl::StatusOr<int> id = a.RequiredInt("veto-id");
               if (!id.ok()) return id.status();
               absl::StatusOr<std::string> reason = a.Required("reason");
               if (!reason.ok()) return reason.status();
               r.set_veto_id(*id);
               r.set_reason(*reason);
               return absl::OkStatus();
             });
       }},
      {"evaluation",
       "get",
       "Show one evaluation phase.",
       "--project P --year Y --phase PH",
       "evalctl evaluation get --project P1 --year 2025 --phase mid-term",
       {"project", "year", "phase"},
       {},
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(ref, RefFlags(a));
         v1::GetEvaluationRequest r;
         *r.mutable_evaluation() = *ref;
         v1::Evaluation reply;
         const bool ok = Call(s, &Stub::GetEvaluation, r, &reply);
         return Submit(s, ok, reply, EvaluationDetail(reply));
       }},
      {"evaluation",
       "list",
       "List evaluations by project, township, year, phase, state.",
       "[--project P] [--township T] [--year Y] [--phase PH] [--state S]",
       "evalctl evaluation list --township huangge --year 2025 --state passed",
       {"project", "township", "year", "phase", "state"},
       {},
       [](Session& s, const Args& a) {
         v1::ListEvaluationsRequest r;
         if (absl::Status st = FilterFlags(a, r); !st.ok()) return Usage(s, st);
         if (a.Has("state")) {
           EVALD_TRY_FLAG(state, ParseStateFlag(*a.Get("state")));
           r.set_state(*state);
         }
         v1::ListEvaluationsResponse all;
         const bool ok = ListAll(s, &Stub::ListEvaluations, r, &all);
         return Submit(s, ok, all, EvaluationList(all));
       }},
      {"evaluation",
       "finalize",
       "Finalise a scored phase with the official result date (bureau).",
       "--project P --year Y --phase PH --result-date YYYY-MM-DD",
       "evalctl evaluation finalize --project P1 --year 2025 --phase mid-term "
       "--result-date 2025-12-15",
       With(kRef, {"result-date"}),
       {},
       [](Session& s, const Args& a) {
         return EvaluationCommand<v1::FinalizeEvaluationRequest,
                                  v1::Evaluation>(
             s, a, &Stub::FinalizeEvaluation, [&](auto& r) {
               return RequiredText(a, "result-date", [&](const std::string& v) {
                 r.set_result_date(v);
               });
             });
       }},
      {"evaluation",
       "reopen",
       "Reopen a finalised phase for review, 复核 (bureau).",
       "--project P --year Y --phase PH --reason TEXT",
       "evalctl evaluation reopen --project P1 --year 2025 --phase mid-term "
       "--reason '乡镇申请复核'",
       With(kRef, {"reason"}),
       {},
       [](Session& s, const Args& a) {
         return EvaluationCommand<v1::ReopenEvaluationRequest, v1::Evaluation>(
             s, a, &Stub::ReopenEvaluation, [&](auto& r) {
               return RequiredText(
                   a, "reason", [&](const std::string& v) { r.set_reason(v); });
             });
       }},
      {"evaluation",
       "late",
       "Who has not submitted yet, per open phase.",
       "[--project P] [--township T] [--year Y] [--phase PH]",
       "evalctl evaluation late --township huangge --year 2025",
       {"project", "township", "year", "phase"},
       {},
       [](Session& s, const Args& a) {
         v1::ListLatePartiesRequest r;
         if (absl::Status st = FilterFlags(a, r); !st.ok()) return Usage(s, st);
         v1::ListLatePartiesResponse all;
         const bool ok = ListAll(s, &Stub::ListLateParties, r, &all);
         return Submit(s, ok, all, LateList(all));
       }},
      {"rectification",
       "apply",
       "Apply for re-evaluation after rectification (provider).",
       "--project P --year Y --phase PH --date YYYY-MM-DD",
       "evalctl rectification apply --project P1 --year 2025 --phase mid-term "
       "--date 2026-02-10",
       With(kRef, {"date"}),
       {},
       [](Session& s, const Args& a) {
         return EvaluationCommand<v1::ApplyRectificationRequest,
                                  v1::Evaluation>(
             s, a, &Stub::ApplyRectification, [&](auto& r) {
               return RequiredText(a, "date", [&](const std::string& v) {
                 r.set_application_date(v);
               });
             });
       }},
      {"rectification",
       "decide",
       "Record the re-evaluation's outcome (agency, bureau).",
       "--project P --year Y --phase PH --pass|--fail --date YYYY-MM-DD",
       "evalctl rectification decide --project P1 --year 2025 --phase mid-term "
       "--pass --date 2026-03-02",
       With(kRef, {"date"}),
       {"pass", "fail"},
       [](Session& s, const Args& a) {
         return EvaluationCommand<v1::DecideReevaluationRequest,
                                  v1::Evaluation>(
             s, a, &Stub::DecideReevaluation, [&](auto& r) {
               if (a.Has("pass") == a.Has("fail")) {
                 return absl::InvalidArgumentError(
                     "give exactly one of --pass and --fail");
               }
               absl::StatusOr<std::string> d = a.Required("date");
               if (!d.ok()) return d.status();
               r.set_passed(a.Has("pass"));
               r.set_decision_date(*d);
               return absl::OkStatus();
             });
       }},
      {"rectification",
       "expire",
       "Fail a rectification whose deadline passed without an application "
       "(bureau).",
       "--project P --year Y --phase PH [--as-of YYYY-MM-DD]",
       "evalctl rectification expire --project P1 --year 2025 --phase mid-term "
       "--as-of 2026-03-01",
       With(kRef, {"as-of"}),
       {},
       [](Session& s, const Args& a) {
         return EvaluationCommand<v1::ExpireRectificationRequest,
                                  v1::Evaluation>(
             s, a, &Stub::ExpireRectification, [&](auto& r) {
               r.set_as_of(a.GetOr("as-of", ""));
               return absl::OkStatus();
             });
       }},
      {"disbursement",
       "list",
       "List tranches: due, overdue, released, withheld (finance, bureau, "
       "township, provider).",
       "[--project P] [--township T] [--state S] [--overdue] [--as-of "
       "YYYY-MM-DD]",
       "evalctl disbursement list --state due\n  evalctl disbursement list "
       "--overdue --as-of 2026-03-31",
       {"project", "township", "state", "as-of"},
       {"overdue"},
       [](Session& s, const Args& a) {
         v1::ListDisbursementsRequest r;
         r.set_project_id(a.GetOr("project", ""));
         r.set_township(a.GetOr("township", ""));
         r.set_overdue_only(a.Has("overdue"));
         r.set_as_of(a.GetOr("as-of", ""));
         if (a.Has("state")) {
           EVALD_TRY_FLAG(state, ParseDisbursementStateFlag(*a.Get("state")));
           r.set_state(*state);
         }
         v1::ListDisbursementsResponse all;
         const bool ok = ListAll(s, &Stub::ListDisbursements, r, &all);
         return Submit(s, ok, all, DisbursementList(all));
       }},
      {"disbursement",
       "release",
       "Record the payment of a due tranche, exactly once (finance).",
       "--project P --year Y --kind year-start|mid-term|final --reference REF "
       "[--date YYYY-MM-DD] [--request-id ID]",
       "evalctl disbursement release --project P1 --year 2025 --kind "
       "year-start "
       "--reference BANK-2025-0001",
       {"project", "year", "kind", "reference", "date", "request-id"},
       {},
       [](Session& s, const Args& a) {
         v1::ReleaseDisbursementRequest r;
         EVALD_TRY_FLAG(project, a.Required("project"));
         EVALD_TRY_FLAG(year, a.RequiredInt("year"));
         EVALD_TRY_FLAG(kind_text, a.Required("kind"));
         EVALD_TRY_FLAG(kind, ParseTrancheFlag(*kind_text));
         EVALD_TRY_FLAG(reference, a.Required("reference"));
         r.set_project_id(*project);
         r.set_year(*year);
         r.set_kind(*kind);
         r.set_payment_reference(*reference);
         r.set_released_on(a.GetOr("date", ""));
         r.set_request_id(RequestId(s, a));
         v1::Disbursement reply;
         const bool ok = Call(s, &Stub::ReleaseDisbursement, r, &reply);
         Table t;
         t.headers = {"TRANCHE", "TOWNSHIP", "AMOUNT (YUAN)", "STATE",
                      "DUE",     "OVERDUE",  "REFERENCE"};
         t.rows.push_back(DisbursementRow(reply));
         return Submit(s, ok, reply, t);
       }},
      {"summary",
       "",
       "Counts by state and grade per township and year (dashboard).",
       "[--township T] [--year Y]",
       "evalctl summary --year 2025",
       {"township", "year"},
       {},
       [](Session& s, const Args& a) {
         v1::GetSummaryRequest r;
         r.set_township(a.GetOr("township", ""));
         EVALD_TRY_FLAG(year, a.Int("year", 0));
         r.set_year(*year);
         v1::Summary reply;
         const bool ok = Call(s, &Stub::GetSummary, r, &reply);
         return Submit(s, ok, reply, SummaryTable(reply));
       }},
      {"audit",
       "list",
       "The audit events of a project, in order (bureau, admin).",
       "--project P",
       "evalctl audit list --project P1",
       {"project"},
       {},
       [](Session& s, const Args& a) {
         v1::ListAuditEventsRequest r;
         EVALD_TRY_FLAG(project, a.Required("project"));
         r.set_project_id(*project);
         v1::ListAuditEventsResponse all;
         const bool ok = ListAll(s, &Stub::ListAuditEvents, r, &all);
         return Submit(s, ok, all, AuditTable(all));
       }},
      {"audit",
       "verify",
       "Recompute a project's audit hash chain; report the first broken link.",
       "--project P",
       "evalctl audit verify --project P1",
       {"project"},
       {},
       [](Session& s, const Args& a) {
         v1::ListAuditEventsRequest r;
         EVALD_TRY_FLAG(project, a.Required("project"));
         r.set_project_id(*project);
         v1::ListAuditEventsResponse all;
         if (!ListAll(s, &Stub::ListAuditEvents, r, &all)) return kRefused;
         std::optional<ChainBreak> broken =
             VerifyAuditChain({all.events().begin(), all.events().end()});
         if (broken) {
           *s.err << "error: the audit chain of " << *project
                  << " is broken at event " << broken->sequence << ": "
                  << broken->reason << "\n";
           return kRefused;
         }
         *s.out << "audit chain of " << *project << ": " << all.events_size()
                << " events, intact";
         if (all.events_size() > 0) {
           *s.out << " (head " << all.events().rbegin()->hash() << ")";
         }
         *s.out << "\n";
         return kOk;
       }},
      {"policy",
       "show",
       "The policy in force: weights, bands, veto catalogue.",
       "[--id POLICY]",
       "evalctl policy show",
       {"id"},
       {},
       [](Session& s, const Args& a) {
         v1::GetPolicyRequest r;
         r.set_policy_id(a.GetOr("id", ""));
         v1::Policy reply;
         const bool ok = Call(s, &Stub::GetPolicy, r, &reply);
         return Submit(s, ok, reply, PolicyTable(reply));
       }},
      {"principal",
       "add",
       "Issue a principal and its token, shown once (admin; also 'admin "
       "principal add').",
       "--name NAME --role "
       "agency|township|village|bureau|provider|finance|admin "
       "--org ORGANISATION [--request-id ID]",
       "evalctl admin principal add --name village-v03 --role village --org "
       "V03",
       {"name", "role", "org", "request-id"},
       {},
       [](Session& s, const Args& a) {
         v1::CreatePrincipalRequest r;
         EVALD_TRY_FLAG(name, a.Required("name"));
         EVALD_TRY_FLAG(role, a.Required("role"));
         EVALD_TRY_FLAG(org, a.Required("org"));
         r.set_name(*name);
         r.set_role(*role);
         r.set_organisation(*org);
         r.set_request_id(RequestId(s, a));
         v1::CreatePrincipalResponse reply;
         if (!Call(s, &Stub::CreatePrincipal, r, &reply)) return kRefused;
         if (reply.token().empty()) {
           *s.err << "note: this request was already applied; the token is "
                     "shown only once\n";
         } else {
           *s.err << "note: store the token now: evald keeps only its hash\n";
         }
         Print(s, reply,
               FieldTable(
                   {{"name", reply.principal().name()},
                    {"role", reply.principal().role()},
                    {"organisation", reply.principal().organisation()},
                    {"token", reply.token().empty() ? "-" : reply.token()}}));
         return kOk;
       }},
      {"principal",
       "list",
       "List principals, without secrets (admin).",
       "",
       "evalctl admin principal list",
       {},
       {},
       [](Session& s, const Args&) {
         v1::ListPrincipalsResponse reply;
         if (!Call(s, &Stub::ListPrincipals, v1::ListPrincipalsRequest(),
                   &reply)) {
           return kRefused;
         }
         Table t;
         t.headers = {"NAME",          "ROLE",       "ORGANISATION",
                      "TOKEN SHA-256", "CREATED BY", "REVOKED"};
         for (const v1::PrincipalInfo& p : reply.principals()) {
           t.rows.push_back({p.name(), p.role(), p.organisation(),
                             p.token_hash_prefix() + "…", p.created_by(),
                             p.revoked() ? "yes" : "no"});
         }
         Print(s, reply, t);
         return kOk;
       }},
      {"principal",
       "revoke",
       "Revoke a principal's token, at once (admin).",
       "--name NAME [--request-id ID]",
       "evalctl admin principal revoke --name village-v03",
       {"name", "request-id"},
       {},
       [](Session& s, const Args& a) {
         v1::RevokePrincipalRequest r;
         EVALD_TRY_FLAG(name, a.Required("name"));
         r.set_name(*name);
         r.set_request_id(RequestId(s, a));
         v1::PrincipalInfo reply;
         const bool ok = Call(s, &Stub::RevokePrincipal, r, &reply);
         return Submit(
             s, ok, reply,
             FieldTable({{"name", reply.name()},
                         {"role", reply.role()},
                         {"revoked", reply.revoked() ? "yes" : "no"}}));
       }},
      {"import",
       "",
       "Submit a CSV batch of scores and financial evaluations.",
       "FILE.csv [--continue-on-error]",
       "evalctl import scores-2025-mid.csv",
       {},
       {"continue-on-error"},
       nullptr},  // handled by RunImport
  };
  return *commands;
}

std::string CommandName(const Command& c) {
  return *c.verb ? absl::StrCat(c.noun, " ", c.verb) : c.noun;
}

void PrintTopHelp(std::ostream& out) {
  out << "evalctl: the client of evald, the four-party evaluation service.\n\n"
         "Usage: evalctl [global flags] NOUN VERB [flags]\n\n"
         "Global flags:\n"
         "  --server HOST:PORT   evald address (default $EVAL_SERVER, then "
         "127.0.0.1:50051)\n"
         "  --token TOKEN        bearer token (default $EVAL_TOKEN)\n"
         "  -o, --output FORMAT  table (default), json or csv\n"
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

// ------------------------------------------------------------------ Import

int RunImport(Session& s, const Args& args) {
  if (args.positional().size() != 2) {
    *s.err << "error: import takes one FILE.csv (see --help)\n";
    return kUsage;
  }
  const std::string path = args.positional()[1];
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
  ParsedImport parsed = ParseImport(name, text, *range);
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
  if (s.output == "json") {
    *s.out << "{\"rows\":" << total + parsed.problems.size()
           << ",\"accepted\":" << sent << ",\"refused\":" << refused
           << ",\"invalid\":" << parsed.problems.size()
           << ",\"not_sent\":" << skipped << "}\n";
  } else if (s.output == "csv") {
    *s.out << RenderCsv(t);
  } else {
    *s.out << RenderText(t);
  }
  return refused == 0 && parsed.problems.empty() ? kOk : kRefused;
}

std::string ReadFileOr(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

// TLS when --ca-file is given (verifying evald against that CA, and
// presenting --cert-file/--key-file for mTLS); plaintext otherwise.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const Args& args) {
  const std::string ca = args.GetOr("ca-file", "");
  const std::string cert = args.GetOr("cert-file", "");
  const std::string key = args.GetOr("key-file", "");
  if (ca.empty()) {
    if (!cert.empty() || !key.empty()) {
      return absl::InvalidArgumentError(
          "--cert-file and --key-file need --ca-file (TLS)");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError("--cert-file and --key-file go together");
  }
  grpc::SslCredentialsOptions options;
  bool ok = true;
  options.pem_root_certs = ReadFileOr(ca, &ok);
  if (!ok) return absl::InvalidArgumentError("--ca-file: cannot read " + ca);
  if (!cert.empty()) {
    options.pem_cert_chain = ReadFileOr(cert, &ok);
    if (!ok)
      return absl::InvalidArgumentError("--cert-file: cannot read " + cert);
    options.pem_private_key = ReadFileOr(key, &ok);
    if (!ok)
      return absl::InvalidArgumentError("--key-file: cannot read " + key);
  }
  return grpc::SslCredentials(options);
}

}  // namespace

int RunEvalctl(const std::vector<std::string>& argv,
               const std::string& env_server, const std::string& env_token,
               std::ostream& out, std::ostream& err) {
  std::set<std::string> booleans = {"help"};
  for (const Command& c : Commands())
    booleans.insert(c.booleans.begin(), c.booleans.end());
  absl::StatusOr<Args> args = Args::Parse(argv, booleans);
  if (!args.ok()) {
    err << "error: " << args.status().message() << " (see --help)\n";
    return kUsage;
  }
  std::vector<std::string> words = args->positional();
  // "evalctl admin principal add" reads as "evalctl principal add".
  if (!words.empty() && words[0] == "admin") words.erase(words.begin());
  if (words.empty()) {
    PrintTopHelp(args->Has("help") ? out : err);
    return args->Has("help") ? kOk : kUsage;
  }

  const Command* command = nullptr;
  bool noun_known = false;
  for (const Command& c : Commands()) {
    if (words[0] != c.noun) continue;
    noun_known = true;
    if (*c.verb == '\0' || (words.size() > 1 && words[1] == c.verb)) {
      command = &c;
      break;
    }
  }
  if (command == nullptr) {
    if (noun_known) {
      if (args->Has("help") && words.size() == 1) {
        PrintNounHelp(words[0], out);
        return kOk;
      }
      err << "error: unknown command \"" << absl::StrJoin(words, " ") << "\"\n";
      PrintNounHelp(words[0], err);
    } else {
      err << "error: unknown command \"" << words[0]
          << "\" (run 'evalctl --help' for the list)\n";
    }
    return kUsage;
  }
  if (args->Has("help")) {
    PrintCommandHelp(*command, out);
    return kOk;
  }
  // import checks its FILE argument itself (RunImport).
  const bool is_import = std::string(command->noun) == "import";
  const size_t expected_words = *command->verb ? 2 : 1;
  if (!is_import && words.size() != expected_words) {
    err << "error: unexpected argument \"" << words.back() << "\" (see evalctl "
        << CommandName(*command) << " --help)\n";
    return kUsage;
  }
  const std::set<std::string> global = {
      "server",  "token",     "output",   "timeout",        "help",
      "ca-file", "cert-file", "key-file", "tls-server-name"};
  for (const std::string& name : args->Names()) {
    if (!global.count(name) && !command->flags.count(name) &&
        !command->booleans.count(name)) {
      err << "error: unknown flag --" << name << " for evalctl "
          << CommandName(*command) << " (see --help)\n";
      return kUsage;
    }
  }

  Session s;
  s.out = &out;
  s.err = &err;
  s.output = args->GetOr("output", "table");
  if (s.output != "table" && s.output != "json" && s.output != "csv") {
    err << "error: -o/--output: want table, json or csv\n";
    return kUsage;
  }
  absl::StatusOr<int> timeout = args->Int("timeout", 30);
  if (!timeout.ok() || *timeout <= 0) {
    err << "error: --timeout: want a positive whole number of seconds\n";
    return kUsage;
  }
  s.timeout_seconds = *timeout;
  s.token = args->GetOr("token", env_token);
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
  if (is_import) return RunImport(s, *args);
  return command->run(s, *args);
}

}  // namespace evald::client
