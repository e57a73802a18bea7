// Domain state <-> stored records (evaluation.v1 messages). From a record
// every field the state needs is checked: what does not parse is DataLoss
// naming the record (convert.h).

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/convert.h"

namespace evald::server {

using scoring::FormatDate;

namespace {

// Collects the first malformed field of one record.
class RecordReader {
 public:
  RecordReader(absl::string_view kind, absl::string_view name)
      : kind_(kind), name_(name) {}

  template <typename T>
  bool Take(absl::string_view field, absl::StatusOr<T> value, T& out) {
    if (!value.ok()) {
      Fail(field, value.status().message());
      return false;
    }
    out = *std::move(value);
    return true;
  }

  bool Date(absl::string_view field, const std::string& text,
            scoring::Date& out) {
    return Take(field, scoring::ParseDate(text), out);
  }
  bool OptionalDate(absl::string_view field, const std::string& text,
                    std::optional<scoring::Date>& out) {
    if (text.empty()) {
      out.reset();
      return true;
    }
    scoring::Date d;
    if (!Date(field, text, d)) return false;
    out = d;
    return true;
  }
  bool Score(absl::string_view field, const std::string& text,
             scoring::Score& out) {
    return Take(field, scoring::Score::Parse(text, field), out);
  }

  void Fail(absl::string_view field, absl::string_view why) {
    if (status_.ok()) {
      status_ = absl::DataLossError(absl::StrCat(
          "stored ", kind_, " ", name_, " is malformed: ", field, ": ", why));
    }
  }
  const absl::Status& status() const { return status_; }

 private:
  std::string kind_;
  std::string name_;
  absl::Status status_;
};

// "59.995" -> 599950.
absl::StatusOr<int64_t> ParseExact(absl::string_view text) {
  const size_t dot = text.find('.');
  std::string digits(text.substr(0, dot));
  std::string frac(dot == absl::string_view::npos ? "" : text.substr(dot + 1));
  if (frac.size() > 4) return absl::InvalidArgumentError("too many decimals");
  frac.append(4 - frac.size(), '0');
  int64_t whole = 0, part = 0;
  if (!absl::SimpleAtoi(digits, &whole) || !absl::SimpleAtoi(frac, &part) ||
      whole < 0 || part < 0) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not S"));
  }
  return whole * 10000 + part;
}

void SetParty(v1::PartyScore* out, scoring::Score score,
              const scoring::Evaluation& e, const std::string& key) {
  out->set_score(score.ToString());
  auto it = e.submitters.find(key);
  if (it != e.submitters.end()) {
    out->set_submitted_by(it->second.principal);
    out->set_version(it->second.version);
  }
}

void ResultToProto(const scoring::PhaseResult& r, v1::Result* out) {
  out->set_outcome(ToProto(r.outcome));
  out->set_score_exact(
      scoring::FormatExactScore(r.professional.exact_ten_thousandths));
  out->set_score(r.professional.rounded.ToString());
  out->set_village_mean(r.professional.village_mean.ToString());
  out->set_grade(ToProto(r.grade));
  out->set_professional_passed(r.professional_passed);
  out->set_financial_passed(r.financial.passed);
  for (const std::string& reason : r.reasons) out->add_reasons(reason);
  for (const std::string& pending : r.pending) out->add_pending(pending);
}

bool ResultFromProto(const v1::Result& in, RecordReader& read,
                     scoring::PhaseResult& out) {
  absl::StatusOr<int64_t> exact = ParseExact(in.score_exact());
  if (!read.Take("result.score_exact", exact,
                 out.professional.exact_ten_thousandths) ||
      !read.Score("result.score", in.score(), out.professional.rounded) ||
      !read.Score("result.village_mean", in.village_mean(),
                  out.professional.village_mean) ||
      !read.Take("result.outcome", FromProto(in.outcome()), out.outcome) ||
      !read.Take("result.grade", FromProto(in.grade()), out.grade)) {
    return false;
  }
  // Only the grade after vetoes is stored; nothing re-reads the other.
  out.professional.grade = out.grade;
  out.professional_passed = in.professional_passed();
  out.financial.passed = in.financial_passed();
  out.reasons.assign(in.reasons().begin(), in.reasons().end());
  out.pending.assign(in.pending().begin(), in.pending().end());
  return true;
}

}  // namespace

// ------------------------------------------------------------------ Project

v1::Project ToProto(const scoring::Contract& c) {
  v1::Project p;
  p.set_project_id(c.project_id);
  p.set_name(c.name);
  p.set_township(c.township);
  p.set_provider(c.provider);
  for (const std::string& v : c.villages) p.add_villages(v);
  p.set_start_date(FormatDate(c.start_date));
  p.set_years(c.years);
  p.set_annual_fund_fen(c.annual_fund.fen());
  p.set_agency(c.agency);
  p.set_policy_id(c.policy_id);
  p.set_terminated(c.terminated);
  return p;
}

