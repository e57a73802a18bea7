// SHA-256, for token hashes, request digests and the audit chain.

#ifndef EVALD_COMMON_SHA256_H_
#define EVALD_COMMON_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace evald {

// The 32-byte digest of `data`.
std::string Sha256(absl::string_view data);

// The digest as 64 lowercase hex characters.
std::string Sha256Hex(absl::string_view data);

}  // namespace evald

#endif  // EVALD_COMMON_SHA256_H_
