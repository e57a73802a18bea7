// evalctl principal add | list | revoke (also "admin principal ..."): who
// may call evald, for admins.

#include "client/command.h"

namespace evald::client {

std::vector<Command> PrincipalCommands() {
  return {
      {"principal",
       "add",
       "Issue a principal and its token, shown once (admin; also 'admin "
       "principal add').",
       "--name NAME --role "
       "agency|township|village|bureau|provider|finance|admin "
       "--org ORGANISATION [--request-id ID]",
       "evalctl admin principal add --name village-v03 --role village --org "
       "V03",
       {"name", "role", "org", "request-id"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(name, a.Required("name"));
         EVALD_TRY_FLAG(role, a.Required("role"));
         EVALD_TRY_FLAG(org, a.Required("org"));
         v1::CreatePrincipalRequest r;
         r.set_name(*name);
         r.set_role(*role);
         r.set_organisation(*org);
         r.set_request_id(RequestId(s, a));
         v1::CreatePrincipalResponse reply;
         if (!Call(s, &Stub::CreatePrincipal, r, &reply)) return kRefused;
         if (reply.token().empty()) {
           *s.err << "note: this request was already applied; the token is "
                     "shown only once\n";
         } else {
           *s.err << "note: store the token now: evald keeps only its hash\n";
         }
         Print(s, reply,
               FieldTable(
                   {{"name", reply.principal().name()},
                    {"role", reply.principal().role()},
                    {"organisation", reply.principal().organisation()},
                    {"token", reply.token().empty() ? "-" : reply.token()}}));
         return kOk;
       }},
      {"principal",
       "list",
       "List principals, without secrets (admin).",
       "",
       "evalctl admin principal list",
       {},
       {},
       false,
       [](Session& s, const Args&) {
         v1::ListPrincipalsResponse reply;
         if (!Call(s, &Stub::ListPrincipals, v1::ListPrincipalsRequest(),
                   &reply)) {
           return kRefused;
         }
         Table t;
         t.headers = {"NAME",          "ROLE",       "ORGANISATION",
                      "TOKEN SHA-256", "CREATED BY", "REVOKED"};
         for (const v1::PrincipalInfo& p : reply.principals()) {
           t.rows.push_back({p.name(), p.role(), p.organisation(),
                             p.token_hash_prefix() + "…", p.created_by(),
                             p.revoked() ? "yes" : "no"});
         }
         Print(s, reply, t);
         return kOk;
       }},
      {"principal",
       "revoke",
       "Revoke a principal's token, at once (admin).",
       "--name NAME [--request-id ID]",
       "evalctl admin principal revoke --name village-v03",
       {"name", "request-id"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(name, a.Required("name"));
         v1::RevokePrincipalRequest r;
         r.set_name(*name);
         r.set_request_id(RequestId(s, a));
         v1::PrincipalInfo reply;
         const bool ok = Call(s, &Stub::RevokePrincipal, r, &reply);
         return PrintReply(
             s, ok, reply,
             FieldTable({{"name", reply.name()},
                         {"role", reply.role()},
                         {"revoked", reply.revoked() ? "yes" : "no"}}));
       }},
  };
}

}  // namespace evald::client
