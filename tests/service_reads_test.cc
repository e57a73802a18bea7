// Service tests: reads, lists, late parties, the summary, overdue money.

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/service_fixture.h"

namespace evald::testing {
namespace {

// =====================================================================
// (c) Reads and lists.
// =====================================================================

// The world of the read tests (clock: 2026-01-10):
//   P1 huangge / PR1 / V01,V02 / AG1, from 2025-07-01, 3 years
//      2025 mid-term PASSED (all 85: GOOD), result 2025-12-15
//      2025 final    RECTIFYING (all 55: UNQUALIFIED), result 2026-07-10
//      2026 mid-term OPEN; agency, township, bureau and V01 have scored
//      2026 final, 2027 mid-term, 2027 final: OPEN, nothing submitted
//      year-start 2025 tranche released
//   P2 huangge / PR1 / V01 / AG1, from 2025-09-01, 2 years
//      2025 mid-term PASSED (all 92: EXCELLENT), result 2025-12-15
//      2025 final    SCORED (all 80)
//      2026 mid-term, 2026 final: OPEN
//   Q1 dongchong / PR2 / V03 / AG2, from 2026-03-01, 2 years
//      2026 mid-term PASSED (all 70: QUALIFIED), result 2026-11-02
//      2026 final, 2027 mid-term, 2027 final: OPEN
class ReadTest : public ServiceTest {
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
    for (const char* token : {kAgency, kTownship, kBureau, kVillage1}) {
      ASSERT_TRUE(Call(&Stub::SubmitProfessionalScore, token,
                       ScoreReq(Ref("P1", 2026, v1::MID_TERM), "80"))
                      .ok());
    }
    Release("P1", 2025, v1::YEAR_START, "PAY-P1-1", "2025-07-20");

    SubmitAll(Ref("P2", 2025, v1::MID_TERM), kHuanggeV01, "92");
    ASSERT_EQ(Finalize(Ref("P2", 2025, v1::MID_TERM), "2025-12-15").state(),
              v1::PASSED);
    SubmitAll(Ref("P2", 2025, v1::FINAL), kHuanggeV01, "80");

    SubmitAll(Ref("Q1", 2026, v1::MID_TERM), kDongchong, "70");
    ASSERT_EQ(Finalize(Ref("Q1", 2026, v1::MID_TERM), "2026-11-02").state(),
              v1::PASSED);
  }

  static std::vector<std::string> AllNames(const std::string& project,
                                           std::vector<int> years) {
    std::vector<std::string> out;
    for (int y : years) {
      out.push_back(EvalName(project, y, v1::MID_TERM));
      out.push_back(EvalName(project, y, v1::FINAL));
    }
    return out;
  }
};

TEST_F(ReadTest, ListEvaluationsAppliesEveryFilter) {
  v1::ListEvaluationsRequest r;
  r.set_township("huangge");
  std::vector<std::string> huangge = AllNames("P1", {2025, 2026, 2027});
  for (const std::string& n : AllNames("P2", {2025, 2026})) {
    huangge.push_back(n);
  }
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              UnorderedElementsAreArray(huangge));

  r = v1::ListEvaluationsRequest();
  r.set_year(2026);
  EXPECT_THAT(
      ListEvaluationNames(kBureau, r),
      UnorderedElementsAre(
          EvalName("P1", 2026, v1::MID_TERM), EvalName("P1", 2026, v1::FINAL),
          EvalName("P2", 2026, v1::MID_TERM), EvalName("P2", 2026, v1::FINAL),
          EvalName("Q1", 2026, v1::MID_TERM), EvalName("Q1", 2026, v1::FINAL)));

  r = v1::ListEvaluationsRequest();
  r.set_phase(v1::FINAL);
  EXPECT_THAT(
      ListEvaluationNames(kBureau, r),
      UnorderedElementsAre(
          EvalName("P1", 2025, v1::FINAL), EvalName("P1", 2026, v1::FINAL),
          EvalName("P1", 2027, v1::FINAL), EvalName("P2", 2025, v1::FINAL),
          EvalName("P2", 2026, v1::FINAL), EvalName("Q1", 2026, v1::FINAL),
          EvalName("Q1", 2027, v1::FINAL)));

