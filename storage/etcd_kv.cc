#include "storage/etcd_kv.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/grpcpp.h"

namespace evald::storage {
namespace {

absl::Status FromGrpc(const grpc::Status& s, absl::string_view what) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat("etcd ", what, ": ", s.error_message()));
}

}  // namespace

std::unique_ptr<EtcdKv> EtcdKv::Connect(
    const std::vector<std::string>& endpoints, absl::Duration deadline,
    const std::optional<EtcdTls>& tls) {
  grpc::ChannelArguments args;
  args.SetLoadBalancingPolicyName("round_robin");
  // A member that went away is tried again within a second, not after
  // gRPC's default backoff of up to two minutes: fail-over is the point.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // A page of the feed (1,500 audit events of a few KB) is more than
  // gRPC's default 4 MiB.
  args.SetMaxReceiveMessageSize(64 << 20);
  if (tls) {
    std::string name = tls->server_name;
    if (name.empty() && !endpoints.empty()) {
      name = endpoints.front().substr(0, endpoints.front().rfind(':'));
    }
    args.SetSslTargetNameOverride(name);
  }
  auto channel = grpc::CreateCustomChannel(
      absl::StrCat("ipv4:", absl::StrJoin(endpoints, ",")),
      tls ? grpc::SslCredentials({tls->ca_pem, tls->key_pem, tls->cert_pem})
          : grpc::InsecureChannelCredentials(),
      args);
  return std::unique_ptr<EtcdKv>(new EtcdKv(std::move(channel), deadline));
}

EtcdKv::EtcdKv(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
    : channel_(std::move(channel)),
      kv_(etcdserverpb::KV::NewStub(channel_)),
      watch_(etcdserverpb::Watch::NewStub(channel_)),
      deadline_(deadline) {}

std::unique_ptr<grpc::ClientContext> EtcdKv::Context(
    std::optional<absl::Duration> deadline) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(deadline.value_or(deadline_)));
  // While no member is reachable, wait (up to the deadline) rather than
  // fail at once: a new leader is usually a second away.
  ctx->set_wait_for_ready(true);
  return ctx;
}

absl::StatusOr<std::optional<EtcdKv::Value>> EtcdKv::Get(
    absl::string_view key) {
  etcdserverpb::RangeRequest r;
  r.set_key(std::string(key));
  etcdserverpb::RangeResponse reply;
  grpc::Status s = kv_->Range(Context().get(), r, &reply);
  if (!s.ok()) return FromGrpc(s, "range");
  if (reply.kvs_size() == 0) return std::nullopt;
  return Value{reply.kvs(0).value(), reply.kvs(0).mod_revision()};
}

absl::StatusOr<bool> EtcdKv::PutIfRevision(absl::string_view key,
                                           absl::string_view value,
                                           int64_t expected_revision) {
  etcdserverpb::TxnRequest txn;
  etcdserverpb::Compare* c = txn.add_compare();
  c->set_key(std::string(key));
  c->set_target(etcdserverpb::Compare::MOD);
  c->set_result(etcdserverpb::Compare::EQUAL);
  c->set_mod_revision(expected_revision);
  etcdserverpb::PutRequest* put = txn.add_success()->mutable_request_put();
  put->set_key(std::string(key));
  put->set_value(std::string(value));
  etcdserverpb::TxnResponse reply;
  grpc::Status s = kv_->Txn(Context().get(), txn, &reply);
  if (!s.ok()) return FromGrpc(s, "txn");
  return reply.succeeded();
}

absl::StatusOr<etcdserverpb::RangeResponse> EtcdKv::Range(
    const etcdserverpb::RangeRequest& request) const {
  etcdserverpb::RangeResponse reply;
  grpc::Status s = kv_->Range(Context().get(), request, &reply);
  if (!s.ok()) return FromGrpc(s, "range");
  return reply;
}

absl::StatusOr<etcdserverpb::RangeResponse> EtcdKv::Range(
    const etcdserverpb::RangeRequest& request, absl::Duration deadline) const {
  etcdserverpb::RangeResponse reply;
  grpc::Status s = kv_->Range(Context(deadline).get(), request, &reply);
  if (!s.ok()) return FromGrpc(s, "range");
  return reply;
}

absl::StatusOr<etcdserverpb::TxnResponse> EtcdKv::Txn(
    const etcdserverpb::TxnRequest& request) const {
  etcdserverpb::TxnResponse reply;
  grpc::Status s = kv_->Txn(Context().get(), request, &reply);
  if (!s.ok()) return FromGrpc(s, "txn");
  return reply;
}

std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::WatchRequest,
                                         etcdserverpb::WatchResponse>>
EtcdKv::Watch(grpc::ClientContext* context) const {
  return watch_->Watch(context);
}

absl::StatusOr<EtcdKv::MemberStatus> EtcdKv::Status(
    const std::string& endpoint) {
  auto channel =
      grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials());
  auto maintenance = etcdserverpb::Maintenance::NewStub(channel);
  etcdserverpb::StatusResponse reply;
  grpc::Status s = maintenance->Status(Context().get(),
                                       etcdserverpb::StatusRequest(), &reply);
  if (!s.ok()) return FromGrpc(s, "status");
  return MemberStatus{reply.header().member_id(), reply.leader()};
}

}  // namespace evald::storage
