// Records <-> domain (server/convert.h): every record a contract's life can
// produce survives the round trip byte for byte, and a record that does not
// parse into the domain is DATA_LOSS naming it.

#include "server/convert.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/scoring_fixtures.h"

namespace evald::server {
namespace {

using ::evald::scoring::fixtures::Book;
using ::evald::scoring::fixtures::D;
using ::evald::scoring::fixtures::RectifiableFailure;
using ::evald::scoring::fixtures::Sc;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace sc = ::evald::scoring;

// A contract with a bit of everything: submitters and versions, vetoes
// raised, confirmed and dismissed, a passed rectification with its history,
// held, due and released tranches.
Book Lived() {
  Book book;
  book.Must(2025, sc::Phase::kMidTerm,
            sc::RaiseVeto{sc::VetoKind::kProfessional, "UNDERSTAFFING",
                          "posts vacant", "agency-1"});
  book.Must(2025, sc::Phase::kMidTerm,
            sc::DismissVeto{1, "filled since", "bureau-1"});
  book.ScoreAll(2025, sc::Phase::kMidTerm, RectifiableFailure());
  book.Must(2025, sc::Phase::kMidTerm,
            sc::SubmitProfessional{sc::Party::kTownship, "", Sc("52"), false,
                                   "township-2"});
  book.Must(2025, sc::Phase::kMidTerm, sc::Finalise{D(2025, 12, 20)});
  book.ScoreAll(2025, sc::Phase::kFinal);
  book.Must(2025, sc::Phase::kFinal, sc::Finalise{D(2026, 1, 9)});  // held
  book.ScoreAll(2026, sc::Phase::kMidTerm);
  book.Must(2026, sc::Phase::kMidTerm,
            sc::RaiseVeto{sc::VetoKind::kFinancial, "FIN_MISSING_RECORDS",
                          "receipts", "agency-1"});
  book.Must(2026, sc::Phase::kMidTerm, sc::ConfirmVeto{1, "bureau-1"});
  EXPECT_TRUE(book.Apply(sc::ReleaseTranche{2025,
                                            sc::TrancheKind::kYearStart,
                                            {"PAY-1", D(2025, 7, 10), "fin"}})
                  .ok());
  return book;
}

TEST(ConvertTest, EveryRecordOfALivedContractRoundTrips) {
  const Book book = Lived();
  const v1::Project project = ToProto(book.contract());
  absl::StatusOr<sc::Contract> contract = FromRecord(project);
  ASSERT_TRUE(contract.ok()) << contract.status();
  EXPECT_EQ(ToProto(*contract).SerializeAsString(),
            project.SerializeAsString());
  bool history = false;
  for (const sc::Evaluation& e : book.evaluations()) {
    const v1::Evaluation record = ToProto(e, book.contract());
    history |= record.history_size() > 0;
    absl::StatusOr<sc::Evaluation> back = FromRecord(record);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(ToProto(*back, book.contract()).SerializeAsString(),
              record.SerializeAsString())
        << record.DebugString();
  }
  EXPECT_FALSE(history);  // no rectification passed yet
  bool held = false, released = false;
  for (const sc::Tranche& t : book.tranches()) {
    const v1::Disbursement record = ToProto(t, book.contract());
    held |= record.state() == v1::HELD;
    released |= record.state() == v1::RELEASED;
    absl::StatusOr<sc::Tranche> back = FromRecord(record);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(ToProto(*back, book.contract()).SerializeAsString(),
              record.SerializeAsString())
        << record.DebugString();
    EXPECT_TRUE(sc::SameTranche(*back, t));
  }
  EXPECT_TRUE(held);
  EXPECT_TRUE(released);
}

TEST(ConvertTest, AResultHistoryAndProvisionalResultsRoundTrip) {
  Book book = Lived();
  book.Must(2025, sc::Phase::kMidTerm, sc::ApplyRectification{D(2026, 1, 5)});
  book.Must(2025, sc::Phase::kMidTerm,
            sc::DecideReevaluation{true, D(2026, 1, 16)});
  for (const sc::Evaluation& e : book.evaluations()) {
    const v1::Evaluation record = ToProto(e, book.contract());
    absl::StatusOr<sc::Evaluation> back = FromRecord(record);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(ToProto(*back, book.contract()).SerializeAsString(),
              record.SerializeAsString());
  }
  const v1::Evaluation passed =
      ToProto(book.PhaseAt(2025, sc::Phase::kMidTerm), book.contract());
  ASSERT_EQ(passed.history_size(), 1);
  EXPECT_EQ(passed.result().outcome(), v1::PASS_AFTER_RECTIFICATION);
  const v1::Evaluation scored =
      ToProto(book.PhaseAt(2026, sc::Phase::kMidTerm), book.contract());
  EXPECT_TRUE(scored.result().provisional());
}

TEST(ConvertTest, ARecordThatDoesNotParseIsDataLossNamingIt) {
  const Book book = Lived();
  const v1::Evaluation good =
      ToProto(book.PhaseAt(2025, sc::Phase::kMidTerm), book.contract());
  ASSERT_EQ(good.vetoes_size(), 1);
  const struct {
    const char* name;
    void (*damage)(v1::Evaluation&);
    const char* message;
  } kCases[] = {
      {"unknown state",
       [](v1::Evaluation& e) {
         e.set_state(static_cast<v1::EvaluationState>(42));
       },
       "state: 42 is not a valid value"},
      {"unknown phase",
       [](v1::Evaluation& e) { e.set_phase(static_cast<v1::Phase>(9)); },
       "phase: 9 is not a valid value"},
      {"unknown grade",
       [](v1::Evaluation& e) {
         e.mutable_result()->set_grade(static_cast<v1::Grade>(17));
       },
       "result.grade: 17 is not a valid value"},
      {"unknown veto status",
       [](v1::Evaluation& e) {
         e.mutable_vetoes(0)->set_status(static_cast<v1::VetoStatus>(5));
       },
       "vetoes.status: 5 is not a valid value"},
      {"a score that is not one",
       [](v1::Evaluation& e) { e.mutable_bureau()->set_score("eighty"); },
       "bureau.score: "},
      {"a bad date",
       [](v1::Evaluation& e) {
         e.mutable_result()->set_result_date("2026-02-30");
       },
       "result.result_date: "},
      {"a finalised phase without its result",
       [](v1::Evaluation& e) { e.clear_result(); },
       "result: a finalised phase has no result and result date"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    v1::Evaluation bad = good;
    c.damage(bad);
    absl::StatusOr<sc::Evaluation> e = FromRecord(bad);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(e.status().message()),
                StartsWith("stored evaluation "
                           "projects/P1/years/2025/phases/mid-term is "
                           "malformed: "));
    EXPECT_THAT(e.status().message(), HasSubstr(c.message));
  }

  v1::Disbursement released;
  ASSERT_EQ(book.TrancheAt(2025, sc::TrancheKind::kYearStart).state,
            sc::TrancheState::kReleased);
  for (const sc::Tranche& t : book.tranches()) {
    if (t.state == sc::TrancheState::kReleased) {
      released = ToProto(t, book.contract());
    }
  }
  for (auto damage : {+[](v1::Disbursement& d) {
                        d.set_kind(static_cast<v1::TrancheKind>(7));
                      },
                      +[](v1::Disbursement& d) {
                        d.set_state(static_cast<v1::DisbursementState>(8));
                      },
                      +[](v1::Disbursement& d) { d.clear_payment_reference(); },
                      +[](v1::Disbursement& d) { d.set_released_on("never"); },
                      +[](v1::Disbursement& d) { d.set_amount_fen(-1); }}) {
    v1::Disbursement bad = released;
    damage(bad);
    absl::StatusOr<sc::Tranche> t = FromRecord(bad);
    ASSERT_FALSE(t.ok()) << bad.DebugString();
    EXPECT_EQ(t.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(t.status().message()),
                StartsWith("stored tranche "
                           "projects/P1/years/2025/tranches/year-start is "
                           "malformed: "));
  }

  v1::Project project = ToProto(book.contract());
  project.set_start_date("July");
  EXPECT_EQ(FromRecord(project).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace evald::server
