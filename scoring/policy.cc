#include "scoring/policy.h"

#include <cstdio>
#include <cstdlib>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace evald::embedded {
extern const char kPolicyNansha2019[];
}  // namespace evald::embedded

namespace evald::scoring {
namespace {

// Collects every violation so that an operator fixes a file in one pass.
class Violations {
 public:
  void Add(absl::string_view field, absl::string_view why) {
    list_.push_back(absl::StrCat(field, ": ", why));
  }
  void AddMessage(std::string message) { list_.push_back(std::move(message)); }
  bool empty() const { return list_.empty(); }
  std::string Joined() const { return absl::StrJoin(list_, "; "); }

 private:
  std::vector<std::string> list_;
};

// Hundredths in one unit of the last allowed decimal: 1, 10 or 100.
int64_t DecimalStep(int decimals) {
  return decimals >= 2 ? 1 : decimals == 1 ? 10 : 100;
}

Score ScoreField(const std::string& text, absl::string_view field,
                 Violations& v) {
  absl::StatusOr<Score> s = Score::Parse(text, field);
  if (!s.ok()) {
    v.AddMessage(std::string(s.status().message()));  // names the field
    return Score();
  }
  return *s;
}

void CheckPercent(int value, absl::string_view field, Violations& v) {
  if (value < 0 || value > 100) {
    v.Add(field, absl::StrCat(value, " is not a percentage in [0, 100]"));
  }
}

void CheckPositive(int value, absl::string_view field, Violations& v) {
  if (value <= 0) v.Add(field, absl::StrCat(value, " must be positive"));
}

std::vector<VetoRule> VetoCatalogue(
    const google::protobuf::RepeatedPtrField<evaluation::v1::VetoRule>& in,
    absl::string_view field, Violations& v) {
  std::vector<VetoRule> out;
  std::set<std::string> codes;
  for (int i = 0; i < in.size(); ++i) {
    const auto& rule = in[i];
    const std::string where = absl::StrCat(field, "[", i, "]");
    if (rule.code().empty()) v.Add(where, "code is empty");
    if (!codes.insert(rule.code()).second) {
      v.Add(where, absl::StrCat("code \"", rule.code(), "\" is repeated"));
    }
    if (rule.title_zh().empty() && rule.title_en().empty()) {
      v.Add(where, "has no title");
    }
    out.push_back(
        {rule.code(), rule.title_zh(), rule.title_en(), rule.curable()});
  }
  return out;
}

// Turns protobuf's text-format errors into one message with line/column.
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    errors_.push_back(
        absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message));
  }
  std::string Joined() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<std::string> errors_;
};

}  // namespace

absl::Status Policy::CheckScore(Score score, absl::string_view field) const {
  auto invalid = [&](const auto&... why) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": \"", score.ToString(), "\" ", why...));
  };
  if (score < score_min) {
    return invalid("is below the minimum ", score_min.ToString());
  }
  if (score > score_max) {
    return invalid("is above the maximum ", score_max.ToString());
  }
  if (score.hundredths() % DecimalStep(score_decimals) != 0) {
    return invalid("has more than ", score_decimals,
                   score_decimals == 1 ? " decimal" : " decimals", " (policy ",
                   id, ")");
  }
  return absl::OkStatus();
}

Score Policy::RoundScore(int64_t num, int64_t den) const {
  const int64_t step = DecimalStep(score_decimals);
  const int64_t steps = rounding == Rounding::kHalfEven
                            ? DivideRoundHalfEven(num, den * step)
                            : DivideRoundHalfUp(num, den * step);
  return Score::FromHundredths(steps * step);
}

const VetoRule* Policy::FindVeto(VetoKind kind, absl::string_view code) const {
  const auto& catalogue =
      kind == VetoKind::kProfessional ? professional_vetoes : financial_vetoes;
  for (const VetoRule& rule : catalogue) {
    if (rule.code == code) return &rule;
  }
  return nullptr;
}

