// The evaluation service's behaviour, independent of the transport.
//
// Each public method is one RPC: authorize (the matrix, then the caller's
// relation to the project), validate the request into a domain command, let
// scoring/ decide, and commit the new state, its derived tranches, its audit
// event and the request-id record in one durable batch. gRPC (service.h)
// only authenticates and translates statuses.
//
// Errors: InvalidArgument (field and reason), NotFound, AlreadyExists (a
// taken project id, or a request_id reused for a different request),
// FailedPrecondition (illegal transition, with the state), PermissionDenied.
// A refused call changes nothing.
//
// Idempotency: a mutating request whose (principal, request_id) was already
// committed returns the stored reply without acting again.
//
// Thread-safety: all methods may be called concurrently. Mutations of one
// project are serialised by a striped lock; reads take no lock.

#ifndef EVALD_SERVER_ENGINE_H_
#define EVALD_SERVER_ENGINE_H_

#include <array>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "evaluation/v1/evaluation.pb.h"
#include "scoring/calendar.h"
#include "scoring/evaluation.h"
#include "scoring/tranche.h"
#include "server/policy_set.h"
#include "server/principals.h"
#include "storage/store.h"

namespace evald::server {

namespace v1 = ::evaluation::v1;

class Engine {
 public:
  // `store` must outlive the engine. `now` is the clock used for audit
  // timestamps and for dates a request leaves out (defaults to "today" in
  // China Standard Time, UTC+8).
  Engine(storage::Store* store, PolicySet policies,
         scoring::WorkingDayCalendar calendar,
         std::function<absl::Time()> now = absl::Now);

  absl::StatusOr<v1::Project> CreateProject(const Principal& who,
                                            const v1::CreateProjectRequest& r);
  absl::StatusOr<v1::Project> AssignAgency(const Principal& who,
                                           const v1::AssignAgencyRequest& r);
  absl::StatusOr<v1::Project> GetProject(const Principal& who,
                                         const v1::GetProjectRequest& r) const;
  absl::StatusOr<v1::ListProjectsResponse> ListProjects(
      const Principal& who, const v1::ListProjectsRequest& r) const;

  absl::StatusOr<v1::Evaluation> SubmitProfessionalScore(
      const Principal& who, const v1::SubmitProfessionalScoreRequest& r);
  absl::StatusOr<v1::Evaluation> SubmitFinancialEvaluation(
      const Principal& who, const v1::SubmitFinancialEvaluationRequest& r);
  absl::StatusOr<v1::Evaluation> RaiseVeto(const Principal& who,
                                           const v1::RaiseVetoRequest& r);
  absl::StatusOr<v1::Evaluation> ConfirmVeto(const Principal& who,
                                             const v1::DecideVetoRequest& r);
  absl::StatusOr<v1::Evaluation> DismissVeto(const Principal& who,
                                             const v1::DecideVetoRequest& r);
  absl::StatusOr<v1::Evaluation> FinalizeEvaluation(
      const Principal& who, const v1::FinalizeEvaluationRequest& r);
  absl::StatusOr<v1::Evaluation> ApplyRectification(
      const Principal& who, const v1::ApplyRectificationRequest& r);
  absl::StatusOr<v1::Evaluation> DecideReevaluation(
      const Principal& who, const v1::DecideReevaluationRequest& r);
  absl::StatusOr<v1::Evaluation> ExpireRectification(
      const Principal& who, const v1::ExpireRectificationRequest& r);
  absl::StatusOr<v1::Evaluation> ReopenEvaluation(
      const Principal& who, const v1::ReopenEvaluationRequest& r);

  absl::StatusOr<v1::Evaluation> GetEvaluation(
      const Principal& who, const v1::GetEvaluationRequest& r) const;
  absl::StatusOr<v1::ListEvaluationsResponse> ListEvaluations(
      const Principal& who, const v1::ListEvaluationsRequest& r) const;
  absl::StatusOr<v1::ListLatePartiesResponse> ListLateParties(
      const Principal& who, const v1::ListLatePartiesRequest& r) const;

  absl::StatusOr<v1::ListDisbursementsResponse> ListDisbursements(
      const Principal& who, const v1::ListDisbursementsRequest& r) const;
  absl::StatusOr<v1::Disbursement> ReleaseDisbursement(
      const Principal& who, const v1::ReleaseDisbursementRequest& r);

  absl::StatusOr<v1::Summary> GetSummary(const Principal& who,
                                         const v1::GetSummaryRequest& r) const;
  absl::StatusOr<v1::ListAuditEventsResponse> ListAuditEvents(
      const Principal& who, const v1::ListAuditEventsRequest& r) const;
  absl::StatusOr<evaluation::v1::Policy> GetPolicy(
      const Principal& who, const v1::GetPolicyRequest& r) const;

