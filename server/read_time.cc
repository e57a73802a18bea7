#include "server/read_time.h"

#include "scoring/tranche.h"

namespace evald::server {

void AddReadTimeFields(scoring::Date as_of, evaluation::v1::Evaluation& e) {
  e.set_as_of(scoring::FormatDate(as_of));
  absl::StatusOr<scoring::Date> opens = scoring::ParseDate(e.opens_on());
  e.set_window_open(!opens.ok() || !(as_of < *opens));
  e.clear_deadline_passed();
  e.clear_days_overdue();
  e.clear_days_left();
  if (e.state() != evaluation::v1::RECTIFYING) return;
  absl::StatusOr<scoring::Date> deadline =
      scoring::ParseDate(e.rectification_deadline());
  if (!deadline.ok()) return;
  const int days = static_cast<int>(as_of - *deadline);
  e.set_deadline_passed(days > 0);
  if (days > 0) {
    e.set_days_overdue(days);
  } else {
    e.set_days_left(-days);
  }
}

void AddReadTimeFields(scoring::Date as_of, evaluation::v1::Disbursement& d) {
  absl::StatusOr<scoring::Date> due = scoring::ParseDate(d.due_date());
  d.set_overdue(d.state() == evaluation::v1::DUE && due.ok() &&
                scoring::OverdueOn(*due, as_of));
}

}  // namespace evald::server
