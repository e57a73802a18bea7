// The audit event of one accepted command (proto: AuditEvent): the typed
// command and effects that replay needs, a summary for people, and the
// stream's hash chain (common/audit_chain.h), which covers all of it.

#ifndef EVALD_SERVER_EVENTS_H_
#define EVALD_SERVER_EVENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "evaluation/v1/evaluation.pb.h"
#include "scoring/contract.h"

namespace evald::server {

namespace v1 = ::evaluation::v1;

// The last event of a stream: what the next one chains to.
struct ChainTip {
  int64_t sequence = 0;  // 0: the stream has no event yet
  std::string hash;
};

// The event of `command` on `stream`, numbered and chained after `tip`.
v1::AuditEvent ChainedEvent(const v1::Command& command,
                            const std::string& stream, std::string action,
                            std::string target, std::vector<v1::Effect> effects,
                            std::string detail, const ChainTip& tip);

// A record written: its resource name and its state before ("" if new)
// and after.
v1::Effect RecordEffect(std::string name, std::string before,
                        std::string after);

// A tranche whose record the command changed.
v1::Effect TrancheEffect(const scoring::TrancheChange& change,
                         const scoring::Contract& contract);

// The contract terminated, or a result withdrawn (evaluation.h).
v1::Effect PhaseEffect(const scoring::Effect& effect,
                       const std::string& project_id,
                       const std::string& evaluation);

// For people: what the phase command did ("township score 88.00", ...).
std::string DescribeCommand(const scoring::Command& command);

// For people: what a tranche change means for finance, e.g. "mid-term
// tranche of 2025 due by 2026-01-06 (payable from 2025-12-15)".
std::string DescribeTranche(const scoring::TrancheChange& change);

}  // namespace evald::server

#endif  // EVALD_SERVER_EVENTS_H_
