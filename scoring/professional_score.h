// The four-party professional-service score (RULES.md §3).
//
//   S = 0.70 × third_party + 0.10 × township + 0.10 × village + 0.10 × bureau
//
// (weights from the policy). The village part is the mean of every served
// village's committee score, rounded half up to two decimals. S is computed
// exactly, then rounded half up to two decimals for the grade and display
// (the rounding and the decimals are the policy's score scale).

#ifndef EVALD_SCORING_PROFESSIONAL_SCORE_H_
#define EVALD_SCORING_PROFESSIONAL_SCORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scoring/decimal.h"
#include "scoring/policy.h"

namespace evald::scoring {

// The four scoring parties of the professional-service evaluation.
enum class Party { kThirdParty, kTownship, kVillage, kBureau };

// "third_party", "township", "village", "bureau".
const char* PartyName(Party party);

// kQualifiedAfterRectification (合格(整改后)) is never a band of S: it is the
// grade of a phase whose re-evaluation passed after rectification (RULES.md
// §8), whatever its original S.
enum class Grade {
  kExcellent,
  kGood,
  kQualified,
  kUnqualified,
  kQualifiedAfterRectification,
};

// "EXCELLENT 优秀" style names: English code and Chinese.
const char* GradeCode(Grade grade);
const char* GradeNameZh(Grade grade);

// The latest professional score of each party. Village scores are keyed by
// the village's id.
struct ProfessionalScores {
  std::optional<Score> third_party;
  std::optional<Score> township;
  std::optional<Score> bureau;
  std::map<std::string, Score> villages;
};

// Who has not submitted yet: "third_party", "township", "bureau", and
// "village:<id>" for each served village without a score, in that order.
std::vector<std::string> MissingParties(
    const std::vector<std::string>& served_villages,
    const ProfessionalScores& scores);

// The village part: arithmetic mean of the served villages' scores, rounded
// as the policy's score scale says (nansha-2019: half up to two decimals).
// FailedPrecondition naming the missing villages if any served village has
// not submitted; InvalidArgument if no village is served. Scores of
// villages not served are ignored.
absl::StatusOr<Score> VillageMean(
    const Policy& policy, const std::vector<std::string>& served_villages,
    const std::map<std::string, Score>& village_scores);

struct ProfessionalScore {
  // S exactly, in ten-thousandths of a point (59.995 -> 599950).
  int64_t exact_ten_thousandths = 0;
  // S rounded by the policy's score scale (nansha-2019: half up to
  // hundredths): what is graded and shown.
  Score rounded;
  // The rounded village mean that entered S.
  Score village_mean;
  Grade grade = Grade::kUnqualified;
};

// "59.995": the exact S with as many decimals as it needs (at least two).
std::string FormatExactScore(int64_t ten_thousandths);

// The grade band of a rounded S under `policy` (lower bounds inclusive).
Grade GradeFor(const Policy& policy, Score rounded);

// Computes S. Refuses (FailedPrecondition, "missing: township, village:V2")
// while any required party has not submitted: weights are never
// re-normalised over the parties that did.
absl::StatusOr<ProfessionalScore> ComputeProfessionalScore(
    const Policy& policy, const std::vector<std::string>& served_villages,
    const ProfessionalScores& scores);

}  // namespace evald::scoring

#endif  // EVALD_SCORING_PROFESSIONAL_SCORE_H_
