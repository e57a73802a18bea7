// Service tests: GetYearOverview, the dashboard's district overview.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tests/service_fixture.h"

namespace evald::testing {
namespace {

using ::testing::Contains;
using ::testing::StartsWith;

// The world (clock: 2026-01-10):
//   P1 huangge / V01,V02, from 2025-07-01, 3 years
//      2025 mid-term PASSED (all 85: GOOD), result 2025-12-15
//      2025 final    RECTIFYING (all 55: UNQUALIFIED), result 2026-07-10
//      year-start 2025 tranche released; mid-term 2025 DUE by 2026-01-06
//   P2 huangge / V01, from 2025-09-01, 2 years
//      2025 mid-term PASSED (all 92: EXCELLENT), result 2025-12-15
//      2025 final OPEN (its window opens 2026-08-01)
//      year-start 2025 DUE by 2025-09-22, mid-term 2025 DUE by 2026-01-06
//   Q1 dongchong / V03, from 2026-03-01, 2 years: nothing submitted
class OverviewTest : public ServiceTest {
 public:
  void SetUp() override {
    ServiceTest::SetUp();
    if (HasFatalFailure()) return;
    Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 3, "AG1");
    Create("P2", "huangge", "PR1", {"V01"}, "2025-09-01", 2, "AG1");
    Create("Q1", "dongchong", "PR2", {"V03"}, "2026-03-01", 2, "AG2");
    SubmitAll(Ref("P1", 2025, v1::MID_TERM), kHuanggeBoth, "85");
    ASSERT_EQ(Finalize(Ref("P1", 2025, v1::MID_TERM), "2025-12-15").state(),
              v1::PASSED);
    SubmitAll(Ref("P1", 2025, v1::FINAL), kHuanggeBoth, "55",
              /*rectifiable=*/true);
    ASSERT_EQ(Finalize(Ref("P1", 2025, v1::FINAL), "2026-07-10").state(),
              v1::RECTIFYING);
    Release("P1", 2025, v1::YEAR_START, "PAY-P1-1", "2025-07-20");
    SubmitAll(Ref("P2", 2025, v1::MID_TERM), kHuanggeV01, "92");
    ASSERT_EQ(Finalize(Ref("P2", 2025, v1::MID_TERM), "2025-12-15").state(),
              v1::PASSED);
  }

