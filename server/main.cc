// evald: the four-party evaluation scoring service.
//
//   evald --data_dir=DIR --principals=FILE [--listen=127.0.0.1:50051]
//         [--http_listen=127.0.0.1:8080 [--web_dir=web/dist]]
//         [--policy_dir=DIR] [--default_policy=ID] [--calendar_dir=DIR]
//
// Prints "evald listening on HOST:PORT" on stdout once it serves (with
// --listen=127.0.0.1:0 the kernel picks the port), then, with --http_listen,
// "evald http on http://HOST:PORT/" (https with TLS). SIGTERM or SIGINT
// shuts down gracefully: in-flight calls finish, then the database closes.

#include <curl/curl.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "common/mutex_mode.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "scoring/calendar.h"
#include "scoring/policy.h"
#include "server/business_metrics.h"
#include "server/config.h"
#include "server/engine.h"
#include "server/etcd_tls_flags.h"
#include "server/http_gateway.h"
#include "server/listen_address.h"
#include "server/metrics.h"
#include "server/organisation_file.h"
#include "server/organisations.h"
#include "server/policy_set.h"
#include "server/principals.h"
#include "server/rate_limiter.h"
#include "server/service.h"
#include "server/webhooks.h"
#include "server/worker_pool.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"
#include "storage/etcd_store.h"
#include "storage/store.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "address to serve on; plaintext is meant for loopback only");
ABSL_FLAG(std::string, http_listen, "",
          "address for the HTTP port: the API in the Connect protocol "
          "(JSON), /healthz and the dashboard; empty: no HTTP port");
ABSL_FLAG(std::string, web_dir, "",
          "directory of the built dashboard (web/dist) served on the HTTP "
          "port; empty: the API only");
ABSL_FLAG(std::string, store, "rocksdb",
          "where the state lives: rocksdb (embedded, --data_dir; one evald) "
          "or etcd (--etcd_endpoints, --etcd_prefix; any number of evald "
          "replicas, docs/deployment.md)");
ABSL_FLAG(std::string, data_dir, "",
          "RocksDB data directory (required with --store=rocksdb)");
ABSL_FLAG(std::string, etcd_endpoints, "",
          "--store=etcd: the etcd members' client endpoints, "
          "host:port,host:port,...");
ABSL_FLAG(std::string, etcd_prefix, "/evald/",
          "--store=etcd: the key prefix of this deployment (ends in '/'); "
          "replicas serving one district share it");
ABSL_FLAG(std::string, principals, "",
          "principals file: sha256(token) role organisation name (required)");
ABSL_FLAG(std::string, organisations, "",
          "organisations file (tab-separated: code kind name_zh [name_en] "
          "[township]): its codes the registry lacks are added at start");
ABSL_FLAG(std::string, policy_dir, "",
          "directory of extra policies (*.textproto); nansha-2019 is built in");
ABSL_FLAG(std::string, default_policy, "",
          "policy id new projects get (default: the built-in nansha-2019)");
ABSL_FLAG(std::string, calendar_dir, "",
          "directory of working-day calendars (YYYY.txt); default built in");
ABSL_FLAG(std::string, backup_dir, "",
          "directory on this host that evalctl admin backup writes to "
          "(empty: no online backups)");
ABSL_FLAG(int, backup_keep, 14, "backups kept in --backup_dir (0: all)");
ABSL_FLAG(std::string, webhooks, "",
          "webhooks file (tab-separated: name url secret [kinds]): deliver "
          "the event feed to these endpoints (server/webhooks.h)");
ABSL_FLAG(int, webhook_retry_minutes, 1440,
          "how long a webhook delivery is retried before it is given up on");
ABSL_FLAG(int, webhook_backoff_ms, 1000,
          "the first wait before a failed webhook delivery is retried "
          "(doubling, at most a minute)");
ABSL_FLAG(int, overdue_every_minutes, 10,
          "how often evald's clock looks for DUE tranches past their due "
          "date, to announce each once in the event feed (0: never)");
ABSL_FLAG(int, feed_retention_days, 400,
          "days the event feed keeps a change's position (the audit log "
          "keeps every event for good)");
ABSL_FLAG(int, workers, 32, "threads serving calls (blocking disk work)");
ABSL_FLAG(int, max_message_bytes, 1 << 20, "largest request accepted");
ABSL_FLAG(int64_t, block_cache_mb, 64, "RocksDB block cache size in MiB");
ABSL_FLAG(int64_t, memtable_mb, 96,
          "RocksDB memory for recent writes (all memtables) in MiB");
