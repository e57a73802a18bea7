#include "server/convert.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace evald::server {

using scoring::FormatDate;

v1::Phase ToProto(scoring::Phase phase) {
  return phase == scoring::Phase::kMidTerm ? v1::MID_TERM : v1::FINAL;
}

scoring::Phase FromProto(v1::Phase phase) {
  return phase == v1::MID_TERM ? scoring::Phase::kMidTerm
                               : scoring::Phase::kFinal;
}

namespace {

constexpr std::pair<scoring::PhaseState, v1::EvaluationState> kStates[] = {
    {scoring::PhaseState::kOpen, v1::OPEN},
    {scoring::PhaseState::kScored, v1::SCORED},
    {scoring::PhaseState::kPassed, v1::PASSED},
    {scoring::PhaseState::kFailed, v1::FAILED},
    {scoring::PhaseState::kRectifying, v1::RECTIFYING},
    {scoring::PhaseState::kReevaluating, v1::REEVALUATING},
    {scoring::PhaseState::kPassedAfterRectification,
     v1::PASSED_AFTER_RECTIFICATION},
};

absl::Status Malformed(const v1::Evaluation& e, absl::string_view why) {
  return absl::DataLossError(
      absl::StrCat("stored evaluation ", e.name(), " is malformed: ", why));
}

// "59.995" -> 599950.
absl::StatusOr<int64_t> ParseExact(absl::string_view text) {
  const size_t dot = text.find('.');
  std::string digits(text.substr(0, dot));
  std::string frac(dot == absl::string_view::npos ? "" : text.substr(dot + 1));
  if (frac.size() > 4) return absl::InvalidArgumentError("too many decimals");
  frac.append(4 - frac.size(), '0');
  int64_t whole = 0, part = 0;
  if (!absl::SimpleAtoi(digits, &whole) || !absl::SimpleAtoi(frac, &part)) {
    return absl::InvalidArgumentError("not a number");
  }
  return whole * 10000 + part;
}

void SetParty(v1::PartyScore* out, scoring::Score score,
              const v1::PartyScore& previous) {
  *out = previous;
  out->set_score(score.ToString());
}

absl::StatusOr<scoring::Score> PartyFromProto(const v1::PartyScore& p) {
  return scoring::Score::Parse(p.score());
}

absl::StatusOr<std::optional<scoring::Date>> OptionalDate(
    const std::string& text) {
  if (text.empty()) return std::nullopt;
  absl::StatusOr<scoring::Date> d = scoring::ParseDate(text);
  if (!d.ok()) return d.status();
  return *d;
}

}  // namespace

v1::EvaluationState ToProto(scoring::PhaseState state) {
  for (const auto& [domain, wire] : kStates) {
    if (domain == state) return wire;
  }
  return v1::EVALUATION_STATE_UNSPECIFIED;
}

absl::StatusOr<scoring::PhaseState> FromProto(v1::EvaluationState state) {
  for (const auto& [domain, wire] : kStates) {
    if (wire == state) return domain;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("state: ", v1::EvaluationState_Name(state),
                   " is not an evaluation state"));
}

v1::Grade ToProto(scoring::Grade grade) {
  switch (grade) {
    case scoring::Grade::kExcellent:
      return v1::EXCELLENT;
    case scoring::Grade::kGood:
      return v1::GOOD;
    case scoring::Grade::kQualified:
      return v1::QUALIFIED;
    case scoring::Grade::kUnqualified:
      return v1::UNQUALIFIED;
  }
  return v1::GRADE_UNSPECIFIED;
}

namespace {
scoring::Grade GradeFromProto(v1::Grade grade) {
  switch (grade) {
    case v1::EXCELLENT:
      return scoring::Grade::kExcellent;
    case v1::GOOD:
      return scoring::Grade::kGood;
    case v1::QUALIFIED:
      return scoring::Grade::kQualified;
    default:
      return scoring::Grade::kUnqualified;
  }
}

scoring::Outcome OutcomeFromProto(v1::Outcome outcome) {
  switch (outcome) {
    case v1::PASS:
      return scoring::Outcome::kPass;
    case v1::FAIL_RECTIFIABLE:
      return scoring::Outcome::kFailRectifiable;
    default:
      return scoring::Outcome::kFailFinal;
  }
}
}  // namespace

