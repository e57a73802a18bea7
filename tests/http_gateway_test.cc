// The HTTP gateway (docs/api.md "HTTP and JSON") against the real evald
// binary: the Connect protocol's unary JSON form of every RPC, the same
// authorization and idempotency as gRPC, clear refusals of bad bodies that
// change nothing, /healthz without a token, the dashboard's static files,
// and TLS.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "server/connect_protocol.h"
#include "tests/e2e_fixture.h"
#include "tests/etcd_test_store.h"
#include "tests/every_rpc.h"
#include "tests/run_program.h"

#ifndef EVALD_SOURCE_DIR
#error "EVALD_SOURCE_DIR must name the source tree"
#endif

namespace evald::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kService[] = "/evaluation.v1.EvaluationService/";

// The gRPC code whose Connect name is `name`.
grpc::StatusCode CodeNamed(const std::string& name) {
  for (int c = 0; c <= 16; ++c) {
    const auto code = static_cast<grpc::StatusCode>(c);
    if (server::ConnectCodeName(code) == name) return code;
  }
  return grpc::StatusCode::UNKNOWN;
}

// A Connect reply as a gRPC status; checks the HTTP status matches the code.
grpc::Status StatusOf(const httplib::Result& res) {
  if (!res) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no reply");
  if (res->status == 200) return grpc::Status::OK;
  google::protobuf::Struct error;
  if (!google::protobuf::util::JsonStringToMessage(res->body, &error).ok()) {
    ADD_FAILURE() << "error body is not JSON: " << res->body;
    return grpc::Status(grpc::StatusCode::UNKNOWN, res->body);
  }
  const grpc::StatusCode code =
      CodeNamed(error.fields().at("code").string_value());
  // The Connect protocol's status for the code (415 is its answer to an
  // unsupported Content-Type, with code invalid_argument; 413 to a body too
  // large, with resource_exhausted).
  if (res->status != 415 && res->status != 413) {
    EXPECT_EQ(res->status, server::ConnectHttpStatus(code)) << res->body;
  }
  return grpc::Status(code, error.fields().at("message").string_value());
}

class HttpGatewayTest : public EvaldTest {
 protected:
  std::vector<std::string> ExtraFlags() const override {
    return {"--http_listen=127.0.0.1:0"};
  }

  httplib::Result Post(const std::string& method, const std::string& body,
                       const std::string& token,
                       const std::string& type = "application/json") {
    httplib::Client client(absl::StrCat("http://", evald_.http_address()));
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Post(absl::StrCat(kService, method), headers, body,
                       type.c_str());
  }

  int ProjectCount() {
    v1::ListProjectsResponse reply;
    EXPECT_TRUE(stub_
                    ->ListProjects(Context(kBureau).get(),
                                   v1::ListProjectsRequest(), &reply)
                    .ok());
    return reply.projects_size();
  }
};

TEST_F(HttpGatewayTest, EveryRpcAsEveryRoleMatchesTheDocumentedMatrix) {
  ASSERT_FALSE(evald_.http_address().empty());
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  const MatrixParties parties = AddMatrixParties();
  const Transport over_http = [&](const std::string& method,
                                  const google::protobuf::Message& request,
                                  const std::string& token) {
    std::string json;
    EXPECT_TRUE(
        google::protobuf::util::MessageToJsonString(request, &json).ok());
    return StatusOf(Post(method, json, token));
  };
  ExpectDocumentedMatrix(over_http, parties.insiders, parties.outsiders,
                         parties.revoked);
}

TEST_F(HttpGatewayTest, JsonCallsShareStateAndIdempotencyWithGrpc) {
  // What a script with curl would send: canonical JSON, int64 as a string.
  const std::string create = R"({
    "requestId": "http-create-1", "projectId": "P7", "name": "黄阁镇社工站",
    "township": "huangge", "provider": "PR1", "villages": ["V01", "V02"],
    "startDate": "2025-07-01", "annualFundFen": "260000000", "agency": "AG1"})";
  httplib::Result res = Post("CreateProject", create, kBureau);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_THAT(res->body, HasSubstr(R"("projectId":"P7")"));
  EXPECT_THAT(res->body, HasSubstr(R"("annualFundFen":"260000000")"));

  // gRPC sees the project, and the same request id over gRPC is the same
  // request: answered again, not created twice.
  v1::CreateProjectRequest again;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(create, &again).ok());
  v1::Project project;
  grpc::Status s =
      stub_->CreateProject(Context(kBureau).get(), again, &project);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(project.project_id(), "P7");
  EXPECT_EQ(ProjectCount(), 1);

  // A score over HTTP is the score gRPC reads back.
  res = Post("SubmitProfessionalScore",
             R"({"requestId":"http-score-1","evaluation":{"projectId":"P7",
                 "year":2025,"phase":"MID_TERM"},"score":"86.40"})",
             kAgency);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  v1::GetEvaluationRequest get;
  *get.mutable_evaluation() = Ref("P7", 2025, v1::MID_TERM);
  v1::Evaluation evaluation;
  ASSERT_TRUE(
      stub_->GetEvaluation(Context(kBureau).get(), get, &evaluation).ok());
  EXPECT_THAT(evaluation.DebugString(), HasSubstr("86.40"));

  // Reusing the request id for another body is refused the same way.
  res = Post("SubmitProfessionalScore",
             R"({"requestId":"http-score-1","evaluation":{"projectId":"P7",
                 "year":2025,"phase":"MID_TERM"},"score":"12.00"})",
             kAgency);
  v1::SubmitProfessionalScoreRequest reuse;
  reuse.set_request_id("http-score-1");
  *reuse.mutable_evaluation() = Ref("P7", 2025, v1::MID_TERM);
  reuse.set_score("12.00");
  v1::Evaluation ignored;
  const grpc::Status over_grpc =
      stub_->SubmitProfessionalScore(Context(kAgency).get(), reuse, &ignored);
  EXPECT_FALSE(over_grpc.ok());
  EXPECT_EQ(StatusOf(res).error_code(), over_grpc.error_code());
}

