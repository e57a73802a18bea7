// End-to-end tests: the real evald binary on a free loopback port with a
// temporary data directory, driven over gRPC as each party would.

#include <chrono>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/etcd_test_store.h"
#include "tests/raw_db.h"
#include "tests/run_program.h"

namespace evald::testing {
namespace {

using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kFund = 260000000;  // 2,600,000.00 yuan in fen

// A whole contract told in one sitting: its later dates are after the
// real today, so evald runs as for loading records kept elsewhere.
class LoadedRecordsTest : public EvaldTest {
  std::vector<std::string> ExtraFlags() const override {
    return {"--allow_future_dates"};
  }
};

TEST_F(EvaldTest, AResultDatedAfterTodayIsRefused) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  SubmitAll(Ref("P1", 2025, v1::MID_TERM), "85");
  v1::Evaluation e;
  grpc::Status s = Finalize(Ref("P1", 2025, v1::MID_TERM), "2099-01-01", &e);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              StartsWith("result_date: 2099-01-01 is after today ("));
  EXPECT_TRUE(Finalize(Ref("P1", 2025, v1::MID_TERM), "2025-12-15", &e).ok());
}

TEST_F(LoadedRecordsTest, WholeFiveYearProjectPaysEveryTrancheOnceRule7) {
  v1::Project project;
  ASSERT_TRUE(CreateProject("P1", "2025-07-01", &project).ok());
  EXPECT_EQ(project.years(), 5);
  EXPECT_EQ(project.policy_id(), "nansha-2019");

  // Year 1's year-start tranche is due 15 working days after the start.
  v1::Disbursement first = Tranche("P1", 2025, v1::YEAR_START);
  EXPECT_EQ(first.state(), v1::DUE);
  EXPECT_EQ(first.due_date(), "2025-07-22");
  EXPECT_EQ(first.amount_fen(), 104000000);

  for (int year = 2025; year <= 2029; ++year) {
    SCOPED_TRACE(year);
    v1::Evaluation e;
    SubmitAll(Ref("P1", year, v1::MID_TERM), "85");
    ASSERT_TRUE(Finalize(Ref("P1", year, v1::MID_TERM),
                         absl::StrCat(year, "-12-15"), &e)
                    .ok());
    EXPECT_EQ(e.state(), v1::PASSED);
    EXPECT_EQ(e.result().grade(), v1::GOOD);
    SubmitAll(Ref("P1", year, v1::FINAL), "91");
    // Year 1's final passes after year 2 has started (2026-07-01).
    const std::string final_date =
        year == 2025 ? "2026-07-10" : absl::StrCat(year + 1, "-06-22");
    ASSERT_TRUE(Finalize(Ref("P1", year, v1::FINAL), final_date, &e).ok());
    EXPECT_EQ(e.state(), v1::PASSED);
    EXPECT_EQ(e.result().grade(), v1::EXCELLENT);
  }

  // Across the 2026 New Year (01-01..03 off, Sunday 01-04 worked).
  EXPECT_EQ(Tranche("P1", 2025, v1::MID_TERM_TRANCHE).due_date(), "2026-01-06");
  // Year 2's year-start: the later of its start and year 1's final pass.
  EXPECT_EQ(Tranche("P1", 2026, v1::YEAR_START).due_date(), "2026-07-31");
  EXPECT_EQ(Tranche("P1", 2025, v1::FINAL_TRANCHE).due_date(), "2026-07-31");
  // Year 3's year-start: its own start (final of year 2 passed before it).
  EXPECT_EQ(Tranche("P1", 2027, v1::YEAR_START).due_date().substr(0, 7),
            "2027-07");
  EXPECT_TRUE(Tranche("P1", 2027, v1::YEAR_START).due_date_provisional());

  int64_t total = 0;
  int releases = 0;
  for (const v1::Disbursement& d : Disbursements("P1")) {
    ASSERT_EQ(d.state(), v1::DUE) << d.name();
    ASSERT_TRUE(Release("P1", d.year(), d.kind(), "PAY-" + d.name(),
                        NextRequestId(), nullptr, /*released_on=*/d.due_date())
                    .ok());
    total += d.amount_fen();
    ++releases;
  }
  EXPECT_EQ(releases, 15);
  EXPECT_EQ(total, 5 * kFund);
  for (const v1::Disbursement& d : Disbursements("P1")) {
    EXPECT_EQ(d.state(), v1::RELEASED) << d.name();
  }

  // The audit log alone re-derives all of it (evalutl replay): P1's
  // creation, 5 years x 2 phases x (6 submissions + finalising) and 15
  // releases, the seeding of each principal and of each organisation.
  const std::vector<v1::AuditEvent> p1 = Audit("P1");
  EXPECT_EQ(p1.size(), 1u + 70u + 15u);
  const size_t events =
      p1.size() + Audit("_principals").size() + Audit("_organisations").size();
  ASSERT_EQ(StopEvald(), 0);
  RunResult replay = Replay(evald_);
  EXPECT_EQ(WEXITSTATUS(replay.status), 0) << replay.out << replay.err;
  EXPECT_THAT(replay.out,
              StartsWith(absl::StrCat(events, " events replayed, ")));
  EXPECT_THAT(replay.out, EndsWith(" records identical\n"));
}

