// Service tests of the event feed (ListEvents, WatchEvents): one global,
// gap-free cursor over every committed change; each role sees its own; a
// consumer that resumes from its cursor misses nothing and sees nothing
// twice; a cursor outside the history is OUT_OF_RANGE.

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/apply.h"
#include "server/replay.h"
#include "tests/service_fixture.h"

namespace evald::testing {
namespace {

using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;

class FeedTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    // P1 in huangge and Q1 in dongchong; P1's 2025 mid-term passes, which
    // makes its mid-term tranche due.
    Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 2, "AG1");
    Create("Q1", "dongchong", "PR2", {"V03"}, "2025-07-01", 2, "AG2");
    SubmitAll(Ref("P1", 2025, v1::MID_TERM), kHuanggeBoth, "85");
    Finalize(Ref("P1", 2025, v1::MID_TERM), "2025-12-15");
  }

  // Every event `token` may read after `after`, in pages of `page_size`.
  std::vector<v1::FeedEvent> ReadAll(const std::string& token,
                                     v1::EventFilter filter = {},
                                     int page_size = 0, int64_t after = 0) {
    std::vector<v1::FeedEvent> out;
    for (;;) {
      v1::ListEventsRequest r;
      r.set_after_cursor(after);
      *r.mutable_filter() = filter;
      r.set_page_size(page_size);
      v1::ListEventsResponse reply;
      grpc::Status s = Call(&Stub::ListEvents, token, r, &reply);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      out.insert(out.end(), reply.events().begin(), reply.events().end());
      EXPECT_GE(reply.next_cursor(), after);
      after = reply.next_cursor();
      if (after == reply.latest_cursor()) break;
    }
    return out;
  }

  // One professional score, with the request id given (NextId() is not
  // for many threads).
  void Submit(const std::string& project, int year, v1::Phase phase,
              const char* token, const std::string& score,
              const std::string& request_id = "") {
    v1::SubmitProfessionalScoreRequest r =
        ScoreReq(Ref(project, year, phase), score, false);
    if (!request_id.empty()) r.set_request_id(request_id);
    grpc::Status s = Call(&Stub::SubmitProfessionalScore, token, r);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  static std::vector<int64_t> Cursors(const std::vector<v1::FeedEvent>& e) {
    std::vector<int64_t> out;
    for (const v1::FeedEvent& x : e) out.push_back(x.cursor());
    return out;
  }
};

TEST_F(FeedTest, EveryCommittedChangeHasTheNextCursorWithAStableId) {
  const std::vector<v1::FeedEvent> all = ReadAll(kBureau);
  // The registry's 10 seeds, 2 creations, 6 submissions, 1 finalisation.
  ASSERT_EQ(all.size(), 10u + 2u + 6u + 1u);
  std::set<std::string> ids;
  for (size_t i = 0; i < all.size(); ++i) {
    if (GapFreeFeed()) {
      EXPECT_EQ(all[i].cursor(), static_cast<int64_t>(i + 1));
    } else if (i > 0) {
      EXPECT_GT(all[i].cursor(), all[i - 1].cursor());
    }
    EXPECT_EQ(all[i].source(), "evald");
    ids.insert(all[i].id());
  }
  EXPECT_EQ(ids.size(), all.size());
  EXPECT_EQ(all.front().action(), "organisation.seeded");
  EXPECT_EQ(all.front().id(), "_organisations/1");
  const v1::FeedEvent& finalised = all.back();
  EXPECT_EQ(finalised.action(), "evaluation.finalised");
  EXPECT_EQ(finalised.id(), "P1/8");
  EXPECT_EQ(finalised.township(), "huangge");
  EXPECT_THAT(finalised.kinds(), Contains(v1::TRANCHE_DUE));
  EXPECT_THAT(finalised.kinds(), Contains(v1::EVALUATION_CHANGED));
}

