#include "server/watch_reactor.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "absl/time/clock.h"
#include "server/service.h"

namespace evald::server {

namespace v1 = ::evaluation::v1;

WatchReactor::WatchReactor(const Engine* engine, Principal who,
                           v1::WatchEventsRequest request,
                           std::function<bool()> still_authorized,
                           std::atomic<int>* open_streams,
                           const std::atomic<bool>* stopping)
    : engine_(engine),
      who_(std::move(who)),
      request_(std::move(request)),
      still_authorized_(std::move(still_authorized)),
      open_streams_(open_streams),
      stopping_(stopping) {
  // Detached: the thread's last act is Finish(), after which OnDone may
  // delete the reactor; the thread touches nothing after it.
  std::thread([this] { Run(); }).detach();
}

void WatchReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  write_ok_ = ok;
}

void WatchReactor::OnCancel() {
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }
  engine_->store().WakeFeedWaiters();
}

void WatchReactor::OnDone() {
  open_streams_->fetch_sub(1);
  delete this;
}

bool WatchReactor::Cancelled() const {
  absl::MutexLock lock(&mu_);
  return cancelled_;
}

bool WatchReactor::Send(const v1::WatchEventsResponse& message) {
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_) return false;
    writing_ = true;
  }
  StartWrite(&message);
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !writing_ || cancelled_;
  };
  mu_.Await(absl::Condition(&done));
  // A cancelled write still completes (OnWriteDone(false)) before OnDone.
  auto finished = [this]()
                      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !writing_; };
  mu_.Await(absl::Condition(&finished));
  return write_ok_ && !cancelled_;
}

void WatchReactor::Run() {
  const int bookmark_seconds =
      request_.bookmark_seconds() == 0
          ? 10
          : std::clamp(request_.bookmark_seconds(), 1, 300);
  const absl::Duration interval = absl::Seconds(bookmark_seconds);
  int64_t after = request_.after_cursor();
  bool caught_up_once = false;
  absl::Time last_sent = absl::Now();
  for (;;) {
    if (Cancelled()) return Finish(grpc::Status::CANCELLED);
    if (stopping_->load()) {
      return Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "evald is shutting down; reconnect with the "
                                 "last cursor"));
    }
    if (!still_authorized_()) {
      return Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                 "the stream's token was revoked"));
    }
    v1::ListEventsRequest read;
    read.set_after_cursor(after);
    *read.mutable_filter() = request_.filter();
    read.set_page_size(100);
    absl::StatusOr<v1::ListEventsResponse> page =
        engine_->ListEvents(who_, read);
    if (!page.ok()) return Finish(ToGrpcStatus(page.status()));
    for (v1::FeedEvent& event : *page->mutable_events()) {
      v1::WatchEventsResponse message;
      *message.mutable_event() = std::move(event);
      if (!Send(message)) return Finish(grpc::Status::CANCELLED);
      last_sent = absl::Now();
    }
    after = page->next_cursor();
    if (after < page->latest_cursor()) continue;  // more history to send
    if (!caught_up_once || absl::Now() - last_sent >= interval) {
      v1::WatchEventsResponse message;
      message.mutable_bookmark()->set_cursor(after);
      if (!Send(message)) return Finish(grpc::Status::CANCELLED);
      last_sent = absl::Now();
      caught_up_once = true;
    }
    // In slices, so that a cancel or a shutdown ends the stream soon.
    engine_->store().WaitForFeed(
        after, std::clamp(interval - (absl::Now() - last_sent),
                          absl::Milliseconds(10), absl::Milliseconds(500)));
  }
}

}  // namespace evald::server
