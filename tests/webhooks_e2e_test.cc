// Webhooks against the real evald (server/webhooks.h): a receiver on
// loopback checks every delivery's Standard Webhooks signature, fails some
// first attempts, and -- after deduplicating by webhook-id -- sees every
// money event of the feed exactly once, in cursor order, across a restart
// of evald; the admin's delivery log shows the retries, and a redelivery
// sends the events again under the same ids.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/e2e_fixture.h"

namespace evald::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kKey[] = "the-receivers-signing-key-32byte";

// HMAC-SHA256, base64: written here again, apart from evald's, so that a
// mistake in one is not checked against itself.
std::string Expected(const std::string& id, const std::string& timestamp,
                     const std::string& body) {
  const std::string content = id + "." + timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), kKey, sizeof(kKey) - 1,
       reinterpret_cast<const unsigned char*>(content.data()), content.size(),
       mac, &n);
  return "v1," +
         absl::Base64Escape(std::string(reinterpret_cast<char*>(mac), n));
}

class Receiver {
 public:
  Receiver() {
    server_.Post("/hook", [this](const httplib::Request& req,
                                 httplib::Response& res) {
      const std::string id = req.get_header_value("webhook-id");
      const std::string ts = req.get_header_value("webhook-timestamp");
      const std::string sig = req.get_header_value("webhook-signature");
      std::lock_guard<std::mutex> lock(mu_);
      int64_t when = 0;
      if (sig != Expected(id, ts, req.body) || !absl::SimpleAtoi(ts, &when) ||
          std::abs(when - std::time(nullptr)) > 300) {
        ++bad_signatures_;
        res.status = 401;
        return;
      }
      // The first attempt of every third event fails.
      if (attempts_[id]++ == 0 && seen_order_.size() % 3 == 2 &&
          !failed_once_.count(id)) {
        failed_once_.insert(id);
        res.status = 503;
        return;
      }
      ++received_;
      if (delivered_.insert(id).second) {
        seen_order_.push_back(id);
        const size_t at = req.body.find("\"type\":\"") + 8;
        types_.insert(req.body.substr(at, req.body.find('"', at) - at));
        google::protobuf::util::JsonStringToMessage(
            req.body.substr(req.body.find("\"data\":") + 7,
                            req.body.size() - req.body.find("\"data\":") - 8),
            &events_[id]);
      }
      res.status = 204;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::set<std::string> Delivered() {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }
  std::vector<int64_t> CursorsInOrder() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<int64_t> out;
    for (const std::string& id : seen_order_)
      out.push_back(events_[id].cursor());
    return out;
  }
  std::set<std::string> types() {
    std::lock_guard<std::mutex> lock(mu_);
    return types_;
  }
  int received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  int bad_signatures() {
    std::lock_guard<std::mutex> lock(mu_);
    return bad_signatures_;
  }
  size_t failed_once() {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_once_.size();
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::map<std::string, int> attempts_;
  std::set<std::string> failed_once_, delivered_, types_;
  std::vector<std::string> seen_order_;
  std::map<std::string, v1::FeedEvent> events_;
  int received_ = 0, bad_signatures_ = 0;
};

class WebhooksTest : public EvaldTest {
 protected:
  WebhooksTest() {
    char pattern[] = "/tmp/evald-webhooks-XXXXXX";
    dir_ = mkdtemp(pattern);
    std::ofstream(dir_ + "/webhooks.tsv")
        << "# name\turl\tsecret\tkinds\n"
        << "finance\thttp://127.0.0.1:" << receiver_.port() << "/hook\twhsec_"
        << absl::Base64Escape(kKey) << "\n";
  }
  std::vector<std::string> ExtraFlags() const override {
    return {"--webhooks=" + dir_ + "/webhooks.tsv", "--webhook_backoff_ms=50"};
  }

  // The money events finance reads in the feed: their ids.
  std::set<std::string> MoneyIds() {
    v1::ListEventsRequest r;
    r.set_page_size(1000);
    v1::ListEventsResponse feed;
    EXPECT_TRUE(stub_->ListEvents(Context(kFinance).get(), r, &feed).ok());
    std::set<std::string> ids;
    for (const v1::FeedEvent& e : feed.events()) ids.insert(e.id());
    return ids;
  }

  void WaitFor(const std::set<std::string>& ids) {
    for (int i = 0; i < 200 && receiver_.Delivered() != ids; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(receiver_.Delivered(), ids);
  }

  grpc::Status Release(const std::string& project, const std::string& ref) {
    v1::ReleaseDisbursementRequest r;
    r.set_request_id(NextRequestId());
    r.set_project_id(project);
    r.set_year(2025);
    r.set_kind(v1::YEAR_START);
    r.set_payment_reference(ref);
    r.set_released_on("2025-07-20");
    v1::Disbursement d;
    return stub_->ReleaseDisbursement(Context(kFinance).get(), r, &d);
  }

  Receiver receiver_;
  std::string dir_;
};

TEST_F(WebhooksTest, EveryMoneyEventArrivesSignedOnceAfterDedupInCursorOrder) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  ASSERT_TRUE(CreateProject("P2", "2025-07-01").ok());
  ASSERT_TRUE(Release("P1", "BANK-1").ok());
  v1::SubmitProfessionalScoreRequest score;  // not money: not delivered
  score.set_request_id(NextRequestId());
  *score.mutable_evaluation() = Ref("P1", 2025, v1::MID_TERM);
  score.set_score("80");
  v1::Evaluation e;
  ASSERT_TRUE(
      stub_->SubmitProfessionalScore(Context(kAgency).get(), score, &e).ok());
  std::set<std::string> expected = MoneyIds();
  ASSERT_EQ(expected.size(), 3u);  // two year-starts due, one released
  WaitFor(expected);
  EXPECT_GE(receiver_.failed_once(), 1u);  // retried, and got through

  // Restarted, evald goes on after the last recorded delivery.
  ASSERT_EQ(StopEvald(), 0);
  Restart();
  ASSERT_TRUE(Release("P2", "BANK-2").ok());
  expected = MoneyIds();
  ASSERT_EQ(expected.size(), 4u);
  WaitFor(expected);
  EXPECT_EQ(receiver_.bad_signatures(), 0);
  // Each message's type is the money kind the endpoint asked for, not the
  // project or evaluation change the same event also is.
  EXPECT_EQ(receiver_.types(),
            (std::set<std::string>{"tranche_due", "tranche_released"}));
  const std::vector<int64_t> order = receiver_.CursorsInOrder();
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()))
      << "deliveries out of cursor order";

  // The admin's view: the endpoint's progress and its log.
  v1::ListWebhookDeliveriesRequest list;
  list.set_endpoint("finance");
  v1::ListWebhookDeliveriesResponse log;
  // evald records a delivery just after the receiver answers it.
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(
        stub_->ListWebhookDeliveries(Context(kAdmin).get(), list, &log).ok());
    // (The log and the cursor are two reads: wait for both.)
    if (log.deliveries_size() == 4 && log.endpoints_size() == 1 &&
        log.endpoints(0).cursor() == order.back()) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(log.endpoints_size(), 1);
  EXPECT_EQ(log.endpoints(0).cursor(), order.back());
  EXPECT_EQ(log.deliveries_size(), 4);
  int retried = 0;
  for (const v1::WebhookDelivery& d : log.deliveries()) {
    EXPECT_EQ(d.state(), v1::DELIVERED);
    EXPECT_EQ(d.last_status(), 204);
    retried += d.attempts() > 1 ? 1 : 0;
  }
  EXPECT_GE(retried, 1);
  EXPECT_EQ(stub_->ListWebhookDeliveries(Context(kFinance).get(), list, &log)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Redelivered from the start: the same ids again, nothing new after dedup.
  const int before = receiver_.received();
  v1::RedeliverWebhooksRequest again;
  again.set_endpoint("finance");
  v1::WebhookEndpoint endpoint;
  ASSERT_TRUE(
      stub_->RedeliverWebhooks(Context(kAdmin).get(), again, &endpoint).ok());
  for (int i = 0; i < 200 && receiver_.received() < before + 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(receiver_.received(), before + 4);
  EXPECT_EQ(receiver_.Delivered(), expected);
  again.set_endpoint("nobody");
  EXPECT_EQ(stub_->RedeliverWebhooks(Context(kAdmin).get(), again, &endpoint)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace evald::testing
