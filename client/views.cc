#include "client/views.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "client/format.h"

namespace evald::client {
namespace {

std::string PartyText(const v1::PartyScore& p) {
  if (p.score().empty()) return "-";
  return absl::StrCat(p.score(), " (", p.submitted_by(), ", v", p.version(),
                      ")");
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

void AddResultRows(const v1::Result& r, const std::string& prefix,
                   std::vector<std::vector<std::string>>& rows) {
  rows.push_back(
      {prefix + "score", absl::StrCat(r.score(), " (exact ", r.score_exact(),
                                      "; village mean ", r.village_mean(), ")",
                                      r.provisional() ? " provisional" : "")});
  rows.push_back({prefix + "grade", GradeText(r.grade())});
  rows.push_back({prefix + "outcome", v1::Outcome_Name(r.outcome())});
  if (!r.result_date().empty()) {
    rows.push_back({prefix + "result_date", r.result_date()});
  }
  for (const std::string& reason : r.reasons()) {
    rows.push_back({prefix + "reason", reason});
  }
  for (const std::string& pending : r.pending()) {
    rows.push_back({prefix + "pending", pending});
  }
}

}  // namespace

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
      {"agency", OrDash(p.agency())},
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
                      Yuan(p.annual_fund_fen()), OrDash(p.agency()),
                      p.terminated() ? "yes" : "no"});
  }
  return t;
}

std::string EvaluationId(const v1::Evaluation& e) {
  return absl::StrCat(e.project_id(), "/", e.year(), "/", PhaseName(e.phase()));
}

std::string DeadlineText(const v1::Evaluation& e) {
  if (e.rectification_deadline().empty()) return "-";
  if (e.state() != v1::RECTIFYING) return e.rectification_deadline();
  if (e.deadline_passed()) {
    return absl::StrCat(e.rectification_deadline(), " (lapsed ",
                        e.days_overdue(),
                        e.days_overdue() == 1 ? " day ago)" : " days ago)");
  }
  return absl::StrCat(e.rectification_deadline(), " (", e.days_left(),
                      e.days_left() == 1 ? " day left)" : " days left)");
}

Table EvaluationDetail(const v1::Evaluation& e) {
  std::vector<std::vector<std::string>> rows = {
      {"evaluation", EvaluationId(e)},
      {"state", v1::EvaluationState_Name(e.state())},
      {"policy", e.policy_id()},
      {"opens_on", OrDash(e.opens_on())},
      // The agency's mark that a failure can be rectified decides between
      // rectification and termination: shown where the score is.
      {"third_party",
       absl::StrCat(PartyText(e.third_party()), e.professional_rectifiable()
                                                    ? ", marked rectifiable"
                                                    : "")},
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
         absl::StrCat(
             e.financial().score(), " (", e.financial().submitted_by(), ", v",
             e.financial().version(), ")",
             e.financial().rectifiable() ? ", marked rectifiable" : "")});
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
                      " (raised by ", v.raised_by(),
                      v.decided_by().empty() ? "" : ", decided by ",
                      v.decided_by(), "): ", v.evidence(),
                      v.decision_reason().empty()
                          ? ""
                          : absl::StrCat(" / ", v.decision_reason()))});
  }
  if (e.has_result()) AddResultRows(e.result(), "", rows);
  if (!e.rectification_deadline().empty()) {
    rows.push_back({"rectification_deadline", DeadlineText(e)});
  }
  if (!e.application_date().empty()) {
    rows.push_back({"application_date", e.application_date()});
  }
  if (!e.reevaluation_date().empty()) {
    rows.push_back({"reevaluation_date", e.reevaluation_date()});
  }
  for (int i = 0; i < e.history_size(); ++i) {
    const v1::Result& h = e.history(i);
    const std::string prefix = absl::StrCat("history ", i + 1, " ");
    rows.push_back({absl::StrCat("history ", i + 1),
                    absl::StrCat("superseded ", h.superseded_on(), ": ",
                                 h.superseded_because())});
    AddResultRows(h, prefix, rows);
  }
  for (const std::string& effect : e.effects()) {
    rows.push_back({"effect", effect});
  }
  return FieldTable(std::move(rows));
}

