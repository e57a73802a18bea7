#include "common/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/escaping.h"

namespace evald {

namespace {

// Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up in its
// provider registry on every digest (locks and a property query), which
// cost more than hashing a bearer token itself.
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

std::string Sha256(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const EVP_MD* md = Sha256Algorithm();
  if (md == nullptr ||
      EVP_Digest(data.data(), data.size(), digest, &length, md, nullptr) != 1) {
    // Only an OpenSSL installation without SHA-256 fails here.
    std::fprintf(stderr, "evald: SHA-256 unavailable in OpenSSL\n");
    std::abort();
  }
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string Sha256Hex(absl::string_view data) {
  return absl::BytesToHexString(Sha256(data));
}

}  // namespace evald
