#include "storage/counters.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "storage/keys.h"

namespace evald::storage {

namespace v1 = ::evaluation::v1;

void AddCounters(const v1::Evaluation& e, bool contract_terminated, int sign,
                 Counters& out) {
  auto add = [&](absl::string_view family, absl::string_view name, int64_t n) {
    out[keys::Summary(e.township(), e.year(), family, name)] += sign * n;
  };
  add("state", v1::EvaluationState_Name(e.state()), 1);
  if (e.has_result() && !e.result().provisional() &&
      e.result().grade() != v1::GRADE_UNSPECIFIED) {
    add("grade", v1::Grade_Name(e.result().grade()), 1);
    // S is "86.40": its whole points, for the overview's spread.
    int points = 0;
    absl::string_view score = e.result().score();
    if (absl::SimpleAtoi(score.substr(0, score.find('.')), &points)) {
      add("score", absl::StrFormat("%03d", points), 1);
    }
  }
  if (e.state() == v1::OPEN && !contract_terminated && !e.opens_on().empty()) {
    add("opened", e.opens_on(), 1);
  }
}

void AddCounters(const v1::Disbursement& d, int sign, Counters& out) {
  auto add = [&](absl::string_view family, absl::string_view name, int64_t n) {
    out[keys::Summary(d.township(), d.year(), family, name)] += sign * n;
  };
  if (d.state() == v1::DUE && !d.due_date().empty()) {
    add("due", d.due_date(), 1);
    add("due-fen", d.due_date(), d.amount_fen());
  } else if (d.state() == v1::HELD) {
    add("held", "count", 1);
    add("held", "fen", d.amount_fen());
  }
}

}  // namespace evald::storage
