#include "client/format.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "scoring/decimal.h"
#include "scoring/phase.h"

namespace evald::client {

std::string Yuan(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t abs = negative ? -static_cast<uint64_t>(fen) : fen;
  std::string whole = absl::StrCat(abs / 100);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  const int cents = static_cast<int>(abs % 100);
  return absl::StrCat(negative ? "-" : "", grouped, ".", cents < 10 ? "0" : "",
                      cents);
}

absl::StatusOr<int64_t> ParseYuanFlag(absl::string_view flag,
                                      absl::string_view text) {
  const std::string plain = absl::StrReplaceAll(text, {{",", ""}});
  absl::StatusOr<scoring::Money> m =
      scoring::Money::ParseYuan(plain, absl::StrCat("--", flag));
  if (!m.ok()) return m.status();
  return m->fen();
}

std::string PhaseName(v1::Phase phase) {
  return phase == v1::MID_TERM ? "mid-term"
         : phase == v1::FINAL  ? "final"
                               : "-";
}

absl::StatusOr<v1::Phase> ParsePhaseFlag(absl::string_view text) {
  if (text == "中期") return v1::MID_TERM;
  if (text == "末期") return v1::FINAL;
  absl::StatusOr<scoring::Phase> p =
      scoring::ParsePhase(absl::AsciiStrToLower(text));
  if (!p.ok()) return p.status();
  return *p == scoring::Phase::kMidTerm ? v1::MID_TERM : v1::FINAL;
}

std::string TrancheName(v1::TrancheKind kind) {
  switch (kind) {
    case v1::YEAR_START:
      return "year-start";
    case v1::MID_TERM_TRANCHE:
      return "mid-term";
    case v1::FINAL_TRANCHE:
      return "final";
    default:
      return "-";
  }
}

absl::StatusOr<v1::TrancheKind> ParseTrancheFlag(absl::string_view text) {
  absl::StatusOr<scoring::TrancheKind> k =
      scoring::ParseTrancheKind(absl::AsciiStrToLower(text));
  if (!k.ok()) return k.status();
  switch (*k) {
    case scoring::TrancheKind::kYearStart:
      return v1::YEAR_START;
    case scoring::TrancheKind::kMidTerm:
      return v1::MID_TERM_TRANCHE;
    case scoring::TrancheKind::kFinal:
      return v1::FINAL_TRANCHE;
  }
  return v1::TRANCHE_KIND_UNSPECIFIED;
}

absl::StatusOr<v1::EvaluationState> ParseStateFlag(absl::string_view text) {
  v1::EvaluationState state;
  const std::string upper =
      absl::StrReplaceAll(absl::AsciiStrToUpper(text), {{"-", "_"}});
  if (!v1::EvaluationState_Parse(upper, &state) ||
      state == v1::EVALUATION_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--state: \"", text,
        "\" is not a state (open, scored, passed, failed, rectifying, "
        "reevaluating, passed-after-rectification)"));
  }
  return state;
}

absl::StatusOr<v1::DisbursementState> ParseDisbursementStateFlag(
    absl::string_view text) {
  v1::DisbursementState state;
  if (!v1::DisbursementState_Parse(absl::AsciiStrToUpper(text), &state) ||
      state == v1::DISBURSEMENT_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--state: \"", text,
        "\" is not a disbursement state (pending, due, withheld, released, "
        "forfeited)"));
  }
  return state;
}

std::string GradeText(v1::Grade grade) {
  switch (grade) {
    case v1::EXCELLENT:
      return "EXCELLENT 优秀";
    case v1::GOOD:
      return "GOOD 良好";
    case v1::QUALIFIED:
      return "QUALIFIED 合格";
    case v1::UNQUALIFIED:
      return "UNQUALIFIED 不合格";
    default:
      return "-";
  }
}

}  // namespace evald::client