TEST_F(HttpGatewayTest, BadBodiesAreInvalidArgumentAndChangeNothing) {
  const std::string good = R"({"requestId":"bad-1","projectId":"P8",
      "name":"x","township":"huangge","provider":"PR1","villages":["V01"],
      "startDate":"2025-07-01","annualFundFen":"100"})";
  struct Case {
    std::string what, body, type, says;
  } cases[] = {
      {"malformed JSON", R"({"requestId": "bad-1", "projectId":)",
       "application/json", "not a CreateProjectRequest in JSON"},
      {"an unknown field", R"({"requestId":"bad-1","projectIdd":"P8"})",
       "application/json", "projectIdd"},
      {"a number where a string goes", R"({"requestId":7})", "application/json",
       "request_id"},
      {"a wrong Content-Type", good, "text/plain", "Content-Type"},
      {"a form body", good, "application/x-www-form-urlencoded",
       "application/json"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    httplib::Result res = Post("CreateProject", c.body, kBureau, c.type);
    ASSERT_TRUE(res);
    const grpc::Status s = StatusOf(res);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr(c.says));
  }
  // Larger than --max_message_bytes (1 MiB by default).
  const std::string huge = absl::StrCat(R"({"requestId":"bad-1","name":")",
                                        std::string(2 << 20, 'x'), "\"}");
  httplib::Result res = Post("CreateProject", huge, kBureau);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(StatusOf(res).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A method the service does not have.
  res = Post("DeleteEverything", "{}", kBureau);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(ProjectCount(), 0);
}

TEST_F(HttpGatewayTest, HealthzAnswersWithoutAToken) {
  httplib::Client client(absl::StrCat("http://", evald_.http_address()));
  httplib::Result res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"status":"SERVING","writes":"SERVING"})");
  // No CORS by default: the dashboard is same-origin.
  httplib::Result api = Post("GetPolicy", "{}", kBureau);
  ASSERT_TRUE(api);
  EXPECT_FALSE(api->has_header("Access-Control-Allow-Origin"));
}

