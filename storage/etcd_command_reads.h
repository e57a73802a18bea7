// One command's reads on the etcd store, at one revision (#15, the
// benchmark's next step): Store::CommandReads on etcd.
//
// Fetch() reads what the command's ReadPlan names -- the request record,
// the stream's chain tip and project record, and the phase or the whole
// contract the rules need -- in one read-only Txn: one linearizable round,
// where reading them one by one took a round each. Whatever else the
// command asks for (another project, the registries, an overdue mark) is
// read at the same revision (a Range with `revision` set), so that every
// read is of one moment.
// Revision() names it; Commit then compares each record it writes on "not
// changed since" (mod_revision <= it), and the audit keys and request
// record on absent: a command decided from a moment that another writer
// has moved past writes nothing (Aborted) and is decided again.
//
// Immutable after Fetch; thread-safe.

#ifndef EVALD_STORAGE_ETCD_COMMAND_READS_H_
#define EVALD_STORAGE_ETCD_COMMAND_READS_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/etcd_kv.h"
#include "storage/etcd_txn_batch.h"
#include "storage/record_reader.h"

namespace evald::storage {

class EtcdCommandReads final : public RecordReader {
 public:
  // `kv` must outlive the reader; the fetch goes through `batch` (kFlat:
  // with the fetches of other commands at the same moment); `prefix` is
  // the deployment's. Unavailable when no majority answers in time;
  // DataLoss is left to the reads that parse.
  static absl::StatusOr<std::shared_ptr<const EtcdCommandReads>> Fetch(
      const EtcdKv* kv, EtcdTxnBatch* batch, absl::string_view prefix,
      const ReadPlan& plan);

  absl::StatusOr<std::optional<v1::Project>> GetProject(
      absl::string_view project_id) const override;
  absl::StatusOr<std::optional<v1::Evaluation>> GetEvaluation(
      absl::string_view project_id, int year, v1::Phase phase) const override;
  absl::StatusOr<std::vector<v1::Evaluation>> ProjectEvaluations(
      absl::string_view project_id) const override;
  absl::StatusOr<std::vector<v1::Disbursement>> ProjectDisbursements(
      absl::string_view project_id) const override;
  absl::StatusOr<std::optional<RequestRecord>> GetRequest(
      absl::string_view principal, absl::string_view request_id) const override;
  absl::StatusOr<std::optional<v1::AuditEvent>> LastAuditEvent(
      absl::string_view project_id) const override;
  absl::StatusOr<std::vector<PrincipalRecord>> ListPrincipals() const override;
  absl::StatusOr<std::optional<std::string>> GetOverdueMark(
      absl::string_view tranche) const override;
  absl::StatusOr<std::optional<v1::Organisation>> GetOrganisation(
      absl::string_view code) const override;
  absl::StatusOr<std::vector<v1::Organisation>> ListOrganisations()
      const override;

  int64_t Revision() const override { return revision_; }

 private:
  EtcdCommandReads(const EtcdKv* kv, absl::string_view prefix)
      : kv_(kv), prefix_(prefix) {}

  // Whether Fetch read `key` (a state key of storage/keys.h) or the family
  // it is in.
  bool Fetched(absl::string_view key) const;
  // The raw value at state key `key`: from what Fetch read, or one Range
  // at revision_.
  absl::StatusOr<std::optional<std::string>> Raw(const std::string& key) const;
  // Every (key, value) under state prefix `prefix`, in key order: from
  // what Fetch read, or one Range at revision_.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> RawAll(
      const std::string& prefix) const;

  // One Range at revision_: the key, or the family it begins (`family`).
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> RangeAt(
      const std::string& key, bool family) const;

  template <typename Message>
  absl::StatusOr<std::optional<Message>> Get(const std::string& key) const;
  template <typename Message>
  absl::StatusOr<std::vector<Message>> All(const std::string& prefix) const;

  const EtcdKv* kv_;
  const std::string prefix_;
  int64_t revision_ = 0;
  // Keys Fetch read whole, and families (prefixes) it read whole.
  std::vector<std::string> fetched_keys_;
  std::vector<std::string> fetched_families_;
  // What they hold, by state key.
  std::map<std::string, std::string> values_;
};

}  // namespace evald::storage

#endif  // EVALD_STORAGE_ETCD_COMMAND_READS_H_
