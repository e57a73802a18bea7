// Cryptographically strong random values (OpenSSL's RAND_bytes).

#ifndef EVALD_COMMON_RANDOM_H_
#define EVALD_COMMON_RANDOM_H_

#include <string>

namespace evald {

// `bytes` random bytes as 2 × bytes lowercase hex digits. Aborts if the
// system has no entropy source (nothing safe can be issued then).
std::string RandomHex(int bytes);

}  // namespace evald

#endif  // EVALD_COMMON_RANDOM_H_
