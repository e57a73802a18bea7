#include "storage/keys.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace evald::storage::keys {
namespace {

using evaluation::v1::Phase;
using evaluation::v1::TrancheKind;

std::string Year(int year) { return absl::StrFormat("%04d", year); }

absl::string_view PhaseKey(Phase phase) {
  return phase == evaluation::v1::MID_TERM ? "1-mid-term" : "2-final";
}

absl::string_view KindKey(TrancheKind kind) {
  switch (kind) {
    case evaluation::v1::YEAR_START:
      return "0-year-start";
    case evaluation::v1::MID_TERM_TRANCHE:
      return "1-mid-term";
    default:
      return "2-final";
  }
}

}  // namespace

std::string Project(absl::string_view project) {
  return absl::StrCat(kProjectPrefix, project);
}

std::string Evaluation(absl::string_view project, int year, Phase phase) {
  return absl::StrCat(EvaluationPrefix(project), Year(year), "/",
                      PhaseKey(phase));
}

std::string EvaluationPrefix(absl::string_view project) {
  return absl::StrCat(kEvaluationPrefix, project, "/");
}

std::string Tranche(absl::string_view project, int year, TrancheKind kind) {
  return absl::StrCat(TranchePrefix(project), Year(year), "/", KindKey(kind));
}

std::string TranchePrefix(absl::string_view project) {
  return absl::StrCat(kTranchePrefix, project, "/");
}

std::string Request(absl::string_view principal, absl::string_view request_id) {
  return absl::StrCat("req/", principal, "/", request_id);
}

std::string Principal(absl::string_view name) {
  return absl::StrCat(kPrincipalPrefix, name);
}

std::string Organisation(absl::string_view code) {
  return absl::StrCat(kOrganisationPrefix, code);
}

std::string OverdueMark(absl::string_view tranche) {
  return absl::StrCat("overdue/", tranche);
}

std::string Feed(int64_t cursor) {
  return absl::StrCat(kFeedPrefix, absl::StrFormat("%020d", cursor));
}

std::string ProjectByTownship(absl::string_view township,
                              absl::string_view project) {
  return absl::StrCat(ProjectByTownshipPrefix(township), project);
}

std::string ProjectByTownshipPrefix(absl::string_view township) {
  return absl::StrCat("pt/", township, "/");
}

std::string EvaluationByState(const evaluation::v1::Evaluation& e) {
  return absl::StrCat(EvaluationByStatePrefix(e.state()), e.project_id(), "/",
                      Year(e.year()), "/", PhaseKey(e.phase()));
}

std::string EvaluationByStatePrefix(evaluation::v1::EvaluationState state) {
  return absl::StrCat("es/", evaluation::v1::EvaluationState_Name(state), "/");
}

std::string DisbursementByState(const evaluation::v1::Disbursement& d) {
  return absl::StrCat(DisbursementByStatePrefix(d.state()), d.project_id(), "/",
                      Year(d.year()), "/", KindKey(d.kind()));
}

std::string DisbursementByStatePrefix(evaluation::v1::DisbursementState state) {
  return absl::StrCat("ds/", evaluation::v1::DisbursementState_Name(state),
                      "/");
}

std::string Audit(absl::string_view project, int64_t sequence) {
  return absl::StrCat(AuditPrefix(project), absl::StrFormat("%020d", sequence));
}

std::string AuditPrefix(absl::string_view project) {
  return absl::StrCat(project, "/");
}

std::string AuditTip(absl::string_view project) {
  return absl::StrCat("audit-tip/", project);
}

std::string Summary(absl::string_view township, int year,
                    absl::string_view family, absl::string_view name) {
  return absl::StrCat(township, "/", Year(year), "/", family, "/", name);
}

std::string PrefixEnd(absl::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;  // every key is below the empty "end": no upper bound
}

}  // namespace evald::storage::keys