TEST_F(EvaldTest, ConfirmedNonCurableVetoFailsAndTerminatesRule4) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  SubmitAll(mid, "98", "95", /*rectifiable=*/true);

  v1::RaiseVetoRequest raise;
  raise.set_request_id(NextRequestId());
  *raise.mutable_evaluation() = mid;
  raise.set_kind(v1::PROFESSIONAL);
  raise.set_code("FALSIFIED_RECORDS");
  raise.set_evidence("活动签到表与照片不符");
  v1::Evaluation e;
  ASSERT_TRUE(stub_->RaiseVeto(Context(kAgency).get(), raise, &e).ok());
  ASSERT_EQ(e.vetoes_size(), 1);

  // Not confirmed yet: finalising is refused.
  grpc::Status s = Finalize(mid, "2025-12-15", &e);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("awaiting the bureau"));

  v1::DecideVetoRequest confirm;
  confirm.set_request_id(NextRequestId());
  *confirm.mutable_evaluation() = mid;
  confirm.set_veto_id(1);
  ASSERT_TRUE(stub_->ConfirmVeto(Context(kBureau).get(), confirm, &e).ok());
  EXPECT_EQ(e.vetoes(0).status(), v1::CONFIRMED);

  ASSERT_TRUE(Finalize(mid, "2025-12-15", &e).ok());
  EXPECT_EQ(e.state(), v1::FAILED);
  EXPECT_EQ(e.result().grade(), v1::UNQUALIFIED);
  EXPECT_EQ(e.result().score(), "98.00");
  EXPECT_EQ(e.result().outcome(), v1::FAIL_FINAL);

  v1::GetProjectRequest get;
  get.set_project_id("P1");
  v1::Project p;
  ASSERT_TRUE(stub_->GetProject(Context(kBureau).get(), get, &p).ok());
  EXPECT_TRUE(p.terminated());
  // Already due before the failure: still due. Everything else: forfeited.
  EXPECT_EQ(Tranche("P1", 2025, v1::YEAR_START).state(), v1::DUE);
  EXPECT_EQ(Tranche("P1", 2025, v1::MID_TERM_TRANCHE).state(), v1::FORFEITED);
  EXPECT_EQ(Tranche("P1", 2026, v1::YEAR_START).state(), v1::FORFEITED);
}

