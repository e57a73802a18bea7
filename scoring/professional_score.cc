#include "scoring/professional_score.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace evald::scoring {

const char* PartyName(Party party) {
  switch (party) {
    case Party::kThirdParty:
      return "third_party";
    case Party::kTownship:
      return "township";
    case Party::kVillage:
      return "village";
    case Party::kBureau:
      return "bureau";
  }
  return "unknown";
}

const char* GradeCode(Grade grade) {
  switch (grade) {
    case Grade::kExcellent:
      return "EXCELLENT";
    case Grade::kGood:
      return "GOOD";
    case Grade::kQualified:
      return "QUALIFIED";
    case Grade::kUnqualified:
      return "UNQUALIFIED";
    case Grade::kQualifiedAfterRectification:
      return "QUALIFIED_AFTER_RECTIFICATION";
  }
  return "UNKNOWN";
}

const char* GradeNameZh(Grade grade) {
  switch (grade) {
    case Grade::kExcellent:
      return "优秀";
    case Grade::kGood:
      return "良好";
    case Grade::kQualified:
      return "合格";
    case Grade::kUnqualified:
      return "不合格";
    case Grade::kQualifiedAfterRectification:
      return "合格(整改后)";
  }
  return "?";
}

std::vector<std::string> MissingParties(
    const std::vector<std::string>& served_villages,
    const ProfessionalScores& scores) {
  std::vector<std::string> missing;
  if (!scores.third_party) missing.push_back("third_party");
  if (!scores.township) missing.push_back("township");
  if (!scores.bureau) missing.push_back("bureau");
  for (const std::string& village : served_villages) {
    if (!scores.villages.count(village)) {
      missing.push_back(absl::StrCat("village:", village));
    }
  }
  return missing;
}

absl::StatusOr<Score> VillageMean(
    const Policy& policy, const std::vector<std::string>& served_villages,
    const std::map<std::string, Score>& village_scores) {
  if (served_villages.empty()) {
    return absl::InvalidArgumentError(
        "served_villages: the project serves no village");
  }
  int64_t sum = 0;
  std::vector<std::string> missing;
  for (const std::string& village : served_villages) {
    auto it = village_scores.find(village);
    if (it == village_scores.end()) {
      missing.push_back(absl::StrCat("village:", village));
    } else {
      sum += it->second.hundredths();
    }
  }
  if (!missing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("missing: ", absl::StrJoin(missing, ", ")));
  }
  const int64_t n = static_cast<int64_t>(served_villages.size());
  return policy.RoundScore(sum, n);
}

std::string FormatExactScore(int64_t ten_thousandths) {
  std::string s = absl::StrFormat("%d.%04d", ten_thousandths / 10000,
                                  ten_thousandths % 10000);
  // Keep at least two decimals: "59.9950" -> "59.995", "60.0000" -> "60.00".
  while (s.size() > s.find('.') + 3 && s.back() == '0') s.pop_back();
  return s;
}

Grade GradeFor(const Policy& policy, Score rounded) {
  if (rounded >= policy.excellent_min) return Grade::kExcellent;
  if (rounded >= policy.good_min) return Grade::kGood;
  if (rounded >= policy.qualified_min) return Grade::kQualified;
  return Grade::kUnqualified;
}

absl::StatusOr<ProfessionalScore> ComputeProfessionalScore(
    const Policy& policy, const std::vector<std::string>& served_villages,
    const ProfessionalScores& scores) {
  std::vector<std::string> missing = MissingParties(served_villages, scores);
  if (!missing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot score: missing ", absl::StrJoin(missing, ", ")));
  }
  absl::StatusOr<Score> village =
      VillageMean(policy, served_villages, scores.villages);
  if (!village.ok()) return village.status();

  ProfessionalScore out;
  out.village_mean = *village;
  // Hundredths × whole percent = ten-thousandths of a point: exact.
  out.exact_ten_thousandths =
      scores.third_party->hundredths() * policy.third_party_percent +
      scores.township->hundredths() * policy.township_percent +
      village->hundredths() * policy.village_percent +
      scores.bureau->hundredths() * policy.bureau_percent;
  out.rounded = policy.RoundScore(out.exact_ten_thousandths, 100);
  out.grade = GradeFor(policy, out.rounded);
  return out;
}

}  // namespace evald::scoring
