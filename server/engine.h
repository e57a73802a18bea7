// The evaluation service's behaviour, independent of the transport.
//
// Each public method is one RPC. A mutation goes one way (docs/design.md):
//
//   authorize the method -> look up (principal, request_id): a committed
//   request returns its stored reply -> the command (commands.h) ->
//   Applier::Apply: validate, read, authorize against the project, decide
//   (scoring::Decide), build the change -> one durable commit of records,
//   index and counter changes, the typed audit event and the request
//   record -> the reply.
//
// gRPC (service.h) only authenticates and translates statuses.
//
// Errors: InvalidArgument (field and reason), NotFound, AlreadyExists (a
// taken project id, or a request_id reused for a different request),
// FailedPrecondition (illegal transition, with the state), PermissionDenied,
// DataLoss (a stored record that does not parse, named). A refused call
// changes nothing.
//
// Replies that show a phase or a tranche carry the read-time fields
// (deadline_passed, overdue, ...) as of the server's today, also when they
// are a stored reply returned again.
//
// Thread-safety: all methods may be called concurrently. Mutations of one
// project are serialised by a striped lock held across read -> decide ->
// commit; reads take no lock.

#ifndef EVALD_SERVER_ENGINE_H_
#define EVALD_SERVER_ENGINE_H_

#include <array>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "evaluation/v1/evaluation.pb.h"
#include "scoring/calendar.h"
#include "server/apply.h"
#include "server/events.h"
#include "server/policy_set.h"
#include "server/principals.h"
#include "storage/store.h"

namespace evald::server {

namespace v1 = ::evaluation::v1;

class WebhookDispatcher;

class Engine {
 public:
  // `store` must outlive the engine. `now` is the clock of audit times and
  // of the server's today, in China Standard Time (UTC+8), which dates a
  // request leaves out default to.
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
  absl::StatusOr<v1::Disbursement> CorrectRelease(
      const Principal& who, const v1::CorrectReleaseRequest& r);

  absl::StatusOr<v1::Summary> GetSummary(const Principal& who,
                                         const v1::GetSummaryRequest& r) const;
  // engine_overview.cc. Counters for states, grades and S; the late,
  // rectifying, overdue and held sets read through the state indexes, so
  // the cost grows with what needs attention, not with the district.
  absl::StatusOr<v1::YearOverview> GetYearOverview(
      const Principal& who, const v1::GetYearOverviewRequest& r) const;
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
  // The caller as its token names it (any role).
  absl::StatusOr<v1::PrincipalInfo> WhoAmI(const Principal& who,
                                           const v1::WhoAmIRequest& r) const;
  absl::StatusOr<v1::PrincipalInfo> RevokePrincipal(
      const Principal& who, const v1::RevokePrincipalRequest& r);

  // Adds every principal of the principals file whose name the database
  // does not hold yet (a revoked name stays revoked), each as an audited
  // command, and returns the live principals. Called once at start.
  absl::StatusOr<PrincipalRegistry> SeedPrincipals(
      const PrincipalRegistry& file);

  // For a store with other writers (etcd): takes the principals that
  // another replica created or revoked into the registry
  // (SetPrincipalRegistry), if the principals' audit stream grew since the
  // last call. True if it looked again. evald calls it every second, so a
  // token made or revoked on one replica works or stops on every other
  // within about a second.
  absl::StatusOr<bool> RefreshPrincipals() ABSL_LOCKS_EXCLUDED(refresh_mu_);

  // The registry of organisations (organisations.h): the bureau and
  // admins manage it, any role lists it.
  absl::StatusOr<v1::Organisation> CreateOrganisation(
      const Principal& who, const v1::CreateOrganisationRequest& r);
  absl::StatusOr<v1::Organisation> RenameOrganisation(
      const Principal& who, const v1::RenameOrganisationRequest& r);
  absl::StatusOr<v1::Organisation> RetireOrganisation(
      const Principal& who, const v1::RetireOrganisationRequest& r);
  absl::StatusOr<v1::ListOrganisationsResponse> ListOrganisations(
      const Principal& who, const v1::ListOrganisationsRequest& r) const;

  // The event feed after r.after_cursor, as `who` may see it
  // (feed_events.h), filtered (engine_feed.cc).
  absl::StatusOr<v1::ListEventsResponse> ListEvents(
      const Principal& who, const v1::ListEventsRequest& r) const;

  // A backup of the running store into the backup directory (admin;
  // FailedPrecondition when evald has none: --backup_dir).
  absl::StatusOr<v1::BackupInfo> CreateBackup(const Principal& who,
                                              const v1::CreateBackupRequest& r);
  // Where CreateBackup writes, and how many backups it keeps (0: all).
  void SetBackupDirectory(std::string dir, int keep) {
    backup_dir_ = std::move(dir);
    backup_keep_ = keep;
  }

  // evald's clock (engine_ops.cc): announces, as principal "clock", every
  // DUE tranche past its due date as of today (China) that was not yet
  // announced for that due date -- one audit event "disbursement.overdue"
  // each, which the feed shows as TRANCHE_OVERDUE. Returns how many.
  absl::StatusOr<int> AnnounceOverdue();

