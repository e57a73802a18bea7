#include "client/names.h"

#include <chrono>
#include <set>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace evald::client {
namespace {

const std::set<std::string>& OrganisationColumns() {
  static const auto* const columns = new std::set<std::string>{
      "TOWNSHIP", "PROVIDER", "VILLAGES", "AGENCY", "ORGANISATION"};
  return *columns;
}

const std::set<std::string>& OrganisationFields() {
  static const auto* const fields = new std::set<std::string>{
      "township", "provider", "villages", "agency", "organisation"};
  return *fields;
}

std::string Label(const std::map<std::string, std::string>& names,
                  absl::string_view code) {
  auto it = names.find(std::string(code));
  if (it == names.end() || it->second == code) return std::string(code);
  return absl::StrCat(code, " ", it->second);
}

// One cell: a code, or codes joined by ',' (a project's villages).
std::string LabelCell(const std::map<std::string, std::string>& names,
                      const std::string& cell) {
  if (cell.find(',') == std::string::npos) return Label(names, cell);
  std::vector<std::string> out;
  for (absl::string_view code : absl::StrSplit(cell, ',')) {
    out.push_back(Label(names, absl::StripAsciiWhitespace(code)));
  }
  return absl::StrJoin(out, ", ");
}

bool Ascii(absl::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

void ResolveOrganisationNames(Session& s, Args* args) {
  for (const char* flag :
       {"township", "provider", "agency", "villages", "org"}) {
    std::optional<std::string> typed = args->Get(flag);
    if (!typed || Ascii(*typed)) continue;
    // name -> code, for names that only one active organisation has (a
    // village registered again under a new code keeps its name).
    std::map<std::string, std::string> codes;
    std::set<std::string> shared;
    for (const auto& [code, name] : OrganisationNames(s)) {
      if (s.retired_organisations.count(code)) continue;
      if (!codes.emplace(name, code).second) shared.insert(name);
    }
    std::vector<std::string> out;
    // Only --villages is a list; another flag's name may hold a 、.
    const bool list = std::string(flag) == "villages";
    const std::string commas =
        list ? absl::StrReplaceAll(*typed, {{"，", ","}, {"、", ","}}) : *typed;
    for (absl::string_view item : absl::StrSplit(commas, list ? ',' : '\0')) {
      std::string word(absl::StripAsciiWhitespace(item));
      auto it = codes.find(word);
      out.push_back(it != codes.end() && !shared.count(word) ? it->second
                                                             : word);
    }
    args->Set(flag, absl::StrJoin(out, ","));
  }
}

const std::map<std::string, std::string>& OrganisationNames(Session& s) {
  if (!s.organisation_names) {
    s.organisation_names.emplace();
    grpc::ClientContext ctx;
    if (!s.token.empty()) {
      ctx.AddMetadata("authorization", "Bearer " + s.token);
    }
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(s.timeout_seconds));
    v1::ListOrganisationsRequest r;
    r.set_include_retired(true);  // old records name retired ones
    v1::ListOrganisationsResponse reply;
    if (s.stub->ListOrganisations(&ctx, r, &reply).ok()) {
      for (const v1::Organisation& o : reply.organisations()) {
        (*s.organisation_names)[o.code()] = o.name_zh();
        if (o.retired()) s.retired_organisations.insert(o.code());
      }
    }
  }
  return *s.organisation_names;
}

void LabelOrganisations(Session& s, Table* table) {
  std::vector<size_t> columns;
  for (size_t i = 0; i < table->headers.size(); ++i) {
    if (OrganisationColumns().count(table->headers[i])) columns.push_back(i);
  }
  const bool field_table = table->headers.size() == 2 &&
                           table->headers[0] == "FIELD" &&
                           table->headers[1] == "VALUE";
  if (columns.empty() && !field_table) return;
  if (s.stub == nullptr) return;
  const std::map<std::string, std::string>& names = OrganisationNames(s);
  if (names.empty()) return;
  for (std::vector<std::string>& row : table->rows) {
    for (size_t i : columns) {
      if (i < row.size()) row[i] = LabelCell(names, row[i]);
    }
    if (field_table && row.size() == 2) {
      if (OrganisationFields().count(row[0])) {
        row[1] = LabelCell(names, row[1]);
      } else if (absl::StartsWith(row[0], "village ")) {
        row[0] = absl::StrCat("village ", Label(names, row[0].substr(8)));
      }
    }
  }
}

}  // namespace evald::client