  r = v1::ListEvaluationsRequest();
  r.set_state(v1::PASSED);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              UnorderedElementsAre(EvalName("P1", 2025, v1::MID_TERM),
                                   EvalName("P2", 2025, v1::MID_TERM),
                                   EvalName("Q1", 2026, v1::MID_TERM)));

  r = v1::ListEvaluationsRequest();
  r.set_state(v1::RECTIFYING);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              ElementsAre(EvalName("P1", 2025, v1::FINAL)));

  r = v1::ListEvaluationsRequest();
  r.set_township("huangge");
  r.set_year(2026);
  r.set_state(v1::OPEN);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              UnorderedElementsAre(EvalName("P1", 2026, v1::MID_TERM),
                                   EvalName("P1", 2026, v1::FINAL),
                                   EvalName("P2", 2026, v1::MID_TERM),
                                   EvalName("P2", 2026, v1::FINAL)));

  r = v1::ListEvaluationsRequest();
  r.set_township("dongchong");
  r.set_phase(v1::MID_TERM);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              UnorderedElementsAre(EvalName("Q1", 2026, v1::MID_TERM),
                                   EvalName("Q1", 2027, v1::MID_TERM)));

  r = v1::ListEvaluationsRequest();
  r.set_project_id("P2");
  r.set_state(v1::SCORED);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              ElementsAre(EvalName("P2", 2025, v1::FINAL)));

  r = v1::ListEvaluationsRequest();
  r.set_township("huangge");
  r.set_year(2027);
  r.set_phase(v1::FINAL);
  EXPECT_THAT(ListEvaluationNames(kBureau, r),
              ElementsAre(EvalName("P1", 2027, v1::FINAL)));
}

