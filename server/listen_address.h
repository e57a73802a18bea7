// Which listen addresses may serve plaintext: literal loopback addresses
// only (docs/security.md). A name is never trusted to be loopback --
// "127.0.0.1.nip.io" resolves wherever its owner says -- and neither is
// "localhost", which /etc/hosts decides.

#ifndef EVALD_SERVER_LISTEN_ADDRESS_H_
#define EVALD_SERVER_LISTEN_ADDRESS_H_

#include "absl/strings/string_view.h"

namespace evald::server {

// Whether `listen` ("HOST:PORT", "[IPV6]:PORT") names a literal loopback
// address: IPv4 in 127.0.0.0/8 in dotted-quad form, or ::1.
bool IsLiteralLoopback(absl::string_view listen);

}  // namespace evald::server

#endif  // EVALD_SERVER_LISTEN_ADDRESS_H_