ABSL_FLAG(int64_t, disk_reserve_mb, 256,
          "free space on the data disk below which writes stop (and start-up "
          "is refused) until space is freed; must hold a memtable flush");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM server certificate (chain); with --tls_key_file, serve TLS");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of the certificate");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA that client certificates must chain to (mTLS)");
ABSL_FLAG(bool, allow_future_dates, false,
          "admit result, application, decision and release dates after "
          "today (China time); only for loading records kept against "
          "another clock (docs/operations.md)");
ABSL_FLAG(bool, require_client_cert, false,
          "refuse clients without a certificate from --tls_client_ca_file");
ABSL_FLAG(double, rate_limit_qps, 200,
          "calls a second each principal may make on average (0: no limit)");
ABSL_FLAG(double, rate_limit_burst, 400,
          "calls each principal may make at once before the limit applies");

namespace evald::server {
namespace {

// The etcd TLS flags into `options`: all three files read, or none given;
// a certificate without its key (or the reverse) names the missing flag.
// The health service name that says whether evald accepts writes.
constexpr char kWritesHealth[] = "evald.writes";

// TLS when a certificate is configured; plaintext otherwise, which is only
// allowed on loopback addresses.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    const std::string& listen) {
  const std::string cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  const std::string key_file = absl::GetFlag(FLAGS_tls_key_file);
  const std::string ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }
  if (cert_file.empty()) {
    if (!IsLiteralLoopback(listen)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "refusing plaintext on ", listen,
          ": plaintext is allowed only on a literal loopback address "
          "(127.0.0.1, [::1]); give --tls_cert_file and --tls_key_file"));
    }
    spdlog::warn("serving PLAINTEXT on loopback address {} (no TLS)", listen);
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions options;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  absl::StatusOr<std::string> cert = ReadFile(cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(key_file);
  if (!key.ok()) return key.status();
  pair.cert_chain = *cert;
  pair.private_key = *key;
  options.pem_key_cert_pairs.push_back(pair);
  if (!ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(ca_file);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request =
        absl::GetFlag(FLAGS_require_client_cert)
            ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
            : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  } else if (absl::GetFlag(FLAGS_require_client_cert)) {
    return absl::InvalidArgumentError(
        "--require_client_cert needs --tls_client_ca_file");
  }
  spdlog::info("serving TLS on {}{}", listen,
               options.pem_root_certs.empty() ? ""
               : absl::GetFlag(FLAGS_require_client_cert)
                   ? " (client certificates required)"
                   : " (client certificates verified when presented)");
  return grpc::SslServerCredentials(options);
}