TEST_F(ReadTest, PagesOfThreeWalkEveryEvaluationOnce) {
  // Everything, in key order: P1's six, P2's four, Q1's four.
  std::vector<std::string> all = AllNames("P1", {2025, 2026, 2027});
  for (const std::string& n : AllNames("P2", {2025, 2026})) all.push_back(n);
  for (const std::string& n : AllNames("Q1", {2026, 2027})) all.push_back(n);
  ASSERT_EQ(all.size(), 14u);
  std::vector<int> pages;
  std::vector<std::string> walked =
      ListEvaluationNames(kBureau, v1::ListEvaluationsRequest(), 3, &pages);
  EXPECT_THAT(walked, ElementsAreArray(all));
  EXPECT_THAT(pages, ElementsAre(3, 3, 3, 3, 2));

  // Through the state index: 9 OPEN evaluations make exactly three full
  // pages, and the third says there is no more.
  pages.clear();
  v1::ListEvaluationsRequest open;
  open.set_state(v1::OPEN);
  walked = ListEvaluationNames(kBureau, open, 3, &pages);
  EXPECT_THAT(
      walked,
      ElementsAre(
          EvalName("P1", 2026, v1::MID_TERM), EvalName("P1", 2026, v1::FINAL),
          EvalName("P1", 2027, v1::MID_TERM), EvalName("P1", 2027, v1::FINAL),
          EvalName("P2", 2026, v1::MID_TERM), EvalName("P2", 2026, v1::FINAL),
          EvalName("Q1", 2026, v1::FINAL), EvalName("Q1", 2027, v1::MID_TERM),
          EvalName("Q1", 2027, v1::FINAL)));
  EXPECT_THAT(pages, ElementsAre(3, 3, 3));

  // Through the township index, and for a principal who sees only part:
  // V01 serves P1 and P2 (10 evaluations).
  pages.clear();
  walked =
      ListEvaluationNames(kVillage1, v1::ListEvaluationsRequest(), 3, &pages);
  std::vector<std::string> v01(all.begin(), all.begin() + 10);
  EXPECT_THAT(walked, ElementsAreArray(v01));
  EXPECT_THAT(pages, ElementsAre(3, 3, 3, 1));

  pages.clear();
  v1::ListEvaluationsRequest huangge;
  huangge.set_township("huangge");
  walked = ListEvaluationNames(kTownship, huangge, 3, &pages);
  EXPECT_THAT(walked, ElementsAreArray(v01));
  EXPECT_THAT(pages, ElementsAre(3, 3, 3, 1));

  // A token is bound to its list: another filter refuses it.
  v1::ListEvaluationsRequest first;
  first.set_page_size(3);
  v1::ListEvaluationsResponse reply;
  ASSERT_TRUE(Call(&Stub::ListEvaluations, kBureau, first, &reply).ok());
  ASSERT_FALSE(reply.next_page_token().empty());
  v1::ListEvaluationsRequest other;
  other.set_state(v1::OPEN);
  other.set_page_token(reply.next_page_token());
  grpc::Status s = Call(&Stub::ListEvaluations, kBureau, other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
}

TEST_F(ReadTest, LatePartiesAreNamed) {
  // P1's 2026 service year starts 2026-07-01: its mid-term opens
  // 2026-12-01, its final 2027-06-01 (RULES.md §3 [default]: 5 and 11
  // months). As of 2027-06-03 both are late.
  v1::ListLatePartiesRequest r;
  r.set_project_id("P1");
  r.set_year(2026);
  r.set_as_of("2027-06-03");
  v1::ListLatePartiesResponse reply;
  ASSERT_TRUE(Call(&Stub::ListLateParties, kBureau, r, &reply).ok());
  ASSERT_EQ(reply.late_size(), 2);
  EXPECT_EQ(reply.late(0).evaluation(), EvalName("P1", 2026, v1::MID_TERM));
  EXPECT_EQ(reply.late(0).township(), "huangge");
  EXPECT_EQ(reply.late(0).phase(), v1::MID_TERM);
  EXPECT_EQ(reply.late(0).opens_on(), "2026-12-01");
  EXPECT_EQ(reply.late(0).days_late(), 184);  // 182 days to 06-01, + 2
  EXPECT_THAT(reply.late(0).missing(),
              UnorderedElementsAre("village:V02", "financial"));
  EXPECT_EQ(reply.late(1).evaluation(), EvalName("P1", 2026, v1::FINAL));
  EXPECT_EQ(reply.late(1).opens_on(), "2027-06-01");
  EXPECT_EQ(reply.late(1).days_late(), 2);
  EXPECT_THAT(reply.late(1).missing(),
              UnorderedElementsAre("third_party", "township", "bureau",
                                   "village:V01", "village:V02", "financial"));

  // RULES.md §3: a phase that has not opened waits for nobody. On its
  // opening day the mid-term is late (0 days), the final not yet; as of the
  // server's today (2026-01-10) neither.
  r.set_as_of("2026-12-01");
  ASSERT_TRUE(Call(&Stub::ListLateParties, kBureau, r, &reply).ok());
  ASSERT_EQ(reply.late_size(), 1);
  EXPECT_EQ(reply.late(0).evaluation(), EvalName("P1", 2026, v1::MID_TERM));
  EXPECT_EQ(reply.late(0).days_late(), 0);
  r.clear_as_of();
  ASSERT_TRUE(Call(&Stub::ListLateParties, kBureau, r, &reply).ok());
  EXPECT_EQ(reply.late_size(), 0);

  // Only OPEN phases wait for anyone: P2's SCORED 2025 final is not late.
  r = v1::ListLatePartiesRequest();
  r.set_project_id("P2");
  r.set_as_of("2027-09-01");
  ASSERT_TRUE(Call(&Stub::ListLateParties, kBureau, r, &reply).ok());
  std::vector<std::string> p2;
  for (const v1::LateEntry& e : reply.late()) p2.push_back(e.evaluation());
  EXPECT_THAT(p2, ElementsAre(EvalName("P2", 2026, v1::MID_TERM),
                              EvalName("P2", 2026, v1::FINAL)));

  // A village committee sees only the projects that serve it.
  r = v1::ListLatePartiesRequest();
  r.set_as_of("2028-12-31");
  ASSERT_TRUE(Call(&Stub::ListLateParties, kVillage3, r, &reply).ok());
  std::vector<std::string> v03;
  for (const v1::LateEntry& e : reply.late()) {
    v03.push_back(e.evaluation());
    EXPECT_THAT(e.missing(),
                UnorderedElementsAre("third_party", "township", "bureau",
                                     "village:V03", "financial"));
  }
  EXPECT_THAT(v03, ElementsAre(EvalName("Q1", 2026, v1::FINAL),
                               EvalName("Q1", 2027, v1::MID_TERM),
                               EvalName("Q1", 2027, v1::FINAL)));

  // An unknown project is NOT_FOUND, as GetProject says.
  r = v1::ListLatePartiesRequest();
  r.set_project_id("NOPE");
  grpc::Status unknown = Call(&Stub::ListLateParties, kBureau, r);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown.error_message(), "project NOPE not found");
}

