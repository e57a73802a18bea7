#include "client/flags.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace evald::client {
namespace {

absl::Status Invalid(absl::string_view what, absl::string_view text,
                     absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": \"", text, "\" ", why));
}

// "passed-after-rectification" -> "PASSED_AFTER_RECTIFICATION".
std::string EnumWord(absl::string_view text) {
  return absl::StrReplaceAll(absl::AsciiStrToUpper(text), {{"-", "_"}});
}

// The enum value named `text`, or InvalidArgument listing `choices`.
template <typename Enum>
absl::StatusOr<Enum> ParseEnum(absl::string_view what, absl::string_view text,
                               bool (*parse)(const std::string&, Enum*),
                               const std::vector<std::string>& choices) {
  Enum value;
  if (parse(EnumWord(text), &value) && static_cast<int>(value) != 0) {
    return value;
  }
  std::vector<std::string> lower;
  for (const std::string& c : choices) {
    lower.push_back(
        absl::StrReplaceAll(absl::AsciiStrToLower(c), {{"_", "-"}}));
  }
  return Invalid(what, text,
                 absl::StrCat("is not one of ", absl::StrJoin(lower, ", ")));
}

}  // namespace

std::string NormalizeDigits(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    // U+FF10..U+FF19 are EF BC 90..99; U+FF0E '．' is EF BC 8E; U+FF0C '，'
    // is EF BC 8C.
    if (i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xEF &&
        static_cast<unsigned char>(text[i + 1]) == 0xBC) {
      const unsigned char c = static_cast<unsigned char>(text[i + 2]);
      if (c >= 0x90 && c <= 0x99) {
        out.push_back(static_cast<char>('0' + (c - 0x90)));
        i += 2;
        continue;
      }
      if (c == 0x8E || c == 0x8C) {
        out.push_back(c == 0x8E ? '.' : ',');
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

absl::StatusOr<int64_t> ParseHundredths(absl::string_view what,
                                        absl::string_view raw) {
  const std::string text = NormalizeDigits(raw);
  if (text.empty()) return Invalid(what, raw, "is empty");
  const size_t dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (whole.empty()) return Invalid(what, raw, "has no digits before the '.'");
  if (dot != std::string::npos && frac.empty()) {
    return Invalid(what, raw, "has no digits after the '.'");
  }
  for (const std::string* part : {&whole, &frac}) {
    for (char c : *part) {
      if (c == '-') return Invalid(what, raw, "is negative");
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return Invalid(what, raw,
                       "is not a plain decimal number (digits and one '.')");
      }
    }
  }
  if (frac.size() > 2) return Invalid(what, raw, "has more than two decimals");
  if (whole.size() > 16) return Invalid(what, raw, "is too large");
  int64_t value = 0;
  for (char c : whole) value = value * 10 + (c - '0');
  value *= 100;
  if (!frac.empty()) value += (frac[0] - '0') * 10;
  if (frac.size() == 2) value += frac[1] - '0';
  return value;
}

absl::StatusOr<int64_t> ParseYuan(absl::string_view what,
                                  absl::string_view raw) {
  const std::string text = NormalizeDigits(raw);
  const size_t dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  if (whole.find(',') != std::string::npos) {
    // Thousands separators only in groups of three: 1,000,000.00.
    std::vector<std::string> groups = absl::StrSplit(whole, ',');
    bool grouped = !groups[0].empty() && groups[0].size() <= 3;
    for (size_t i = 1; i < groups.size(); ++i) {
      grouped = grouped && groups[i].size() == 3;
    }
    if (!grouped) {
      return Invalid(what, raw,
                     "has a ',' that does not separate thousands; type the "
                     "amount in yuan without separators (1000000.00) or with "
                     "one every three digits (1,000,000.00)");
    }
  }
  return ParseHundredths(what, absl::StrReplaceAll(text, {{",", ""}}));
}

absl::StatusOr<std::string> ParseScore(absl::string_view what,
                                       absl::string_view text) {
  absl::StatusOr<int64_t> h = ParseHundredths(what, text);
  if (!h.ok()) return h.status();
  return absl::StrCat(*h / 100, ".", *h % 100 < 10 ? "0" : "", *h % 100);
}

absl::StatusOr<std::string> ParseDate(absl::string_view what,
                                      absl::string_view raw) {
  const std::string text = NormalizeDigits(raw);
  int y = 0, m = 0, d = 0;
  const bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                     absl::SimpleAtoi(text.substr(0, 4), &y) &&
                     absl::SimpleAtoi(text.substr(5, 2), &m) &&
                     absl::SimpleAtoi(text.substr(8, 2), &d);
  if (!shape) return Invalid(what, raw, "is not a date; use YYYY-MM-DD");
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) {
    return Invalid(what, raw, "is not a day of the calendar");
  }
  return text;
}

absl::StatusOr<v1::Phase> ParsePhase(absl::string_view what,
                                     absl::string_view text) {
  if (text == "中期" || EnumWord(text) == "MID" ||
      EnumWord(text) == "MIDTERM") {
    return v1::MID_TERM;
  }
  if (text == "末期") return v1::FINAL;
  return ParseEnum<v1::Phase>(what, text, &v1::Phase_Parse,
                              {"MID_TERM", "FINAL"});
}

absl::StatusOr<v1::TrancheKind> ParseTrancheKind(absl::string_view what,
                                                 absl::string_view text) {
  const std::string word = EnumWord(text);
  if (word == "MID_TERM") return v1::MID_TERM_TRANCHE;
  if (word == "FINAL") return v1::FINAL_TRANCHE;
  return ParseEnum<v1::TrancheKind>(
      what, text, &v1::TrancheKind_Parse,
      {"YEAR_START", "MID_TERM_TRANCHE", "FINAL_TRANCHE"});
}

absl::StatusOr<v1::EvaluationState> ParseEvaluationState(
    absl::string_view what, absl::string_view text) {
  return ParseEnum<v1::EvaluationState>(
      what, text, &v1::EvaluationState_Parse,
      {"OPEN", "SCORED", "PASSED", "FAILED", "RECTIFYING", "REEVALUATING",
       "PASSED_AFTER_RECTIFICATION"});
}

absl::StatusOr<v1::DisbursementState> ParseDisbursementState(
    absl::string_view what, absl::string_view text) {
  return ParseEnum<v1::DisbursementState>(
      what, text, &v1::DisbursementState_Parse,
      {"PENDING", "DUE", "WITHHELD", "HELD", "RELEASED", "FORFEITED"});
}

absl::StatusOr<v1::VetoKind> ParseVetoKind(absl::string_view what,
                                           absl::string_view text) {
  return ParseEnum<v1::VetoKind>(what, text, &v1::VetoKind_Parse,
                                 {"PROFESSIONAL", "FINANCIAL"});
}

absl::StatusOr<int> ParseDays(absl::string_view what, absl::string_view text) {
  absl::string_view digits = text;
  absl::ConsumeSuffix(&digits, "d");
  int days = 0;
  if (!absl::SimpleAtoi(digits, &days) || days < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": \"", text, "\" is not a number of days (e.g. 7d)"));
  }
  return days;
}

absl::StatusOr<std::string> DaysAfter(absl::string_view what,
                                      absl::string_view date, int days) {
  absl::CivilDay day;
  if (date.empty()) {
    day = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
  } else if (!absl::ParseCivilTime(date, &day)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": \"", date, "\" is not a date; use YYYY-MM-DD"));
  }
  return absl::FormatCivilTime(day + days);
}

}  // namespace evald::client
