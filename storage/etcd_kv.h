// A minimal client of etcd's v3 KV API (the stubs are generated from
// etcd's own .proto files: storage/CMakeLists.txt): the ground the
// replicated backend of #15 builds on. Every change is one Txn whose
// compare is the mod_revision of the key it read, so that of two writers
// racing on one record exactly one wins -- the property that keeps a
// tranche from being released twice across replicas.
//
// The channel balances over every endpoint (gRPC's round_robin) and fails
// over by itself when a member goes.
//
// Thread-safe.

#ifndef EVALD_STORAGE_ETCD_KV_H_
#define EVALD_STORAGE_ETCD_KV_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace evald::storage {

// TLS to the etcd members (etcd's --trusted-ca-file, --cert-file,
// --key-file, --client-cert-auth): PEM text, not paths.
struct EtcdTls {
  std::string ca_pem;    // the CA that signed the members' certificates
  std::string cert_pem;  // this client's certificate ("" for none)
  std::string key_pem;   // and its key
  // The name every member's certificate must carry (a SAN): one channel
  // balances over all members, so one name is verified for all of them,
  // e.g. a cluster name "etcd.nansha.internal" in each member's
  // certificate. Empty: the host of the first endpoint.
  std::string server_name;
};

class EtcdKv {
 public:
  // Connects to the cluster's client endpoints ("127.0.0.1:2379", ...),
  // over TLS when `tls` is given. Calls time out after `deadline`
  // (Unavailable, or DeadlineExceeded).
  static std::unique_ptr<EtcdKv> Connect(
      const std::vector<std::string>& endpoints,
      absl::Duration deadline = absl::Seconds(5),
      const std::optional<EtcdTls>& tls = std::nullopt);

  struct Value {
    std::string value;
    int64_t mod_revision = 0;
  };
  // The key's value and the revision that last changed it, if present.
  // Linearizable.
  absl::StatusOr<std::optional<Value>> Get(absl::string_view key);

  // Puts `value` at `key` if the key's mod_revision is still
  // `expected_revision` (0: the key must be absent), in one Txn. True if
  // it was put, false if another writer changed the key first.
  absl::StatusOr<bool> PutIfRevision(absl::string_view key,
                                     absl::string_view value,
                                     int64_t expected_revision);

  // Which member leads, as the member at `endpoint` sees it, and that
  // member's own id (Maintenance.Status).
  struct MemberStatus {
    uint64_t member_id = 0;
    uint64_t leader_id = 0;
  };
  absl::StatusOr<MemberStatus> Status(const std::string& endpoint);

  // The raw calls, for EtcdStore: a Range (linearizable unless the request
  // asks for serializable) and a Txn. Errors are the call's gRPC status
  // (Unavailable or DeadlineExceeded when no majority answers in time).
  absl::StatusOr<etcdserverpb::RangeResponse> Range(
      const etcdserverpb::RangeRequest& request) const;
  // The same, with its own deadline instead of the client's (a probe).
  absl::StatusOr<etcdserverpb::RangeResponse> Range(
      const etcdserverpb::RangeRequest& request, absl::Duration deadline) const;
  absl::StatusOr<etcdserverpb::TxnResponse> Txn(
      const etcdserverpb::TxnRequest& request) const;

  // A Watch stream (bidirectional; the caller writes the create request
  // and reads until it ends) on `context`, which the caller owns (and
  // cancels with TryCancel to stop it).
  std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::WatchRequest,
                                           etcdserverpb::WatchResponse>>
  Watch(grpc::ClientContext* context) const;

  // A context with this client's deadline, or `deadline` if given.
  std::unique_ptr<grpc::ClientContext> Context(
      std::optional<absl::Duration> deadline = std::nullopt) const;

 private:
  EtcdKv(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline);

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
  std::unique_ptr<etcdserverpb::Watch::Stub> watch_;
  absl::Duration deadline_;
};

}  // namespace evald::storage

#endif  // EVALD_STORAGE_ETCD_KV_H_
