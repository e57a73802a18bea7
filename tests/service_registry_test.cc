// Service tests of the registry of organisations (server/organisations.h):
// projects and principals name registered, active organisations of the
// right kind; the bureau creates, renames and retires them, audited; a
// database from before the registry gets its codes as placeholders.

#include <string>
#include <vector>

#include "tests/raw_db.h"
#include "tests/service_fixture.h"

namespace evald::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::Property;

class RegistryTest : public ServiceTest {
 protected:
  v1::CreateOrganisationRequest OrgReq(const std::string& code,
                                       v1::OrganisationKind kind,
                                       const std::string& name_zh,
                                       const std::string& township = "") {
    v1::CreateOrganisationRequest r;
    r.set_request_id(NextId());
    r.set_code(code);
    r.set_kind(kind);
    r.set_name_zh(name_zh);
    r.set_township(township);
    return r;
  }

  std::vector<std::string> Codes(const v1::ListOrganisationsRequest& r) {
    v1::ListOrganisationsResponse reply;
    grpc::Status s = Call(&Stub::ListOrganisations, kAgency, r, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> out;
    for (const v1::Organisation& o : reply.organisations()) {
      out.push_back(o.code());
    }
    return out;
  }

  std::vector<v1::AuditEvent> RegistryEvents() {
    v1::ListAuditEventsRequest r;
    r.set_project_id("_organisations");
    r.set_page_size(1000);
    v1::ListAuditEventsResponse reply;
    grpc::Status s = Call(&Stub::ListAuditEvents, kBureau, r, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {reply.events().begin(), reply.events().end()};
  }
};

TEST_F(RegistryTest,
       AProjectNamingAnUnregisteredTownshipIsRefusedAndChangesNothing) {
  const std::string before = Digest();
  v1::CreateProjectRequest typo =
      CreateReq("P1", "huanggee", "PR1", {"V01"}, "2025-07-01", 2, "AG1");
  grpc::Status s = Call(&Stub::CreateProject, kBureau, typo);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(
      s.error_message(),
      HasSubstr("township: \"huanggee\" is not a township in the registry"));
  EXPECT_EQ(Digest(), before);
}

TEST_F(RegistryTest, EachFieldOfAProjectMustNameItsKind) {
  struct Case {
    v1::CreateProjectRequest request;
    std::string message;
  };
  const std::vector<Case> cases = {
      {CreateReq("P1", "huangge", "AG1", {"V01"}, "2025-07-01", 2, "AG1"),
       "provider: AG1 明衡评估中心 is an agency, not a provider"},
      {CreateReq("P1", "huangge", "PR1", {"V01"}, "2025-07-01", 2, "PR2"),
       "agency: PR2 同心社工服务中心 is a provider, not an agency"},
      {CreateReq("P1", "huangge", "PR1", {"huangge"}, "2025-07-01", 2, "AG1"),
       "villages: huangge 黄阁镇 is a township, not a village"},
      {CreateReq("P1", "huangge", "PR1", {"V09"}, "2025-07-01", 2, "AG1"),
       "villages: \"V09\" is not a village in the registry"},
  };
  const std::string before = Digest();
  for (const Case& c : cases) {
    grpc::Status s = Call(&Stub::CreateProject, kBureau, c.request);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << c.message;
    EXPECT_THAT(s.error_message(), HasSubstr(c.message));
  }
  EXPECT_EQ(Digest(), before);
}

TEST_F(RegistryTest, AVillageOfAnotherTownshipIsRefusedSayingWhose) {
  grpc::Status s = Call(&Stub::CreateProject, kBureau,
                        CreateReq("P1", "huangge", "PR1", {"V01", "V03"},
                                  "2025-07-01", 2, "AG1"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("villages: V03 大稳村 belongs to dongchong 东涌镇, not "
                        "to huangge 黄阁镇"));
}

TEST_F(RegistryTest, AMalformedRequestIsStillInvalidArgument) {
  grpc::Status s =
      Call(&Stub::CreateProject, kBureau,
           CreateReq("P1", "no/slash", "PR1", {"V01"}, "2025-07-01", 2, "AG1"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("township"));
}

TEST_F(RegistryTest, ARetiredProviderTakesNoNewProjectButItsOldOnesGoOn) {
  Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 2, "AG1");
  v1::RetireOrganisationRequest retire;
  retire.set_request_id(NextId());
  retire.set_code("PR1");
  retire.set_reason("合同期满,机构注销");
  v1::Organisation retired;
  ASSERT_TRUE(Call(&Stub::RetireOrganisation, kBureau, retire, &retired).ok());
  EXPECT_TRUE(retired.retired());

  grpc::Status s =
      Call(&Stub::CreateProject, kBureau,
           CreateReq("P2", "huangge", "PR1", {"V01"}, "2025-07-01", 2, "AG1"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("provider: PR1 启航社工服务中心 is retired"));
  // P1, which named PR1 before, is scored and finalised as ever.
  const v1::EvaluationRef mid = Ref("P1", 2025, v1::MID_TERM);
  SubmitAll(mid, kHuanggeBoth, "85");
  EXPECT_EQ(Finalize(mid, "2025-12-15").state(), v1::PASSED);

  // A second retirement is refused; listing shows it only when asked.
  retire.set_request_id(NextId());
  EXPECT_EQ(Call(&Stub::RetireOrganisation, kBureau, retire).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::ListOrganisationsRequest providers;
  providers.set_kind(v1::PROVIDER);
  EXPECT_THAT(Codes(providers), ElementsAre("PR2"));
  providers.set_include_retired(true);
  EXPECT_THAT(Codes(providers), ElementsAre("PR1", "PR2"));
}

TEST_F(RegistryTest, ATownshipWithActiveVillagesCannotBeRetired) {
  v1::RetireOrganisationRequest retire;
  retire.set_request_id(NextId());
  retire.set_code("huangge");
  retire.set_reason("区划调整");
  grpc::Status s = Call(&Stub::RetireOrganisation, kBureau, retire);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("V01"));
}

TEST_F(RegistryTest,
       CreatedRenamedAndRetiredOrganisationsAreAuditedAndCodesNeverReused) {
  v1::Organisation made;
  ASSERT_TRUE(Call(&Stub::CreateOrganisation, kBureau,
                   OrgReq("V04", v1::VILLAGE, "新村", "huangge"), &made)
                  .ok());
  EXPECT_EQ(made.township(), "huangge");
  // The new village may be served at once.
  Create("P1", "huangge", "PR1", {"V01", "V04"}, "2025-07-01", 2, "AG1");

  v1::RenameOrganisationRequest rename;
  rename.set_request_id(NextId());
  rename.set_code("V04");
  rename.set_name_zh("新安村");
  rename.set_name_en("Xin'an Village");
  v1::Organisation renamed;
  ASSERT_TRUE(Call(&Stub::RenameOrganisation, kAdmin, rename, &renamed).ok());
  EXPECT_EQ(renamed.name_zh(), "新安村");
  EXPECT_EQ(renamed.name_en(), "Xin'an Village");
  EXPECT_EQ(renamed.township(), "huangge");

  // A retry of the rename answers the same; a code taken is refused, of
  // whatever kind.
  v1::Organisation again;
  ASSERT_TRUE(Call(&Stub::RenameOrganisation, kAdmin, rename, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), renamed.SerializeAsString());
  grpc::Status taken = Call(&Stub::CreateOrganisation, kBureau,
                            OrgReq("V04", v1::PROVIDER, "另一个"));
  EXPECT_EQ(taken.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(taken.error_message(), HasSubstr("V04 新安村"));

  const std::vector<v1::AuditEvent> events = RegistryEvents();
  ASSERT_GE(events.size(), 3u);
  const v1::AuditEvent& last = events.back();
  EXPECT_EQ(last.action(), "organisation.renamed");
  EXPECT_EQ(last.principal(), "admin");
  EXPECT_EQ(last.target(), "organisations/V04");
  EXPECT_THAT(last.detail(), HasSubstr("was 新村, now 新安村"));
  EXPECT_EQ(events[events.size() - 2].action(), "organisation.created");
  EXPECT_EQ(events[events.size() - 2].principal(), "bureau");
}

TEST_F(RegistryTest, OrganisationFieldsAreCheckedAndNameTheField) {
  struct Case {
    v1::CreateOrganisationRequest request;
    grpc::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {OrgReq("V05", v1::VILLAGE, "无镇村"), grpc::StatusCode::INVALID_ARGUMENT,
       "township: a village names the township it belongs to"},
      {OrgReq("V05", v1::VILLAGE, "错镇村", "PR1"),
       grpc::StatusCode::FAILED_PRECONDITION,
       "township: PR1 启航社工服务中心 is a provider, not a township"},
      {OrgReq("PR5", v1::PROVIDER, "机构", "huangge"),
       grpc::StatusCode::INVALID_ARGUMENT,
       "township: only a village belongs to a township"},
      {OrgReq("PR5", v1::ORGANISATION_KIND_UNSPECIFIED, "机构"),
       grpc::StatusCode::INVALID_ARGUMENT, "kind:"},
      {OrgReq("PR5", v1::PROVIDER, ""), grpc::StatusCode::INVALID_ARGUMENT,
       "name_zh"},
      {OrgReq("PR 5", v1::PROVIDER, "机构"), grpc::StatusCode::INVALID_ARGUMENT,
       "code"},
  };
  const std::string before = Digest();
  for (const Case& c : cases) {
    grpc::Status s = Call(&Stub::CreateOrganisation, kBureau, c.request);
    EXPECT_EQ(s.error_code(), c.code) << c.message;
    EXPECT_THAT(s.error_message(), HasSubstr(c.message));
  }
  // Only the bureau and admins manage it.
  EXPECT_EQ(Call(&Stub::CreateOrganisation, kTownship,
                 OrgReq("PR5", v1::PROVIDER, "机构"))
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Digest(), before);
}

TEST_F(RegistryTest, APrincipalNamesARegisteredOrganisationOfItsRolesKind) {
  engine_->SetPrincipalRegistry(principals_.get());  // as evald does
  v1::CreatePrincipalRequest r;
  r.set_request_id(NextId());
  r.set_name("village-v09");
  r.set_role("village");
  r.set_organisation("V09");
  grpc::Status s = Call(&Stub::CreatePrincipal, kAdmin, r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(
      s.error_message(),
      HasSubstr("organisation: \"V09\" is not a village in the registry"));
  r.set_request_id(NextId());
  r.set_organisation("huangge");
  s = Call(&Stub::CreatePrincipal, kAdmin, r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("is a township, not a village"));
  r.set_request_id(NextId());
  r.set_organisation("V01");
  EXPECT_TRUE(Call(&Stub::CreatePrincipal, kAdmin, r).ok());
}

TEST_F(RegistryTest, ListingFiltersByKindTownshipAndPlaceholders) {
  v1::ListOrganisationsRequest villages;
  villages.set_kind(v1::VILLAGE);
  villages.set_township("huangge");
  EXPECT_THAT(Codes(villages), ElementsAre("V01", "V02"));
  v1::ListOrganisationsRequest placeholders;
  placeholders.set_placeholders_only(true);
  EXPECT_THAT(Codes(placeholders), IsEmpty());
}

// A database from before the registry: the codes its projects and
// principals use become placeholders, named by their code, for the bureau
// to name; nothing else changes, and the projects go on.
TEST_F(RegistryTest, CodesInUseBeforeTheRegistryBecomePlaceholders) {
  Create("P1", "huangge", "PR1", {"V01", "V02"}, "2025-07-01", 2, "AG1");
  Create("Q1", "dongchong", "PR2", {"V03"}, "2025-07-01", 2, "AG2");
  Stop();
  ASSERT_EQ(DeleteRecords("org/", "org0"), "");
  ASSERT_EQ(DeleteRecords("meta/registry_migrated", "meta/registry_migrated0"),
            "");
  organisations_file_.clear();
  Start();

  v1::ListOrganisationsRequest all;
  v1::ListOrganisationsResponse reply;
  ASSERT_TRUE(Call(&Stub::ListOrganisations, kBureau, all, &reply).ok());
  std::map<std::string, v1::Organisation> by_code;
  for (const v1::Organisation& o : reply.organisations()) {
    by_code[o.code()] = o;
  }
  // From the projects, and from the principals (nansha: the district).
  for (const char* code : {"huangge", "dongchong", "PR1", "PR2", "AG1", "AG2",
                           "V01", "V02", "V03", "nansha"}) {
    ASSERT_TRUE(by_code.count(code)) << code;
    EXPECT_TRUE(by_code[code].placeholder()) << code;
    EXPECT_EQ(by_code[code].name_zh(), code);
  }
  EXPECT_EQ(by_code["huangge"].kind(), v1::TOWNSHIP);
  EXPECT_EQ(by_code["V03"].kind(), v1::VILLAGE);
  EXPECT_EQ(by_code["V03"].township(), "dongchong");
  EXPECT_EQ(by_code["AG2"].kind(), v1::AGENCY);
  EXPECT_EQ(by_code["nansha"].kind(), v1::DISTRICT);
  EXPECT_EQ(RegistryEvents().back().action(), "organisation.migrated");

  // The bureau names one; it stops being a placeholder.
  v1::RenameOrganisationRequest rename;
  rename.set_request_id(NextId());
  rename.set_code("huangge");
  rename.set_name_zh("黄阁镇");
  ASSERT_TRUE(Call(&Stub::RenameOrganisation, kBureau, rename).ok());
  v1::ListOrganisationsRequest placeholders;
  placeholders.set_placeholders_only(true);
  placeholders.set_kind(v1::TOWNSHIP);
  EXPECT_THAT(Codes(placeholders), ElementsAre("dongchong"));

  // The migrated registry admits what the projects named.
  Create("P2", "huangge", "PR1", {"V01"}, "2025-07-01", 2, "AG1");
  // A restart migrates nothing more.
  const size_t events = RegistryEvents().size();
  Stop();
  Start();
  EXPECT_EQ(RegistryEvents().size(), events);
}

}  // namespace
}  // namespace evald::testing
