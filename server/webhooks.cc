#include "server/webhooks.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "server/validate.h"

namespace evald::server {

namespace v1 = ::evaluation::v1;

struct WebhookDispatcher::Lane {
  WebhookTarget target;
  std::thread thread;
  std::atomic<int64_t> failed{0};
  // Set by Redeliver: where the lane continues from (-1: where it is).
  std::atomic<int64_t> restart_after{-1};
  // Held around a change of the stored cursor, so that the lane's record
  // of a delivery cannot overwrite a Redeliver's cursor.
  absl::Mutex mu;
};

namespace {

const std::vector<v1::EventKind>& MoneyKinds() {
  static const auto* const kinds = new std::vector<v1::EventKind>{
      v1::TRANCHE_DUE,      v1::TRANCHE_HELD,      v1::TRANCHE_HOLD_LIFTED,
      v1::TRANCHE_WITHHELD, v1::TRANCHE_FORFEITED, v1::TRANCHE_RELEASED,
      v1::TRANCHE_CHANGED,  v1::RELEASE_CORRECTED, v1::CONTRACT_TERMINATED,
      v1::TRANCHE_OVERDUE};
  return *kinds;
}

bool LoopbackHttp(absl::string_view url) {
  for (const char* prefix :
       {"http://127.0.0.1:", "http://127.0.0.1/",
        "http://localhost:", "http://localhost/", "http://[::1]:"}) {
    if (absl::StartsWith(url, prefix)) return true;
  }
  return false;
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone());
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

absl::StatusOr<std::vector<WebhookTarget>> ParseWebhooksFile(
    absl::string_view text) {
  std::vector<WebhookTarget> out;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    std::vector<std::string> fields =
        absl::StrSplit(trimmed, '\t', absl::SkipEmpty());
    if (fields.size() < 3 || fields.size() > 4) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line_number,
          ": expected name, url, secret and [kinds] separated by tabs"));
    }
    WebhookTarget t;
    t.name = fields[0];
    if (absl::Status s = ValidateId("name", t.name); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": ", s.message()));
    }
    t.url = fields[1];
    if (!absl::StartsWith(t.url, "https://") && !LoopbackHttp(t.url)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line_number, ": url \"", t.url,
          "\" is not https:// (plain http only to a loopback address)"));
    }
    t.secret = fields[2];
    if (fields.size() == 4) {
      for (absl::string_view k : absl::StrSplit(fields[3], ',')) {
        v1::EventKind kind;
        if (!v1::EventKind_Parse(std::string(absl::StripAsciiWhitespace(k)),
                                 &kind) ||
            kind == v1::EVENT_KIND_UNSPECIFIED) {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", line_number, ": \"", k, "\" is not an event kind"));
        }
        t.kinds.push_back(kind);
      }
    } else {
      t.kinds = MoneyKinds();
    }
    for (const WebhookTarget& other : out) {
      if (other.name == t.name) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", line_number, ": endpoint ", t.name, " is named twice"));
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::string WebhookSignature(absl::string_view secret, absl::string_view id,
                             int64_t timestamp, absl::string_view body) {
  std::string key(secret);
  if (absl::ConsumePrefix(&secret, "whsec_")) {
    std::string decoded;
    if (absl::Base64Unescape(secret, &decoded)) key = decoded;
  }
  const std::string signed_content =
      absl::StrCat(id, ".", timestamp, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(signed_content.data()),
       signed_content.size(), mac, &length);
  return absl::StrCat("v1,", absl::Base64Escape(absl::string_view(
                                 reinterpret_cast<const char*>(mac), length)));
}

WebhookDispatcher::WebhookDispatcher(const Engine* engine,
                                     storage::Store* store,
                                     std::vector<WebhookTarget> targets,
                                     Options options)
    : engine_(engine), store_(store), options_(options) {
  for (WebhookTarget& t : targets) {
    auto lane = std::make_unique<Lane>();
    lane->target = std::move(t);
    lanes_.push_back(std::move(lane));
  }
}

WebhookDispatcher::~WebhookDispatcher() {
  stopping_.Notify();
  store_->WakeFeedWaiters();
  for (auto& lane : lanes_) {
    if (lane->thread.joinable()) lane->thread.join();
  }
}

void WebhookDispatcher::Start() {
  for (auto& lane : lanes_) {
    Lane* l = lane.get();
    l->thread = std::thread([this, l] { Run(*l); });
  }
}

bool WebhookDispatcher::Knows(absl::string_view endpoint) const {
  return std::any_of(lanes_.begin(), lanes_.end(),
                     [&](const auto& l) { return l->target.name == endpoint; });
}

absl::StatusOr<std::vector<v1::WebhookEndpoint>> WebhookDispatcher::Status()
    const {
  std::vector<v1::WebhookEndpoint> out;
  for (const auto& lane : lanes_) {
    v1::WebhookEndpoint e;
    e.set_name(lane->target.name);
    e.set_url(lane->target.url);
    for (v1::EventKind k : lane->target.kinds) e.add_kinds(k);
    absl::StatusOr<int64_t> cursor = store_->GetWebhookCursor(e.name());
    if (!cursor.ok()) return cursor.status();
    e.set_cursor(*cursor);
    e.set_latest_cursor(store_->FeedLatest());
    e.set_failed(lane->failed.load());
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<v1::WebhookEndpoint> WebhookDispatcher::Redeliver(
    absl::string_view endpoint, int64_t after_cursor) {
  for (auto& lane : lanes_) {
    if (lane->target.name != endpoint) continue;
    if (after_cursor < 0 || after_cursor > store_->FeedLatest()) {
      return absl::InvalidArgumentError(
          absl::StrCat("after_cursor: ", after_cursor, " is not in [0, ",
                       store_->FeedLatest(), "]"));
    }
    {
      absl::MutexLock lock(&lane->mu);
      if (absl::Status s = store_->SetWebhookCursor(endpoint, after_cursor);
          !s.ok()) {
        return s;
      }
      lane->restart_after = after_cursor;
    }
    store_->WakeFeedWaiters();
    absl::StatusOr<std::vector<v1::WebhookEndpoint>> all = Status();
    if (!all.ok()) return all.status();
    for (v1::WebhookEndpoint& e : *all) {
      if (e.name() == endpoint) return e;
    }
  }
  return absl::NotFoundError(
      absl::StrCat("endpoint: no webhook endpoint is named \"", endpoint,
                   "\" (evald --webhooks lists them)"));
}

std::string WebhookDispatcher::MetricsText() const {
  std::string pending =
      "# HELP evald_webhook_deliveries_pending Events committed that an "
      "endpoint has not yet been sent.\n"
      "# TYPE evald_webhook_deliveries_pending gauge\n";
  std::string failed =
      "# HELP evald_webhook_deliveries_given_up_total Deliveries given up on "
      "after the retry period, since evald started.\n"
      "# TYPE evald_webhook_deliveries_given_up_total counter\n";
  for (const auto& lane : lanes_) {
    absl::StatusOr<int64_t> cursor =
        store_->GetWebhookCursor(lane->target.name);
    const int64_t behind =
        cursor.ok() ? std::max<int64_t>(0, store_->FeedLatest() - *cursor) : 0;
    absl::StrAppend(&pending, "evald_webhook_deliveries_pending{endpoint=\"",
                    lane->target.name, "\"} ", behind, "\n");
    absl::StrAppend(&failed,
                    "evald_webhook_deliveries_given_up_total{endpoint=\"",
                    lane->target.name, "\"} ", lane->failed.load(), "\n");
  }
  return lanes_.empty() ? "" : absl::StrCat(pending, failed);
}

void WebhookDispatcher::Run(Lane& lane) {
  // The endpoint reads the feed with the bureau's rights, narrowed to its
  // kinds.
  const Principal reader{absl::StrCat("webhook:", lane.target.name),
                         Role::kBureau, "evald"};
  absl::StatusOr<int64_t> stored = store_->GetWebhookCursor(lane.target.name);
  int64_t scan = stored.ok() ? *stored : 0;
  int64_t recorded = scan;  // the cursor the store holds for the endpoint
  while (!stopping_.HasBeenNotified()) {
    const int64_t restart = lane.restart_after.exchange(-1);
    if (restart >= 0) scan = recorded = restart;
    v1::ListEventsRequest r;
    r.set_after_cursor(scan);
    for (v1::EventKind k : lane.target.kinds) r.mutable_filter()->add_kinds(k);
    r.set_page_size(100);
    absl::StatusOr<v1::ListEventsResponse> page =
        engine_->ListEvents(reader, r);
    if (!page.ok()) {
      absl::StatusOr<int64_t> oldest = store_->FeedOldest();
      if (page.status().code() == absl::StatusCode::kOutOfRange &&
          oldest.ok() && scan + 1 < *oldest) {
        // Retention dropped what the endpoint had not been sent: go on
        // from the oldest position kept.
        scan = *oldest - 1;
        continue;
      }
      // Anything else (a failing disk): try again shortly, skipping
      // nothing.
      stopping_.WaitForNotificationWithTimeout(absl::Seconds(1));
      continue;
    }
    for (const v1::FeedEvent& event : page->events()) {
      if (stopping_.HasBeenNotified() || lane.restart_after.load() >= 0) break;
      if (!Deliver(lane, event)) return;  // stopping
    }
    if (lane.restart_after.load() >= 0) continue;
    scan = page->next_cursor();
    if (page->events().empty() && scan > recorded) {
      // Past events of other kinds: record it, so that the endpoint shows
      // nothing pending and a restart does not read them again.
      absl::MutexLock lock(&lane.mu);
      if (lane.restart_after.load() < 0 &&
          store_->SetWebhookCursor(lane.target.name, scan).ok()) {
        recorded = scan;
      }
    } else if (!page->events().empty()) {
      recorded = page->events().rbegin()->cursor();
    }
    if (scan >= page->latest_cursor()) {
      store_->WaitForFeed(scan, absl::Milliseconds(500));
    }
  }
}

bool WebhookDispatcher::Deliver(Lane& lane, const v1::FeedEvent& event) {
  std::string data;
  google::protobuf::util::JsonPrintOptions json;
  json.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(event, &data, json);
  // The first of the event's kinds the endpoint asked for (a finalisation
  // is EVALUATION_CHANGED too, but a money endpoint wants TRANCHE_DUE).
  std::string type = "event";
  for (int k : event.kinds()) {
    if (std::find(lane.target.kinds.begin(), lane.target.kinds.end(), k) !=
        lane.target.kinds.end()) {
      type = absl::AsciiStrToLower(
          v1::EventKind_Name(static_cast<v1::EventKind>(k)));
      break;
    }
  }
  const std::string body =
      absl::StrCat("{\"type\":\"", type, "\",\"timestamp\":\"", event.time(),
                   "\",\"data\":", data, "}");

  v1::WebhookDelivery d;
  d.set_endpoint(lane.target.name);
  d.set_cursor(event.cursor());
  d.set_webhook_id(event.id());
  d.set_first_attempt(Rfc3339(absl::Now()));
  const absl::Time give_up = absl::Now() + options_.retry_for;
  absl::Duration backoff = options_.first_backoff;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return false;
  for (;;) {
    const int64_t timestamp = absl::ToUnixSeconds(absl::Now());
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(
        headers, absl::StrCat("webhook-id: ", event.id()).c_str());
    headers = curl_slist_append(
        headers, absl::StrCat("webhook-timestamp: ", timestamp).c_str());
    headers = curl_slist_append(
        headers, absl::StrCat("webhook-signature: ",
                              WebhookSignature(lane.target.secret, event.id(),
                                               timestamp, body))
                     .c_str());
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, lane.target.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    d.set_attempts(d.attempts() + 1);
    d.set_last_status(static_cast<int>(status));
    d.set_last_attempt(Rfc3339(absl::Now()));
    if (code == CURLE_OK && status >= 200 && status < 300) {
      d.set_state(v1::DELIVERED);
      d.clear_last_error();
      break;
    }
    d.set_last_error(code != CURLE_OK ? curl_easy_strerror(code)
                                      : absl::StrCat("HTTP ", status));
    if (absl::Now() + backoff > give_up) {
      d.set_state(v1::GAVE_UP);
      lane.failed.fetch_add(1);
      break;
    }
    if (stopping_.WaitForNotificationWithTimeout(backoff)) {
      curl_easy_cleanup(curl);
      return false;  // not recorded: delivered again after the restart
    }
    if (lane.restart_after.load() >= 0) {
      curl_easy_cleanup(curl);
      return true;  // a redelivery starts over; this one is not recorded
    }
    backoff = std::min(backoff * 2, absl::Minutes(1));
  }
  curl_easy_cleanup(curl);
  // Recorded with the endpoint's cursor, unless a redelivery moved it
  // meanwhile; if this fails the event is sent again later, which
  // receivers deduplicate.
  absl::MutexLock lock(&lane.mu);
  if (lane.restart_after.load() < 0) {
    (void)store_->RecordWebhookDelivery(d);
  }
  return true;
}

}  // namespace evald::server