TEST_F(ReadTest, ATerminatedContractHasNoLateParties) {
  // Q1's 2026 mid-term passed; its final fails for good, which terminates
  // the contract: its 2027 phases wait for nobody.
  SubmitAll(Ref("Q1", 2026, v1::FINAL), kDongchong, "40");
  ASSERT_EQ(Finalize(Ref("Q1", 2026, v1::FINAL), "2027-03-01").state(),
            v1::FAILED);
  v1::ListLatePartiesRequest r;
  r.set_project_id("Q1");
  r.set_as_of("2028-12-31");
  v1::ListLatePartiesResponse reply;
  ASSERT_TRUE(Call(&Stub::ListLateParties, kBureau, r, &reply).ok());
  EXPECT_EQ(reply.late_size(), 0);
}

using Counts = std::map<std::string, int64_t>;
struct SummaryCounts {
  Counts by_state;
  Counts by_grade;
  bool operator==(const SummaryCounts& o) const {
    return by_state == o.by_state && by_grade == o.by_grade;
  }
};
void PrintTo(const SummaryCounts& c, std::ostream* os) {
  *os << "{states:";
  for (const auto& [k, v] : c.by_state) *os << " " << k << "=" << v;
  *os << "; grades:";
  for (const auto& [k, v] : c.by_grade) *os << " " << k << "=" << v;
  *os << "}";
}
using SummaryMap = std::map<std::pair<std::string, int>, SummaryCounts>;

