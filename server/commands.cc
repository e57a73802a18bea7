#include "server/commands.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/sha256.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/convert.h"
#include "server/organisations.h"
#include "server/validate.h"

namespace evald::server {
namespace {

using google::protobuf::FieldDescriptor;

// "CreateProject" -> "create_project".
std::string SnakeCase(absl::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c))) {
      if (!out.empty()) out.push_back('_');
      out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// "create_project" -> "CreateProject".
std::string CamelCase(absl::string_view snake) {
  std::string out;
  bool upper = true;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      out.push_back(upper ? absl::ascii_toupper(static_cast<unsigned char>(c))
                          : c);
      upper = false;
    }
  }
  return out;
}

const FieldDescriptor* RequestField(const v1::Command& command) {
  const google::protobuf::OneofDescriptor* oneof =
      v1::Command::descriptor()->FindOneofByName("request");
  for (int i = 0; i < oneof->field_count(); ++i) {
    const FieldDescriptor* f = oneof->field(i);
    if (command.GetReflection()->HasField(command, f)) return f;
  }
  return nullptr;
}

// Which scoring party a role submits as.
absl::StatusOr<scoring::Party> PartyOf(absl::string_view role) {
  std::optional<Role> r = ParseRole(role);
  if (r == Role::kAgency) return scoring::Party::kThirdParty;
  if (r == Role::kTownship) return scoring::Party::kTownship;
  if (r == Role::kVillage) return scoring::Party::kVillage;
  if (r == Role::kBureau) return scoring::Party::kBureau;
  return absl::PermissionDeniedError(
      absl::StrCat("role ", role, " does not score evaluations"));
}

absl::StatusOr<scoring::Date> Today(const v1::Command& c) {
  absl::StatusOr<scoring::Date> d = scoring::ParseDate(c.today());
  if (!d.ok()) return absl::InvalidArgumentError("command without its day");
  return d;
}

absl::StatusOr<scoring::Money> Fen(absl::string_view field, int64_t fen) {
  return MoneyField(field, fen);
}

// A command to one phase of `ref`.
absl::StatusOr<ProjectCommand> OnPhase(
    const v1::EvaluationRef& ref,
    absl::StatusOr<scoring::Command> phase_command) {
  if (absl::Status s = ValidateRef(ref); !s.ok()) return s;
  if (!phase_command.ok()) return phase_command.status();
  absl::StatusOr<scoring::Phase> phase = FromProto(ref.phase());
  if (!phase.ok()) return phase.status();
  ProjectCommand out;
  out.project_id = ref.project_id();
  out.reply = ProjectCommand::Reply::kEvaluation;
  out.year = ref.year();
  out.phase = *phase;
  out.command = scoring::OnPhase{ref.year(), *phase, *std::move(phase_command)};
  return out;
}

absl::StatusOr<ProjectCommand> CreateProject(const v1::Command& c) {
  const v1::CreateProjectRequest& r = c.create_project();
  for (auto [field, value] : {std::pair{"project_id", &r.project_id()},
                              std::pair{"township", &r.township()},
                              std::pair{"provider", &r.provider()}}) {
    if (absl::Status s = ValidateId(field, *value); !s.ok()) return s;
  }
  if (r.project_id()[0] == '_') {
    return absl::InvalidArgumentError(
        "project_id: ids starting with '_' are reserved");
  }
  if (!r.agency().empty()) {
    if (absl::Status s = ValidateId("agency", r.agency()); !s.ok()) return s;
  }
  if (absl::Status s = ValidateText("name", r.name(), 200); !s.ok()) return s;
  if (r.villages().empty()) {
    return absl::InvalidArgumentError(
        "villages: a project serves at least one village");
  }
  std::set<std::string> seen;
  for (const std::string& v : r.villages()) {
    if (absl::Status s = ValidateId("villages", v); !s.ok()) return s;
    if (!seen.insert(v).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("villages: \"", v, "\" is listed twice"));
    }
  }
  absl::StatusOr<scoring::Date> start =
      ParseDateField("start_date", r.start_date());
  if (!start.ok()) return start.status();
  if (r.years() < 0 || r.years() > 20) {
    return absl::InvalidArgumentError(
        absl::StrCat("years: ", r.years(), " is not in [1, 20]"));
  }
  if (r.annual_fund_fen() <= 0) {
    return absl::InvalidArgumentError("annual_fund_fen: must be positive");
  }
  absl::StatusOr<scoring::Money> fund =
      Fen("annual_fund_fen", r.annual_fund_fen());
  if (!fund.ok()) return fund.status();
  scoring::Contract contract;
  contract.project_id = r.project_id();
  contract.name = r.name();
  contract.township = r.township();
  contract.provider = r.provider();
  contract.villages.assign(r.villages().begin(), r.villages().end());
  contract.start_date = *start;
  contract.years = r.years();  // 0: the policy's contract_years
  contract.annual_fund = *fund;
  contract.agency = r.agency();
  ProjectCommand out;
  out.project_id = r.project_id();
  out.command = scoring::CreateContract{std::move(contract)};
  return out;
}