TEST_F(EvaldTest, MidTermRectificationThatPassesPaysFromApplicationRule7) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  SubmitAll(mid, "55", "80", /*rectifiable=*/true);
  v1::Evaluation e;
  ASSERT_TRUE(Finalize(mid, "2026-01-20", &e).ok());
  EXPECT_EQ(e.state(), v1::RECTIFYING);
  EXPECT_EQ(e.rectification_deadline(), "2026-02-19");
  EXPECT_EQ(Tranche("P1", 2025, v1::MID_TERM_TRANCHE).state(), v1::WITHHELD);

  // Only the provider applies.
  v1::ApplyRectificationRequest apply;
  apply.set_request_id(NextRequestId());
  *apply.mutable_evaluation() = mid;
  apply.set_application_date("2026-02-10");
  EXPECT_EQ(stub_->ApplyRectification(Context(kTownship).get(), apply, &e)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      stub_->ApplyRectification(Context(kProvider).get(), apply, &e).ok());
  EXPECT_EQ(e.state(), v1::REEVALUATING);

  v1::DecideReevaluationRequest decide;
  decide.set_request_id(NextRequestId());
  *decide.mutable_evaluation() = mid;
  decide.set_passed(true);
  decide.set_decision_date("2026-03-02");
  ASSERT_TRUE(
      stub_->DecideReevaluation(Context(kAgency).get(), decide, &e).ok());
  EXPECT_EQ(e.state(), v1::PASSED_AFTER_RECTIFICATION);

  // 15 working days from the application (Tue 2026-02-10), across the
  // Spring Festival (02-15..23 off) and two worked Saturdays (02-14, 02-28).
  v1::Disbursement d = Tranche("P1", 2025, v1::MID_TERM_TRANCHE);
  EXPECT_EQ(d.state(), v1::DUE);
  EXPECT_EQ(d.due_date(), "2026-03-09");
}

TEST_F(EvaldTest, RectificationThatFailsTerminatesTheContractRule7) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  SubmitAll(mid, "50", "80", /*rectifiable=*/true);
  v1::Evaluation e;
  ASSERT_TRUE(Finalize(mid, "2026-01-20", &e).ok());
  v1::ApplyRectificationRequest apply;
  apply.set_request_id(NextRequestId());
  *apply.mutable_evaluation() = mid;
  apply.set_application_date("2026-02-10");
  ASSERT_TRUE(
      stub_->ApplyRectification(Context(kProvider).get(), apply, &e).ok());
  v1::DecideReevaluationRequest decide;
  decide.set_request_id(NextRequestId());
  *decide.mutable_evaluation() = mid;
  decide.set_passed(false);
  decide.set_decision_date("2026-03-02");
  ASSERT_TRUE(
      stub_->DecideReevaluation(Context(kAgency).get(), decide, &e).ok());
  EXPECT_EQ(e.state(), v1::FAILED);

  // Nothing further is due; nothing more can be submitted.
  for (const v1::Disbursement& d : Disbursements("P1")) {
    if (d.year() == 2025 && d.kind() == v1::YEAR_START) {
      EXPECT_EQ(d.state(), v1::DUE);
    } else {
      EXPECT_EQ(d.state(), v1::FORFEITED) << d.name();
    }
  }
  grpc::Status s = Score(kAgency, Ref("P1", 2025, v1::FINAL), "90");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("terminated"));
  EXPECT_EQ(Release("P1", 2025, v1::MID_TERM_TRANCHE, "PAY-1", NextRequestId())
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(EvaldTest, ReleaseHappensExactlyOnceRule7) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  v1::Disbursement first, retry;
  ASSERT_TRUE(
      Release("P1", 2025, v1::YEAR_START, "BANK-0001", "rel-1", &first).ok());
  EXPECT_EQ(first.state(), v1::RELEASED);
  EXPECT_EQ(first.payment_reference(), "BANK-0001");

  // The same request id again: the first answer, not a second release.
  ASSERT_TRUE(
      Release("P1", 2025, v1::YEAR_START, "BANK-0001", "rel-1", &retry).ok());
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());

  // The same id with a different request is refused.
  EXPECT_EQ(
      Release("P1", 2025, v1::YEAR_START, "BANK-9999", "rel-1").error_code(),
      grpc::StatusCode::ALREADY_EXISTS);

  // A new id: refused, naming the first payment.
  grpc::Status s = Release("P1", 2025, v1::YEAR_START, "BANK-0002", "rel-2");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("BANK-0001"));

  int release_events = 0;
  for (const v1::AuditEvent& event : Audit("P1")) {
    if (event.action() == "disbursement.released") ++release_events;
  }
  EXPECT_EQ(release_events, 1);
  EXPECT_EQ(Tranche("P1", 2025, v1::YEAR_START).payment_reference(),
            "BANK-0001");
}

