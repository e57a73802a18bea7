// evalctl org list | create | rename | retire: the registry of the
// district's organisations (townships, villages, providers, agencies).
// Anyone may list it; the bureau and admins change it.

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/suggest.h"

namespace evald::client {
namespace {

const std::vector<std::string>& KindWords() {
  static const auto* const words = new std::vector<std::string>{
      "district", "township", "village", "provider", "agency"};
  return *words;
}

absl::StatusOr<v1::OrganisationKind> KindFlag(const std::string& typed) {
  v1::OrganisationKind kind;
  if (v1::OrganisationKind_Parse(absl::AsciiStrToUpper(typed), &kind) &&
      kind != v1::ORGANISATION_KIND_UNSPECIFIED) {
    return kind;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--kind: \"", typed,
                   "\" is not district, township, village, provider or agency",
                   DidYouMean(typed, KindWords())));
}

std::string KindWord(v1::OrganisationKind kind) {
  return absl::AsciiStrToLower(v1::OrganisationKind_Name(kind));
}

std::string Status(const v1::Organisation& o) {
  if (o.retired()) return "retired";
  return o.placeholder() ? "placeholder: to be named" : "active";
}

Table OrganisationDetail(const v1::Organisation& o) {
  return FieldTable({{"code", o.code()},
                     {"kind", KindWord(o.kind())},
                     {"name", o.name_zh()},
                     {"name_en", o.name_en().empty() ? "-" : o.name_en()},
                     {"township", o.township().empty() ? "-" : o.township()},
                     {"status", Status(o)}});
}

}  // namespace

std::vector<Command> OrganisationCommands() {
  return {
      {"org",
       "list",
       "List the registered organisations: codes and names (any role).",
       "[--kind district|township|village|provider|agency] [--township T] "
       "[--all] [--placeholders]",
       "evalctl org list --kind village --township huangge",
       {"kind", "township"},
       {"all", "placeholders"},
       false,
       [](Session& s, const Args& a) {
         v1::ListOrganisationsRequest r;
         if (std::optional<std::string> kind = a.Get("kind")) {
           EVALD_TRY_FLAG(k, KindFlag(*kind));
           r.set_kind(*k);
         }
         r.set_township(a.GetOr("township", ""));
         r.set_include_retired(a.Has("all"));
         r.set_placeholders_only(a.Has("placeholders"));
         v1::ListOrganisationsResponse reply;
         if (!Call(s, &Stub::ListOrganisations, r, &reply)) return kRefused;
         Table t;
         t.headers = {"CODE",      "KIND",     "NAME",
                      "NAME (EN)", "TOWNSHIP", "STATUS"};
         int placeholders = 0;
         for (const v1::Organisation& o : reply.organisations()) {
           placeholders += o.placeholder() ? 1 : 0;
           t.rows.push_back({o.code(), KindWord(o.kind()), o.name_zh(),
                             o.name_en().empty() ? "-" : o.name_en(),
                             o.township().empty() ? "-" : o.township(),
                             Status(o)});
         }
         Print(s, reply, t);
         if (placeholders > 0 && s.output == OutputFormat::kTable) {
           *s.out << placeholders
                  << (placeholders == 1 ? " placeholder" : " placeholders")
                  << " (codes in use before the registry): name each with "
                     "evalctl org rename --code CODE --name 名称\n";
         }
         return kOk;
       }},
      {"org",
       "create",
       "Register an organisation (bureau, admin). Its code is for good.",
       "--code CODE --kind township|village|provider|agency|district "
       "--name 名称 [--name-en NAME] [--township T (a village's)] "
       "[--request-id ID]",
       "evalctl org create --code V04 --kind village --name 新村 "
       "--township huangge",
       {"code", "kind", "name", "name-en", "township", "request-id"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(code, a.Required("code"));
         EVALD_TRY_FLAG(kind_word, a.Required("kind"));
         EVALD_TRY_FLAG(kind, KindFlag(*kind_word));
         EVALD_TRY_FLAG(name, a.Required("name"));
         v1::CreateOrganisationRequest r;
         r.set_code(*code);
         r.set_kind(*kind);
         r.set_name_zh(*name);
         r.set_name_en(a.GetOr("name-en", ""));
         r.set_township(a.GetOr("township", ""));
         r.set_request_id(RequestId(s, a));
         v1::Organisation reply;
         const bool ok = Call(s, &Stub::CreateOrganisation, r, &reply);
         return PrintReply(s, ok, reply, OrganisationDetail(reply));
       }},
      {"org",
       "rename",
       "Change an organisation's names; its code stays (bureau, admin).",
       "--code CODE [--name 名称] [--name-en NAME] [--request-id ID]",
       "evalctl org rename --code huangge --name 黄阁镇 --name-en 'Huangge "
       "Town'",
       {"code", "name", "name-en", "request-id"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(code, a.Required("code"));
         if (!a.Has("name") && !a.Has("name-en")) {
           return Usage(s, absl::InvalidArgumentError(
                               "--name or --name-en: give the new name"));
         }
         v1::RenameOrganisationRequest r;
         r.set_code(*code);
         r.set_name_zh(a.GetOr("name", ""));
         r.set_name_en(a.GetOr("name-en", ""));
         r.set_request_id(RequestId(s, a));
         v1::Organisation reply;
         const bool ok = Call(s, &Stub::RenameOrganisation, r, &reply);
         return PrintReply(s, ok, reply, OrganisationDetail(reply));
       }},
      {"org",
       "retire",
       "Retire an organisation: no new project or principal may name it; "
       "what already does stays (bureau, admin).",
       "--code CODE --reason TEXT [--request-id ID]",
       "evalctl org retire --code PR2 --reason '机构注销'",
       {"code", "reason", "request-id"},
       {},
       false,
       [](Session& s, const Args& a) {
         EVALD_TRY_FLAG(code, a.Required("code"));
         EVALD_TRY_FLAG(reason, a.Required("reason"));
         v1::RetireOrganisationRequest r;
         r.set_code(*code);
         r.set_reason(*reason);
         r.set_request_id(RequestId(s, a));
         v1::Organisation reply;
         const bool ok = Call(s, &Stub::RetireOrganisation, r, &reply);
         return PrintReply(s, ok, reply, OrganisationDetail(reply));
       }},
  };
}

}  // namespace evald::client
