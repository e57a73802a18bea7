// evalctl project create | assign-agency | get | list.

#include "absl/strings/str_split.h"
#include "client/command.h"
#include "client/flags.h"
#include "client/output.h"
#include "client/views.h"

namespace evald::client {

std::vector<Command> ProjectCommands() {
  return {
      {"project",
       "create",
       "Create a project (bureau, admin).",
       "--id ID --name NAME --township T --provider P --villages V1,V2 "
       "--start YYYY-MM-DD --fund YUAN [--years N] [--agency A] [--policy ID] "
       "[--request-id ID]",
       "evalctl project create --id P1 --name 黄阁镇社工站 --township huangge "
       "--provider PR1 --villages V01,V02 --start 2025-07-01 --fund 2600000.00 "
       "--agency AG1",
       {"id", "name", "township", "provider", "villages", "start", "fund",
        "years", "agency", "policy", "request-id"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(id, a.Required("id"));
         EVALD_TRY_FLAG(name, a.Required("name"));
         EVALD_TRY_FLAG(township, a.Required("township"));
         EVALD_TRY_FLAG(provider, a.Required("provider"));
         EVALD_TRY_FLAG(villages, a.Required("villages"));
         EVALD_TRY_FLAG(start_text, a.Required("start"));
         EVALD_TRY_FLAG(start, ParseDate("--start", *start_text));
         EVALD_TRY_FLAG(fund_text, a.Required("fund"));
         EVALD_TRY_FLAG(fund, ParseYuan("--fund", *fund_text));
         EVALD_TRY_FLAG(years, a.Int("years", 0));
         v1::CreateProjectRequest r;
         r.set_project_id(*id);
         r.set_name(*name);
         r.set_township(*township);
         r.set_provider(*provider);
         for (absl::string_view v :
              absl::StrSplit(*villages, ',', absl::SkipWhitespace())) {
           r.add_villages(std::string(v));
         }
         r.set_start_date(*start);
         r.set_annual_fund_fen(*fund);
         r.set_years(*years);
         r.set_agency(a.GetOr("agency", ""));
         r.set_policy_id(a.GetOr("policy", ""));
         r.set_request_id(RequestId(s, a));
         v1::Project reply;
         const bool ok = Call(s, &Stub::CreateProject, r, &reply);
         return PrintReply(s, ok, reply, ProjectDetail(reply));
       }},
      {"project",
       "assign-agency",
       "Assign the evaluation agency (bureau).",
       "--id ID --agency A [--request-id ID]",
       "evalctl project assign-agency --id P1 --agency AG1",
       {"id", "agency", "request-id"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(id, a.Required("id"));
         EVALD_TRY_FLAG(agency, a.Required("agency"));
         v1::AssignAgencyRequest r;
         r.set_project_id(*id);
         r.set_agency(*agency);
         r.set_request_id(RequestId(s, a));
         v1::Project reply;
         const bool ok = Call(s, &Stub::AssignAgency, r, &reply);
         return PrintReply(s, ok, reply, ProjectDetail(reply));
       }},
      {"project",
       "get",
       "Show one project.",
       "--id ID",
       "evalctl project get --id P1",
       {"id"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(id, a.Required("id"));
         v1::GetProjectRequest r;
         r.set_project_id(*id);
         v1::Project reply;
         const bool ok = Call(s, &Stub::GetProject, r, &reply);
         return PrintReply(s, ok, reply, ProjectDetail(reply));
       }},
      {"project",
       "list",
       "List the projects you may see.",
       "[--township T]",
       "evalctl project list --township huangge",
       {"township"},
       {},
       false,
       [](Session& s, const Args& a) {
         v1::ListProjectsRequest r;
         r.set_township(a.GetOr("township", ""));
         v1::ListProjectsResponse all;
         const bool ok = ListAll(s, &Stub::ListProjects, r, &all);
         return PrintReply(s, ok, all, ProjectList(all));
       }},
  };
}

}  // namespace evald::client
