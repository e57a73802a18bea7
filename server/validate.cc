#include "server/validate.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace evald::server {
namespace {

// The first character of `s` that must not be in a text field, as
// "U+001B", or "" if there is none. Precondition: valid UTF-8.
std::string ForbiddenCharacter(absl::string_view s, Lines lines) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80          ? 1
                     : (c >> 5) == 0x6 ? 2
                     : (c >> 4) == 0xe ? 3
                                       : 4;
    uint32_t cp = n == 1 ? c : c & (0xff >> (n + 1));
    for (size_t k = 1; k < n; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    i += n;
    const bool allowed_break =
        lines == Lines::kMany && (cp == '\n' || cp == '\t');
    const bool control = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
    const bool bidi =
        (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
    if ((control && !allowed_break) || bidi) {
      return absl::StrFormat("U+%04X", cp);
    }
  }
  return "";
}

bool ValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80           ? 1
               : (c >> 5) == 0x6  ? 2
               : (c >> 4) == 0xe  ? 3
               : (c >> 3) == 0x1e ? 4
                                  : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

absl::Status ValidateId(absl::string_view field, absl::string_view value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": is required"));
  }
  if (value.size() > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": longer than 64 characters"));
  }
  for (char c : value) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_') {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": \"", value,
                       "\" may contain only letters, digits, '-' and '_'"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestId(absl::string_view value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(
        "request_id: is required on every change, so that a retry cannot act "
        "twice");
  }
  if (value.size() > 128) {
    return absl::InvalidArgumentError("request_id: longer than 128 characters");
  }
  for (char c : value) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "request_id: may contain only printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view field, absl::string_view value,
                          size_t max_bytes, Lines lines) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": is required"));
  }
  if (value.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": longer than ", max_bytes, " bytes"));
  }
  if (!ValidUtf8(value)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": is not UTF-8"));
  }
  if (std::string bad = ForbiddenCharacter(value, lines); !bad.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": contains the control or direction character ", bad,
        lines == Lines::kOne ? "; use plain text on one line"
                             : "; use plain text (line breaks are allowed)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<scoring::Date> ParseDateField(absl::string_view field,
                                             absl::string_view value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": is required (YYYY-MM-DD)"));
  }
  absl::StatusOr<scoring::Date> d = scoring::ParseDate(value);
  if (!d.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", d.status().message()));
  }
  return *d;
}

absl::StatusOr<scoring::Date> ParseDateOr(absl::string_view field,
                                          absl::string_view value,
                                          scoring::Date fallback) {
  if (value.empty()) return fallback;
  return ParseDateField(field, value);
}

absl::StatusOr<scoring::Money> MoneyField(absl::string_view field,
                                          int64_t fen) {
  if (fen < 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": is negative"));
  }
  if (fen > scoring::Money::kMaxFen) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": is too large"));
  }
  return scoring::Money::FromFen(fen);
}

absl::Status ValidateRef(const evaluation::v1::EvaluationRef& ref) {
  if (absl::Status s = ValidateId("evaluation.project_id", ref.project_id());
      !s.ok()) {
    return s;
  }
  if (ref.year() < 1900 || ref.year() > 9999) {
    return absl::InvalidArgumentError(absl::StrCat(
        "evaluation.year: ", ref.year(), " is not a calendar year"));
  }
  if (ref.phase() != evaluation::v1::MID_TERM &&
      ref.phase() != evaluation::v1::FINAL) {
    return absl::InvalidArgumentError(
        "evaluation.phase: want MID_TERM or FINAL");
  }
  return absl::OkStatus();
}

}  // namespace evald::server
