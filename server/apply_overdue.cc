// Applier::ApplyOverdue: evald's clock announcing that a DUE tranche has
// passed its due date, once per tranche and due date, so that the event
// feed tells finance (TRANCHE_OVERDUE) without anyone polling. It changes
// no record: it writes the announcement's mark and its audit event, which
// replay reproduces like any other command.

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "scoring/date.h"
#include "scoring/decimal.h"
#include "scoring/tranche.h"
#include "server/apply.h"
#include "server/convert.h"
#include "server/validate.h"

namespace evald::server {

absl::StatusOr<Applied> Applier::ApplyOverdue(v1::Command command,
                                              StateReader& reader) const {
  const v1::AnnounceOverdueRequest& r = command.announce_overdue();
  if (absl::Status s = ValidateId("project_id", r.project_id()); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::optional<v1::Project>> project =
      reader.Project(r.project_id());
  if (!project.ok()) return project.status();
  if (!*project) {
    return absl::NotFoundError(
        absl::StrCat("project ", r.project_id(), " not found"));
  }
  command.set_policy_id((*project)->policy_id());
  absl::StatusOr<std::vector<v1::Disbursement>> tranches =
      reader.Tranches(r.project_id());
  if (!tranches.ok()) return tranches.status();
  auto it = std::find_if(tranches->begin(), tranches->end(),
                         [&r](const v1::Disbursement& d) {
                           return d.year() == r.year() && d.kind() == r.kind();
                         });
  if (it == tranches->end()) {
    return absl::NotFoundError(
        absl::StrCat("project ", r.project_id(), " has no such tranche"));
  }
  const v1::Disbursement& tranche = *it;
  absl::StatusOr<scoring::Date> today = scoring::ParseDate(command.today());
  absl::StatusOr<scoring::Date> due = scoring::ParseDate(tranche.due_date());
  if (!today.ok()) return today.status();
  if (tranche.state() != v1::DUE || !due.ok() ||
      !scoring::OverdueOn(*due, *today)) {
    return absl::FailedPreconditionError(
        absl::StrCat(tranche.name(), " is not overdue on ", command.today()));
  }
  absl::StatusOr<std::optional<std::string>> mark =
      reader.OverdueMark(tranche.name());
  if (!mark.ok()) return mark.status();
  if (*mark && **mark == tranche.due_date()) {
    return absl::AlreadyExistsError(
        absl::StrCat(tranche.name(), " was already announced overdue for ",
                     tranche.due_date()));
  }

  Applied out;
  out.writes.overdue_marks.push_back({tranche.name(), tranche.due_date()});
  v1::Effect effect;
  v1::TrancheTransition* t = effect.mutable_tranche();
  t->set_name(tranche.name());
  t->set_from(v1::DUE);
  t->set_to(v1::DUE);
  t->set_amount_fen(tranche.amount_fen());
  t->set_due_date(tranche.due_date());
  t->set_due_date_provisional(tranche.due_date_provisional());
  t->set_payable_from(tranche.payable_from());
  const int64_t days = *today - *due;
  std::string detail =
      absl::StrCat(scoring::Money::FromFen(tranche.amount_fen()).ToYuanString(),
                   " yuan due ", tranche.due_date(), " is overdue: unpaid ",
                   days, days == 1 ? " day" : " days",
                   " after its due date, as of ", command.today());
  absl::StatusOr<ChainTip> tip = reader.Tip(r.project_id());
  if (!tip.ok()) return tip.status();
  out.writes.events.push_back(
      ChainedEvent(command, r.project_id(), "disbursement.overdue",
                   tranche.name(), {effect}, std::move(detail), *tip));
  out.tip = {out.writes.events.back().sequence(),
             out.writes.events.back().hash()};
  out.project = **project;
  out.reply = tranche;
  return out;
}

}  // namespace evald::server