TEST_F(HttpGatewayTest, MetricsCountCallsAndShowTheDistrictInPrometheusFormat) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  ASSERT_TRUE(Post("GetPolicy", "{}", kFinance));
  ASSERT_TRUE(Post("GetPolicy", "{}", kFinance));
  ASSERT_TRUE(Post("ReleaseDisbursement", "{}", kBureau));  // denied
  httplib::Client client(absl::StrCat("http://", evald_.http_address()));
  httplib::Result res = client.Get("/metrics");  // no token, as a scraper
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"),
            "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = res->body;
  const std::string labels =
      "grpc_type=\"unary\",grpc_service=\"evaluation.v1.EvaluationService\","
      "grpc_method=";
  // Calls over HTTP and gRPC alike: GetPolicy twice, CreateProject once.
  EXPECT_THAT(text, HasSubstr(absl::StrCat("grpc_server_started_total{", labels,
                                           "\"GetPolicy\"} 2\n")));
  EXPECT_THAT(text,
              HasSubstr(absl::StrCat("grpc_server_handled_total{", labels,
                                     "\"GetPolicy\",grpc_code=\"OK\"} 2\n")));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("grpc_server_handled_total{", labels,
                                           "\"ReleaseDisbursement\",grpc_code="
                                           "\"PermissionDenied\"} 1\n")));
  EXPECT_THAT(text,
              HasSubstr(absl::StrCat("grpc_server_handling_seconds_count{",
                                     labels, "\"CreateProject\"} 1\n")));
  EXPECT_THAT(text, HasSubstr(absl::StrCat(
                        "grpc_server_handling_seconds_bucket{", labels,
                        "\"CreateProject\",le=\"+Inf\"} 1\n")));
  // The district: P1's ten phases are OPEN; its first year-start tranche
  // (1,040,000.00 yuan, due 2025-07-22) is due and, today, overdue.
  EXPECT_THAT(text, HasSubstr("evald_phases{state=\"OPEN\"} 10\n"));
  EXPECT_THAT(text, HasSubstr("evald_tranches_due_fen 104000000\n"));
  EXPECT_THAT(text, HasSubstr("evald_tranches_overdue_fen 104000000\n"));
  // Low cardinality: no project or principal in any label.
  EXPECT_THAT(text, Not(HasSubstr("P1")));
  EXPECT_THAT(text, Not(HasSubstr("finance")));
  EXPECT_THAT(text, HasSubstr("evald_oldest_unpaid_due_age_seconds "));
  // RocksDB: its sizes, the block cache's hits and misses, the log's syncs
  // (one per acknowledged write group; CreateProject waited for one at
  // least). On etcd none of them: etcd has its own /metrics.
  if (TestsUseEtcd()) {
    EXPECT_THAT(text, Not(HasSubstr("evald_rocksdb_")));
    EXPECT_THAT(text, Not(HasSubstr("evald_store_bytes")));
  } else {
    EXPECT_THAT(text, HasSubstr("evald_store_bytes{kind=\"memtable_bytes\"} "));
    EXPECT_THAT(text, HasSubstr("evald_rocksdb_block_cache_hits_total "));
    EXPECT_THAT(text, HasSubstr("evald_rocksdb_block_cache_misses_total "));
    EXPECT_THAT(text,
                ContainsRegex("evald_rocksdb_wal_sync_seconds_count [1-9]"));
    EXPECT_THAT(
        text, HasSubstr("evald_rocksdb_wal_sync_seconds{quantile=\"0.99\"} "));
  }
  EXPECT_THAT(text, HasSubstr("evald_watch_streams_open 0\n"));
  EXPECT_THAT(text, ContainsRegex("evald_feed_latest_cursor [1-9]"));
  // Prometheus's own linter accepts it (Debian's prometheus package).
  const std::string file = ::testing::TempDir() + "evald-metrics.txt";
  std::ofstream(file) << text;
  RunResult lint = RunProgram(
      "/bin/sh", {"-c", "exec /usr/bin/promtool check metrics < " + file});
  EXPECT_EQ(lint.status, 0) << lint.out << lint.err;
  // Every sample line is "name{labels} value" (the text format).
  const std::regex sample(
      "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*\\})? (-?[0-9.e+-]+|\\+Inf|NaN)");
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "# HELP ") ||
        absl::StartsWith(line, "# TYPE ")) {
      continue;
    }
    EXPECT_TRUE(std::regex_match(std::string(line), sample)) << line;
  }
}

