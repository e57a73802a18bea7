#include "scoring/decimal.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace evald::scoring {

absl::StatusOr<int64_t> ParseHundredths(absl::string_view text,
                                        absl::string_view field,
                                        int64_t max_hundredths) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": \"", text, "\" ", why));
  };
  if (text.empty()) return invalid("is empty");
  const size_t dot = text.find('.');
  absl::string_view whole = text.substr(0, dot);
  absl::string_view frac =
      dot == absl::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty()) return invalid("has no digits before the decimal point");
  if (dot != absl::string_view::npos && frac.empty()) {
    return invalid("has no digits after the decimal point");
  }
  for (absl::string_view part : {whole, frac}) {
    for (char c : part) {
      if (c == '-') return invalid("is negative");
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return invalid("is not a plain decimal number (digits, one '.')");
      }
    }
  }
  if (frac.size() > 2) return invalid("has more than two decimals");
  // Leading zeros are harmless, but 19 digits could overflow int64.
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  if (whole.size() > 16) return invalid("is too large");
  int64_t value = 0;
  for (char c : whole) value = value * 10 + (c - '0');
  value *= 100;
  if (!frac.empty()) value += (frac[0] - '0') * 10;
  if (frac.size() == 2) value += frac[1] - '0';
  if (value > max_hundredths) {
    return invalid(absl::StrCat("is above the maximum ",
                                FormatHundredths(max_hundredths)));
  }
  return value;
}

std::string FormatHundredths(int64_t hundredths) {
  return absl::StrFormat("%d.%02d", hundredths / 100, hundredths % 100);
}

absl::StatusOr<Score> Score::Parse(absl::string_view text,
                                   absl::string_view field) {
  absl::StatusOr<int64_t> h = ParseHundredths(text, field, kMaxHundredths);
  if (!h.ok()) return h.status();
  return Score(*h);
}

std::string Score::ToString() const { return FormatHundredths(hundredths_); }

absl::StatusOr<Money> Money::ParseYuan(absl::string_view text,
                                       absl::string_view field) {
  absl::StatusOr<int64_t> h = ParseHundredths(text, field, kMaxFen);
  if (!h.ok()) return h.status();
  return Money(*h);
}

std::string Money::ToYuanString() const { return FormatHundredths(fen_); }

}  // namespace evald::scoring