absl::StatusOr<ProjectCommand> AssignAgency(const v1::Command& c) {
  const v1::AssignAgencyRequest& r = c.assign_agency();
  if (absl::Status s = ValidateId("project_id", r.project_id()); !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateId("agency", r.agency()); !s.ok()) return s;
  ProjectCommand out;
  out.project_id = r.project_id();
  out.command = scoring::AssignAgency{r.agency()};
  return out;
}

absl::StatusOr<scoring::Command> SubmitProfessional(const v1::Command& c) {
  const v1::SubmitProfessionalScoreRequest& r = c.submit_professional_score();
  absl::StatusOr<scoring::Party> party = PartyOf(c.role());
  if (!party.ok()) return party.status();
  absl::StatusOr<scoring::Score> score = scoring::Score::Parse(r.score());
  if (!score.ok()) return score.status();
  scoring::SubmitProfessional out;
  out.party = *party;
  if (out.party == scoring::Party::kVillage) out.village_id = c.organisation();
  out.score = *score;
  out.rectifiable = r.rectifiable();
  out.submitted_by = c.principal();
  return out;
}

absl::StatusOr<scoring::Command> SubmitFinancial(const v1::Command& c) {
  const v1::SubmitFinancialEvaluationRequest& r =
      c.submit_financial_evaluation();
  absl::StatusOr<scoring::Score> score = scoring::Score::Parse(r.score());
  if (!score.ok()) return score.status();
  scoring::SubmitFinancial out;
  out.submission.score = *score;
  out.submission.rectifiable = r.rectifiable();
  out.submitted_by = c.principal();
  const v1::Expenditure& x = r.expenditure();
  scoring::Expenditure& spent = out.submission.expenditure;
  for (auto [field, fen, into] :
       {std::tuple{"expenditure.personnel_fen", x.personnel_fen(),
                   &spent.personnel},
        std::tuple{"expenditure.service_quality_fen", x.service_quality_fen(),
                   &spent.service_quality},
        std::tuple{"expenditure.management_fen", x.management_fen(),
                   &spent.management},
        std::tuple{"expenditure.other_fen", x.other_fen(), &spent.other}}) {
    absl::StatusOr<scoring::Money> m = Fen(field, fen);
    if (!m.ok()) return m.status();
    *into = *m;
  }
  return out;
}

absl::StatusOr<scoring::Command> RaiseVeto(const v1::Command& c) {
  const v1::RaiseVetoRequest& r = c.raise_veto();
  if (r.kind() != v1::PROFESSIONAL && r.kind() != v1::FINANCIAL) {
    return absl::InvalidArgumentError("kind: want PROFESSIONAL or FINANCIAL");
  }
  if (absl::Status s = ValidateText("code", r.code(), 64); !s.ok()) return s;
  if (absl::Status s =
          ValidateText("evidence", r.evidence(), 4000, Lines::kMany);
      !s.ok()) {
    return s;
  }
  scoring::RaiseVeto out;
  out.kind = r.kind() == v1::PROFESSIONAL ? scoring::VetoKind::kProfessional
                                          : scoring::VetoKind::kFinancial;
  out.code = r.code();
  out.evidence = r.evidence();
  out.raised_by = c.principal();
  return out;
}

absl::StatusOr<scoring::Command> DismissVeto(const v1::Command& c) {
  const v1::DecideVetoRequest& r = c.dismiss_veto();
  if (absl::Status s = ValidateText("reason", r.reason(), 4000, Lines::kMany);
      !s.ok()) {
    return s;
  }
  return scoring::DismissVeto{r.veto_id(), r.reason(), c.principal()};
}

