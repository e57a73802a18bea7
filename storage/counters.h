// The dashboard counters of the summary column family: what one record
// adds to them. Store::Commit merges the difference a write makes (the new
// record's counters minus the previous record's), so a counter is always
// the sum over the records stored; Store::Open rebuilds them all from the
// records when it upgrades a format-2 directory.
//
// Keys are {township}/{year:04}/{family}/{name} (keys::Summary), year being
// the calendar year the service year starts:
//   state/{STATE}        evaluations in that state
//   grade/{GRADE}        evaluations whose result stands (not provisional)
//   score/{points:03}    those results by whole points of S ("086")
//   opened/{YYYY-MM-DD}  OPEN evaluations of running contracts, by the day
//                        their window opens: late once that day has come
//   due/{YYYY-MM-DD}     DUE tranches by due date: overdue after it
//   due-fen/{YYYY-MM-DD} their amounts in fen
//   held/count, held/fen HELD tranches and their amounts
// Dates sort as text, so "late as of D" and "overdue as of D" are sums over
// a key range, whatever the size of the district.

#ifndef EVALD_STORAGE_COUNTERS_H_
#define EVALD_STORAGE_COUNTERS_H_

#include <cstdint>
#include <map>
#include <string>

#include "evaluation/v1/evaluation.pb.h"

namespace evald::storage {

using Counters = std::map<std::string, int64_t>;

// Adds `sign` (+1 or -1) times the evaluation's counters to `out`. An
// evaluation of a terminated contract is late for nobody, so it adds no
// opened/ counter.
void AddCounters(const evaluation::v1::Evaluation& e, bool contract_terminated,
                 int sign, Counters& out);

// Adds `sign` times the tranche's counters to `out`.
void AddCounters(const evaluation::v1::Disbursement& d, int sign,
                 Counters& out);

}  // namespace evald::storage

#endif  // EVALD_STORAGE_COUNTERS_H_