v1::Outcome ToProto(scoring::Outcome outcome) {
  switch (outcome) {
    case scoring::Outcome::kPass:
      return v1::PASS;
    case scoring::Outcome::kFailRectifiable:
      return v1::FAIL_RECTIFIABLE;
    case scoring::Outcome::kFailFinal:
      return v1::FAIL_FINAL;
  }
  return v1::OUTCOME_UNSPECIFIED;
}

v1::VetoKind ToProto(scoring::VetoKind kind) {
  return kind == scoring::VetoKind::kProfessional ? v1::PROFESSIONAL
                                                  : v1::FINANCIAL;
}

v1::TrancheKind ToProto(scoring::TrancheKind kind) {
  switch (kind) {
    case scoring::TrancheKind::kYearStart:
      return v1::YEAR_START;
    case scoring::TrancheKind::kMidTerm:
      return v1::MID_TERM_TRANCHE;
    case scoring::TrancheKind::kFinal:
      return v1::FINAL_TRANCHE;
  }
  return v1::TRANCHE_KIND_UNSPECIFIED;
}

absl::StatusOr<scoring::TrancheKind> FromProto(v1::TrancheKind kind) {
  switch (kind) {
    case v1::YEAR_START:
      return scoring::TrancheKind::kYearStart;
    case v1::MID_TERM_TRANCHE:
      return scoring::TrancheKind::kMidTerm;
    case v1::FINAL_TRANCHE:
      return scoring::TrancheKind::kFinal;
    default:
      return absl::InvalidArgumentError(
          "kind: want YEAR_START, MID_TERM_TRANCHE or FINAL_TRANCHE");
  }
}

v1::DisbursementState ToProto(scoring::TrancheState state) {
  switch (state) {
    case scoring::TrancheState::kPending:
      return v1::PENDING;
    case scoring::TrancheState::kDue:
      return v1::DUE;
    case scoring::TrancheState::kWithheld:
      return v1::WITHHELD;
    case scoring::TrancheState::kReleased:
      return v1::RELEASED;
    case scoring::TrancheState::kForfeited:
      return v1::FORFEITED;
  }
  return v1::DISBURSEMENT_STATE_UNSPECIFIED;
}

std::string EvaluationName(absl::string_view project, int year,
                           scoring::Phase phase) {
  return absl::StrCat("projects/", project, "/years/", year, "/phases/",
                      scoring::PhaseName(phase));
}

std::string TrancheName(absl::string_view project, int year,
                        scoring::TrancheKind kind) {
  return absl::StrCat("projects/", project, "/years/", year, "/tranches/",
                      scoring::TrancheKindName(kind));
}