TEST(HttpGatewayFiles, ServesTheBuiltAppWithCacheHeaders) {
  const std::filesystem::path web = std::filesystem::temp_directory_path() /
                                    absl::StrCat("evald-web-", getpid());
  std::filesystem::create_directories(web / "assets");
  std::ofstream(web / "index.html") << "<!doctype html><title>评估</title>";
  std::ofstream(web / "assets" / "app-1a2b3c.js") << "console.log(1)";
  EvaldProcess evald;
  ASSERT_TRUE(
      evald.Start({"--http_listen=127.0.0.1:0", "--web_dir=" + web.string()}));
  httplib::Client client(absl::StrCat("http://", evald.http_address()));
  httplib::Result index = client.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_THAT(index->body, HasSubstr("评估"));
  EXPECT_EQ(index->get_header_value("Cache-Control"), "no-cache");
  httplib::Result asset = client.Get("/assets/app-1a2b3c.js");
  ASSERT_TRUE(asset);
  EXPECT_EQ(asset->status, 200);
  EXPECT_THAT(asset->get_header_value("Cache-Control"), HasSubstr("immutable"));
  EXPECT_EQ(asset->body, "console.log(1)");
  // A script goes out gzipped from the .gz build-web.sh makes, to a client
  // that takes gzip (httplib's client inflates it again), never recompressed.
  std::ofstream(web / "gz-source") << "console.log(2)";
  ASSERT_EQ(std::system(("gzip -9 -n -c " + (web / "gz-source").string() +
                         " > " + (web / "assets" / "app-1a2b3c.js.gz").string())
                            .c_str()),
            0);
  httplib::Result gzipped = client.Get(
      "/assets/app-1a2b3c.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(gzipped);
  EXPECT_EQ(gzipped->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(gzipped->get_header_value("Content-Type"),
            "application/javascript; charset=utf-8");
  EXPECT_EQ(gzipped->body, "console.log(2)");
  httplib::Result plain =
      client.Get("/assets/app-1a2b3c.js", {{"Accept-Encoding", "identity"}});
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->has_header("Content-Encoding"));
  EXPECT_EQ(plain->body, "console.log(1)");
  httplib::Result missing = client.Get("/assets/../../etc/passwd");
  ASSERT_TRUE(missing);
  EXPECT_NE(missing->status, 200);
  std::filesystem::remove_all(web);
}

TEST(HttpGatewayTls, PlaintextOffLoopbackIsRefusedAndTlsServes) {
  EvaldProcess plaintext;
  EXPECT_FALSE(plaintext.Start({"--http_listen=0.0.0.0:0"}));

  const std::filesystem::path certs =
      std::filesystem::temp_directory_path() /
      absl::StrCat("evald-http-certs-", getpid());
  const std::string make =
      absl::StrCat(EVALD_SOURCE_DIR, "/scripts/make-certs.sh ", certs.string(),
                   " >/dev/null 2>&1");
  ASSERT_EQ(std::system(make.c_str()), 0);
  EvaldProcess tls;
  ASSERT_TRUE(tls.Start({"--listen=127.0.0.1:0", "--http_listen=127.0.0.1:0",
                         "--tls_cert_file=" + (certs / "server.pem").string(),
                         "--tls_key_file=" + (certs / "server.key").string()}));
  const std::string port =
      tls.http_address().substr(tls.http_address().rfind(':') + 1);
  httplib::SSLClient client("localhost", std::stoi(port));
  client.set_ca_cert_path((certs / "ca.pem").string().c_str());
  client.enable_server_certificate_verification(true);
  httplib::Result res = client.Get("/healthz");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  // The same port does not answer plaintext.
  httplib::Client plain(absl::StrCat("http://", tls.http_address()));
  plain.set_connection_timeout(2);
  plain.set_read_timeout(2);
  httplib::Result refused = plain.Get("/healthz");
  EXPECT_TRUE(!refused || refused->status != 200);
  std::filesystem::remove_all(certs);
}

// A real Prometheus (Debian's prometheus package) scrapes evald's /metrics
// on loopback, and a query returns the submissions counted.
TEST_F(HttpGatewayTest, APrometheusServerScrapesEvaldAndCountsTheSubmissions) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/prometheus"))
      << "scripts/install-deps.sh installs Debian's prometheus";
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  for (int i = 0; i < 3; ++i) {
    v1::SubmitProfessionalScoreRequest r;
    r.set_request_id(NextRequestId());
    *r.mutable_evaluation() = Ref("P1", 2025, v1::MID_TERM);
    r.set_score(absl::StrCat(80 + i));
    v1::Evaluation e;
    ASSERT_TRUE(
        stub_->SubmitProfessionalScore(Context(kAgency).get(), r, &e).ok());
  }
  char pattern[] = "/tmp/evald-prometheus-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  int port = 0;
  {
    // A free port for Prometheus's own web server.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    close(fd);
  }
  std::ofstream(dir + "/prometheus.yml")
      << "global:\n  scrape_interval: 1s\nscrape_configs:\n"
         "  - job_name: evald\n    static_configs:\n      - targets: ['"
      << evald_.http_address() << "']\n";
  const pid_t prometheus = fork();
  if (prometheus == 0) {
    const int log = open((dir + "/log").c_str(), O_WRONLY | O_CREAT, 0600);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    const std::string config = "--config.file=" + dir + "/prometheus.yml";
    const std::string storage = "--storage.tsdb.path=" + dir + "/data";
    const std::string listen =
        absl::StrCat("--web.listen-address=127.0.0.1:", port);
    execl("/usr/bin/prometheus", "prometheus", config.c_str(), storage.c_str(),
          listen.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(prometheus, 0);
  httplib::Client client("127.0.0.1", port);
  const std::string query =
      "/api/v1/query?query=sum(grpc_server_handled_total%7Bgrpc_method%3D%22"
      "SubmitProfessionalScore%22%2Cgrpc_code%3D%22OK%22%7D)";
  std::string body;
  for (int i = 0; i < 120; ++i) {  // up to 30 s
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    httplib::Result res = client.Get(query);
    if (res && res->status == 200 && absl::StrContains(res->body, "\"3\"")) {
      body = res->body;
      break;
    }
  }
  kill(prometheus, SIGTERM);
  int status = 0;
  waitpid(prometheus, &status, 0);
  std::string log;
  {
    std::ifstream in(dir + "/log");
    log.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  EXPECT_THAT(body, HasSubstr("\"result\":[{\"metric\":{},\"value\":[")) << log;
  EXPECT_THAT(body, HasSubstr(",\"3\"]")) << log;
}

}  // namespace
}  // namespace evald::testing