TEST_F(EvaldTest, KillNineLosesNothingAcknowledged) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  SubmitAll(mid, "85");
  v1::Evaluation finalised;
  ASSERT_TRUE(Finalize(mid, "2025-12-15", &finalised).ok());
  v1::Disbursement released;
  ASSERT_TRUE(
      Release("P1", 2025, v1::YEAR_START, "BANK-7", "rel-kill", &released)
          .ok());
  const std::vector<v1::AuditEvent> before = Audit("P1");

  evald_.Kill();
  Restart();

  v1::GetEvaluationRequest get;
  *get.mutable_evaluation() = mid;
  v1::Evaluation after;
  ASSERT_TRUE(stub_->GetEvaluation(Context(kBureau).get(), get, &after).ok());
  EXPECT_EQ(after.SerializeAsString(), finalised.SerializeAsString());
  const std::vector<v1::AuditEvent> audit = Audit("P1");
  ASSERT_EQ(audit.size(), before.size());
  for (size_t i = 0; i < audit.size(); ++i) {
    EXPECT_EQ(audit[i].SerializeAsString(), before[i].SerializeAsString());
  }
  // The idempotency record survived too: the retry answers as before.
  v1::Disbursement retry;
  ASSERT_TRUE(
      Release("P1", 2025, v1::YEAR_START, "BANK-7", "rel-kill", &retry).ok());
  EXPECT_EQ(retry.SerializeAsString(), released.SerializeAsString());
  // And the indexes: the PASSED evaluation is found by state.
  v1::ListEvaluationsRequest list;
  list.set_state(v1::PASSED);
  v1::ListEvaluationsResponse listed;
  ASSERT_TRUE(
      stub_->ListEvaluations(Context(kBureau).get(), list, &listed).ok());
  ASSERT_EQ(listed.evaluations_size(), 1);
  EXPECT_EQ(listed.evaluations(0).name(),
            "projects/P1/years/2025/phases/mid-term");

  // What the killed evald left re-derives from its log exactly.
  ASSERT_EQ(StopEvald(), 0);
  RunResult replay = Replay(evald_);
  EXPECT_EQ(WEXITSTATUS(replay.status), 0) << replay.out << replay.err;
  EXPECT_THAT(replay.out, HasSubstr(" records identical\n"));
}

// A stored record that the log does not account for is found, named, and
// evalutl exits 1.
TEST_F(EvaldTest, ReplayFindsARecordTheLogDoesNotAccountFor) {
  if (TestsUseEtcd()) {
    GTEST_SKIP() << "edits a RocksDB directory; the service suite edits etcd";
  }
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  SubmitAll(Ref("P1", 2025, v1::MID_TERM), "85");
  ASSERT_EQ(StopEvald(), 0);
  const std::string key = "eval/P1/2025/1-mid-term";
  std::string value;
  ASSERT_EQ(ReadRecord(evald_.data_dir(), key, &value), "");
  v1::Evaluation e;
  ASSERT_TRUE(e.ParseFromString(value));
  e.mutable_township_score()->set_score("99.00");  // edited behind evald
  ASSERT_EQ(WriteRecord(evald_.data_dir(), key, e.SerializeAsString()), "");
  RunResult replay = Replay(evald_);
  EXPECT_EQ(WEXITSTATUS(replay.status), 1) << replay.out << replay.err;
  EXPECT_THAT(replay.out,
              AllOf(HasSubstr("default entry eval/P1/2025/1-mid-term differs"),
                    HasSubstr("township_score.score"), HasSubstr("99.00"),
                    HasSubstr("85.00")));
}

}  // namespace
}  // namespace evald::testing

