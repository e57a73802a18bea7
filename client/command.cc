#include "client/command.h"

#include "absl/strings/str_cat.h"
#include "client/flags.h"

namespace evald::client {

std::string CommandName(const Command& c) {
  return *c.verb ? absl::StrCat(c.noun, " ", c.verb) : c.noun;
}

int Usage(Session& s, const absl::Status& status) {
  *s.err << "error: " << status.message() << " (see --help)\n";
  return kUsage;
}

absl::StatusOr<v1::EvaluationRef> RefFlags(const Args& args) {
  v1::EvaluationRef ref;
  absl::StatusOr<std::string> project = args.Required("project");
  if (!project.ok()) return project.status();
  absl::StatusOr<int> year = args.RequiredInt("year");
  if (!year.ok()) return year.status();
  absl::StatusOr<std::string> phase_text = args.Required("phase");
  if (!phase_text.ok()) return phase_text.status();
  absl::StatusOr<v1::Phase> phase = ParsePhase("--phase", *phase_text);
  if (!phase.ok()) return phase.status();
  ref.set_project_id(*project);
  ref.set_year(*year);
  ref.set_phase(*phase);
  return ref;
}

const std::set<std::string>& RefFlagNames() {
  static const auto* const names =
      new std::set<std::string>{"project", "year", "phase", "request-id"};
  return *names;
}

std::set<std::string> With(std::set<std::string> base,
                           std::initializer_list<std::string> more) {
  base.insert(more);
  return base;
}

}  // namespace evald::client
