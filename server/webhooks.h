// Webhooks: evald delivers the event feed's events to HTTPS endpoints in
// the Standard Webhooks format (https://www.standardwebhooks.com/), at
// least once, in cursor order per endpoint (docs/operations.md,
// "Webhooks").
//
// The endpoints come from a file (evald --webhooks=FILE), one per line,
// fields separated by tabs, '#' for comments:
//
//   name  url  secret  [kinds]
//
// name is 1-64 of [A-Za-z0-9_-]; url is https:// (http:// only to a
// loopback address, for tests and a local relay); secret is the signing
// key, "whsec_" + base64 as Standard Webhooks writes it (or any other
// text, used as it is); kinds are EventKind names separated by commas
// (default: every money kind). Keep the file readable by evald only.
//
// Each delivery is a POST of {"type", "timestamp", "data": FeedEvent}
// with headers webhook-id (the event's id, the same on every retry:
// receivers deduplicate by it), webhook-timestamp (Unix seconds) and
// webhook-signature ("v1," + base64 of HMAC-SHA256 over
// "id.timestamp.body"). A 2xx answer is delivered; anything else is
// retried with exponential backoff (from --webhook_backoff_ms, doubling,
// at most a minute apart) for --webhook_retry_minutes, then given up on
// and logged as GAVE_UP; the next event follows. Each endpoint's cursor
// and log are in the store: a restart resumes after the last recorded
// delivery, so a delivery may repeat, never be skipped.
//
// Thread-safety: one thread per endpoint; Status() and Redeliver() may be
// called from any thread.

#ifndef EVALD_SERVER_WEBHOOKS_H_
#define EVALD_SERVER_WEBHOOKS_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "evaluation/v1/evaluation.pb.h"
#include "server/engine.h"
#include "storage/store.h"

namespace evald::server {

struct WebhookTarget {
  std::string name;
  std::string url;
  std::string secret;
  std::vector<evaluation::v1::EventKind> kinds;
};

// The endpoints of a webhooks file; InvalidArgument naming the line.
absl::StatusOr<std::vector<WebhookTarget>> ParseWebhooksFile(
    absl::string_view text);

// The webhook-signature header's value for one message.
std::string WebhookSignature(absl::string_view secret, absl::string_view id,
                             int64_t timestamp, absl::string_view body);

class WebhookDispatcher {
 public:
  struct Options {
    absl::Duration retry_for = absl::Hours(24);
    absl::Duration first_backoff = absl::Seconds(1);
  };
  // `engine` and `store` must outlive the dispatcher. Start() starts one
  // thread per endpoint; the destructor stops them.
  WebhookDispatcher(const Engine* engine, storage::Store* store,
                    std::vector<WebhookTarget> targets, Options options);
  ~WebhookDispatcher();
  void Start();

  // Every endpoint's progress.
  absl::StatusOr<std::vector<evaluation::v1::WebhookEndpoint>> Status() const;
  // Delivers again after `after_cursor` (NotFound for an unknown name).
  absl::StatusOr<evaluation::v1::WebhookEndpoint> Redeliver(
      absl::string_view endpoint, int64_t after_cursor);
  bool Knows(absl::string_view endpoint) const;

  // Prometheus text: deliveries pending and given up on, per endpoint.
  std::string MetricsText() const;

 private:
  struct Lane;
  void Run(Lane& lane);
  // One event to one endpoint, retried; records the outcome.
  bool Deliver(Lane& lane, const evaluation::v1::FeedEvent& event);

  const Engine* engine_;
  storage::Store* store_;
  Options options_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  absl::Notification stopping_;
};

}  // namespace evald::server

#endif  // EVALD_SERVER_WEBHOOKS_H_