absl::StatusOr<Policy> PolicyFromProto(const evaluation::v1::Policy& proto) {
  Violations v;
  Policy p;
  p.proto = proto;
  p.id = proto.id();
  if (p.id.empty()) v.Add("id", "is empty");
  p.source = proto.source();
  absl::StatusOr<Date> effective = ParseDate(proto.effective_date());
  if (effective.ok()) {
    p.effective_date = *effective;
  } else {
    v.Add("effective_date", std::string(effective.status().message()));
  }

  const auto& w = proto.weights();
  p.third_party_percent = w.third_party_percent();
  p.township_percent = w.township_percent();
  p.village_percent = w.village_percent();
  p.bureau_percent = w.bureau_percent();
  CheckPercent(p.third_party_percent, "weights.third_party_percent", v);
  CheckPercent(p.township_percent, "weights.township_percent", v);
  CheckPercent(p.village_percent, "weights.village_percent", v);
  CheckPercent(p.bureau_percent, "weights.bureau_percent", v);
  const int weight_sum = p.third_party_percent + p.township_percent +
                         p.village_percent + p.bureau_percent;
  if (weight_sum != 100) {
    v.Add("weights",
          absl::StrCat("percentages sum to ", weight_sum, ", want 100"));
  }

  const auto& scale = proto.score_scale();
  p.score_min = ScoreField(scale.min(), "score_scale.min", v);
  p.score_max = ScoreField(scale.max(), "score_scale.max", v);
  if (!(p.score_min < p.score_max)) {
    v.Add("score_scale", "min must be below max");
  }
  p.score_decimals = scale.decimals();
  if (p.score_decimals < 0 || p.score_decimals > 2) {
    v.Add("score_scale.decimals",
          absl::StrCat(p.score_decimals, " is not 0, 1 or 2"));
  }
  switch (scale.rounding()) {
    case evaluation::v1::HALF_UP:
      p.rounding = Rounding::kHalfUp;
      break;
    case evaluation::v1::HALF_EVEN:
      p.rounding = Rounding::kHalfEven;
      break;
    default:
      v.Add("score_scale.rounding", "want HALF_UP or HALF_EVEN");
  }

  const auto& bands = proto.grade_bands();
  p.excellent_min =
      ScoreField(bands.excellent_min(), "grade_bands.excellent_min", v);
  p.good_min = ScoreField(bands.good_min(), "grade_bands.good_min", v);
  p.qualified_min =
      ScoreField(bands.qualified_min(), "grade_bands.qualified_min", v);
  if (!(p.excellent_min > p.good_min && p.good_min > p.qualified_min)) {
    v.Add("grade_bands",
          "must be ordered excellent_min > good_min > qualified_min");
  }

  p.financial_pass_mark =
      ScoreField(proto.financial_pass_mark(), "financial_pass_mark", v);
  // Every threshold on a score must be a score the scale allows.
  if (v.empty()) {
    for (auto [field, value] :
         {std::pair{"grade_bands.excellent_min", p.excellent_min},
          std::pair{"grade_bands.good_min", p.good_min},
          std::pair{"grade_bands.qualified_min", p.qualified_min},
          std::pair{"financial_pass_mark", p.financial_pass_mark}}) {
      if (absl::Status s = p.CheckScore(value, field); !s.ok()) {
        v.AddMessage(std::string(s.message()));
      }
    }
  }

  const auto& cost = proto.cost_structure();
  p.personnel_min_percent = cost.personnel_min_percent();
  p.personnel_plus_quality_min_percent =
      cost.personnel_plus_quality_min_percent();
  p.management_max_percent = cost.management_max_percent();
  CheckPercent(p.personnel_min_percent, "cost_structure.personnel_min_percent",
               v);
  CheckPercent(p.personnel_plus_quality_min_percent,
               "cost_structure.personnel_plus_quality_min_percent", v);
  CheckPercent(p.management_max_percent,
               "cost_structure.management_max_percent", v);
  if (p.personnel_plus_quality_min_percent < p.personnel_min_percent) {
    v.Add("cost_structure",
          "personnel_plus_quality_min_percent is below personnel_min_percent");
  }

  p.professional_vetoes =
      VetoCatalogue(proto.professional_vetoes(), "professional_vetoes", v);
  p.financial_vetoes =
      VetoCatalogue(proto.financial_vetoes(), "financial_vetoes", v);

  const auto& t = proto.tranches();
  p.year_start_percent = t.year_start_percent();
  p.mid_term_percent = t.mid_term_percent();
  p.final_percent = t.final_percent();
  CheckPercent(p.year_start_percent, "tranches.year_start_percent", v);
  CheckPercent(p.mid_term_percent, "tranches.mid_term_percent", v);
  CheckPercent(p.final_percent, "tranches.final_percent", v);
  const int tranche_sum =
      p.year_start_percent + p.mid_term_percent + p.final_percent;
  if (tranche_sum != 100) {
    v.Add("tranches",
          absl::StrCat("percentages sum to ", tranche_sum, ", want 100"));
  }

  const auto& d = proto.deadlines();
  p.rectification_calendar_days = d.rectification_calendar_days();
  p.payment_working_days = d.payment_working_days();
  p.rectified_payment_working_days = d.rectified_payment_working_days();
  p.year_start_payment_working_days = d.year_start_payment_working_days();
  CheckPositive(p.rectification_calendar_days,
                "deadlines.rectification_calendar_days", v);
  CheckPositive(p.payment_working_days, "deadlines.payment_working_days", v);
  CheckPositive(p.rectified_payment_working_days,
                "deadlines.rectified_payment_working_days", v);
  CheckPositive(p.year_start_payment_working_days,
                "deadlines.year_start_payment_working_days", v);

  absl::StatusOr<Money> per_staff = Money::ParseYuan(
      proto.annual_fund_per_staff_yuan(), "annual_fund_per_staff_yuan");
  if (per_staff.ok()) {
    p.annual_fund_per_staff = *per_staff;
  } else {
    v.AddMessage(std::string(per_staff.status().message()));
  }
  p.contract_years = proto.contract_years();
  if (p.contract_years < 1 || p.contract_years > 20) {
    v.Add("contract_years",
          absl::StrCat(p.contract_years, " is not in [1, 20]"));
  }

  if (!proto.has_evaluation_windows()) {
    v.Add("evaluation_windows",
          "is missing (RULES.md §3: when each phase opens)");
  }
  const auto& windows = proto.evaluation_windows();
  p.mid_term_opens_after_months = windows.mid_term_opens_after_months();
  p.final_opens_after_months = windows.final_opens_after_months();
  if (p.mid_term_opens_after_months < 0 || p.mid_term_opens_after_months > 12) {
    v.Add("evaluation_windows.mid_term_opens_after_months",
          absl::StrCat(p.mid_term_opens_after_months, " is not in [0, 12]"));
  }
  if (p.final_opens_after_months < p.mid_term_opens_after_months ||
      p.final_opens_after_months > 12) {
    v.Add("evaluation_windows.final_opens_after_months",
          absl::StrCat(p.final_opens_after_months,
                       " is not in [mid_term_opens_after_months, 12]"));
  }

  const auto& dates = proto.contract_dates();
  for (auto [field, text, out] :
       {std::tuple{"contract_dates.earliest_start", &dates.earliest_start(),
                   &p.earliest_start},
        std::tuple{"contract_dates.latest_start", &dates.latest_start(),
                   &p.latest_start}}) {
    absl::StatusOr<Date> d = ParseDate(*text);
    if (d.ok()) {
      *out = *d;
    } else {
      v.Add(field, std::string(d.status().message()));
    }
  }
  if (p.latest_start < p.earliest_start) {
    v.Add("contract_dates", "latest_start is before earliest_start");
  }
  // Years are four digits in storage keys, and a contract runs up to 20.
  if (p.earliest_start.year() < 1900 || p.latest_start.year() > 9979) {
    v.Add("contract_dates", "must lie within 1900-01-01 .. 9979-12-31");
  }

  if (!v.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy \"", p.id, "\": ", v.Joined()));
  }
  return p;
}

absl::StatusOr<Policy> ParsePolicyText(absl::string_view text) {
  evaluation::v1::Policy proto;
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &proto)) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy text: ", errors.Joined()));
  }
  return PolicyFromProto(proto);
}

const Policy& BuiltInPolicy() {
  static const Policy* const policy = [] {
    absl::StatusOr<Policy> p = ParsePolicyText(embedded::kPolicyNansha2019);
    if (!p.ok()) {
      // The shipped file is tested; reaching this is a build defect.
      std::fprintf(stderr, "built-in policy is invalid: %s\n",
                   std::string(p.status().message()).c_str());
      std::abort();
    }
    return new Policy(*std::move(p));
  }();
  return *policy;
}

}  // namespace evald::scoring