absl::StatusOr<scoring::Contract> FromRecord(const v1::Project& p) {
  RecordReader read("project", ProjectName(p.project_id()));
  scoring::Contract c;
  c.project_id = p.project_id();
  c.name = p.name();
  c.township = p.township();
  c.provider = p.provider();
  c.villages.assign(p.villages().begin(), p.villages().end());
  read.Date("start_date", p.start_date(), c.start_date);
  c.years = p.years();
  if (c.years < 1)
    read.Fail("years", absl::StrCat(c.years, " is not positive"));
  if (p.annual_fund_fen() < 0 ||
      p.annual_fund_fen() > scoring::Money::kMaxFen) {
    read.Fail("annual_fund_fen",
              absl::StrCat(p.annual_fund_fen(), " is not an amount"));
  } else {
    c.annual_fund = scoring::Money::FromFen(p.annual_fund_fen());
  }
  if (p.project_id().empty()) read.Fail("project_id", "is empty");
  if (p.villages().empty()) read.Fail("villages", "are empty");
  c.agency = p.agency();
  c.policy_id = p.policy_id();
  c.terminated = p.terminated();
  if (!read.status().ok()) return read.status();
  return c;
}

// --------------------------------------------------------------- Evaluation

v1::Evaluation ToProto(const scoring::Evaluation& e,
                       const scoring::Contract& contract) {
  v1::Evaluation out;
  out.set_name(EvaluationName(e.project_id, e.year, e.phase));
  out.set_project_id(e.project_id);
  out.set_year(e.year);
  out.set_service_year(e.service_year);
  out.set_phase(ToProto(e.phase));
  out.set_township(contract.township);
  out.set_policy_id(e.policy_id);
  out.set_state(ToProto(e.state));
  if (e.opens_on) out.set_opens_on(FormatDate(*e.opens_on));
  using scoring::Party;
  if (e.scores.third_party) {
    SetParty(out.mutable_third_party(), *e.scores.third_party, e,
             scoring::SubmissionKey(Party::kThirdParty, ""));
  }
  if (e.scores.township) {
    SetParty(out.mutable_township_score(), *e.scores.township, e,
             scoring::SubmissionKey(Party::kTownship, ""));
  }
  if (e.scores.bureau) {
    SetParty(out.mutable_bureau(), *e.scores.bureau, e,
             scoring::SubmissionKey(Party::kBureau, ""));
  }
  // Villages in the contract's order, so that output is stable; any other
  // scored village (none, while the contract's villages are fixed) after.
  std::vector<std::string> order = contract.villages;
  for (const auto& [village, score] : e.scores.villages) {
    if (std::find(order.begin(), order.end(), village) == order.end()) {
      order.push_back(village);
    }
  }
  for (const std::string& village : order) {
    auto it = e.scores.villages.find(village);
    if (it == e.scores.villages.end()) continue;
    v1::VillageScore* v = out.add_villages();
    v->set_village(village);
    SetParty(v->mutable_score(), it->second, e,
             scoring::SubmissionKey(Party::kVillage, village));
  }
  out.set_professional_rectifiable(e.professional_rectifiable);
  if (e.financial) {
    v1::FinancialEvaluation* f = out.mutable_financial();
    f->set_score(e.financial->score.ToString());
    f->set_rectifiable(e.financial->rectifiable);
    const scoring::Expenditure& x = e.financial->expenditure;
    f->mutable_expenditure()->set_personnel_fen(x.personnel.fen());
    f->mutable_expenditure()->set_service_quality_fen(x.service_quality.fen());
    f->mutable_expenditure()->set_management_fen(x.management.fen());
    f->mutable_expenditure()->set_other_fen(x.other.fen());
    auto it = e.submitters.find(scoring::kFinancialSubmissionKey);
    if (it != e.submitters.end()) {
      f->set_submitted_by(it->second.principal);
      f->set_version(it->second.version);
    }
  }
  for (const scoring::VetoFinding& v : e.vetoes) {
    v1::VetoFinding* out_v = out.add_vetoes();
    out_v->set_veto_id(v.id);
    out_v->set_kind(ToProto(v.kind));
    out_v->set_code(v.code);
    out_v->set_evidence(v.evidence);
    out_v->set_raised_by(v.raised_by);
    out_v->set_status(ToProto(v.status));
    out_v->set_decided_by(v.decided_by);
    out_v->set_decision_reason(v.decision_reason);
  }
  scoring::Evaluation with_villages = e;
  with_villages.served_villages = contract.villages;
  for (const std::string& m : with_villages.Missing()) out.add_missing(m);
  if (e.result) {
    v1::Result* r = out.mutable_result();
    ResultToProto(*e.result, r);
    r->set_provisional(e.ResultIsProvisional());
    if (e.result_date) r->set_result_date(FormatDate(*e.result_date));
  }
  for (const scoring::PastResult& past : e.history) {
    v1::Result* r = out.add_history();
    ResultToProto(past.result, r);
    r->set_result_date(FormatDate(past.result_date));
    r->set_superseded_on(FormatDate(past.superseded_on));
    r->set_superseded_because(past.superseded_because);
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

absl::StatusOr<scoring::Evaluation> FromRecord(const v1::Evaluation& p) {
  RecordReader read("evaluation", p.name());
  scoring::Evaluation e;
  e.project_id = p.project_id();
  e.year = p.year();
  e.service_year = p.service_year();
  e.policy_id = p.policy_id();
  read.Take("phase", FromProto(p.phase()), e.phase);
  read.Take("state", FromProto(p.state()), e.state);
  read.OptionalDate("opens_on", p.opens_on(), e.opens_on);
  using scoring::Party;
  auto party = [&](const char* field, const v1::PartyScore& s, Party who,
                   const std::string& village,
                   std::optional<scoring::Score>& out) {
    if (s.score().empty()) return;
    scoring::Score score;
    if (!read.Score(field, s.score(), score)) return;
    out = score;
    if (!s.submitted_by().empty() || s.version() != 0) {
      e.submitters[scoring::SubmissionKey(who, village)] = {s.submitted_by(),
                                                            s.version()};
    }
  };
  party("third_party.score", p.third_party(), Party::kThirdParty, "",
        e.scores.third_party);
  party("township_score.score", p.township_score(), Party::kTownship, "",
        e.scores.township);
  party("bureau.score", p.bureau(), Party::kBureau, "", e.scores.bureau);
  for (const v1::VillageScore& v : p.villages()) {
    std::optional<scoring::Score> score;
    party("villages.score", v.score(), Party::kVillage, v.village(), score);
    if (score) e.scores.villages[v.village()] = *score;
  }
  e.professional_rectifiable = p.professional_rectifiable();
  if (p.has_financial()) {
    scoring::FinancialSubmission f;
    read.Score("financial.score", p.financial().score(), f.score);
    f.rectifiable = p.financial().rectifiable();
    const v1::Expenditure& x = p.financial().expenditure();
    for (auto [field, fen, out] :
         {std::tuple{"financial.expenditure.personnel_fen", x.personnel_fen(),
                     &f.expenditure.personnel},
          std::tuple{"financial.expenditure.service_quality_fen",
                     x.service_quality_fen(), &f.expenditure.service_quality},
          std::tuple{"financial.expenditure.management_fen", x.management_fen(),
                     &f.expenditure.management},
          std::tuple{"financial.expenditure.other_fen", x.other_fen(),
                     &f.expenditure.other}}) {
      if (fen < 0 || fen > scoring::Money::kMaxFen) {
        read.Fail(field, absl::StrCat(fen, " is not an amount"));
      } else {
        *out = scoring::Money::FromFen(fen);
      }
    }
    e.financial = f;
    if (!p.financial().submitted_by().empty() || p.financial().version()) {
      e.submitters[scoring::kFinancialSubmissionKey] = {
          p.financial().submitted_by(), p.financial().version()};
    }
  }
  for (const v1::VetoFinding& v : p.vetoes()) {
    scoring::VetoFinding f;
    f.id = v.veto_id();
    read.Take("vetoes.kind", FromProto(v.kind()), f.kind);
    read.Take("vetoes.status", FromProto(v.status()), f.status);
    f.code = v.code();
    f.evidence = v.evidence();
    f.raised_by = v.raised_by();
    f.decided_by = v.decided_by();
    f.decision_reason = v.decision_reason();
    e.vetoes.push_back(std::move(f));
  }
  if (p.has_result()) {
    scoring::PhaseResult r;
    if (ResultFromProto(p.result(), read, r)) e.result = std::move(r);
  }
  for (const v1::Result& h : p.history()) {
    scoring::PastResult past;
    if (!ResultFromProto(h, read, past.result)) break;
    read.Date("history.result_date", h.result_date(), past.result_date);
    read.Date("history.superseded_on", h.superseded_on(), past.superseded_on);
    past.superseded_because = h.superseded_because();
    e.history.push_back(std::move(past));
  }
  read.OptionalDate("result.result_date", p.result().result_date(),
                    e.result_date);
  read.OptionalDate("rectification_deadline", p.rectification_deadline(),
                    e.rectification_deadline);
  read.OptionalDate("application_date", p.application_date(),
                    e.application_date);
  read.OptionalDate("reevaluation_date", p.reevaluation_date(),
                    e.reevaluation_date);
  read.OptionalDate("failed_on", p.failed_on(), e.failed_on);
  // The dates a state needs (tranche.cc reads them without checking).
  using scoring::PhaseState;
  if (scoring::IsFinalised(e.state) && (!e.result || !e.result_date)) {
    read.Fail("result", "a finalised phase has no result and result date");
  }
  if ((e.state == PhaseState::kRectifying ||
       e.state == PhaseState::kReevaluating) &&
      !e.rectification_deadline) {
    read.Fail("rectification_deadline", "is missing");
  }
  if ((e.state == PhaseState::kReevaluating ||
       e.state == PhaseState::kPassedAfterRectification) &&
      !e.application_date) {
    read.Fail("application_date", "is missing");
  }
  if (e.state == PhaseState::kPassedAfterRectification &&
      !e.reevaluation_date) {
    read.Fail("reevaluation_date", "is missing");
  }
  if (e.state == PhaseState::kScored && !e.financial) {
    read.Fail("financial", "a SCORED phase has no financial evaluation");
  }
  e.reopen_count = p.reopen_count();
  e.submission_versions = p.submission_versions();
  if (!read.status().ok()) return read.status();
  return e;
}

// ------------------------------------------------------------------ Tranche

v1::Disbursement ToProto(const scoring::Tranche& t,
                         const scoring::Contract& contract) {
  v1::Disbursement d;
  d.set_name(TrancheName(contract.project_id, t.year, t.kind));
  d.set_project_id(contract.project_id);
  d.set_township(contract.township);
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
    for (const scoring::ReleaseCorrection& c : t.release->corrections) {
      v1::ReleaseCorrection* out = d.add_corrections();
      out->set_previous_reference(c.previous_reference);
      out->set_previous_released_on(FormatDate(c.previous_released_on));
      out->set_reason(c.reason);
      out->set_corrected_by(c.corrected_by);
      out->set_corrected_on(FormatDate(c.corrected_on));
    }
  }
  if (t.hold) {
    d.set_hold_reason(t.hold->reason);
    d.set_held_by(
        EvaluationName(contract.project_id, t.hold->year, t.hold->phase));
  }
  return d;
}

absl::StatusOr<scoring::Tranche> FromRecord(const v1::Disbursement& d) {
  RecordReader read("tranche", d.name());
  scoring::Tranche t;
  t.service_year = d.service_year();
  t.year = d.year();
  read.Take("kind", FromProto(d.kind()), t.kind);
  read.Take("state", FromProto(d.state()), t.state);
  if (d.amount_fen() < 0 || d.amount_fen() > scoring::Money::kMaxFen) {
    read.Fail("amount_fen", absl::StrCat(d.amount_fen(), " is not an amount"));
  } else {
    t.amount = scoring::Money::FromFen(d.amount_fen());
  }
  read.OptionalDate("payable_from", d.payable_from(), t.payable_from);
  if (!d.due_date().empty()) {
    scoring::Date due;
    if (read.Date("due_date", d.due_date(), due)) {
      t.due = scoring::CalendarDate{due, d.due_date_provisional()};
    }
  }
  if (t.state == scoring::TrancheState::kReleased) {
    scoring::Release r;
    r.payment_reference = d.payment_reference();
    r.released_by = d.released_by();
    read.Date("released_on", d.released_on(), r.released_on);
    if (r.payment_reference.empty()) {
      read.Fail("payment_reference", "a released tranche has none");
    }
    for (const v1::ReleaseCorrection& c : d.corrections()) {
      scoring::ReleaseCorrection correction;
      correction.previous_reference = c.previous_reference();
      correction.reason = c.reason();
      correction.corrected_by = c.corrected_by();
      read.Date("corrections.previous_released_on", c.previous_released_on(),
                correction.previous_released_on);
      read.Date("corrections.corrected_on", c.corrected_on(),
                correction.corrected_on);
      r.corrections.push_back(std::move(correction));
    }
    t.release = std::move(r);
  }
  if (t.state == scoring::TrancheState::kHeld) {
    // held_by: projects/{project}/years/{year}/phases/{phase}
    std::vector<std::string> parts = absl::StrSplit(d.held_by(), '/');
    scoring::Hold h;
    h.reason = d.hold_reason();
    absl::StatusOr<scoring::Phase> phase =
        parts.size() == 6 ? scoring::ParsePhase(parts[5])
                          : absl::InvalidArgumentError("not an evaluation");
    if (parts.size() != 6 || !absl::SimpleAtoi(parts[3], &h.year) ||
        !phase.ok()) {
      read.Fail("held_by",
                absl::StrCat("\"", d.held_by(), "\" is not an evaluation"));
    } else {
      h.phase = *phase;
      h.evaluation =
          absl::StrCat(parts[1], "/", h.year, "/", scoring::PhaseName(h.phase));
    }
    t.hold = std::move(h);
  }
  if (!read.status().ok()) return read.status();
  return t;
}

}  // namespace evald::server
