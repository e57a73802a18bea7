// Request -> command (server/commands.h): pure functions, tested without a
// store, a clock or an RPC.

#include "server/commands.h"

#include <string>
#include <variant>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evald::server {
namespace {

using ::testing::HasSubstr;

const Principal kBureau{"bureau", Role::kBureau, "nansha"};
const Principal kVillage{"village-v01", Role::kVillage, "V01"};
const Principal kFinance{"finance", Role::kFinance, "nansha"};

// 2026-01-09 20:00 UTC is 2026-01-10 04:00 in China.
absl::Time Evening() {
  return absl::FromCivil(absl::CivilSecond(2026, 1, 9, 20, 0, 0),
                         absl::UTCTimeZone());
}

v1::EvaluationRef Ref() {
  v1::EvaluationRef ref;
  ref.set_project_id("P1");
  ref.set_year(2025);
  ref.set_phase(v1::MID_TERM);
  return ref;
}

template <typename Request>
v1::Command CommandOf(const Principal& who, const char* method,
                      const Request& r) {
  absl::StatusOr<v1::Command> c = NewCommand(who, method, r, Evening());
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : v1::Command();
}

TEST(CommandsTest, ACommandFilesTheRequestWithWhoAndWhen) {
  v1::ReleaseDisbursementRequest r;
  r.set_request_id("pay-1");
  r.set_project_id("P1");
  const v1::Command c = CommandOf(kFinance, "ReleaseDisbursement", r);
  EXPECT_TRUE(c.has_release_disbursement());
  EXPECT_EQ(c.release_disbursement().project_id(), "P1");
  EXPECT_EQ(c.principal(), "finance");
  EXPECT_EQ(c.role(), "finance");
  EXPECT_EQ(c.organisation(), "nansha");
  EXPECT_EQ(c.request_id(), "pay-1");
  EXPECT_EQ(c.time(), "2026-01-09T20:00:00+00:00");
  EXPECT_EQ(c.today(), "2026-01-10");  // the day in China
  EXPECT_EQ(MethodOf(c), "ReleaseDisbursement");
  EXPECT_EQ(StreamOf(c), "P1");
  // A request filed under another method's field is refused.
  EXPECT_FALSE(NewCommand(kFinance, "CreateProject", r, Evening()).ok());
  EXPECT_FALSE(NewCommand(kFinance, "NoSuchMethod", r, Evening()).ok());
}

TEST(CommandsTest, TheStreamIsTheProjectOrThePrincipals) {
  v1::SubmitProfessionalScoreRequest score;
  *score.mutable_evaluation() = Ref();
  EXPECT_EQ(StreamOf(CommandOf(kVillage, "SubmitProfessionalScore", score)),
            "P1");
  v1::CreatePrincipalRequest principal;
  EXPECT_EQ(StreamOf(CommandOf(kBureau, "CreatePrincipal", principal)),
            kPrincipalsStream);
}

TEST(CommandsTest, TheDigestIsOfTheMethodAndTheRequestOnly) {
  v1::FinalizeEvaluationRequest r;
  r.set_request_id("fin-1");
  *r.mutable_evaluation() = Ref();
  r.set_result_date("2025-12-15");
  const v1::Command a = CommandOf(kBureau, "FinalizeEvaluation", r);
  v1::Command later = a;
  later.set_time("2027-01-01T00:00:00+00:00");
  EXPECT_EQ(RequestDigest(a), RequestDigest(later));
  r.set_result_date("2025-12-16");
  EXPECT_NE(RequestDigest(a),
            RequestDigest(CommandOf(kBureau, "FinalizeEvaluation", r)));
  EXPECT_EQ(RequestDigest(a).size(), 32u);  // raw SHA-256
}

TEST(CommandsTest, AScoreCountsForThePartyOfTheRole) {
  v1::SubmitProfessionalScoreRequest r;
  *r.mutable_evaluation() = Ref();
  r.set_score("88.5");
  absl::StatusOr<ProjectCommand> pc =
      ProjectCommandOf(CommandOf(kVillage, "SubmitProfessionalScore", r));
  ASSERT_TRUE(pc.ok()) << pc.status();
  EXPECT_EQ(pc->project_id, "P1");
  EXPECT_EQ(pc->reply, ProjectCommand::Reply::kEvaluation);
  const auto& on = std::get<scoring::OnPhase>(pc->command);
  EXPECT_EQ(on.year, 2025);
  EXPECT_EQ(on.phase, scoring::Phase::kMidTerm);
  const auto& submit = std::get<scoring::SubmitProfessional>(on.command);
  EXPECT_EQ(submit.party, scoring::Party::kVillage);
  EXPECT_EQ(submit.village_id, "V01");
  EXPECT_EQ(submit.score.hundredths(), 8850);
  EXPECT_EQ(submit.submitted_by, "village-v01");

  absl::StatusOr<ProjectCommand> finance =
      ProjectCommandOf(CommandOf(kFinance, "SubmitProfessionalScore", r));
  EXPECT_EQ(finance.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(CommandsTest, DatesARequestLeavesOutAreTheCommandsDay) {
  v1::ExpireRectificationRequest expire;
  *expire.mutable_evaluation() = Ref();
  absl::StatusOr<ProjectCommand> pc =
      ProjectCommandOf(CommandOf(kBureau, "ExpireRectification", expire));
  ASSERT_TRUE(pc.ok()) << pc.status();
  EXPECT_EQ(std::get<scoring::ExpireRectification>(
                std::get<scoring::OnPhase>(pc->command).command)
                .as_of,
            scoring::Date(2026, 1, 10));

  v1::ReleaseDisbursementRequest release;
  release.set_project_id("P1");
  release.set_year(2025);
  release.set_kind(v1::YEAR_START);
  release.set_payment_reference("BANK-1");
  pc = ProjectCommandOf(CommandOf(kFinance, "ReleaseDisbursement", release));
  ASSERT_TRUE(pc.ok()) << pc.status();
  const auto& r = std::get<scoring::ReleaseTranche>(pc->command);
  EXPECT_EQ(r.release.released_on, scoring::Date(2026, 1, 10));
  EXPECT_EQ(r.release.released_by, "finance");
  EXPECT_EQ(pc->reply, ProjectCommand::Reply::kTranche);

  v1::ReopenEvaluationRequest reopen;
  *reopen.mutable_evaluation() = Ref();
  reopen.set_reason("复核");
  pc = ProjectCommandOf(CommandOf(kBureau, "ReopenEvaluation", reopen));
  ASSERT_TRUE(pc.ok()) << pc.status();
  EXPECT_EQ(
      std::get<scoring::Reopen>(std::get<scoring::OnPhase>(pc->command).command)
          .on,
      scoring::Date(2026, 1, 10));
}

TEST(CommandsTest, EveryFieldIsCheckedAndNamed) {
  const struct {
    const char* name;
    v1::Command command;
    const char* message;
  } kCases[] = {
      {"bad project id",
       [] {
         v1::CreateProjectRequest r;
         r.set_project_id("P 1");
         return CommandOf(kBureau, "CreateProject", r);
       }(),
       "project_id: \"P 1\" may contain only letters, digits, '-' and '_'"},
      {"reserved project id",
       [] {
         v1::CreateProjectRequest r;
         r.set_project_id("_x");
         r.set_township("t");
         r.set_provider("p");
         return CommandOf(kBureau, "CreateProject", r);
       }(),
       "project_id: ids starting with '_' are reserved"},
      {"no village",
       [] {
         v1::CreateProjectRequest r;
         r.set_project_id("P1");
         r.set_township("t");
         r.set_provider("p");
         r.set_name("n");
         return CommandOf(kBureau, "CreateProject", r);
       }(),
       "villages: a project serves at least one village"},
      {"bad start",
       [] {
         v1::CreateProjectRequest r;
         r.set_project_id("P1");
         r.set_township("t");
         r.set_provider("p");
         r.set_name("n");
         r.add_villages("V1");
         r.set_start_date("2025/07/01");
         return CommandOf(kBureau, "CreateProject", r);
       }(),
       "start_date: "},
      {"bad score",
       [] {
         v1::SubmitProfessionalScoreRequest r;
         *r.mutable_evaluation() = Ref();
         r.set_score("85.555");
         return CommandOf(kVillage, "SubmitProfessionalScore", r);
       }(),
       "score: \"85.555\" has more than two decimals"},
      {"bad phase",
       [] {
         v1::SubmitProfessionalScoreRequest r;
         *r.mutable_evaluation() = Ref();
         r.mutable_evaluation()->set_phase(v1::PHASE_UNSPECIFIED);
         return CommandOf(kVillage, "SubmitProfessionalScore", r);
       }(),
       "evaluation.phase: want MID_TERM or FINAL"},
      {"negative expenditure",
       [] {
         v1::SubmitFinancialEvaluationRequest r;
         *r.mutable_evaluation() = Ref();
         r.set_score("80");
         r.mutable_expenditure()->set_management_fen(-1);
         return CommandOf(kBureau, "SubmitFinancialEvaluation", r);
       }(),
       "expenditure.management_fen: is negative"},
      {"veto without evidence",
       [] {
         v1::RaiseVetoRequest r;
         *r.mutable_evaluation() = Ref();
         r.set_kind(v1::PROFESSIONAL);
         r.set_code("UNDERSTAFFING");
         return CommandOf(kBureau, "RaiseVeto", r);
       }(),
       "evidence: is required"},
      {"result date missing",
       [] {
         v1::FinalizeEvaluationRequest r;
         *r.mutable_evaluation() = Ref();
         return CommandOf(kBureau, "FinalizeEvaluation", r);
       }(),
       "result_date: is required (YYYY-MM-DD)"},
      {"no tranche kind",
       [] {
         v1::ReleaseDisbursementRequest r;
         r.set_project_id("P1");
         return CommandOf(kFinance, "ReleaseDisbursement", r);
       }(),
       "kind: want YEAR_START, MID_TERM_TRANCHE or FINAL_TRANCHE"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<ProjectCommand> pc = ProjectCommandOf(c.command);
    ASSERT_FALSE(pc.ok());
    EXPECT_EQ(pc.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(pc.status().message(), HasSubstr(c.message));
  }
}

TEST(CommandsTest, PrincipalChanges) {
  v1::RevokePrincipalRequest self;
  self.set_name("bureau");
  absl::StatusOr<PrincipalCommand> refused =
      PrincipalCommandOf(CommandOf(kBureau, "RevokePrincipal", self));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);

  v1::CreatePrincipalRequest create;
  create.set_name("village-v03");
  create.set_role("village");
  create.set_organisation("V03");
  v1::Command c = CommandOf(kBureau, "CreatePrincipal", create);
  EXPECT_EQ(PrincipalCommandOf(c).status().code(),
            absl::StatusCode::kInvalidArgument);  // no token hash drawn yet
  c.set_token_sha256_hex(std::string(64, 'a'));
  absl::StatusOr<PrincipalCommand> pc = PrincipalCommandOf(c);
  ASSERT_TRUE(pc.ok()) << pc.status();
  EXPECT_EQ(pc->kind, PrincipalCommand::Kind::kCreate);
  EXPECT_EQ(pc->role, Role::kVillage);
  create.set_role("mayor");
  EXPECT_THAT(PrincipalCommandOf(CommandOf(kBureau, "CreatePrincipal", create))
                  .status()
                  .message(),
              HasSubstr("role: \"mayor\" is not agency, township"));
}

}  // namespace
}  // namespace evald::server
