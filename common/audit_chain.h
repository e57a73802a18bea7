// The hash chain over a project's audit events (docs/security.md).
//
// hash(n) = SHA-256(prev_hash(n) + "\n" + deterministic encoding of event n
// with prev_hash and hash cleared), in lowercase hex; prev_hash(1) = "" and
// prev_hash(n) = hash(n-1). The server stamps each event as it commits it;
// anyone holding the events can recompute the chain.

#ifndef EVALD_COMMON_AUDIT_CHAIN_H_
#define EVALD_COMMON_AUDIT_CHAIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "evaluation/v1/evaluation.pb.h"

namespace evald {

// The hash of `event` given its prev_hash (its own hash field is ignored).
std::string AuditEventHash(const evaluation::v1::AuditEvent& event);

struct ChainBreak {
  int64_t sequence = 0;  // the first event that does not check out
  std::string reason;
};

// Checks that `events` (one project's, in order) are numbered 1, 2, ...,
// link each to the one before, and carry their own hash. nullopt if the
// whole chain holds.
std::optional<ChainBreak> VerifyAuditChain(
    const std::vector<evaluation::v1::AuditEvent>& events);

}  // namespace evald

#endif  // EVALD_COMMON_AUDIT_CHAIN_H_