  // Webhooks (admin; webhooks.h): each endpoint's progress and log, and
  // delivering again from a cursor. FailedPrecondition when evald has no
  // --webhooks.
  absl::StatusOr<v1::ListWebhookDeliveriesResponse> ListWebhookDeliveries(
      const Principal& who, const v1::ListWebhookDeliveriesRequest& r) const;
  absl::StatusOr<v1::WebhookEndpoint> RedeliverWebhooks(
      const Principal& who, const v1::RedeliverWebhooksRequest& r);
  // Must outlive the engine's use of it (main sets it before serving).
  void SetWebhooks(WebhookDispatcher* webhooks) { webhooks_ = webhooks; }

  // The store, for the feed's watch streams (watch_reactor.h).
  const storage::Store& store() const { return *store_; }

  // At start, before SeedPrincipals: adds every organisation of the
  // organisations file (organisation_file.h) whose code the registry does
  // not hold, each as an audited command ("organisation.seeded"); then
  // registers as placeholders ("organisation.migrated") the codes in use
  // that the registry still lacks -- those of every project until a
  // migration has once completed on the database (marker
  // "registry_migrated"), and always those of the stored and the file's
  // principals. Returns the
  // placeholders it made, for the log: the bureau names them with evalctl
  // org rename. A code in use as two kinds is registered as the first met
  // (projects in id order: township, provider, agency, villages) and
  // reported in `conflicts`.
  struct Migration {
    int seeded = 0;
    std::vector<v1::Organisation> placeholders;
    std::vector<std::string> conflicts;
  };
  absl::StatusOr<Migration> SeedOrganisations(
      const std::vector<v1::CreateOrganisationRequest>& file,
      const PrincipalRegistry& principals_file);

  // The registry that authenticates callers; needed by the principal
  // methods above (FailedPrecondition without it). Must outlive the engine.
  void SetPrincipalRegistry(PrincipalRegistry* registry) {
    principals_ = registry;
  }

  // Admits dates after today in results, applications, decisions and
  // releases (evald --allow_future_dates; commands.cc). Call before
  // serving; each command records it, so replay decides alike.
  void AllowFutureDates(bool allow) { allow_future_dates_ = allow; }

  // The server's today in China Standard Time.
  scoring::Date Today() const;

 private:
  // One lock stripe: the lock that serialises the commands of the projects
  // hashed to it, and what those commands read before they decide -- the
  // project record and the audit chain's tip -- kept after the first read
  // and written through after each commit (a failed commit drops them).
  // Every project that had a command since the start stays (a district has
  // hundreds). Records are kept serialized: parsed ones for the
  // benchmark's 50,000 projects raised evald's peak RSS by about 50 MiB.
  struct Stripe {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, std::string> projects ABSL_GUARDED_BY(mu);
    absl::flat_hash_map<std::string, ChainTip> tips ABSL_GUARDED_BY(mu);
  };
  class CachedReader;

  // The one write path of every mutation (engine_write.cc).
  template <typename Reply>
  absl::StatusOr<Reply> Mutate(const Principal& who, absl::string_view method,
                               const google::protobuf::Message& request);

  // Applies and commits `command` under `stripe`'s lock, deciding from
  // `reads` (the store's CommandReads for it; null: read them here). On a
  // store with other writers, a commit refused because another replica
  // changed the stream first (Aborted) is decided again from fresh reads
  // after a random pause of up to 2^attempt ms (at most 50; it holds the stream
  // lock), up to kCommitAttempts times in all, then Aborted.
  absl::StatusOr<Applied> ApplyAndCommit(
      const v1::Command& command, const ProjectCheck& check, Stripe& stripe,
      std::shared_ptr<const storage::RecordReader> reads = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(stripe.mu);

  // Whether a principal of that name is stored (revoked ones included).
  absl::StatusOr<bool> HasPrincipal(const std::string& name) const;

  // Registers one organisation of the file or the migration under the
  // registry's stream lock. Another replica having registered it first
  // counts as done.
  absl::Status RegisterAtStart(absl::string_view method,
                               const v1::CreateOrganisationRequest& request);

  // Loads a project the caller may see: NotFound / PermissionDenied.
  absl::StatusOr<v1::Project> VisibleProject(const Principal& who,
                                             const std::string& id) const;

  Stripe& StripeOf(absl::string_view stream);

  static constexpr size_t kStripes = 1024;
  static constexpr int kCommitAttempts = 8;

  storage::Store* store_;
  PrincipalRegistry* principals_ = nullptr;
  absl::Mutex refresh_mu_;
  // The principals' chain tip RefreshPrincipals last took in (-1: none).
  int64_t principals_seen_ ABSL_GUARDED_BY(refresh_mu_) = -1;
  bool allow_future_dates_ = false;
  WebhookDispatcher* webhooks_ = nullptr;
  std::string backup_dir_;
  int backup_keep_ = 0;
  PolicySet policies_;
  scoring::WorkingDayCalendar calendar_;
  Applier applier_;
  std::function<absl::Time()> now_;
  // Striped: a lock is held across the synced commit, so unrelated
  // projects that share a stripe wait for each other's fsync. With 1024
  // stripes, 64 concurrent commands rarely do.
  std::array<Stripe, kStripes> stripes_;
  // Held around the request-id lookup and the commit, before the stripe's
  // lock: a retry of the same (principal, request_id) on another stream
  // cannot slip between them.
  std::array<absl::Mutex, kStripes> request_locks_;
};

}  // namespace evald::server

#endif  // EVALD_SERVER_ENGINE_H_