// The day something happened cannot be after the server's today: a
// result, an application, a decision or a payment dated ahead would start
// deadlines and due dates from a day that has not come. evald
// --allow_future_dates (recorded in the command, so replay decides alike)
// admits them for loading records kept against another clock.
absl::Status NotAfterToday(const v1::Command& c, absl::string_view field,
                           scoring::Date d) {
  if (c.allow_future_dates()) return absl::OkStatus();
  absl::StatusOr<scoring::Date> today = Today(c);
  if (!today.ok()) return today.status();
  if (d > *today) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": ", scoring::FormatDate(d), " is after today (",
        scoring::FormatDate(*today),
        " in China): give the day it happened, not a day to come"));
  }
  return absl::OkStatus();
}

template <typename Make>
absl::StatusOr<scoring::Command> Dated(const v1::Command& c,
                                       absl::string_view field,
                                       const std::string& value, Make make) {
  absl::StatusOr<scoring::Date> d = ParseDateField(field, value);
  if (!d.ok()) return d.status();
  if (absl::Status s = NotAfterToday(c, field, *d); !s.ok()) return s;
  return make(*d);
}

absl::StatusOr<scoring::Command> ExpireRectification(const v1::Command& c) {
  absl::StatusOr<scoring::Date> today = Today(c);
  if (!today.ok()) return today.status();
  absl::StatusOr<scoring::Date> d =
      ParseDateOr("as_of", c.expire_rectification().as_of(), *today);
  if (!d.ok()) return d.status();
  return scoring::ExpireRectification{*d};
}

