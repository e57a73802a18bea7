// evalctl today: what the caller's role has to do now, most urgent first.
// Built from the reads every role already has (late parties, evaluations
// by state and deadline, tranches due); WhoAmI says which role asks.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/command.h"
#include "client/flags.h"
#include "client/format.h"
#include "client/names.h"
#include "evalctl/v1/output.pb.h"

namespace evald::client {
namespace {

using evalctl::v1::TodayItem;

std::string PhaseId(const std::string& project, int year, v1::Phase phase) {
  return absl::StrCat(project, "/", year, "/",
                      phase == v1::FINAL ? "final" : "mid-term");
}

// The order a clerk works in: what is already late first.
int Urgency(const std::string& kind) {
  static const std::vector<std::string> kOrder = {
      "overdue",  "lapsed", "late",   "submit",   "veto",
      "deadline", "apply",  "decide", "finalise", "due"};
  auto it = std::find(kOrder.begin(), kOrder.end(), kind);
  return static_cast<int>(it - kOrder.begin());
}

class Today {
 public:
  Today(Session& s, const std::string& as_of, int within)
      : s_(s), as_of_(as_of), within_(within) {}

  bool Late(const std::function<bool(const std::string&)>& mine) {
    v1::ListLatePartiesRequest r;
    r.set_as_of(as_of_);
    v1::ListLatePartiesResponse all;
    if (!ListAll(s_, &Stub::ListLateParties, r, &all)) return false;
    for (const v1::LateEntry& e : all.late()) {
      std::vector<std::string> owed;
      for (const std::string& m : e.missing()) {
        if (mine(m)) owed.push_back(m);
      }
      if (owed.empty()) continue;
      Add(mine("*") ? "late" : "submit",
          PhaseId(e.project_id(), e.year(), e.phase()), e.opens_on(),
          absl::StrCat("missing ", absl::StrJoin(owed, ", "), "; open ",
                       e.days_late(), e.days_late() == 1 ? " day" : " days"));
    }
    return true;
  }

  // RECTIFYING phases: the deadline soon, or lapsed.
  bool Deadlines(bool provider) {
    v1::ListEvaluationsRequest r;
    r.set_as_of(as_of_);
    r.set_state(v1::RECTIFYING);
    v1::ListEvaluationsResponse all;
    if (!ListAll(s_, &Stub::ListEvaluations, r, &all)) return false;
    for (const v1::Evaluation& e : all.evaluations()) {
      const std::string id = PhaseId(e.project_id(), e.year(), e.phase());
      if (!e.application_date().empty()) continue;  // applied: re-evaluation
      if (e.deadline_passed()) {
        if (!provider) {
          Add("lapsed", id, e.rectification_deadline(),
              absl::StrCat("no application, lapsed ", e.days_overdue(),
                           " days ago: evalctl rectification expire"));
        }
      } else if (provider) {
        Add("apply", id, e.rectification_deadline(),
            absl::StrCat(e.days_left(),
                         " days left to apply: evalctl "
                         "rectification apply"));
      } else if (e.days_left() <= within_) {
        Add("deadline", id, e.rectification_deadline(),
            absl::StrCat(e.days_left(), " days left"));
      }
    }
    return true;
  }

  bool ByState(v1::EvaluationState state, const std::string& kind,
               const std::string& detail) {
    v1::ListEvaluationsRequest r;
    r.set_as_of(as_of_);
    r.set_state(state);
    v1::ListEvaluationsResponse all;
    if (!ListAll(s_, &Stub::ListEvaluations, r, &all)) return false;
    for (const v1::Evaluation& e : all.evaluations()) {
      const std::string id = PhaseId(e.project_id(), e.year(), e.phase());
      for (const v1::VetoFinding& v : e.vetoes()) {
        if (kind == "finalise" && v.status() == v1::RAISED) {
          Add("veto", id, "",
              absl::StrCat("veto ", v.veto_id(), " (", v.code(),
                           ") awaits the bureau: evalctl veto confirm | "
                           "dismiss"));
        }
      }
      Add(kind, id, e.opens_on(), detail);
    }
    return true;
  }

