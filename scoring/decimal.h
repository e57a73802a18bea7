// Exact two-decimal quantities: evaluation scores and money.
//
// RULES.md §3 and §7: scores are decimals with at most two places, money is
// integer fen. Both are stored as integer hundredths and parsed from decimal
// text; binary floating point never touches them.

#ifndef EVALD_SCORING_DECIMAL_H_
#define EVALD_SCORING_DECIMAL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace evald::scoring {

// A score with at most two decimals, held as hundredths. Parse bounds it to
// [0, 1000] only as a sanity limit: the range a score may really take is
// the policy's (Policy::CheckScore, RULES.md §3 [default]).
class Score {
 public:
  static constexpr int64_t kMaxHundredths = 100000;

  constexpr Score() = default;

  // Parses "85", "85.5" or "85.50". Rejects, with a message naming `field`
  // and the reason: empty text, signs, exponents, "NaN", spaces, more than
  // two decimals ("85.555"), and values above 1000.
  static absl::StatusOr<Score> Parse(absl::string_view text,
                                     absl::string_view field = "score");

  // Precondition: 0 <= hundredths <= kMaxHundredths.
  static constexpr Score FromHundredths(int64_t hundredths) {
    return Score(hundredths);
  }

  constexpr int64_t hundredths() const { return hundredths_; }

  // Always two decimals: "60.00", "89.50", "100.00".
  std::string ToString() const;

  friend constexpr bool operator==(Score a, Score b) {
    return a.hundredths_ == b.hundredths_;
  }
  friend constexpr bool operator!=(Score a, Score b) { return !(a == b); }
  friend constexpr bool operator<(Score a, Score b) {
    return a.hundredths_ < b.hundredths_;
  }
  friend constexpr bool operator<=(Score a, Score b) { return !(b < a); }
  friend constexpr bool operator>(Score a, Score b) { return b < a; }
  friend constexpr bool operator>=(Score a, Score b) { return !(a < b); }

 private:
  explicit constexpr Score(int64_t hundredths) : hundredths_(hundredths) {}
  int64_t hundredths_ = 0;
};

// A non-negative amount of money in fen (hundredths of a yuan).
class Money {
 public:
  // 10^15 fen = 10 trillion yuan: far above any contract, far below overflow
  // even when a project's five years are added up.
  static constexpr int64_t kMaxFen = 1'000'000'000'000'000;

  constexpr Money() = default;

  // Parses yuan text with at most two decimals: "2600000", "2600000.5",
  // "2600000.00". Rejects signs, separators, exponents, spaces, more than
  // two decimals and amounts above kMaxFen, naming `field` and the reason.
  static absl::StatusOr<Money> ParseYuan(absl::string_view text,
                                         absl::string_view field = "amount");

  // Precondition: 0 <= fen <= kMaxFen.
  static constexpr Money FromFen(int64_t fen) { return Money(fen); }

  constexpr int64_t fen() const { return fen_; }

  // Yuan with two decimals, no separators: "2600000.00".
  std::string ToYuanString() const;

  friend constexpr Money operator+(Money a, Money b) {
    return Money(a.fen_ + b.fen_);
  }
  friend constexpr Money operator-(Money a, Money b) {
    return Money(a.fen_ - b.fen_);
  }
  friend constexpr bool operator==(Money a, Money b) {
    return a.fen_ == b.fen_;
  }
  friend constexpr bool operator!=(Money a, Money b) { return !(a == b); }
  friend constexpr bool operator<(Money a, Money b) { return a.fen_ < b.fen_; }

 private:
  explicit constexpr Money(int64_t fen) : fen_(fen) {}
  int64_t fen_ = 0;
};

// Parses unsigned decimal text with at most two decimals into hundredths,
// refusing anything above `max_hundredths`. Shared by Score and Money; the
// message names `field`.
absl::StatusOr<int64_t> ParseHundredths(absl::string_view text,
                                        absl::string_view field,
                                        int64_t max_hundredths);

// Formats hundredths as "I.FF" (no separators). Precondition: value >= 0.
std::string FormatHundredths(int64_t hundredths);

// Rounds num/den half up (ties away from zero) for num >= 0, den > 0.
constexpr int64_t DivideRoundHalfUp(int64_t num, int64_t den) {
  return (2 * num + den) / (2 * den);
}

// Rounds num/den half to even (a tie goes to the even neighbour) for
// num >= 0, den > 0.
constexpr int64_t DivideRoundHalfEven(int64_t num, int64_t den) {
  const int64_t quotient = num / den;
  const int64_t twice_remainder = 2 * (num % den);
  if (twice_remainder > den) return quotient + 1;
  if (twice_remainder < den) return quotient;
  return quotient % 2 == 0 ? quotient : quotient + 1;
}

}  // namespace evald::scoring

#endif  // EVALD_SCORING_DECIMAL_H_
