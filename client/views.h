// The tables evalctl shows people for each kind of reply (-o table and
// -o csv). Scripts read -o json instead (output.h), whose shape these
// tables do not affect.

#ifndef EVALD_CLIENT_VIEWS_H_
#define EVALD_CLIENT_VIEWS_H_

#include <map>
#include <string>
#include <vector>

#include "client/table.h"
#include "evaluation/v1/evaluation.pb.h"

namespace evald::client {

namespace v1 = ::evaluation::v1;

// A two-column FIELD / VALUE table.
Table FieldTable(std::vector<std::vector<std::string>> rows);

Table ProjectDetail(const v1::Project& p);
Table ProjectList(const v1::ListProjectsResponse& r);

Table EvaluationDetail(const v1::Evaluation& e);
Table EvaluationList(const v1::ListEvaluationsResponse& r);
Table LateList(const v1::ListLatePartiesResponse& r);

Table DisbursementList(
    const google::protobuf::RepeatedPtrField<v1::Disbursement>& tranches);

// The finance clerk's list: DisbursementList with the station's name
// (`names`: project id -> name), days overdue as of `as_of` (YYYY-MM-DD),
// and when and by whom each was released.
Table DisbursementWorkList(
    const google::protobuf::RepeatedPtrField<v1::Disbursement>& tranches,
    const std::map<std::string, std::string>& names, const std::string& as_of);

// Under a table of tranches: the total in yuan, by state, and what a
// due date marked * means.
std::string DisbursementFooter(
    const google::protobuf::RepeatedPtrField<v1::Disbursement>& tranches);

Table SummaryTable(const v1::Summary& s);
Table AuditTable(const v1::ListAuditEventsResponse& r);
Table PolicyTable(const v1::Policy& p);

// "P1/2025/mid-term".
std::string EvaluationId(const v1::Evaluation& e);

// A RECTIFYING phase's deadline and how it stands as of the read:
// "2026-01-19 (12 days left)", "2025-01-19 (lapsed 356 days ago)".
std::string DeadlineText(const v1::Evaluation& e);

}  // namespace evald::client

#endif  // EVALD_CLIENT_VIEWS_H_