  bool Money() {
    v1::ListDisbursementsRequest r;
    r.set_as_of(as_of_);
    r.set_state(v1::DUE);
    v1::ListDisbursementsResponse all;
    if (!ListAll(s_, &Stub::ListDisbursements, r, &all)) return false;
    for (const v1::Disbursement& d : all.disbursements()) {
      const std::string id =
          absl::StrCat(d.project_id(), "/", d.year(), "/",
                       d.kind() == v1::YEAR_START         ? "year-start"
                       : d.kind() == v1::MID_TERM_TRANCHE ? "mid-term"
                                                          : "final",
                       " tranche");
      if (d.overdue()) {
        Add("overdue", id, d.due_date(),
            absl::StrCat(Yuan(d.amount_fen()), " yuan, was due ",
                         d.due_date()));
      } else if (d.due_date() <= days_ahead_) {
        Add("due", id, d.due_date(),
            absl::StrCat(Yuan(d.amount_fen()), " yuan, payable from ",
                         d.payable_from()));
      }
    }
    return true;
  }

  void set_days_ahead(const std::string& last_day) { days_ahead_ = last_day; }

  int Print(const v1::PrincipalInfo& caller, const std::string& as_of) {
    std::stable_sort(items_.begin(), items_.end(),
                     [](const TodayItem& a, const TodayItem& b) {
                       return Urgency(a.kind()) < Urgency(b.kind());
                     });
    evalctl::v1::Today doc;
    doc.set_as_of(as_of);
    *doc.mutable_caller() = caller;
    Table table{{"WHAT", "SUBJECT", "DATE", "DETAIL"}, {}};
    for (const TodayItem& item : items_) {
      *doc.add_items() = item;
      table.rows.push_back({item.kind(), item.subject(),
                            item.date().empty() ? "-" : item.date(),
                            item.detail()});
    }
    if (s_.output == OutputFormat::kTable) {
      const std::map<std::string, std::string>& names = OrganisationNames(s_);
      auto name = names.find(caller.organisation());
      *s_.out << "today " << as_of << " for " << caller.name() << " ("
              << caller.role() << ", " << caller.organisation()
              << (name != names.end() && name->second != caller.organisation()
                      ? " " + name->second
                      : "")
              << "): " << items_.size()
              << (items_.size() == 1 ? " thing" : " things") << " to do\n";
      if (items_.empty()) return kOk;
    }
    Print(doc, table);
    return kOk;
  }

 private:
  void Add(const std::string& kind, const std::string& subject,
           const std::string& date, const std::string& detail) {
    TodayItem item;
    item.set_kind(kind);
    item.set_subject(subject);
    item.set_date(date);
    item.set_detail(detail);
    items_.push_back(std::move(item));
  }
  void Print(const google::protobuf::Message& doc, const Table& table) {
    client::Print(s_, doc, table);
  }

  Session& s_;
  std::string as_of_;
  int within_;
  std::string days_ahead_;
  std::vector<TodayItem> items_;
};

int RunToday(Session& s, const Args& a) {
  EVALD_TRY_FLAG(within, ParseDays("--within", a.GetOr("within", "7d")));
  // The day every list is read as of: --as-of, else today in China.
  EVALD_TRY_FLAG(as_of, DaysAfter("--as-of", a.GetOr("as-of", ""), 0));
  EVALD_TRY_FLAG(last, DaysAfter("--as-of", *as_of, *within));
  v1::PrincipalInfo caller;
  if (!Call(s, &Stub::WhoAmI, v1::WhoAmIRequest(), &caller)) return kRefused;
  Today today(s, *as_of, *within);
  today.set_days_ahead(*last);
  const std::string& role = caller.role();
  const std::string org = caller.organisation();
  bool ok = true;
  if (role == "bureau" || role == "admin") {
    ok = today.Late([](const std::string&) { return true; }) &&
         today.Deadlines(false) &&
         today.ByState(v1::SCORED, "finalise",
                       "every submission is in: evalctl evaluation finalize "
                       "(--dry-run first)");
  } else if (role == "finance") {
    ok = today.Money();
  } else if (role == "agency") {
    ok = today.Late([](const std::string& m) {
      return m == "third_party" || m == "financial";
    }) && today.ByState(v1::REEVALUATING, "decide",
                        "re-evaluate after rectification: evalctl "
                        "rectification decide");
  } else if (role == "township") {
    ok = today.Late([](const std::string& m) { return m == "township"; });
  } else if (role == "village") {
    ok = today.Late(
        [&org](const std::string& m) { return m == "village:" + org; });
  } else if (role == "provider") {
    ok = today.Deadlines(true);
  }
  if (!ok) return kRefused;
  return today.Print(caller, *as_of);
}

}  // namespace

std::vector<Command> TodayCommands() {
  return {{"today",
           "",
           "What your role has to do now, most urgent first: late "
           "submissions, vetoes to decide, phases to finalise, deadlines, "
           "money due.",
           "[--as-of YYYY-MM-DD] [--within 7d]",
           "evalctl today --within 14d",
           {"as-of", "within"},
           {},
           false,
           RunToday}};
}

}  // namespace evald::client