Table EvaluationList(const v1::ListEvaluationsResponse& r) {
  Table t;
  t.headers = {"EVALUATION", "TOWNSHIP", "STATE",  "SCORE",
               "GRADE",      "DEADLINE", "MISSING"};
  // Why a phase is in rectification or failed, when one of them is: the
  // clerk's next question, answered in the list.
  auto failing = [](const v1::Evaluation& e) {
    return e.state() == v1::RECTIFYING || e.state() == v1::REEVALUATING ||
           e.state() == v1::FAILED;
  };
  const bool reasons =
      std::any_of(r.evaluations().begin(), r.evaluations().end(), failing);
  if (reasons) t.headers.push_back("REASONS");
  for (const v1::Evaluation& e : r.evaluations()) {
    std::vector<std::string> row = {
        EvaluationId(e),
        e.township(),
        v1::EvaluationState_Name(e.state()),
        e.has_result() ? absl::StrCat(e.result().score(),
                                      e.result().provisional() ? "?" : "")
                       : "-",
        e.has_result() ? GradeText(e.result().grade()) : "-",
        DeadlineText(e),
        e.missing().empty() ? "-" : absl::StrJoin(e.missing(), ",")};
    if (reasons) {
      row.push_back(failing(e) && e.result().reasons_size() > 0
                        ? absl::StrJoin(e.result().reasons(), "; ")
                        : "-");
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table LateList(const v1::ListLatePartiesResponse& r) {
  Table t;
  t.headers = {"EVALUATION", "TOWNSHIP", "OPENED", "DAYS LATE", "MISSING"};
  for (const v1::LateEntry& e : r.late()) {
    t.rows.push_back(
        {absl::StrCat(e.project_id(), "/", e.year(), "/", PhaseName(e.phase())),
         e.township(), OrDash(e.opens_on()), absl::StrCat(e.days_late()),
         absl::StrJoin(e.missing(), ", ")});
  }
  return t;
}

Table DisbursementList(
    const google::protobuf::RepeatedPtrField<v1::Disbursement>& tranches) {
  Table t;
  t.headers = {"TRANCHE", "TOWNSHIP", "AMOUNT (YUAN)", "STATE",
               "DUE",     "OVERDUE",  "REFERENCE"};
  bool held = false;
  for (const v1::Disbursement& d : tranches) held |= !d.hold_reason().empty();
  if (held) t.headers.push_back("NOTE");
  for (const v1::Disbursement& d : tranches) {
    std::vector<std::string> row = {
        absl::StrCat(d.project_id(), "/", d.year(), "/", TrancheName(d.kind())),
        d.township(),
        Yuan(d.amount_fen()),
        v1::DisbursementState_Name(d.state()),
        d.due_date().empty()
            ? "-"
            : absl::StrCat(d.due_date(), d.due_date_provisional() ? "*" : ""),
        d.overdue() ? "yes" : "no",
        OrDash(d.payment_reference())};
    if (held) row.push_back(OrDash(d.hold_reason()));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table DisbursementWorkList(
    const google::protobuf::RepeatedPtrField<v1::Disbursement>& tranches,
    const std::map<std::string, std::string>& names, const std::string& as_of) {
  Table t = DisbursementList(tranches);
  t.headers.insert(t.headers.begin() + 1, "NAME");
  t.headers.push_back("RELEASED");
  absl::CivilDay today;
  const bool dated = absl::ParseCivilTime(as_of, &today);
  for (int i = 0; i < tranches.size(); ++i) {
    const v1::Disbursement& d = tranches[i];
    std::vector<std::string>& row = t.rows[i];
    auto name = names.find(d.project_id());
    row.insert(row.begin() + 1, name == names.end() ? "-" : name->second);
    absl::CivilDay due;
    if (d.overdue() && dated && absl::ParseCivilTime(d.due_date(), &due)) {
      const int64_t days = today - due;
      row[6] = absl::StrCat("yes (", days, days == 1 ? " day)" : " days)");
    }
    row.push_back(d.released_on().empty()
                      ? "-"
                      : absl::StrCat(d.released_on(), " by ", d.released_by()));
  }
  return t;
}

std::string DisbursementFooter(
    const google::protobuf::RepeatedPtrField<v1::Disbursement>& tranches) {
  int64_t total = 0;
  bool provisional = false;
  std::map<v1::DisbursementState, int64_t> by_state;
  for (const v1::Disbursement& d : tranches) {
    total += d.amount_fen();
    by_state[d.state()] += d.amount_fen();
    provisional |= d.due_date_provisional();
  }
  std::vector<std::string> parts;
  for (const auto& [state, fen] : by_state) {
    parts.push_back(
        absl::StrCat(v1::DisbursementState_Name(state), " ", Yuan(fen)));
  }
  std::string out =
      absl::StrCat("total: ", tranches.size(),
                   tranches.size() == 1 ? " tranche, " : " tranches, ",
                   Yuan(total), " yuan", parts.empty() ? "" : " (",
                   absl::StrJoin(parts, "; "), parts.empty() ? "" : ")", "\n");
  if (provisional) {
    absl::StrAppend(&out,
                    "* provisional: the due date falls in a year whose "
                    "holiday calendar is not yet published; it may move "
                    "when it is\n");
  }
  return out;
}

Table SummaryTable(const v1::Summary& s) {
  const std::vector<std::string> states = {
      "OPEN",       "SCORED",       "PASSED",
      "RECTIFYING", "REEVALUATING", "PASSED_AFTER_RECTIFICATION",
      "FAILED"};
  const std::vector<std::string> grades = {"EXCELLENT", "GOOD", "QUALIFIED",
                                           "QUALIFIED_AFTER_RECTIFICATION",
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
  // Times as the clerks live them, in China Standard Time (they are
  // stored in UTC; -o json keeps the stored RFC 3339 text).
  t.headers = {"SEQ",    "TIME (CST)", "PRINCIPAL",  "ROLE",
               "ACTION", "TARGET",     "REQUEST ID", "DETAIL"};
  for (const v1::AuditEvent& e : r.events()) {
    t.rows.push_back({absl::StrCat(e.sequence()), ChinaTime(e.time()),
                      e.principal(), e.role(), e.action(), e.target(),
                      e.request_id(), e.detail()});
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
      {"score_scale",
       absl::StrCat(p.score_scale().min(), " to ", p.score_scale().max(), ", ",
                    p.score_scale().decimals(), " decimals, rounded ",
                    evaluation::v1::Rounding_Name(p.score_scale().rounding()))},
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
      {"evaluation_windows",
       absl::StrCat("mid-term opens ",
                    p.evaluation_windows().mid_term_opens_after_months(),
                    " months, final ",
                    p.evaluation_windows().final_opens_after_months(),
                    " months after the service year starts")},
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

}  // namespace evald::client
