// Which calls run on gRPC's callback thread and which on the worker pool.
//
// Reads bounded by one project's records (a point lookup, or a scan of its
// 10 evaluations or 15 tranches) run on gRPC's callback thread: they never
// wait for an fsync, and skipping the hand-off to the worker pool and back
// saves two thread switches per call. Everything else -- writes, which
// wait for the synced WAL, and lists that may scan many projects -- runs
// on the pool, so that a slow call never holds up gRPC's own threads.
//
// evald (server/service.cc) and the benchmarks' no-op server
// (bench/noop_server.cc) both follow this, so that the no-op remains the
// ceiling of evald's own transport path.

#ifndef EVALD_SERVER_DISPATCH_H_
#define EVALD_SERVER_DISPATCH_H_

#include "evaluation/v1/evaluation.pb.h"

namespace evald::server {

inline bool RunsInline(const evaluation::v1::GetProjectRequest&) {
  return true;
}
inline bool RunsInline(const evaluation::v1::GetEvaluationRequest&) {
  return true;
}
inline bool RunsInline(const evaluation::v1::GetPolicyRequest&) { return true; }
inline bool RunsInline(const evaluation::v1::ListEvaluationsRequest& r) {
  return !r.project_id().empty();
}
inline bool RunsInline(const evaluation::v1::ListDisbursementsRequest& r) {
  return !r.project_id().empty();
}
// Every other request.
template <typename Request>
bool RunsInline(const Request&) {
  return false;
}

}  // namespace evald::server

#endif  // EVALD_SERVER_DISPATCH_H_
