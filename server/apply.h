// The write path of one accepted command, shared by evald and evalutl:
//
//   v1::Command --commands.h--> the domain command
//     --StateReader--> what it reads (scoring::ReadsOf: its phase, or the
//                      whole contract), each record read once
//     --scoring::Decide--> the new state
//     --> Applied: the new records with the ones they replace, the typed
//         audit event chained to its stream's tip, the request record, and
//         the reply.
//
// Apply writes nothing: the caller commits Applied::writes as one batch.
// evald authorizes the caller against the project between reading and
// deciding (ProjectCheck); evalutl replays accepted commands without it.
//
// Thread-safety: an Applier is immutable and may be shared; a StateReader
// is the caller's, used from the calling thread only.

#ifndef EVALD_SERVER_APPLY_H_
#define EVALD_SERVER_APPLY_H_

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "evaluation/v1/evaluation.pb.h"
#include "scoring/calendar.h"
#include "server/events.h"
#include "server/policy_set.h"
#include "storage/records.pb.h"
#include "storage/store.h"

namespace evald::server {

namespace v1 = ::evaluation::v1;

// What Apply reads. evald serves it from its caches and the store; evalutl
// from the store alone.
class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual absl::StatusOr<std::optional<v1::Project>> Project(
      const std::string& id) = 0;
  virtual absl::StatusOr<std::optional<v1::Evaluation>> Evaluation(
      const std::string& project, int year, v1::Phase phase) = 0;
  // Every evaluation and every tranche of a project.
  virtual absl::StatusOr<std::vector<v1::Evaluation>> Evaluations(
      const std::string& project) = 0;
  virtual absl::StatusOr<std::vector<v1::Disbursement>> Tranches(
      const std::string& project) = 0;
  virtual absl::StatusOr<ChainTip> Tip(const std::string& stream) = 0;
  virtual absl::StatusOr<std::vector<storage::PrincipalRecord>>
  Principals() = 0;
  // The due date a tranche was announced overdue for, if it was.
  virtual absl::StatusOr<std::optional<std::string>> OverdueMark(
      const std::string& tranche) = 0;
  // The whole registry of organisations (a district has hundreds).
  virtual absl::StatusOr<std::vector<v1::Organisation>> Organisations() = 0;
};

// A StateReader over a store, without caches.
class StoreReader : public StateReader {
 public:
  // `store` must outlive the reader.
  explicit StoreReader(const storage::RecordReader* store) : store_(store) {}
  absl::StatusOr<std::optional<v1::Project>> Project(
      const std::string& id) override;
  absl::StatusOr<std::optional<v1::Evaluation>> Evaluation(
      const std::string& project, int year, v1::Phase phase) override;
  absl::StatusOr<std::vector<v1::Evaluation>> Evaluations(
      const std::string& project) override;
  absl::StatusOr<std::vector<v1::Disbursement>> Tranches(
      const std::string& project) override;
  absl::StatusOr<ChainTip> Tip(const std::string& stream) override;
  absl::StatusOr<std::vector<storage::PrincipalRecord>> Principals() override;
  absl::StatusOr<std::vector<v1::Organisation>> Organisations() override;
  absl::StatusOr<std::optional<std::string>> OverdueMark(
      const std::string& tranche) override;

 private:
  const storage::RecordReader* store_;
};

using Reply = std::variant<v1::Project, v1::Evaluation, v1::Disbursement,
                           v1::CreatePrincipalResponse, v1::PrincipalInfo,
                           v1::Organisation>;

struct Applied {
  storage::WriteSet writes;  // records, the event and the request record
  Reply reply;
  ChainTip tip;  // the stream's tip after this command's event
  // The project record as it is after the command, for evald's cache.
  std::optional<v1::Project> project;
  // The principal record written, for evald's registry.
  std::optional<storage::PrincipalRecord> principal;
};

// Authorizes the live caller against the project a command names.
using ProjectCheck = std::function<absl::Status(const v1::Project&)>;

class Applier {
 public:
  // Both must outlive the applier.
  Applier(const PolicySet* policies,
          const scoring::WorkingDayCalendar* calendar)
      : policies_(policies), calendar_(calendar) {}

  // Applies `command`. A project command's policy is its project's, and is
  // recorded in the event's command; CreateProject's must be in
  // command.policy_id. `check` may be empty. Errors are those of
  // commands.h and scoring/contract.h, plus NotFound for an unknown
  // project or phase, FailedPrecondition for a project under a policy not
  // loaded, and DataLoss for a stored record that does not parse.
  absl::StatusOr<Applied> Apply(v1::Command command, StateReader& reader,
                                const ProjectCheck& check) const;

 private:
  absl::StatusOr<Applied> ApplyToProject(v1::Command command,
                                         StateReader& reader,
                                         const ProjectCheck& check) const;
  absl::StatusOr<Applied> ApplyToPrincipals(v1::Command command,
                                            StateReader& reader) const;
  absl::StatusOr<Applied> ApplyToOrganisations(v1::Command command,
                                               StateReader& reader) const;
  // AnnounceOverdue (apply_overdue.cc).
  absl::StatusOr<Applied> ApplyOverdue(v1::Command command,
                                       StateReader& reader) const;

  const PolicySet* policies_;
  const scoring::WorkingDayCalendar* calendar_;
};

// The principal as the API shows it (no token).
v1::PrincipalInfo InfoOf(const storage::PrincipalRecord& record);

}  // namespace evald::server

#endif  // EVALD_SERVER_APPLY_H_