TEST_F(FeedTest, FinanceSeesTheMoneyOfEveryProjectAndNothingElse) {
  const std::vector<v1::FeedEvent> money = ReadAll(kFinance);
  ASSERT_FALSE(money.empty());
  for (const v1::FeedEvent& e : money) {
    EXPECT_FALSE(e.kinds().empty());
    for (int k : e.kinds()) {
      EXPECT_NE(k, v1::EVALUATION_CHANGED) << e.id();
      EXPECT_NE(k, v1::REGISTRY_CHANGED) << e.id();
    }
    EXPECT_TRUE(e.records().empty()) << e.id();
  }
  // The mid-term tranche became due: amount, due date and payable-from.
  const v1::FeedEvent& due = money.back();
  EXPECT_THAT(due.kinds(), ElementsAre(v1::TRANCHE_DUE));
  ASSERT_EQ(due.tranches_size(), 1);
  EXPECT_EQ(due.tranches(0).name(), "projects/P1/years/2025/tranches/mid-term");
  EXPECT_EQ(due.tranches(0).to(), v1::DUE);
  EXPECT_EQ(due.tranches(0).amount_fen(), 78000000);
  EXPECT_FALSE(due.tranches(0).due_date().empty());
  EXPECT_FALSE(due.tranches(0).payable_from().empty());
  // Both projects' year-start tranches were due on creation.
  std::set<std::string> projects;
  for (const v1::FeedEvent& e : money) projects.insert(e.project_id());
  EXPECT_EQ(projects, (std::set<std::string>{"P1", "Q1"}));
}

TEST_F(FeedTest, ATownshipSeesOnlyItsOwnProjectsAndNoRegistryChanges) {
  const std::vector<v1::FeedEvent> dc = ReadAll(kTownshipDc);
  ASSERT_FALSE(dc.empty());
  for (const v1::FeedEvent& e : dc) EXPECT_EQ(e.project_id(), "Q1");
  const std::vector<v1::FeedEvent> hg = ReadAll(kTownship);
  for (const v1::FeedEvent& e : hg) EXPECT_EQ(e.project_id(), "P1");
  EXPECT_EQ(hg.size(), 1u + 6u + 1u);
}

TEST_F(FeedTest, PagesResumeFromTheCursorWithoutGapsOrRepeats) {
  const std::vector<int64_t> whole = Cursors(ReadAll(kBureau));
  EXPECT_EQ(Cursors(ReadAll(kBureau, {}, 3)), whole);
  EXPECT_EQ(Cursors(ReadAll(kBureau, {}, 1)), whole);
  // Resuming after any cursor gives exactly the rest.
  const std::vector<int64_t> rest = Cursors(ReadAll(kBureau, {}, 4, whole[6]));
  EXPECT_EQ(rest, std::vector<int64_t>(whole.begin() + 7, whole.end()));
}

TEST_F(FeedTest, AFilterSkipsWhatItDoesNotMatchAndTheCursorStillAdvances) {
  v1::EventFilter due;
  due.add_kinds(v1::TRANCHE_DUE);
  due.set_project_id("P1");
  v1::ListEventsRequest r;
  *r.mutable_filter() = due;
  r.set_page_size(1000);
  v1::ListEventsResponse reply;
  ASSERT_TRUE(Call(&Stub::ListEvents, kFinance, r, &reply).ok());
  ASSERT_EQ(reply.events_size(), 2);  // year-start at creation, mid-term
  EXPECT_EQ(reply.events(1).action(), "evaluation.finalised");
  // Read to the end: the next request starts after everything seen.
  EXPECT_EQ(reply.next_cursor(), reply.latest_cursor());

  v1::EventFilter bad;
  bad.add_kinds(static_cast<v1::EventKind>(99));
  *r.mutable_filter() = bad;
  grpc::Status s = Call(&Stub::ListEvents, kFinance, r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("filter.kinds"));
}