namespace evald::testing {
namespace {

// evald's clock, in the real binary: on start (and every
// --overdue_every_minutes) it announces each DUE tranche past its due date
// once; finance reads it in the feed.
TEST_F(EvaldTest, TheClockAnnouncesAnOverdueTrancheOnceInTheFeed) {
  // Started 2025-01-02: the year-start tranche was due in January 2025.
  ASSERT_TRUE(CreateProject("P1", "2025-01-02").ok());
  ASSERT_EQ(StopEvald(), 0);
  ASSERT_TRUE(evald_.Start({"--overdue_every_minutes=1"}));
  stub_ = evald_.NewStub();
  v1::ListEventsRequest r;
  r.mutable_filter()->add_kinds(v1::TRANCHE_OVERDUE);
  v1::ListEventsResponse feed;
  for (int i = 0; i < 50 && feed.events_size() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(stub_->ListEvents(Context(kFinance).get(), r, &feed).ok());
  }
  ASSERT_EQ(feed.events_size(), 1);
  EXPECT_EQ(feed.events(0).tranches(0).name(),
            "projects/P1/years/2025/tranches/year-start");
  EXPECT_EQ(feed.events(0).principal(), "clock");
  // Restarted, it does not announce it again.
  ASSERT_EQ(StopEvald(), 0);
  ASSERT_TRUE(evald_.Start({"--overdue_every_minutes=1"}));
  stub_ = evald_.NewStub();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(stub_->ListEvents(Context(kFinance).get(), r, &feed).ok());
  EXPECT_EQ(feed.events_size(), 1);
  ASSERT_EQ(StopEvald(), 0);
  RunResult replay = Replay(evald_);
  EXPECT_EQ(WEXITSTATUS(replay.status), 0) << replay.out << replay.err;
}

// A finance system on WatchEvents: evald stops (the stream ends
// UNAVAILABLE, "reconnect"), starts again, and the consumer reconnects
// with its last cursor: it gets what happened since, and nothing twice.
TEST_F(EvaldTest, TheFeedResumesAcrossARestartMissingNothingAndNothingTwice) {
  ASSERT_TRUE(CreateProject("P1", "2025-07-01").ok());
  std::set<std::string> seen;
  int64_t cursor = 0;
  auto watch = [&](grpc::ClientContext& ctx, bool until_bookmark) {
    v1::WatchEventsRequest r;
    r.set_after_cursor(cursor);
    r.set_bookmark_seconds(1);
    auto reader = stub_->WatchEvents(&ctx, r);
    v1::WatchEventsResponse m;
    int repeated = 0;
    while (reader->Read(&m)) {
      if (m.has_event()) {
        repeated += seen.insert(m.event().id()).second ? 0 : 1;
        cursor = m.event().cursor();
      } else {
        cursor = m.bookmark().cursor();
        if (until_bookmark) break;
      }
    }
    EXPECT_EQ(repeated, 0);
    return reader;
  };
  grpc::ClientContext first;
  first.AddMetadata("authorization", std::string("Bearer ") + kFinance);
  auto reader = watch(first, /*until_bookmark=*/true);
  ASSERT_EQ(seen.size(), 1u);  // P1's year-start tranche became due
  std::thread stopper([this] { EXPECT_EQ(evald_.Stop(), 0); });
  v1::WatchEventsResponse m;
  while (reader->Read(&m)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  stopper.join();

  Restart();
  ASSERT_TRUE(CreateProject("P2", "2025-07-01").ok());
  grpc::ClientContext second;
  second.AddMetadata("authorization", std::string("Bearer ") + kFinance);
  watch(second, /*until_bookmark=*/true);
  EXPECT_EQ(seen.size(), 2u);  // P2's, and P1's not again
  EXPECT_TRUE(seen.count("P2/1"));
  second.TryCancel();
}

}  // namespace
}  // namespace evald::testing
