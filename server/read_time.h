// Fields a reply computes when it is read, as of a day: never stored, so a
// stored record or reply never shows yesterday's "days left".

#ifndef EVALD_SERVER_READ_TIME_H_
#define EVALD_SERVER_READ_TIME_H_

#include "evaluation/v1/evaluation.pb.h"
#include "scoring/date.h"

namespace evald::server {

// as_of, window_open and, for a RECTIFYING phase, deadline_passed with
// days_overdue or days_left (RULES.md §7: a lapsed deadline shows on every
// read).
void AddReadTimeFields(scoring::Date as_of, evaluation::v1::Evaluation& e);

// overdue: DUE and past its due date (scoring::Overdue).
void AddReadTimeFields(scoring::Date as_of, evaluation::v1::Disbursement& d);

}  // namespace evald::server

#endif  // EVALD_SERVER_READ_TIME_H_
