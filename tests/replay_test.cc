// Replay (server/replay.h) after a long random walk of commands through the
// Engine: whatever the walk did -- scores, corrections, vetoes, passes,
// rectifications, expiries, reopenings, releases, refusals -- the audit log
// alone re-derives every record, index entry and counter.

#include "server/replay.h"

#include <stdlib.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "scoring/calendar.h"
#include "scoring/date.h"
#include "server/engine.h"
#include "server/organisation_file.h"
#include "storage/store.h"

namespace evald::server {
namespace {

namespace v1 = ::evaluation::v1;

const Principal kBureau{"bureau", Role::kBureau, "nansha"};
const Principal kAgency{"agency-ag1", Role::kAgency, "AG1"};
const Principal kTownship{"township-huangge", Role::kTownship, "huangge"};
const Principal kVillage1{"village-v01", Role::kVillage, "V01"};
const Principal kVillage2{"village-v02", Role::kVillage, "V02"};
const Principal kProvider{"provider-pr1", Role::kProvider, "PR1"};
const Principal kFinance{"finance", Role::kFinance, "nansha"};

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/evald-replay-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<storage::Store> Open(const std::string& name) {
    storage::StoreOptions options;
    options.path = dir_ + "/" + name;
    options.sync_writes = false;
    options.verify_previous = true;
    absl::StatusOr<std::unique_ptr<storage::Store>> store =
        storage::Store::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::string dir_;
};

std::string Day(std::mt19937& rng, scoring::Date from, int span) {
  return scoring::FormatDate(from +
                             std::uniform_int_distribution<int>(0, span)(rng));
}

TEST_F(ReplayTest, ALongRandomWalkReplaysIdentically) {
  std::unique_ptr<storage::Store> store = Open("live");
  ASSERT_NE(store, nullptr);
  // A clock that moves on a minute per command, so every event has its own
  // time.
  absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 12, 1, 9, 0, 0),
                                   absl::UTCTimeZone());
  Engine engine(store.get(), PolicySet(),
                scoring::WorkingDayCalendar::BuiltIn(),
                [&now] { return now += absl::Minutes(1); });
  auto organisations = ParseOrganisationsFile(
      "huangge\ttownship\t黄阁镇\nPR1\tprovider\t启航\nAG1\tagency\t明衡\n"
      "V01\tvillage\t大塘村\t\thuangge\nV02\tvillage\t莲溪村\t\thuangge\n");
  ASSERT_TRUE(organisations.ok()) << organisations.status();
  ASSERT_TRUE(
      engine.SeedOrganisations(*organisations, PrincipalRegistry()).ok());
  std::mt19937 rng(2026);
  auto pick = [&](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  int request = 0;
  auto id = [&] { return absl::StrCat("walk-", ++request); };

  const std::vector<std::string> projects = {"P1", "P2", "P3"};
  for (const std::string& p : projects) {
    v1::CreateProjectRequest r;
    r.set_request_id(id());
    r.set_project_id(p);
    r.set_name(absl::StrCat(p, " station"));
    r.set_township("huangge");
    r.set_provider("PR1");
    r.add_villages("V01");
    r.add_villages("V02");
    r.set_start_date("2024-07-01");
    r.set_years(2);
    r.set_annual_fund_fen(260000000);
    r.set_agency("AG1");
    ASSERT_TRUE(engine.CreateProject(kBureau, r).ok());
  }

  int accepted = 0;
  for (int step = 0; step < 4000; ++step) {
    const std::string project = projects[pick(3)];
    const int year = 2024 + pick(2);
    const v1::Phase phase = pick(2) == 0 ? v1::MID_TERM : v1::FINAL;
    v1::EvaluationRef ref;
    ref.set_project_id(project);
    ref.set_year(year);
    ref.set_phase(phase);
    v1::GetEvaluationRequest get;
    *get.mutable_evaluation() = ref;
    absl::StatusOr<v1::Evaluation> e = engine.GetEvaluation(kBureau, get);
    ASSERT_TRUE(e.ok()) << e.status();
    const scoring::Date opens = *scoring::ParseDate(e->opens_on());
    const std::string score = absl::StrCat(30 + pick(71), ".", pick(100));
    bool ok = false;
    if (pick(5) == 0) {
      // Money: a release of any tranche, on any day.
      v1::ReleaseDisbursementRequest r;
      r.set_request_id(id());
      r.set_project_id(project);
      r.set_year(year);
      r.set_kind(static_cast<v1::TrancheKind>(1 + pick(3)));
      r.set_payment_reference(absl::StrCat("PAY-", pick(4)));
      r.set_released_on(Day(rng, scoring::Date(2024, 7, 1), 900));
      ok = engine.ReleaseDisbursement(kFinance, r).ok();
    } else if (e->state() == v1::OPEN || e->state() == v1::SCORED) {
      if (e->missing().empty() && pick(3) != 0) {
        if (pick(6) == 0) {
          v1::RaiseVetoRequest r;
          r.set_request_id(id());
          *r.mutable_evaluation() = ref;
          r.set_kind(v1::PROFESSIONAL);
          r.set_code(pick(2) ? "UNDERSTAFFING" : "SAFETY_INCIDENT");
          r.set_evidence("found on a visit");
          ok = engine.RaiseVeto(pick(2) ? kAgency : kBureau, r).ok();
        } else if (e->vetoes_size() > 0 && pick(2) == 0) {
          v1::DecideVetoRequest r;
          r.set_request_id(id());
          *r.mutable_evaluation() = ref;
          r.set_veto_id(1 + pick(e->vetoes_size()));
          r.set_reason("not substantiated");
          ok = pick(2) ? engine.ConfirmVeto(kBureau, r).ok()
                       : engine.DismissVeto(kBureau, r).ok();
        } else {
          v1::FinalizeEvaluationRequest r;
          r.set_request_id(id());
          *r.mutable_evaluation() = ref;
          r.set_result_date(Day(rng, opens, 180));
          ok = engine.FinalizeEvaluation(kBureau, r).ok();
        }
      } else if (pick(6) == 0) {
        v1::SubmitFinancialEvaluationRequest r;
        r.set_request_id(id());
        *r.mutable_evaluation() = ref;
        r.set_score(score);
        r.set_rectifiable(pick(2) == 0);
        r.mutable_expenditure()->set_personnel_fen(750000 - pick(200000));
        r.mutable_expenditure()->set_service_quality_fen(150000);
        r.mutable_expenditure()->set_management_fen(50000 + pick(200000));
        r.mutable_expenditure()->set_other_fen(50000);
        ok = engine.SubmitFinancialEvaluation(kAgency, r).ok();
      } else {
        const Principal* who[] = {&kAgency, &kTownship, &kBureau, &kVillage1,
                                  &kVillage2};
        v1::SubmitProfessionalScoreRequest r;
        r.set_request_id(id());
        *r.mutable_evaluation() = ref;
        r.set_score(score);
        r.set_rectifiable(pick(3) != 0);
        ok = engine.SubmitProfessionalScore(*who[pick(5)], r).ok();
      }
    } else if (e->state() == v1::RECTIFYING) {
      if (pick(3) == 0) {
        v1::ExpireRectificationRequest r;
        r.set_request_id(id());
        *r.mutable_evaluation() = ref;
        r.set_as_of(Day(rng, opens, 400));
        ok = engine.ExpireRectification(kBureau, r).ok();
      } else {
        v1::ApplyRectificationRequest r;
        r.set_request_id(id());
        *r.mutable_evaluation() = ref;
        r.set_application_date(Day(rng, opens, 300));
        ok = engine.ApplyRectification(kProvider, r).ok();
      }
    } else if (e->state() == v1::REEVALUATING) {
      v1::DecideReevaluationRequest r;
      r.set_request_id(id());
      *r.mutable_evaluation() = ref;
      r.set_passed(pick(3) != 0);
      r.set_decision_date(Day(rng, opens, 400));
      ok = engine.DecideReevaluation(kBureau, r).ok();
    } else if (pick(4) == 0) {
      v1::ReopenEvaluationRequest r;
      r.set_request_id(id());
      *r.mutable_evaluation() = ref;
      r.set_reason("review");
      ok = engine.ReopenEvaluation(kBureau, r).ok();
    }
    accepted += ok;
  }
  EXPECT_GT(accepted, 900);  // the walk did a lot, refusals aside

  std::unique_ptr<storage::Store> scratch = Open("replayed");
  ASSERT_NE(scratch, nullptr);
  PolicySet policies;
  Applier applier(&policies, &scoring::WorkingDayCalendar::BuiltIn());
  absl::StatusOr<ReplayReport> report = Replay(*store, *scratch, applier);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->difference.has_value()) << *report->difference;
  // The walk's accepted commands, the three projects' creation and the
  // five organisations' registration.
  EXPECT_EQ(report->events, accepted + 3 + 5);
  EXPECT_GT(report->entries, report->events);
}

}  // namespace
}  // namespace evald::server
