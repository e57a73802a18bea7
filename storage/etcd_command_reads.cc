#include "storage/etcd_command_reads.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "storage/etcd_records.h"
#include "storage/keys.h"

namespace evald::storage {

absl::StatusOr<std::shared_ptr<const EtcdCommandReads>> EtcdCommandReads::Fetch(
    const EtcdKv* kv, EtcdTxnBatch* batch, absl::string_view prefix,
    const ReadPlan& plan) {
  auto reads =
      std::shared_ptr<EtcdCommandReads>(new EtcdCommandReads(kv, prefix));
  reads->fetched_keys_ = {keys::Request(plan.principal, plan.request_id),
                          keys::Project(plan.stream),
                          keys::AuditTip(plan.stream)};
  if (plan.year != 0) {
    reads->fetched_keys_.push_back(
        keys::Evaluation(plan.stream, plan.year, plan.phase));
  }
  if (plan.whole_contract) {
    reads->fetched_families_ = {keys::EvaluationPrefix(plan.stream),
                                keys::TranchePrefix(plan.stream)};
  }
  const std::string base = absl::StrCat(prefix, etcd::kState);
  // A Txn without compares runs its success branch; one of only Ranges is
  // a linearizable read of one revision.
  etcdserverpb::TxnRequest txn;
  for (const std::string& key : reads->fetched_keys_) {
    txn.add_success()->mutable_request_range()->set_key(base + key);
  }
  for (const std::string& family : reads->fetched_families_) {
    etcdserverpb::RangeRequest* r = txn.add_success()->mutable_request_range();
    r->set_key(base + family);
    r->set_range_end(base + keys::PrefixEnd(family));
  }
  absl::StatusOr<EtcdTxnBatch::Outcome> reply = batch->Send(txn);
  if (!reply.ok()) return etcd::Unreachable(reply.status(), "read");
  reads->revision_ = reply->response.header().revision();
  for (const etcdserverpb::ResponseOp& op : reply->response.responses()) {
    for (const mvccpb::KeyValue& kv : op.response_range().kvs()) {
      reads->values_.emplace(kv.key().substr(base.size()), kv.value());
    }
  }
  return std::shared_ptr<const EtcdCommandReads>(std::move(reads));
}

bool EtcdCommandReads::Fetched(absl::string_view key) const {
  for (const std::string& k : fetched_keys_) {
    if (k == key) return true;
  }
  for (const std::string& family : fetched_families_) {
    if (absl::StartsWith(key, family)) return true;
  }
  return false;
}

absl::StatusOr<std::optional<std::string>> EtcdCommandReads::Raw(
    const std::string& key) const {
  if (Fetched(key)) {
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> one =
      RangeAt(key, /*family=*/false);
  if (!one.ok()) return one.status();
  if (one->empty()) return std::nullopt;
  return std::move(one->front().second);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
EtcdCommandReads::RawAll(const std::string& prefix) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (Fetched(prefix)) {
    for (auto it = values_.lower_bound(prefix);
         it != values_.end() && absl::StartsWith(it->first, prefix); ++it) {
      out.emplace_back(it->first, it->second);
    }
    return out;
  }
  return RangeAt(prefix, /*family=*/true);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
EtcdCommandReads::RangeAt(const std::string& key, bool family) const {
  // Linearizable and at revision_: what a read then would have seen. A
  // family read here is small (the registries); one Range takes it whole.
  const std::string base = absl::StrCat(prefix_, etcd::kState);
  etcdserverpb::RangeRequest r;
  r.set_key(base + key);
  if (family) r.set_range_end(base + keys::PrefixEnd(key));
  r.set_revision(revision_);
  absl::StatusOr<etcdserverpb::RangeResponse> reply = kv_->Range(r);
  if (!reply.ok()) return etcd::Unreachable(reply.status(), "read");
  std::vector<std::pair<std::string, std::string>> out;
  for (const mvccpb::KeyValue& kv : reply->kvs()) {
    out.emplace_back(kv.key().substr(base.size()), kv.value());
  }
  return out;
}

template <typename Message>
absl::StatusOr<std::optional<Message>> EtcdCommandReads::Get(
    const std::string& key) const {
  absl::StatusOr<std::optional<std::string>> raw = Raw(key);
  if (!raw.ok()) return raw.status();
  if (!*raw) return std::nullopt;
  return etcd::Parse<Message>(key, **raw);
}

template <typename Message>
absl::StatusOr<std::vector<Message>> EtcdCommandReads::All(
    const std::string& prefix) const {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> raw =
      RawAll(prefix);
  if (!raw.ok()) return raw.status();
  std::vector<Message> out;
  for (const auto& [key, value] : *raw) {
    absl::StatusOr<Message> m = etcd::Parse<Message>(key, value);
    if (!m.ok()) return m.status();
    out.push_back(std::move(*m));
  }
  return out;
}

absl::StatusOr<std::optional<v1::Project>> EtcdCommandReads::GetProject(
    absl::string_view project_id) const {
  return Get<v1::Project>(keys::Project(project_id));
}
absl::StatusOr<std::optional<v1::Evaluation>> EtcdCommandReads::GetEvaluation(
    absl::string_view project_id, int year, v1::Phase phase) const {
  return Get<v1::Evaluation>(keys::Evaluation(project_id, year, phase));
}
absl::StatusOr<std::vector<v1::Evaluation>>
EtcdCommandReads::ProjectEvaluations(absl::string_view project_id) const {
  return All<v1::Evaluation>(keys::EvaluationPrefix(project_id));
}
absl::StatusOr<std::vector<v1::Disbursement>>
EtcdCommandReads::ProjectDisbursements(absl::string_view project_id) const {
  return All<v1::Disbursement>(keys::TranchePrefix(project_id));
}
absl::StatusOr<std::optional<RequestRecord>> EtcdCommandReads::GetRequest(
    absl::string_view principal, absl::string_view request_id) const {
  return Get<RequestRecord>(keys::Request(principal, request_id));
}
absl::StatusOr<std::optional<v1::AuditEvent>> EtcdCommandReads::LastAuditEvent(
    absl::string_view project_id) const {
  return Get<v1::AuditEvent>(keys::AuditTip(project_id));
}
absl::StatusOr<std::vector<PrincipalRecord>> EtcdCommandReads::ListPrincipals()
    const {
  return All<PrincipalRecord>(std::string(keys::kPrincipalPrefix));
}
absl::StatusOr<std::optional<std::string>> EtcdCommandReads::GetOverdueMark(
    absl::string_view tranche) const {
  return Raw(keys::OverdueMark(tranche));
}
absl::StatusOr<std::optional<v1::Organisation>>
EtcdCommandReads::GetOrganisation(absl::string_view code) const {
  return Get<v1::Organisation>(keys::Organisation(code));
}
absl::StatusOr<std::vector<v1::Organisation>>
EtcdCommandReads::ListOrganisations() const {
  return All<v1::Organisation>(std::string(keys::kOrganisationPrefix));
}

}  // namespace evald::storage