int Run() {
  // Block the shutdown signals in every thread; one thread waits for them.
  // This must come before any thread starts (RocksDB starts its background
  // threads in Store::Open): a thread inherits the mask of its creator, and
  // a signal delivered to a thread that does not block it kills the process.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A client that goes away mid-reply must not end the process.
  signal(SIGPIPE, SIG_IGN);

  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  const std::string principals_path = absl::GetFlag(FLAGS_principals);
  const std::string store_kind = absl::GetFlag(FLAGS_store);
  if (store_kind != "rocksdb" && store_kind != "etcd") {
    spdlog::critical("--store: \"{}\" is neither rocksdb nor etcd", store_kind);
    return 2;
  }
  if (store_kind == "rocksdb" && data_dir.empty()) {
    spdlog::critical(
        "--data_dir is required with --store=rocksdb (see --help)");
    return 2;
  }
  if (store_kind == "etcd" && absl::GetFlag(FLAGS_etcd_endpoints).empty()) {
    spdlog::critical(
        "--etcd_endpoints is required with --store=etcd (see --help)");
    return 2;
  }
  if (principals_path.empty()) {
    spdlog::critical("--principals is required (see --help)");
    return 2;
  }
  absl::StatusOr<std::string> principals_text = ReadFile(principals_path);
  if (!principals_text.ok()) {
    spdlog::critical("{}", principals_text.status().ToString());
    return 2;
  }
  absl::StatusOr<PrincipalRegistry> seeds =
      PrincipalRegistry::Parse(*principals_text);
  if (!seeds.ok()) {
    spdlog::critical("{}: {}", principals_path, seeds.status().ToString());
    return 2;
  }
  std::vector<evaluation::v1::CreateOrganisationRequest> organisations;
  if (const std::string path = absl::GetFlag(FLAGS_organisations);
      !path.empty()) {
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) {
      spdlog::critical("{}", text.status().ToString());
      return 2;
    }
    absl::StatusOr<std::vector<evaluation::v1::CreateOrganisationRequest>>
        parsed = ParseOrganisationsFile(*text);
    if (!parsed.ok()) {
      spdlog::critical("{}: {}", path, parsed.status().ToString());
      return 2;
    }
    organisations = *std::move(parsed);
  }
  absl::StatusOr<PolicySet> policies = LoadPolicies(
      absl::GetFlag(FLAGS_policy_dir), absl::GetFlag(FLAGS_default_policy));
  if (!policies.ok()) {
    spdlog::critical("policies: {}", policies.status().ToString());
    return 2;
  }
  absl::StatusOr<scoring::WorkingDayCalendar> calendar =
      LoadCalendar(absl::GetFlag(FLAGS_calendar_dir));
  if (!calendar.ok()) {
    spdlog::critical("calendar: {}", calendar.status().ToString());
    return 2;
  }

  storage::StoreOptions store_options;
  store_options.path = data_dir;
  store_options.block_cache_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_block_cache_mb)) << 20;
  store_options.memtable_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_memtable_mb)) << 20;
  store_options.disk_reserve_bytes =
      static_cast<uint64_t>(absl::GetFlag(FLAGS_disk_reserve_mb)) << 20;
  absl::StatusOr<std::unique_ptr<storage::Store>> store;
  if (store_kind == "etcd") {
    storage::EtcdStoreOptions etcd;
    etcd.endpoints = absl::StrSplit(absl::GetFlag(FLAGS_etcd_endpoints), ',',
                                    absl::SkipEmpty());
    etcd.prefix = absl::GetFlag(FLAGS_etcd_prefix);
    absl::StatusOr<std::optional<storage::EtcdTls>> tls = EtcdTlsFromFlags();
    if (!tls.ok()) {
      spdlog::critical("{}", std::string(tls.status().message()));
      return 2;
    }
    etcd.tls = *std::move(tls);
    absl::StatusOr<std::unique_ptr<storage::EtcdStore>> opened =
        storage::EtcdStore::Open(etcd);
    if (opened.ok()) {
      store = std::unique_ptr<storage::Store>(*std::move(opened));
    } else {
      store = opened.status();
    }
  } else {
    store = storage::Store::Open(store_options);
  }
  if (!store.ok()) {
    spdlog::critical("{}", store.status().ToString());
    return 1;
  }

  const std::string default_policy = policies->Default().id;
  Engine engine(store->get(), *std::move(policies), *std::move(calendar));
  absl::StatusOr<Engine::Migration> registry =
      engine.SeedOrganisations(organisations, *seeds);
  if (!registry.ok()) {
    spdlog::critical("organisations: {}", registry.status().ToString());
    return 1;
  }
  if (registry->seeded > 0) {
    spdlog::info("registered {} organisations of the organisations file",
                 registry->seeded);
  }
  for (const evaluation::v1::Organisation& o : registry->placeholders) {
    spdlog::warn(
        "organisation {} ({}) was in use but not registered: registered it "
        "with its code as its name; name it with evalctl org rename --code {} "
        "--name NAME",
        o.code(), KindName(o.kind()), o.code());
  }
  for (const std::string& conflict : registry->conflicts) {
    spdlog::warn("organisations: {}", conflict);
  }
  absl::StatusOr<PrincipalRegistry> principals = engine.SeedPrincipals(*seeds);
  if (!principals.ok()) {
    spdlog::critical("principals: {}", principals.status().ToString());
    return 1;
  }
  engine.SetPrincipalRegistry(&*principals);
  engine.AllowFutureDates(absl::GetFlag(FLAGS_allow_future_dates));
  engine.SetBackupDirectory(absl::GetFlag(FLAGS_backup_dir),
                            absl::GetFlag(FLAGS_backup_keep));
  std::unique_ptr<WebhookDispatcher> webhooks;
  if (const std::string path = absl::GetFlag(FLAGS_webhooks); !path.empty()) {
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) {
      spdlog::critical("{}", text.status().ToString());
      return 2;
    }
    absl::StatusOr<std::vector<WebhookTarget>> targets =
        ParseWebhooksFile(*text);
    if (!targets.ok()) {
      spdlog::critical("{}: {}", path, targets.status().ToString());
      return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    WebhookDispatcher::Options options;
    options.retry_for =
        absl::Minutes(std::max(0, absl::GetFlag(FLAGS_webhook_retry_minutes)));
    options.first_backoff = absl::Milliseconds(
        std::max(1, absl::GetFlag(FLAGS_webhook_backoff_ms)));
    spdlog::info("webhooks: {} endpoints", targets->size());
    webhooks = std::make_unique<WebhookDispatcher>(
        &engine, store->get(), *std::move(targets), options);
    engine.SetWebhooks(webhooks.get());
  }
  auto pool = std::make_unique<WorkerPool>(absl::GetFlag(FLAGS_workers));
  RateLimiter limiter(absl::GetFlag(FLAGS_rate_limit_qps),
                      absl::GetFlag(FLAGS_rate_limit_burst));
  RpcMetrics rpc_metrics;
  EvaluationServiceImpl service(&engine, &*principals, pool.get(), &limiter,
                                &rpc_metrics);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  int port = 0;
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      ServerCredentials(listen);
  if (!credentials.ok()) {
    spdlog::critical("{}", std::string(credentials.status().message()));
    return 2;
  }
  builder.AddListeningPort(listen, *credentials, &port);
  builder.SetMaxReceiveMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    spdlog::critical("cannot listen on {}", listen);
    return 1;
  }
  const std::string host = listen.substr(0, listen.rfind(':'));
  spdlog::info("data {}, {} principals, default policy {}",
               store_kind == "etcd"
                   ? absl::StrCat("etcd ", absl::GetFlag(FLAGS_etcd_endpoints),
                                  " ", absl::GetFlag(FLAGS_etcd_prefix))
                   : data_dir,
               principals->size(), default_policy);
  std::unique_ptr<HttpGateway> gateway;
  if (const std::string http_listen = absl::GetFlag(FLAGS_http_listen);
      !http_listen.empty()) {
    grpc::ChannelArguments in_process;
    in_process.SetMaxReceiveMessageSize(-1);  // replies are ours
    HttpGatewayOptions http;
    http.listen = http_listen;
    http.cert_file = absl::GetFlag(FLAGS_tls_cert_file);
    http.key_file = absl::GetFlag(FLAGS_tls_key_file);
    http.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
    http.max_body_bytes = absl::GetFlag(FLAGS_max_message_bytes);
    http.web_dir = absl::GetFlag(FLAGS_web_dir);
    http.writes_available = [&store] { return (*store)->WritesAvailable(); };
    http.metrics = [&rpc_metrics, &store, &engine, &service, &webhooks] {
      absl::StatusOr<std::string> business =
          BusinessMetrics(**store, engine.Today());
      return absl::StrCat(
          rpc_metrics.Render(), business.ok() ? *business : std::string(),
          Gauge("evald_watch_streams_open", "WatchEvents streams open now.",
                {{"", static_cast<double>(service.OpenWatchStreams())}}),
          Gauge("evald_feed_latest_cursor",
                "The event feed's latest committed cursor.",
                {{"", static_cast<double>((*store)->FeedLatest())}}),
          webhooks ? webhooks->MetricsText() : std::string());
    };
    absl::StatusOr<std::unique_ptr<HttpGateway>> started = HttpGateway::Start(
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            v1::EvaluationService::service_full_name()),
        server->InProcessChannel(in_process), std::move(http));
    if (!started.ok()) {
      spdlog::critical("{}", std::string(started.status().message()));
      server->Shutdown();
      return 2;
    }
    gateway = *std::move(started);
  }
  // Both ports serve before either is announced.
  if (webhooks) webhooks->Start();
  std::printf("evald listening on %s:%d\n", host.c_str(), port);
  if (gateway) {
    const std::string http_listen = absl::GetFlag(FLAGS_http_listen);
    const std::string http_host = http_listen.substr(0, http_listen.rfind(':'));
    std::printf("evald http on %s://%s:%d/\n",
                absl::GetFlag(FLAGS_tls_cert_file).empty() ? "http" : "https",
                http_host.c_str(), gateway->port());
  }
  std::fflush(stdout);

  // Health: "" (and the service's own name) stays SERVING while reads are
  // served; kWritesHealth is NOT_SERVING while the store refuses writes
  // (a full or failing disk; on etcd, no reachable majority), for probes,
  // load balancers and dashboards to see.
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  absl::Notification stopping;
  std::thread health_watch([&] {
    bool writable = true;
    health->SetServingStatus(kWritesHealth, true);
    while (!stopping.WaitForNotificationWithTimeout(absl::Milliseconds(500))) {
      if ((*store)->NeedsReopen() && (*store)->DiskHasRoom()) {
        // Only opening the database again clears a failed log write. Reads
        // were served while the disk was full; now that there is room,
        // exit as a crash would (closing could touch the failed log file,
        // which aborts Debian's librocksdb), with 75 for the supervisor
        // (systemd's Restart=on-failure) to start evald again. Every
        // acknowledged write is in the synced log.
        spdlog::critical(
            "the data disk has room again after a failed write; exiting "
            "for a restart, which recovers from the log (every "
            "acknowledged write is kept)");
        spdlog::default_logger()->flush();
        std::_Exit(75);  // 75: EX_TEMPFAIL
      }
      const bool now = (*store)->WritesAvailable();
      if (now != writable) {
        writable = now;
        health->SetServingStatus(kWritesHealth, now);
        if (now) {
          spdlog::info("writes resumed");
        } else if ((*store)->SingleWriter()) {
          spdlog::error(
              "writes stopped: the data disk is full or failing; "
              "reads continue");
        } else {
          spdlog::error(
              "writes stopped: no majority of the etcd cluster answers "
              "from here; calls that need it answer UNAVAILABLE");
        }
      }
    }
  });

  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    spdlog::info("signal {}: shutting down", signal);
    if (gateway) gateway->Stop();  // its calls use the server's channel
    service.StopWatches();
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
  });
  // Housekeeping, at start and then every 10 minutes: the clock announces
  // tranches that became overdue (the feed's TRANCHE_OVERDUE) every
  // --overdue_every_minutes; hourly, the feed's positions older than
  // --feed_retention_days go.
  std::thread retention([&] {
    const absl::Duration keep =
        absl::Hours(24) * std::max(1, absl::GetFlag(FLAGS_feed_retention_days));
    const int overdue_every = absl::GetFlag(FLAGS_overdue_every_minutes);
    absl::Time next_overdue = absl::Now();
    absl::Time next_trim = absl::Now();
    do {
      if (overdue_every > 0 && absl::Now() >= next_overdue &&
          (*store)->WritesAvailable()) {
        next_overdue = absl::Now() + absl::Minutes(overdue_every);
        absl::StatusOr<int> overdue = engine.AnnounceOverdue();
        if (!overdue.ok()) {
          spdlog::error("overdue: {}", overdue.status().ToString());
        } else if (*overdue > 0) {
          spdlog::info("overdue: {} tranches passed their due date", *overdue);
        }
      }
      if (absl::Now() >= next_trim && (*store)->WritesAvailable()) {
        next_trim = absl::Now() + absl::Hours(1);
        absl::StatusOr<int64_t> dropped =
            (*store)->TrimFeed(absl::Now() - keep);
        if (!dropped.ok()) {
          spdlog::error("feed retention: {}", dropped.status().ToString());
        } else if (*dropped > 0) {
          spdlog::info(
              "feed retention: dropped {} positions older than {} days",
              *dropped, absl::GetFlag(FLAGS_feed_retention_days));
        }
      }
    } while (!stopping.WaitForNotificationWithTimeout(
        absl::Minutes(std::clamp(overdue_every, 1, 10))));
  });
  // With other replicas (etcd), the principals they create or revoke are
  // taken in every second (Engine::RefreshPrincipals).
  std::thread principal_watch([&] {
    if ((*store)->SingleWriter()) return;
    bool failing = false;
    do {
      absl::StatusOr<bool> refreshed = engine.RefreshPrincipals();
      if (!refreshed.ok() && !failing) {
        spdlog::error("principals of other replicas: {}",
                      refreshed.status().ToString());
      }
      failing = !refreshed.ok();
    } while (!stopping.WaitForNotificationWithTimeout(absl::Seconds(1)));
  });
  server->Wait();
  waiter.join();
  stopping.Notify();
  health_watch.join();
  retention.join();
  principal_watch.join();
  pool.reset();  // finish queued work before the store closes
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace evald::server

int main(int argc, char** argv) {
  evald::TurnOffMutexDeadlockDetection();
  absl::FlagsUsageConfig config;
  // --help lists evald's own flags, not those of every library.
  config.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "server/main.cc") ||
           absl::StrContains(file, "server/etcd_tls_flags.cc");
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  config.version_string = [] {
    return std::string("evald " EVALD_VERSION "\n");
  };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(
      "evald --data_dir=DIR --principals=FILE [--listen=HOST:PORT] ...");
  absl::ParseCommandLine(argc, argv);
  // Logs go to stderr (journald); stdout carries only the "listening" line.
  spdlog::set_default_logger(spdlog::stderr_color_mt("evald"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ evald: %v");
  return evald::server::Run();
}