TEST_F(ReadTest, SummaryCountsByStateAndGradePerTownshipAndYear) {
  auto summary = [&](const std::string& token, const std::string& township,
                     int year) {
    v1::GetSummaryRequest r;
    r.set_township(township);
    r.set_year(year);
    v1::Summary reply;
    grpc::Status s = Call(&Stub::GetSummary, token, r, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    SummaryMap out;
    for (const v1::SummaryRow& row : reply.rows()) {
      SummaryCounts& c = out[{row.township(), row.year()}];
      c.by_state = Counts(row.by_state().begin(), row.by_state().end());
      c.by_grade = Counts(row.by_grade().begin(), row.by_grade().end());
    }
    return out;
  };
  const SummaryCounts huangge_2025 = {
      {{"PASSED", 2}, {"RECTIFYING", 1}, {"SCORED", 1}},
      {{"GOOD", 1}, {"EXCELLENT", 1}, {"UNQUALIFIED", 1}}};
  const SummaryCounts huangge_2026 = {{{"OPEN", 4}}, {}};
  const SummaryCounts huangge_2027 = {{{"OPEN", 2}}, {}};
  const SummaryCounts dongchong_2026 = {{{"PASSED", 1}, {"OPEN", 1}},
                                        {{"QUALIFIED", 1}}};
  const SummaryCounts dongchong_2027 = {{{"OPEN", 2}}, {}};

  EXPECT_EQ(summary(kBureau, "", 0),
            (SummaryMap{{{"huangge", 2025}, huangge_2025},
                        {{"huangge", 2026}, huangge_2026},
                        {{"huangge", 2027}, huangge_2027},
                        {{"dongchong", 2026}, dongchong_2026},
                        {{"dongchong", 2027}, dongchong_2027}}));
  EXPECT_EQ(summary(kFinance, "", 2026),
            (SummaryMap{{{"huangge", 2026}, huangge_2026},
                        {{"dongchong", 2026}, dongchong_2026}}));
  EXPECT_EQ(summary(kBureau, "dongchong", 0),
            (SummaryMap{{{"dongchong", 2026}, dongchong_2026},
                        {{"dongchong", 2027}, dongchong_2027}}));
  // A township sees its own rows only, whatever it asks for.
  EXPECT_EQ(summary(kTownship, "", 0),
            (SummaryMap{{{"huangge", 2025}, huangge_2025},
                        {{"huangge", 2026}, huangge_2026},
                        {{"huangge", 2027}, huangge_2027}}));

  // Reopening P2's passed mid-term moves it back to SCORED and takes its
  // EXCELLENT out of the grade counts.
  ASSERT_TRUE(Call(&Stub::ReopenEvaluation, kBureau,
                   ReopenReq(Ref("P2", 2025, v1::MID_TERM), "复核评分"))
                  .ok());
  EXPECT_EQ(summary(kBureau, "huangge", 2025),
            (SummaryMap{{{"huangge", 2025},
                         {{{"PASSED", 1}, {"RECTIFYING", 1}, {"SCORED", 2}},
                          {{"GOOD", 1}, {"UNQUALIFIED", 1}}}}}));
}

TEST_F(ReadTest, OverdueDisbursementsAsOfADate) {
  // DUE tranches (hand-computed, 15 working days, RULES.md §7):
  //   P1 2025 mid-term   2026-01-06  (from 2025-12-15, across New Year)
  //   P2 2025 year-start 2025-09-22  (from Mon 2025-09-01)
  //   P2 2025 mid-term   2026-01-06
  //   Q1 2026 year-start 2026-03-20  (from Sun 2026-03-01)
  //   Q1 2026 mid-term   2026-11-23  (from Mon 2026-11-02)
  // P1's 2025 year-start is released; P1's 2025 final tranche is withheld.
  auto overdue = [&](const std::string& token, const std::string& as_of,
                     const std::string& township = "") {
    v1::ListDisbursementsRequest r;
    r.set_overdue_only(true);
    r.set_as_of(as_of);
    r.set_township(township);
    std::vector<std::string> names;
    for (const v1::Disbursement& d : ListTranches(token, r)) {
      EXPECT_TRUE(d.overdue()) << d.name();
      EXPECT_EQ(d.state(), v1::DUE) << d.name();
      names.push_back(d.name());
    }
    return names;
  };
  const std::string p1_mid = TrancheName("P1", 2025, v1::MID_TERM_TRANCHE);
  const std::string p2_start = TrancheName("P2", 2025, v1::YEAR_START);
  const std::string p2_mid = TrancheName("P2", 2025, v1::MID_TERM_TRANCHE);
  const std::string q1_start = TrancheName("Q1", 2026, v1::YEAR_START);
  const std::string q1_mid = TrancheName("Q1", 2026, v1::MID_TERM_TRANCHE);

  // Paying on the due day is on time: not overdue on 2026-01-06.
  EXPECT_THAT(overdue(kFinance, "2026-01-06"), ElementsAre(p2_start));
  EXPECT_THAT(overdue(kFinance, "2026-01-07"),
              UnorderedElementsAre(p1_mid, p2_start, p2_mid));
  EXPECT_THAT(overdue(kFinance, "2026-03-20"),
              UnorderedElementsAre(p1_mid, p2_start, p2_mid));
  EXPECT_THAT(overdue(kFinance, "2026-03-21"),
              UnorderedElementsAre(p1_mid, p2_start, p2_mid, q1_start));
  EXPECT_THAT(overdue(kFinance, "2026-12-01", "dongchong"),
              UnorderedElementsAre(q1_start, q1_mid));
  EXPECT_THAT(overdue(kBureau, "2025-09-22"), IsEmpty());
  // A township sees its own only.
  EXPECT_THAT(overdue(kTownship, "2026-12-01"),
              UnorderedElementsAre(p1_mid, p2_start, p2_mid));
  EXPECT_THAT(overdue(kTownshipDc, "2026-12-01"),
              UnorderedElementsAre(q1_start, q1_mid));

  // Without overdue_only every DUE tranche is listed, flagged by as_of.
  v1::ListDisbursementsRequest due;
  due.set_state(v1::DUE);
  due.set_as_of("2026-01-07");
  std::map<std::string, bool> flags;
  for (const v1::Disbursement& d : ListTranches(kFinance, due)) {
    flags[d.name()] = d.overdue();
  }
  EXPECT_EQ(flags, (std::map<std::string, bool>{{p1_mid, true},
                                                {p2_start, true},
                                                {p2_mid, true},
                                                {q1_start, false},
                                                {q1_mid, false}}));
  std::map<std::string, std::string> due_dates;
  for (const v1::Disbursement& d : ListTranches(kFinance, due)) {
    due_dates[d.name()] = d.due_date();
  }
  EXPECT_EQ(due_dates,
            (std::map<std::string, std::string>{{p1_mid, "2026-01-06"},
                                                {p2_start, "2025-09-22"},
                                                {p2_mid, "2026-01-06"},
                                                {q1_start, "2026-03-20"},
                                                {q1_mid, "2026-11-23"}}));

  v1::ListDisbursementsRequest released;
  released.set_state(v1::RELEASED);
  std::vector<v1::Disbursement> paid = ListTranches(kFinance, released);
  ASSERT_EQ(paid.size(), 1u);
  EXPECT_EQ(paid[0].name(), TrancheName("P1", 2025, v1::YEAR_START));
  EXPECT_EQ(paid[0].payment_reference(), "PAY-P1-1");
  EXPECT_FALSE(paid[0].overdue());

  v1::ListDisbursementsRequest withheld;
  withheld.set_state(v1::WITHHELD);
  std::vector<v1::Disbursement> held = ListTranches(kBureau, withheld);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].name(), TrancheName("P1", 2025, v1::FINAL_TRANCHE));
}