TEST_F(FeedTest,
       ACursorOutsideTheRetainedHistoryIsOutOfRangeAndSaysHowToResync) {
  v1::ListEventsRequest r;
  v1::ListEventsResponse reply;
  ASSERT_TRUE(Call(&Stub::ListEvents, kBureau, r, &reply).ok());
  const int64_t latest = reply.latest_cursor();

  r.set_after_cursor(latest + 5);
  grpc::Status beyond = Call(&Stub::ListEvents, kBureau, r);
  EXPECT_EQ(beyond.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(beyond.error_message(),
              HasSubstr(absl::StrCat("beyond the latest cursor ", latest)));

  if (!GapFreeFeed()) {
    GTEST_SKIP() << "etcd's feed is its audit log, never trimmed";
  }
  // Retention drops every position older than a day from now, but the
  // latest, where cursors go on from after a restart: the audit log keeps
  // the events, the feed starts at the latest.
  absl::StatusOr<int64_t> dropped =
      store_->TrimFeed(absl::Now() + absl::Hours(24));
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(*dropped, latest - 1);
  Submit("Q1", 2025, v1::MID_TERM, kAgency2, "70");
  r.set_after_cursor(3);
  grpc::Status old = Call(&Stub::ListEvents, kBureau, r);
  EXPECT_EQ(old.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(old.error_message(),
              HasSubstr(absl::StrCat("starts at cursor ", latest)));
  EXPECT_THAT(old.error_message(), HasSubstr("Re-sync"));
  // From the oldest kept position on, reading works; 0 means "the oldest".
  r.set_after_cursor(latest);
  ASSERT_TRUE(Call(&Stub::ListEvents, kBureau, r, &reply).ok());
  ASSERT_EQ(reply.events_size(), 1);
  EXPECT_EQ(reply.events(0).cursor(), latest + 1);
  r.set_after_cursor(0);
  ASSERT_TRUE(Call(&Stub::ListEvents, kBureau, r, &reply).ok());
  ASSERT_EQ(reply.events_size(), 2);
  EXPECT_EQ(reply.events(0).cursor(), latest);
  // Restarted, the store goes on after the latest: no cursor twice.
  Stop();
  Start();
  Submit("Q1", 2025, v1::MID_TERM, kAgency2, "71");
  r.set_after_cursor(latest + 1);
  ASSERT_TRUE(Call(&Stub::ListEvents, kBureau, r, &reply).ok());
  ASSERT_EQ(reply.events_size(), 1);
  EXPECT_EQ(reply.events(0).cursor(), latest + 2);
}

TEST_F(FeedTest, ConcurrentCommitsLeaveNoGapAReaderCouldMiss) {
  std::atomic<bool> done{false};
  std::set<int64_t> seen;
  int64_t after = 0;
  std::thread reader([&] {
    while (!done.load()) {
      v1::ListEventsRequest r;
      r.set_after_cursor(after);
      v1::ListEventsResponse reply;
      if (!Call(&Stub::ListEvents, kBureau, r, &reply).ok()) continue;
      for (const v1::FeedEvent& e : reply.events()) {
        if (GapFreeFeed()) {
          EXPECT_EQ(e.cursor(), after + 1) << "a reader saw past a gap";
        } else {
          EXPECT_GT(e.cursor(), after) << "a cursor went backwards";
        }
        after = e.cursor();
        seen.insert(e.cursor());
      }
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 6; ++w) {
    writers.emplace_back([this, w] {
      const std::string id = absl::StrCat("W", w);
      v1::CreateProjectRequest create =
          CreateReq(id, "huangge", "PR1", {"V01"}, "2025-07-01", 2, "AG1");
      create.set_request_id(absl::StrCat(id, "-create"));
      ASSERT_TRUE(Call(&Stub::CreateProject, kBureau, create).ok());
      for (int i = 0; i < 10; ++i) {
        Submit(id, 2025, v1::MID_TERM, kAgency, absl::StrCat(60 + i),
               absl::StrCat(id, "-", i));
      }
    });
  }
  for (std::thread& t : writers) t.join();
  const std::vector<v1::FeedEvent> all = ReadAll(kBureau);
  done = true;
  reader.join();
  ASSERT_EQ(all.size(), 19u + 6u * 11u);
  for (size_t i = 0; i < all.size(); ++i) {
    if (GapFreeFeed()) {
      ASSERT_EQ(all[i].cursor(), static_cast<int64_t>(i + 1));
    }
    // Nothing below what the concurrent reader reached was missed by it.
    if (!seen.empty() && all[i].cursor() <= *seen.rbegin()) {
      EXPECT_EQ(seen.count(all[i].cursor()), 1u) << all[i].id();
    }
  }
  // Each stream's events in its own order.
  std::map<std::string, int64_t> last_sequence;
  for (const v1::FeedEvent& e : all) {
    const int64_t seq = std::stoll(e.id().substr(e.id().find('/') + 1));
    EXPECT_GT(seq, last_sequence[e.project_id()]) << e.id();
    last_sequence[e.project_id()] = seq;
  }
}

// ------------------------------------------------------------ WatchEvents

// A watch stream read on a thread of its own.
class Watch {
 public:
  Watch(Stub* stub, const std::string& token, int64_t after,
        v1::EventFilter filter = {}) {
    ctx_.AddMetadata("authorization", "Bearer " + token);
    v1::WatchEventsRequest r;
    r.set_after_cursor(after);
    *r.mutable_filter() = filter;
    r.set_bookmark_seconds(1);
    reader_ = stub->WatchEvents(&ctx_, r);
  }
  // The next message, or false when the stream ended.
  bool Next(v1::WatchEventsResponse* out) { return reader_->Read(out); }
  // Reads until an event with this action arrives; returns the events read.
  std::vector<v1::FeedEvent> Until(const std::string& action) {
    std::vector<v1::FeedEvent> events;
    v1::WatchEventsResponse m;
    while (Next(&m)) {
      if (m.has_bookmark()) {
        last_cursor_ = m.bookmark().cursor();
        continue;
      }
      last_cursor_ = m.event().cursor();
      events.push_back(m.event());
      if (m.event().action() == action) break;
    }
    return events;
  }
  // Reads up to the first bookmark (the backlog sent).
  std::vector<v1::FeedEvent> Backlog() {
    std::vector<v1::FeedEvent> events;
    v1::WatchEventsResponse m;
    while (Next(&m)) {
      if (m.has_bookmark()) {
        last_cursor_ = m.bookmark().cursor();
        break;
      }
      last_cursor_ = m.event().cursor();
      events.push_back(m.event());
    }
    return events;
  }
  int64_t last_cursor() const { return last_cursor_; }
  grpc::Status Cancel() {
    ctx_.TryCancel();
    v1::WatchEventsResponse m;
    while (reader_->Read(&m)) {
    }
    return reader_->Finish();
  }
  grpc::Status Finish() { return reader_->Finish(); }

 private:
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<v1::WatchEventsResponse>> reader_;
  int64_t last_cursor_ = 0;
};

TEST_F(FeedTest, AWatchSendsTheHistoryThenEachChangeAndResumesAfterAReconnect) {
  const std::vector<v1::FeedEvent> history = ReadAll(kFinance);
  auto watch = std::make_unique<Watch>(stub_.get(), kFinance, 0);
  EXPECT_EQ(Cursors(watch->Backlog()), Cursors(history));
  // The bookmark after the backlog is the feed's end.
  v1::ListEventsResponse end;
  ASSERT_TRUE(
      Call(&Stub::ListEvents, kBureau, v1::ListEventsRequest(), &end).ok());
  EXPECT_EQ(watch->last_cursor(), end.latest_cursor());

  // A release commits: the watcher gets it at once.
  Release("P1", 2025, v1::YEAR_START, "BANK-1", "2025-07-20");
  std::vector<v1::FeedEvent> live = watch->Until("disbursement.released");
  ASSERT_EQ(live.size(), 1u);
  EXPECT_THAT(live[0].kinds(), ElementsAre(v1::TRANCHE_RELEASED));
  EXPECT_EQ(live[0].tranches(0).payment_reference(), "BANK-1");
  const int64_t kept = watch->last_cursor();
  EXPECT_EQ(watch->Cancel().error_code(), grpc::StatusCode::CANCELLED);

  // While it is away: a score (not money: finance does not see it), and a
  // second release.
  Submit("Q1", 2025, v1::MID_TERM, kAgency2, "70");
  Release("P1", 2025, v1::MID_TERM_TRANCHE, "BANK-2", "2026-01-05");
  Watch again(stub_.get(), kFinance, kept);
  std::vector<v1::FeedEvent> missed = again.Backlog();
  ASSERT_EQ(missed.size(), 1u);  // nothing twice, nothing lost
  EXPECT_EQ(missed[0].tranches(0).payment_reference(), "BANK-2");
  EXPECT_GT(missed[0].cursor(), kept);
  EXPECT_EQ(again.Cancel().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(FeedTest, AWatchBookmarksWhileNothingMatches) {
  v1::EventFilter released;
  released.add_kinds(v1::TRANCHE_RELEASED);
  Watch watch(stub_.get(), kBureau, 0, released);
  EXPECT_TRUE(watch.Backlog().empty());
  const int64_t first = watch.last_cursor();
  // Changes that do not match move the bookmark on, within a second.
  Submit("Q1", 2025, v1::MID_TERM, kAgency2, "70");
  v1::WatchEventsResponse m;
  ASSERT_TRUE(watch.Next(&m));
  ASSERT_TRUE(m.has_bookmark());
  EXPECT_GT(m.bookmark().cursor(), first);
  if (GapFreeFeed()) EXPECT_EQ(m.bookmark().cursor(), first + 1);
  EXPECT_EQ(watch.Cancel().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(FeedTest, AWatchNeedsAValidTokenAndEndsWhenItIsRevoked) {
  for (const std::string token : {"", "forged"}) {
    grpc::ClientContext ctx;
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    auto reader = stub_->WatchEvents(&ctx, v1::WatchEventsRequest());
    v1::WatchEventsResponse m;
    EXPECT_FALSE(reader->Read(&m));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  engine_->SetPrincipalRegistry(principals_.get());  // as evald does
  v1::CreatePrincipalRequest create;
  create.set_request_id(NextId());
  create.set_name("finance-2");
  create.set_role("finance");
  create.set_organisation("nansha");
  v1::CreatePrincipalResponse made;
  ASSERT_TRUE(Call(&Stub::CreatePrincipal, kAdmin, create, &made).ok());
  Watch watch(stub_.get(), made.token(), 0);
  watch.Backlog();
  v1::RevokePrincipalRequest revoke;
  revoke.set_request_id(NextId());
  revoke.set_name("finance-2");
  ASSERT_TRUE(Call(&Stub::RevokePrincipal, kAdmin, revoke).ok());
  v1::WatchEventsResponse m;
  while (watch.Next(&m)) {
  }
  grpc::Status ended = watch.Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(ended.error_message(), HasSubstr("revoked"));
}

}  // namespace
}  // namespace evald::testing

namespace evald::testing {
namespace {

// evald's clock (Engine::AnnounceOverdue): a DUE tranche past its due date
// is announced once, as TRANCHE_OVERDUE, and replay reproduces it.
TEST_F(FeedTest, AnOverdueTrancheIsAnnouncedOnceAsTheClockPassesItsDueDate) {
  // Today (the fixture's clock) is 2026-01-10: both year-start tranches
  // (due in July 2025) are overdue, and so is P1's mid-term tranche, due 15
  // working days after its 2025-12-15 pass.
  absl::StatusOr<int> announced = engine_->AnnounceOverdue();
  ASSERT_TRUE(announced.ok()) << announced.status();
  EXPECT_EQ(*announced, 3);
  v1::EventFilter overdue;
  overdue.add_kinds(v1::TRANCHE_OVERDUE);
  std::vector<v1::FeedEvent> events = ReadAll(kFinance, overdue);
  ASSERT_EQ(events.size(), 3u);
  std::set<std::string> tranches;
  for (const v1::FeedEvent& e : events) {
    EXPECT_EQ(e.action(), "disbursement.overdue");
    EXPECT_EQ(e.principal(), "clock");
    EXPECT_THAT(e.kinds(), ElementsAre(v1::TRANCHE_OVERDUE));
    ASSERT_EQ(e.tranches_size(), 1);
    EXPECT_LT(e.tranches(0).due_date(), "2026-01-10");
    EXPECT_THAT(e.detail(), HasSubstr("is overdue: unpaid"));
    tranches.insert(e.tranches(0).name());
  }
  EXPECT_EQ(tranches, (std::set<std::string>{
                          "projects/P1/years/2025/tranches/year-start",
                          "projects/P1/years/2025/tranches/mid-term",
                          "projects/Q1/years/2025/tranches/year-start"}));
  // Once: a second pass announces nothing.
  announced = engine_->AnnounceOverdue();
  ASSERT_TRUE(announced.ok());
  EXPECT_EQ(*announced, 0);
  // Paid, it is no longer overdue; the township sees its own only.
  Release("P1", 2025, v1::YEAR_START, "BANK-1", "2025-07-20");
  EXPECT_EQ(ReadAll(kTownshipDc, overdue).size(), 1u);

  // The log re-derives the announcements and their marks exactly.
  server::PolicySet policies;
  server::Applier applier(&policies, &scoring::WorkingDayCalendar::BuiltIn());
  storage::StoreOptions scratch_options;
  scratch_options.path = data_dir() + "-replayed";
  scratch_options.sync_writes = false;
  auto scratch = storage::Store::Open(scratch_options);
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  absl::StatusOr<server::ReplayReport> report =
      server::Replay(*store_, **scratch, applier);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->difference.has_value()) << *report->difference;
  scratch->reset();
  std::error_code ec;
  std::filesystem::remove_all(scratch_options.path, ec);
}

}  // namespace
}  // namespace evald::testing
