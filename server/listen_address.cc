#include "server/listen_address.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>

namespace evald::server {

bool IsLiteralLoopback(absl::string_view listen) {
  const size_t colon = listen.rfind(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    const std::string v6(host.substr(1, host.size() - 2));
    in6_addr a;
    return inet_pton(AF_INET6, v6.c_str(), &a) == 1 &&
           std::memcmp(&a, &in6addr_loopback, sizeof(a)) == 0;
  }
  const std::string v4(host);
  in_addr a;
  // inet_pton takes only the four-part dotted quad, never a name.
  return inet_pton(AF_INET, v4.c_str(), &a) == 1 &&
         (ntohl(a.s_addr) >> 24) == 127;
}

}  // namespace evald::server