TEST_F(ReadTest, EachPartySeesOnlyItsOwnProjects) {
  EXPECT_THAT(ListProjectIds(kBureau), ElementsAre("P1", "P2", "Q1"));
  EXPECT_THAT(ListProjectIds(kFinance), ElementsAre("P1", "P2", "Q1"));
  EXPECT_THAT(ListProjectIds(kProvider), ElementsAre("P1", "P2"));
  EXPECT_THAT(ListProjectIds(kProvider2), ElementsAre("Q1"));
  EXPECT_THAT(ListProjectIds(kVillage1), ElementsAre("P1", "P2"));
  EXPECT_THAT(ListProjectIds(kVillage2), ElementsAre("P1"));
  EXPECT_THAT(ListProjectIds(kVillage3), ElementsAre("Q1"));
  EXPECT_THAT(ListProjectIds(kTownshipDc), ElementsAre("Q1"));
  EXPECT_THAT(ListProjectIds(kAgency2), ElementsAre("Q1"));

  // Evaluations: V02 is served by P1 only.
  EXPECT_THAT(ListEvaluationNames(kVillage2, v1::ListEvaluationsRequest()),
              ElementsAreArray(AllNames("P1", {2025, 2026, 2027})));
  EXPECT_THAT(ListEvaluationNames(kProvider2, v1::ListEvaluationsRequest()),
              ElementsAreArray(AllNames("Q1", {2026, 2027})));
  // Asking for another township's evaluations shows nothing.
  v1::ListEvaluationsRequest huangge;
  huangge.set_township("huangge");
  EXPECT_THAT(ListEvaluationNames(kTownshipDc, huangge), IsEmpty());
  EXPECT_THAT(ListEvaluationNames(kVillage3, huangge), IsEmpty());
  v1::ListEvaluationsRequest p1;
  p1.set_project_id("P1");
  EXPECT_THAT(ListEvaluationNames(kProvider2, p1), IsEmpty());

  // Money: a provider lists only its own projects' tranches.
  std::set<std::string> projects;
  std::vector<v1::Disbursement> pr2 =
      ListTranches(kProvider2, v1::ListDisbursementsRequest());
  for (const v1::Disbursement& d : pr2) projects.insert(d.project_id());
  EXPECT_EQ(pr2.size(), 6u);  // 2 years x 3 tranches
  EXPECT_EQ(projects, std::set<std::string>{"Q1"});
  projects.clear();
  std::vector<v1::Disbursement> pr1 =
      ListTranches(kProvider, v1::ListDisbursementsRequest());
  for (const v1::Disbursement& d : pr1) projects.insert(d.project_id());
  EXPECT_EQ(pr1.size(), 15u);  // P1 3 years + P2 2 years, 3 tranches each
  EXPECT_EQ(projects, (std::set<std::string>{"P1", "P2"}));

  // Single reads outside one's projects are refused.
  v1::GetProjectRequest get;
  get.set_project_id("P1");
  EXPECT_EQ(Call(&Stub::GetProject, kProvider2, get).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(&Stub::GetProject, kVillage3, get).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Call(&Stub::GetProject, kVillage2, get).ok());
  get.set_project_id("P2");
  EXPECT_EQ(Call(&Stub::GetProject, kVillage2, get).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace evald::testing
