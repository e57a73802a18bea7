// WatchEvents: one server stream of the event feed (the etcd / Kubernetes
// watch model). It sends what the feed holds after the request's cursor,
// then each change as it commits, and a bookmark (the cursor read up to)
// once it has caught up and whenever `bookmark_seconds` pass without
// anything sent. A client that reconnects with the cursor of the last
// event or bookmark it handled misses nothing and gets nothing twice.
//
// Each stream has a thread of its own that reads the feed through
// Engine::ListEvents (the same rights and filter) and waits on the store's
// feed watermark; at most kMaxWatchStreams are open at once (beyond:
// RESOURCE_EXHAUSTED). The stream ends with the status ListEvents gives
// (OUT_OF_RANGE for a cursor outside the history), CANCELLED when the
// client goes, and UNAUTHENTICATED once its token is revoked.

#ifndef EVALD_SERVER_WATCH_REACTOR_H_
#define EVALD_SERVER_WATCH_REACTOR_H_

#include <atomic>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "evaluation/v1/evaluation.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "server/engine.h"
#include "server/principals.h"

namespace evald::server {

inline constexpr int kMaxWatchStreams = 64;

class WatchReactor
    : public grpc::ServerWriteReactor<evaluation::v1::WatchEventsResponse> {
 public:
  // Starts the stream. `engine`, `open_streams` (counted down when the
  // stream is done) and `stopping` (true: evald is shutting down, the
  // stream ends UNAVAILABLE for the client to reconnect elsewhere or
  // later) must outlive it. `still_authorized` says whether the caller's
  // token is still valid.
  WatchReactor(const Engine* engine, Principal who,
               evaluation::v1::WatchEventsRequest request,
               std::function<bool()> still_authorized,
               std::atomic<int>* open_streams,
               const std::atomic<bool>* stopping);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // The stream's thread: reads, sends, waits; ends with Finish.
  void Run();
  // Writes one message and waits for it: false if the client went.
  bool Send(const evaluation::v1::WatchEventsResponse& message);
  bool Cancelled() const;

  const Engine* engine_;
  const Principal who_;
  const evaluation::v1::WatchEventsRequest request_;
  const std::function<bool()> still_authorized_;
  std::atomic<int>* open_streams_;
  const std::atomic<bool>* stopping_;

  mutable absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool write_ok_ ABSL_GUARDED_BY(mu_) = true;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace evald::server

#endif  // EVALD_SERVER_WATCH_REACTOR_H_