  // Principal management (admin). The registry is updated after each
  // commit, so a new token works, and a revoked one fails, at once.
  absl::StatusOr<v1::CreatePrincipalResponse> CreatePrincipal(
      const Principal& who, const v1::CreatePrincipalRequest& r);
  absl::StatusOr<v1::ListPrincipalsResponse> ListPrincipals(
      const Principal& who, const v1::ListPrincipalsRequest& r) const;
  absl::StatusOr<v1::PrincipalInfo> RevokePrincipal(
      const Principal& who, const v1::RevokePrincipalRequest& r);

  // The registry that authenticates callers; needed by the principal
  // methods above (FailedPrecondition without it). Must outlive the engine.
  void SetPrincipalRegistry(PrincipalRegistry* registry) {
    principals_ = registry;
  }

  // The audit stream of principal changes (not a project: project ids may
  // not start with '_').
  static constexpr char kPrincipalsStream[] = "_principals";

 private:
  // What a mutation's body produces besides its reply.
  struct Change {
    storage::WriteSet writes;
    struct Event {
      std::string action;
      std::string target;
      std::string detail;
    };
    std::vector<Event> events;
    std::string policy_id;
  };

  // Runs `body` under the project's lock with request-id idempotency, then
  // commits its change with audit events and the request record.
  template <typename Reply>
  absl::StatusOr<Reply> Mutate(
      const Principal& who, absl::string_view method,
      const google::protobuf::Message& request, const std::string& request_id,
      const std::string& project_id,
      const std::function<absl::StatusOr<Reply>(Change&)>& body);

  // The shared path of every evaluation command. `stamp` records who did
  // what on the new record (submitted_by, version, decided_by).
  absl::StatusOr<v1::Evaluation> RunCommand(
      const Principal& who, absl::string_view method,
      const google::protobuf::Message& request, const std::string& request_id,
      const v1::EvaluationRef& ref,
      const std::function<absl::StatusOr<scoring::Command>()>& make_command,
      const std::function<void(const v1::Evaluation& previous,
                               v1::Evaluation& next)>& stamp);

  // Loads a project the caller may see: NotFound / PermissionDenied.
  absl::StatusOr<v1::Project> VisibleProject(const Principal& who,
                                             const std::string& id) const;
  // The same for a command's body, which holds the project's lock: served
  // from projects_ after the first read.
  absl::StatusOr<v1::Project> ProjectForChange(const Principal& who,
                                               const std::string& id);
  // Evaluations matching `filter` that `who` may see (validates the filter;
  // a township is confined to its own township).
  absl::StatusOr<storage::Page<v1::Evaluation>> VisibleEvaluations(
      const Principal& who, storage::EvaluationFilter filter, int page_size,
      const std::string& page_token) const;

  absl::StatusOr<const scoring::Policy*> PolicyOf(
      const v1::Project& project) const;

  // A project's evaluations (as domain state) and its stored tranches.
  struct Snapshot {
    std::vector<scoring::Evaluation> domain;
    std::vector<v1::Disbursement> tranches;
  };
  absl::StatusOr<Snapshot> LoadSnapshot(const v1::Project& project) const;

  // Derives every tranche of the project from its evaluations and the
  // releases recorded in its stored tranches.
  absl::StatusOr<std::vector<scoring::Tranche>> DeriveProjectTranches(
      const v1::Project& project, const scoring::Policy& policy,
      const std::vector<scoring::Evaluation>& evals,
      const std::vector<v1::Disbursement>& stored) const;

  // Adds to `change` every derived tranche whose record differs from the
  // stored one.
  static void AddChangedTranches(const v1::Project& project,
                                 const std::vector<scoring::Tranche>& tranches,
                                 const std::vector<v1::Disbursement>& stored,
                                 Change& change);

  scoring::Date Today() const;
  // The lock stripe of a project: its index into project_locks_,
  // projects_ and tips_.
  static size_t StripeOf(absl::string_view project_id);

  static constexpr size_t kStripes = 1024;

  storage::Store* store_;
  PrincipalRegistry* principals_ = nullptr;
  PolicySet policies_;
  scoring::WorkingDayCalendar calendar_;
  std::function<absl::Time()> now_;
  // Striped: a lock is held across the synced commit, so unrelated
  // projects that share a stripe wait for each other's fsync. With 1024
  // stripes, 64 concurrent commands rarely do.
  std::array<std::mutex, kStripes> project_locks_;
  std::array<std::mutex, kStripes> request_locks_;

  // What every command of a project reads before it decides -- the project
  // record and the audit chain's tip -- kept after the first read and
  // written through after each commit (a failed commit drops them), so a
  // command reads neither from RocksDB again. Shard i belongs to
  // project_locks_[i] and is only touched under it. Every project that had
  // a command since the start stays (a district has hundreds). Records are
  // kept serialized: parsed ones for the benchmark's 50,000 projects raised
  // evald's peak RSS by about 50 MiB.
  struct ChainTip {
    int64_t sequence = 0;  // 0: no event yet
    std::string hash;
  };
  std::array<absl::flat_hash_map<std::string, std::string>, kStripes> projects_;
  std::array<absl::flat_hash_map<std::string, ChainTip>, kStripes> tips_;
};

}  // namespace evald::server

#endif  // EVALD_SERVER_ENGINE_H_