  v1::YearOverview Overview(const std::string& token, int year,
                            const std::string& as_of = "",
                            const std::string& township = "") {
    v1::GetYearOverviewRequest r;
    r.set_year(year);
    r.set_as_of(as_of);
    r.set_township(township);
    v1::YearOverview reply;
    grpc::Status s = Call(&Stub::GetYearOverview, token, r, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return reply;
  }

  // The late phases of one township's row (0 without a row).
  static int64_t ByTownshipLate(const v1::YearOverview& o,
                                const std::string& township) {
    for (const v1::TownshipOverview& t : o.townships()) {
      if (t.township() == township) return t.late_phases();
    }
    return 0;
  }

  static std::map<std::string, const v1::TownshipOverview*> ByTownship(
      const v1::YearOverview& o) {
    std::map<std::string, const v1::TownshipOverview*> out;
    for (const v1::TownshipOverview& t : o.townships()) out[t.township()] = &t;
    return out;
  }
};

using Counts = std::map<std::string, int64_t>;

TEST_F(OverviewTest, CountsStatesGradesAndTheSpreadOfS) {
  const v1::YearOverview o = Overview(kBureau, 2025);
  EXPECT_EQ(o.as_of(), "2026-01-10");
  EXPECT_EQ(o.deadline_within_days(), 14);
  ASSERT_EQ(o.townships_size(), 1);  // Q1's years start in 2026
  const v1::TownshipOverview& h = o.townships(0);
  EXPECT_EQ(h.township(), "huangge");
  EXPECT_EQ(Counts(h.by_state().begin(), h.by_state().end()),
            (Counts{{"PASSED", 2}, {"RECTIFYING", 1}, {"OPEN", 1}}));
  EXPECT_EQ(Counts(h.by_grade().begin(), h.by_grade().end()),
            (Counts{{"GOOD", 1}, {"EXCELLENT", 1}, {"UNQUALIFIED", 1}}));
  std::vector<std::pair<int, int64_t>> scores;
  for (const v1::ScoreBucket& b : h.scores()) {
    scores.emplace_back(b.points(), b.count());
  }
  EXPECT_EQ(scores,
            (std::vector<std::pair<int, int64_t>>{{55, 1}, {85, 1}, {92, 1}}));
}

TEST_F(OverviewTest, OverdueMoneyIsRedWithItsTotalInFen) {
  // Overdue on 2026-01-10: P1 mid-term, P2 year-start, P2 mid-term — the
  // same tranches, and the same fen, as ListDisbursements says.
  v1::ListDisbursementsRequest list;
  list.set_overdue_only(true);
  list.set_year(2025);
  list.set_as_of("2026-01-10");
  int64_t listed_fen = 0;
  std::vector<v1::Disbursement> overdue = ListTranches(kFinance, list);
  for (const v1::Disbursement& d : overdue) listed_fen += d.amount_fen();
  ASSERT_EQ(overdue.size(), 3u);

  const v1::TownshipOverview h = Overview(kFinance, 2025).townships(0);
  EXPECT_EQ(h.overdue_tranches(), 3);
  EXPECT_EQ(h.overdue_fen(), listed_fen);
  EXPECT_EQ(h.flag(), v1::RED);
  EXPECT_THAT(h.flag_reasons(), ElementsAre("3 tranches overdue"));

  // On 2026-01-06 the two mid-term tranches are due that day, not late.
  const v1::TownshipOverview early =
      Overview(kFinance, 2025, "2026-01-06").townships(0);
  EXPECT_EQ(early.overdue_tranches(), 1);
  Release("P2", 2025, v1::YEAR_START, "PAY-P2-1", "2026-01-06");
  EXPECT_EQ(Overview(kFinance, 2025, "2026-01-06").townships(0).flag(),
            v1::GREEN);
}

TEST_F(OverviewTest, RectificationNearAndPastItsDeadline) {
  const std::string deadline =
      GetEval(Ref("P1", 2025, v1::FINAL)).rectification_deadline();
  absl::StatusOr<scoring::Date> d = scoring::ParseDate(deadline);
  ASSERT_TRUE(d.ok()) << deadline;
  auto row = [&](scoring::Date as_of) {
    return *ByTownship(
        Overview(kBureau, 2025, scoring::FormatDate(as_of)))["huangge"];
  };
  const v1::TownshipOverview month_before = row(*d - 30);
  EXPECT_EQ(month_before.rectifications_near_deadline(), 0);
  EXPECT_EQ(month_before.rectifications_past_deadline(), 0);
  const v1::TownshipOverview near = row(*d - 3);
  EXPECT_EQ(near.rectifications_near_deadline(), 1);
  EXPECT_THAT(near.flag_reasons(),
              Contains("1 rectifications near their deadline"));
  const v1::TownshipOverview past = row(*d + 1);
  EXPECT_EQ(past.rectifications_near_deadline(), 0);
  EXPECT_EQ(past.rectifications_past_deadline(), 1);
  EXPECT_EQ(past.flag(), v1::RED);
}

TEST_F(OverviewTest, LatePartiesCountOnceTheWindowHasOpened) {
  // 2026 mid-terms: P1's opens 2026-12-01, Q1's 2026-08-01, P2's 2027-02-01.
  auto late = [&](const std::string& as_of) {
    std::map<std::string, int64_t> out;
    const v1::YearOverview o = Overview(kBureau, 2026, as_of);
    for (const v1::TownshipOverview& t : o.townships()) {
      out[t.township()] = t.late_phases();
    }
    return out;
  };
  using Late = std::map<std::string, int64_t>;
  EXPECT_EQ(late("2026-07-31"), (Late{{"huangge", 0}, {"dongchong", 0}}));
  EXPECT_EQ(late("2026-08-01"), (Late{{"huangge", 0}, {"dongchong", 1}}));
  EXPECT_EQ(late("2026-12-01"), (Late{{"huangge", 1}, {"dongchong", 1}}));
}

TEST_F(OverviewTest, ATownshipSeesOnlyItsOwnRow) {
  const v1::YearOverview o = Overview(kTownshipDc, 2026);
  ASSERT_EQ(o.townships_size(), 1);
  EXPECT_EQ(o.townships(0).township(), "dongchong");

  v1::GetYearOverviewRequest r;
  r.set_year(2026);
  r.set_township("huangge");
  v1::YearOverview reply;
  grpc::Status s = Call(&Stub::GetYearOverview, kTownshipDc, r, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("dongchong"));
}

TEST_F(OverviewTest, BadRequestsNameTheField) {
  struct Case {
    std::function<void(v1::GetYearOverviewRequest&)> set;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {[](auto& r) { r.set_year(0); }, "year"},
           {[](auto& r) { r.set_as_of("2026-02-30"); }, "as_of"},
           {[](auto& r) { r.set_deadline_within_days(-1); },
            "deadline_within_days"},
           {[](auto& r) { r.set_township("no/slash"); }, "township"},
       }) {
    v1::GetYearOverviewRequest r;
    r.set_year(2025);
    c.set(r);
    v1::YearOverview reply;
    grpc::Status s = Call(&Stub::GetYearOverview, kBureau, r, &reply);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_THAT(s.error_message(), StartsWith(c.field + ":"));
  }
}

// A failed phase ends the contract: its other open phases wait for nobody,
// until a reopening revives the contract.
TEST_F(OverviewTest, ATerminatedContractsPhasesAreNotLate) {
  auto late = [&](int year) {
    return ByTownshipLate(Overview(kBureau, year, "2027-12-31"), "dongchong");
  };
  EXPECT_EQ(late(2026), 2);  // Q1's 2026 mid-term and final
  EXPECT_EQ(late(2027), 1);  // the 2027 final opens only on 2028-02-01
  SubmitAll(Ref("Q1", 2026, v1::MID_TERM), kDongchong, "40");
  ASSERT_EQ(Finalize(Ref("Q1", 2026, v1::MID_TERM), "2026-11-02").state(),
            v1::FAILED);
  EXPECT_EQ(late(2026), 0);
  EXPECT_EQ(late(2027), 0);
  ASSERT_TRUE(Call(&Stub::ReopenEvaluation, kBureau,
                   ReopenReq(Ref("Q1", 2026, v1::MID_TERM), "复核"))
                  .ok());
  EXPECT_EQ(late(2026), 1);  // the final; the mid-term is SCORED again
  EXPECT_EQ(late(2027), 1);
}

// Format 2 had no opened/, due/, held/ or score/ counters: opening it
// read-write rebuilds every counter from the records, so the overview and
// the summary read as before.
TEST_F(OverviewTest, AFormat2DirectoryIsUpgradedWithItsCountersRebuilt) {
  if (TestsUseEtcd()) {
    GTEST_SKIP() << "a format of RocksDB directories; etcd keeps no counters";
  }
  auto snapshot = [&] {
    std::string out;
    for (const char* as_of : {"2026-01-10", "2026-08-01", "2026-12-01"}) {
      for (int year : {2025, 2026}) {
        out += Overview(kBureau, year, as_of).DebugString();
      }
    }
    v1::Summary summary;
    EXPECT_TRUE(
        Call(&Stub::GetSummary, kBureau, v1::GetSummaryRequest(), &summary)
            .ok());
    return out + summary.DebugString();
  };
  const std::string before = snapshot();
  ASSERT_THAT(before, HasSubstr("overdue_tranches: 3"));
  Stop();
  ASSERT_EQ(DropCountersAsFormat2(data_dir()), "");
  Start();
  EXPECT_EQ(snapshot(), before);
  Stop();
  EXPECT_EQ(ReadFormatVersion(data_dir()), "3");
  Start();
}

}  // namespace
}  // namespace evald::testing