absl::StatusOr<scoring::Command> Reopen(const v1::Command& c) {
  const v1::ReopenEvaluationRequest& r = c.reopen_evaluation();
  if (absl::Status s = ValidateText("reason", r.reason(), 4000, Lines::kMany);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<scoring::Date> today = Today(c);
  if (!today.ok()) return today.status();
  return scoring::Reopen{r.reason(), *today};
}

// The project and tranche kind a payment command names, checked.
absl::StatusOr<scoring::TrancheKind> TrancheOf(absl::string_view project_id,
                                               v1::TrancheKind proto_kind) {
  if (absl::Status s = ValidateId("project_id", project_id); !s.ok()) {
    return s;
  }
  absl::StatusOr<scoring::TrancheKind> kind = FromProto(proto_kind);
  if (!kind.ok()) {
    return absl::InvalidArgumentError(
        "kind: want YEAR_START, MID_TERM_TRANCHE or FINAL_TRANCHE");
  }
  return kind;
}

absl::StatusOr<ProjectCommand> Release(const v1::Command& c) {
  const v1::ReleaseDisbursementRequest& r = c.release_disbursement();
  absl::StatusOr<scoring::TrancheKind> kind =
      TrancheOf(r.project_id(), r.kind());
  if (!kind.ok()) return kind.status();
  if (absl::Status s =
          ValidateText("payment_reference", r.payment_reference(), 128);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<scoring::Date> today = Today(c);
  if (!today.ok()) return today.status();
  absl::StatusOr<scoring::Date> on =
      ParseDateOr("released_on", r.released_on(), *today);
  if (!on.ok()) return on.status();
  if (absl::Status s = NotAfterToday(c, "released_on", *on); !s.ok()) return s;
  ProjectCommand out;
  out.project_id = r.project_id();
  out.reply = ProjectCommand::Reply::kTranche;
  out.year = r.year();
  out.kind = *kind;
  out.command = scoring::ReleaseTranche{
      r.year(), *kind,
      scoring::Release{r.payment_reference(), *on, c.principal()}};
  return out;
}

absl::StatusOr<ProjectCommand> CorrectRelease(const v1::Command& c) {
  const v1::CorrectReleaseRequest& r = c.correct_release();
  absl::StatusOr<scoring::TrancheKind> kind =
      TrancheOf(r.project_id(), r.kind());
  if (!kind.ok()) return kind.status();
  if (absl::Status s = ValidateText("reason", r.reason(), 4000, Lines::kMany);
      !s.ok()) {
    return s;
  }
  scoring::CorrectRelease correct;
  correct.year = r.year();
  correct.kind = *kind;
  correct.reason = r.reason();
  correct.corrected_by = c.principal();
  if (!r.payment_reference().empty()) {
    if (absl::Status s =
            ValidateText("payment_reference", r.payment_reference(), 128);
        !s.ok()) {
      return s;
    }
    correct.payment_reference = r.payment_reference();
  }
  if (!r.released_on().empty()) {
    absl::StatusOr<scoring::Date> on =
        ParseDateField("released_on", r.released_on());
    if (!on.ok()) return on.status();
    if (absl::Status s = NotAfterToday(c, "released_on", *on); !s.ok()) {
      return s;
    }
    correct.released_on = *on;
  }
  if (!correct.payment_reference && !correct.released_on) {
    return absl::InvalidArgumentError(
        "payment_reference, released_on: give the right reference, the "
        "right date, or both");
  }
  absl::StatusOr<scoring::Date> today = Today(c);
  if (!today.ok()) return today.status();
  correct.corrected_on = *today;
  ProjectCommand out;
  out.project_id = r.project_id();
  out.reply = ProjectCommand::Reply::kTranche;
  out.year = r.year();
  out.kind = *kind;
  out.command = std::move(correct);
  return out;
}

}  // namespace

std::string DeterministicBytes(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

scoring::Date ChinaDay(absl::Time now) {
  static const absl::TimeZone* const kChina =
      new absl::TimeZone(absl::FixedTimeZone(8 * 3600));
  return absl::ToCivilDay(now, *kChina);
}

absl::StatusOr<v1::Command> NewCommand(const Principal& who,
                                       absl::string_view method,
                                       const google::protobuf::Message& request,
                                       absl::Time now) {
  v1::Command command;
  const FieldDescriptor* field =
      v1::Command::descriptor()->FindFieldByName(SnakeCase(method));
  if (field == nullptr || field->containing_oneof() == nullptr ||
      field->message_type() != request.GetDescriptor()) {
    return absl::InvalidArgumentError(absl::StrCat(
        method, " is not a command with a ", request.GetDescriptor()->name()));
  }
  command.GetReflection()->MutableMessage(&command, field)->CopyFrom(request);
  command.set_principal(who.name);
  command.set_role(RoleName(who.role));
  command.set_organisation(who.organisation);
  const google::protobuf::FieldDescriptor* id =
      request.GetDescriptor()->FindFieldByName("request_id");
  if (id != nullptr) {
    command.set_request_id(request.GetReflection()->GetString(request, id));
  }
  command.set_time(
      absl::FormatTime(absl::RFC3339_full, now, absl::UTCTimeZone()));
  command.set_today(scoring::FormatDate(ChinaDay(now)));
  return command;
}

std::string MethodOf(const v1::Command& command) {
  const FieldDescriptor* f = RequestField(command);
  return f == nullptr ? "" : CamelCase(f->name());
}

const google::protobuf::Message& RequestOf(const v1::Command& command) {
  const FieldDescriptor* f = RequestField(command);
  if (f == nullptr) return v1::Command::default_instance();
  return command.GetReflection()->GetMessage(command, f);
}

std::string RequestDigest(const v1::Command& command) {
  return Sha256(absl::StrCat(MethodOf(command), "\n",
                             DeterministicBytes(RequestOf(command))));
}

std::string StreamOf(const v1::Command& command) {
  switch (command.request_case()) {
    case v1::Command::kCreateProject:
      return command.create_project().project_id();
    case v1::Command::kAssignAgency:
      return command.assign_agency().project_id();
    case v1::Command::kReleaseDisbursement:
      return command.release_disbursement().project_id();
    case v1::Command::kCorrectRelease:
      return command.correct_release().project_id();
    case v1::Command::kCreatePrincipal:
    case v1::Command::kRevokePrincipal:
    case v1::Command::kSeedPrincipal:
      return kPrincipalsStream;
    case v1::Command::kCreateOrganisation:
    case v1::Command::kRenameOrganisation:
    case v1::Command::kRetireOrganisation:
    case v1::Command::kSeedOrganisation:
    case v1::Command::kMigrateOrganisation:
      return kOrganisationsStream;
    case v1::Command::kAnnounceOverdue:
      return command.announce_overdue().project_id();
    case v1::Command::REQUEST_NOT_SET:
      return "";
    default: {
      // Every other request names its evaluation first.
      const google::protobuf::Message& r = RequestOf(command);
      const FieldDescriptor* ref =
          r.GetDescriptor()->FindFieldByName("evaluation");
      if (ref == nullptr) return "";
      const auto& e = static_cast<const v1::EvaluationRef&>(
          r.GetReflection()->GetMessage(r, ref));
      return e.project_id();
    }
  }
}

absl::StatusOr<ProjectCommand> ProjectCommandOf(const v1::Command& c) {
  switch (c.request_case()) {
    case v1::Command::kCreateProject:
      return CreateProject(c);
    case v1::Command::kAssignAgency:
      return AssignAgency(c);
    case v1::Command::kSubmitProfessionalScore:
      return OnPhase(c.submit_professional_score().evaluation(),
                     SubmitProfessional(c));
    case v1::Command::kSubmitFinancialEvaluation:
      return OnPhase(c.submit_financial_evaluation().evaluation(),
                     SubmitFinancial(c));
    case v1::Command::kRaiseVeto:
      return OnPhase(c.raise_veto().evaluation(), RaiseVeto(c));
    case v1::Command::kConfirmVeto:
      return OnPhase(c.confirm_veto().evaluation(),
                     scoring::Command(scoring::ConfirmVeto{
                         c.confirm_veto().veto_id(), c.principal()}));
    case v1::Command::kDismissVeto:
      return OnPhase(c.dismiss_veto().evaluation(), DismissVeto(c));
    case v1::Command::kFinalizeEvaluation:
      return OnPhase(
          c.finalize_evaluation().evaluation(),
          Dated(c, "result_date", c.finalize_evaluation().result_date(),
                [](scoring::Date d) {
                  return scoring::Command(scoring::Finalise{d});
                }));
    case v1::Command::kApplyRectification:
      return OnPhase(
          c.apply_rectification().evaluation(),
          Dated(c, "application_date",
                c.apply_rectification().application_date(),
                [](scoring::Date d) {
                  return scoring::Command(scoring::ApplyRectification{d});
                }));
    case v1::Command::kDecideReevaluation: {
      const bool passed = c.decide_reevaluation().passed();
      return OnPhase(
          c.decide_reevaluation().evaluation(),
          Dated(
              c, "decision_date", c.decide_reevaluation().decision_date(),
              [passed](scoring::Date d) {
                return scoring::Command(scoring::DecideReevaluation{passed, d});
              }));
    }
    case v1::Command::kExpireRectification:
      return OnPhase(c.expire_rectification().evaluation(),
                     ExpireRectification(c));
    case v1::Command::kReopenEvaluation:
      return OnPhase(c.reopen_evaluation().evaluation(), Reopen(c));
    case v1::Command::kReleaseDisbursement:
      return Release(c);
    case v1::Command::kCorrectRelease:
      return CorrectRelease(c);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(MethodOf(c), " is not a command to a project"));
  }
}

absl::StatusOr<PrincipalCommand> PrincipalCommandOf(const v1::Command& c) {
  PrincipalCommand out;
  const v1::CreatePrincipalRequest* create = nullptr;
  switch (c.request_case()) {
    case v1::Command::kCreatePrincipal:
      out.kind = PrincipalCommand::Kind::kCreate;
      create = &c.create_principal();
      break;
    case v1::Command::kSeedPrincipal:
      out.kind = PrincipalCommand::Kind::kSeed;
      create = &c.seed_principal();
      break;
    case v1::Command::kRevokePrincipal:
      out.kind = PrincipalCommand::Kind::kRevoke;
      out.name = c.revoke_principal().name();
      if (absl::Status s = ValidateId("name", out.name); !s.ok()) return s;
      if (out.name == c.principal()) {
        return absl::FailedPreconditionError(
            "name: an admin cannot revoke its own principal (ask another "
            "admin)");
      }
      return out;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(MethodOf(c), " is not a change of principals"));
  }
  out.name = create->name();
  if (absl::Status s = ValidateId("name", out.name); !s.ok()) return s;
  std::optional<Role> role = ParseRole(create->role());
  if (!role) {
    return absl::InvalidArgumentError(absl::StrCat(
        "role: \"", create->role(),
        "\" is not agency, township, village, bureau, provider, finance or "
        "admin"));
  }
  out.role = *role;
  out.organisation = create->organisation();
  // A seed's organisation was checked by the principals file's parser,
  // which allows free text for the bureau, finance and admins.
  if (out.kind == PrincipalCommand::Kind::kCreate) {
    if (absl::Status s = ValidateId("organisation", out.organisation);
        !s.ok()) {
      return s;
    }
  }
  out.token_sha256_hex = c.token_sha256_hex();
  if (out.token_sha256_hex.size() != 64) {
    return absl::InvalidArgumentError("token_sha256_hex: not a SHA-256");
  }
  return out;
}

}  // namespace evald::server
