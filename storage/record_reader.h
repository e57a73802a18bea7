// The reads a command decides from: single records and the few whole
// families a rule needs, by key. Store implements them on its latest state;
// Store::CommandReads gives the same reads at one moment, for one command.
//
// Errors: Unavailable when the store cannot be reached (retry later),
// DataLoss when a stored record does not parse, Internal otherwise.
// Thread-safe.

#ifndef EVALD_STORAGE_RECORD_READER_H_
#define EVALD_STORAGE_RECORD_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "evaluation/v1/evaluation.pb.h"
#include "evaluation/v1/organisation.pb.h"
#include "storage/records.pb.h"

namespace evald::storage {

namespace v1 = ::evaluation::v1;

// What one command will read (Store::CommandReads), so that a store that
// pays a round trip per read can fetch it in one. A read outside the plan
// still works; it costs its own round.
struct ReadPlan {
  // The request record's key.
  std::string principal;
  std::string request_id;
  // The audit stream the command appends to: its chain tip, and the
  // project record when the stream is a project.
  std::string stream;
  // Of that project: the one phase the command reads (year 0: none), or,
  // when whole_contract, every evaluation and tranche.
  int year = 0;
  v1::Phase phase = v1::PHASE_UNSPECIFIED;
  bool whole_contract = false;
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;

  virtual absl::StatusOr<std::optional<v1::Project>> GetProject(
      absl::string_view project_id) const = 0;
  virtual absl::StatusOr<std::optional<v1::Evaluation>> GetEvaluation(
      absl::string_view project_id, int year, v1::Phase phase) const = 0;
  // Every evaluation of a project, in (year, phase) order.
  virtual absl::StatusOr<std::vector<v1::Evaluation>> ProjectEvaluations(
      absl::string_view project_id) const = 0;
  // Every tranche of a project, in (year, kind) order.
  virtual absl::StatusOr<std::vector<v1::Disbursement>> ProjectDisbursements(
      absl::string_view project_id) const = 0;
  virtual absl::StatusOr<std::optional<RequestRecord>> GetRequest(
      absl::string_view principal, absl::string_view request_id) const = 0;
  // The project's latest audit event, if any (the audit chain's tip).
  virtual absl::StatusOr<std::optional<v1::AuditEvent>> LastAuditEvent(
      absl::string_view project_id) const = 0;

  // Every principal record, in name order.
  virtual absl::StatusOr<std::vector<PrincipalRecord>> ListPrincipals()
      const = 0;

  // The due date a tranche (its resource name) was announced overdue for,
  // if it was.
  virtual absl::StatusOr<std::optional<std::string>> GetOverdueMark(
      absl::string_view tranche) const = 0;

  // The registry of organisations: one by code, or all in code order.
  virtual absl::StatusOr<std::optional<v1::Organisation>> GetOrganisation(
      absl::string_view code) const = 0;
  virtual absl::StatusOr<std::vector<v1::Organisation>> ListOrganisations()
      const = 0;

  // The store revision every read of this reader is of, for Commit's
  // compares (WriteSet::read_revision); 0 where the store has none (RocksDB,
  // or the latest state).
  virtual int64_t Revision() const { return 0; }
};

}  // namespace evald::storage

#endif  // EVALD_STORAGE_RECORD_READER_H_