v1::Evaluation ToProto(const scoring::Evaluation& e,
                       const v1::Evaluation& previous) {
  v1::Evaluation out;
  out.set_name(EvaluationName(e.project_id, e.year, e.phase));
  out.set_project_id(e.project_id);
  out.set_year(e.year);
  out.set_service_year(e.service_year);
  out.set_phase(ToProto(e.phase));
  out.set_township(previous.township());
  out.set_policy_id(e.policy_id);
  out.set_state(ToProto(e.state));
  if (e.scores.third_party) {
    SetParty(out.mutable_third_party(), *e.scores.third_party,
             previous.third_party());
  }
  if (e.scores.township) {
    SetParty(out.mutable_township_score(), *e.scores.township,
             previous.township_score());
  }
  if (e.scores.bureau) {
    SetParty(out.mutable_bureau(), *e.scores.bureau, previous.bureau());
  }
  // Villages in the project's order, so that output is stable.
  for (const std::string& village : e.served_villages) {
    auto it = e.scores.villages.find(village);
    if (it == e.scores.villages.end()) continue;
    v1::VillageScore* v = out.add_villages();
    v->set_village(village);
    v1::PartyScore prev;
    for (const v1::VillageScore& p : previous.villages()) {
      if (p.village() == village) prev = p.score();
    }
    SetParty(v->mutable_score(), it->second, prev);
  }
  out.set_professional_rectifiable(e.professional_rectifiable);
  if (e.financial) {
    v1::FinancialEvaluation* f = out.mutable_financial();
    *f = previous.financial();
    f->set_score(e.financial->score.ToString());
    f->set_rectifiable(e.financial->rectifiable);
    const scoring::Expenditure& x = e.financial->expenditure;
    f->mutable_expenditure()->set_personnel_fen(x.personnel.fen());
    f->mutable_expenditure()->set_service_quality_fen(x.service_quality.fen());
    f->mutable_expenditure()->set_management_fen(x.management.fen());
    f->mutable_expenditure()->set_other_fen(x.other.fen());
  }
  for (size_t i = 0; i < e.vetoes.size(); ++i) {
    const scoring::VetoFinding& v = e.vetoes[i];
    v1::VetoFinding* out_v = out.add_vetoes();
    if (static_cast<int>(i) < previous.vetoes_size()) {
      out_v->set_decided_by(previous.vetoes(i).decided_by());
    }
    out_v->set_veto_id(v.id);
    out_v->set_kind(ToProto(v.kind));
    out_v->set_code(v.code);
    out_v->set_evidence(v.evidence);
    out_v->set_raised_by(v.raised_by);
    out_v->set_status(v.status == scoring::VetoStatus::kRaised ? v1::RAISED
                      : v.status == scoring::VetoStatus::kConfirmed
                          ? v1::CONFIRMED
                          : v1::DISMISSED);
    out_v->set_decision_reason(v.decision_reason);
  }
  for (const std::string& m : e.Missing()) out.add_missing(m);
  if (e.result) {
    const scoring::PhaseResult& r = *e.result;
    v1::Result* out_r = out.mutable_result();
    out_r->set_outcome(ToProto(r.outcome));
    out_r->set_score_exact(
        scoring::FormatExactScore(r.professional.exact_ten_thousandths));
    out_r->set_score(r.professional.rounded.ToString());
    out_r->set_village_mean(r.professional.village_mean.ToString());
    out_r->set_grade(ToProto(r.grade));
    out_r->set_professional_passed(r.professional_passed);
    out_r->set_financial_passed(r.financial.passed);
    for (const std::string& reason : r.reasons) out_r->add_reasons(reason);
    if (e.result_date) out_r->set_result_date(FormatDate(*e.result_date));
  }
  if (e.rectification_deadline) {
    out.set_rectification_deadline(FormatDate(*e.rectification_deadline));
  }
  if (e.application_date) {
    out.set_application_date(FormatDate(*e.application_date));
  }
  if (e.reevaluation_date) {
    out.set_reevaluation_date(FormatDate(*e.reevaluation_date));
  }
  if (e.failed_on) out.set_failed_on(FormatDate(*e.failed_on));
  out.set_reopen_count(e.reopen_count);
  out.set_submission_versions(e.submission_versions);
  return out;
}

absl::StatusOr<scoring::Evaluation> FromProto(const v1::Evaluation& p) {
  scoring::Evaluation e;
  e.project_id = p.project_id();
  e.year = p.year();
  e.service_year = p.service_year();
  e.phase = FromProto(p.phase());
  e.policy_id = p.policy_id();
  absl::StatusOr<scoring::PhaseState> state = FromProto(p.state());
  if (!state.ok()) return Malformed(p, state.status().message());
  e.state = *state;
  auto party = [&](const v1::PartyScore& s,
                   std::optional<scoring::Score>& out) -> absl::Status {
    if (s.score().empty()) return absl::OkStatus();
    absl::StatusOr<scoring::Score> score = PartyFromProto(s);
    if (!score.ok()) return Malformed(p, score.status().message());
    out = *score;
    return absl::OkStatus();
  };
  if (absl::Status s = party(p.third_party(), e.scores.third_party); !s.ok())
    return s;
  if (absl::Status s = party(p.township_score(), e.scores.township); !s.ok())
    return s;
  if (absl::Status s = party(p.bureau(), e.scores.bureau); !s.ok()) return s;
  for (const v1::VillageScore& v : p.villages()) {
    absl::StatusOr<scoring::Score> score = PartyFromProto(v.score());
    if (!score.ok()) return Malformed(p, score.status().message());
    e.scores.villages[v.village()] = *score;
  }
  e.professional_rectifiable = p.professional_rectifiable();
  if (p.has_financial()) {
    absl::StatusOr<scoring::Score> score =
        scoring::Score::Parse(p.financial().score());
    if (!score.ok()) return Malformed(p, score.status().message());
    scoring::FinancialSubmission f;
    f.score = *score;
    f.rectifiable = p.financial().rectifiable();
    const v1::Expenditure& x = p.financial().expenditure();
    f.expenditure.personnel = scoring::Money::FromFen(x.personnel_fen());
    f.expenditure.service_quality =
        scoring::Money::FromFen(x.service_quality_fen());
    f.expenditure.management = scoring::Money::FromFen(x.management_fen());
    f.expenditure.other = scoring::Money::FromFen(x.other_fen());
    e.financial = f;
  }
  for (const v1::VetoFinding& v : p.vetoes()) {
    scoring::VetoFinding f;
    f.id = v.veto_id();
    f.kind = v.kind() == v1::FINANCIAL ? scoring::VetoKind::kFinancial
                                       : scoring::VetoKind::kProfessional;
    f.code = v.code();
    f.evidence = v.evidence();
    f.raised_by = v.raised_by();
    f.status = v.status() == v1::CONFIRMED   ? scoring::VetoStatus::kConfirmed
               : v.status() == v1::DISMISSED ? scoring::VetoStatus::kDismissed
                                             : scoring::VetoStatus::kRaised;
    f.decision_reason = v.decision_reason();
    e.vetoes.push_back(std::move(f));
  }
  if (p.has_result()) {
    const v1::Result& r = p.result();
    scoring::PhaseResult out;
    out.outcome = OutcomeFromProto(r.outcome());
    absl::StatusOr<int64_t> exact = ParseExact(r.score_exact());
    absl::StatusOr<scoring::Score> rounded = scoring::Score::Parse(r.score());
    absl::StatusOr<scoring::Score> mean =
        scoring::Score::Parse(r.village_mean());
    if (!exact.ok() || !rounded.ok() || !mean.ok()) {
      return Malformed(p, "result scores");
    }
    out.professional.exact_ten_thousandths = *exact;
    out.professional.rounded = *rounded;
    out.professional.village_mean = *mean;
    // Only the grade after vetoes is stored; nothing re-reads the other.
    out.grade = GradeFromProto(r.grade());
    out.professional.grade = out.grade;
    out.professional_passed = r.professional_passed();
    out.financial.passed = r.financial_passed();
    out.reasons.assign(r.reasons().begin(), r.reasons().end());
    e.result = std::move(out);
  }
  auto date = [&](const std::string& text,
                  std::optional<scoring::Date>& out) -> absl::Status {
    absl::StatusOr<std::optional<scoring::Date>> d = OptionalDate(text);
    if (!d.ok()) return Malformed(p, d.status().message());
    out = *d;
    return absl::OkStatus();
  };
  for (auto [text, field] :
       {std::pair{&p.result().result_date(), &e.result_date},
        std::pair{&p.rectification_deadline(), &e.rectification_deadline},
        std::pair{&p.application_date(), &e.application_date},
        std::pair{&p.reevaluation_date(), &e.reevaluation_date},
        std::pair{&p.failed_on(), &e.failed_on}}) {
    if (absl::Status s = date(*text, *field); !s.ok()) return s;
  }
  e.reopen_count = p.reopen_count();
  e.submission_versions = p.submission_versions();
  return e;
}

v1::Disbursement ToProto(const scoring::Tranche& t,
                         const v1::Project& project) {
  v1::Disbursement d;
  d.set_name(TrancheName(project.project_id(), t.year, t.kind));
  d.set_project_id(project.project_id());
  d.set_township(project.township());
  d.set_year(t.year);
  d.set_service_year(t.service_year);
  d.set_kind(ToProto(t.kind));
  d.set_amount_fen(t.amount.fen());
  d.set_state(ToProto(t.state));
  if (t.payable_from) d.set_payable_from(FormatDate(*t.payable_from));
  if (t.due) {
    d.set_due_date(FormatDate(t.due->date));
    d.set_due_date_provisional(t.due->provisional);
  }
  if (t.release) {
    d.set_payment_reference(t.release->payment_reference);
    d.set_released_on(FormatDate(t.release->released_on));
    d.set_released_by(t.release->released_by);
  }
  return d;
}

absl::StatusOr<std::optional<scoring::Release>> ReleaseOf(
    const v1::Disbursement& d) {
  if (d.state() != v1::RELEASED) return std::nullopt;
  absl::StatusOr<scoring::Date> on = scoring::ParseDate(d.released_on());
  if (!on.ok()) {
    return absl::DataLossError(
        absl::StrCat("stored tranche ", d.name(), " has a bad release date"));
  }
  return scoring::Release{d.payment_reference(), *on, d.released_by()};
}

}  // namespace evald::server
