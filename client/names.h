// Names beside codes: every table evalctl prints shows an organisation as
// "huangge 黄阁镇", from the registry (ListOrganisations), read once per
// invocation and only when the table has an organisation in it.

#ifndef EVALD_CLIENT_NAMES_H_
#define EVALD_CLIENT_NAMES_H_

#include <map>
#include <string>

#include "client/session.h"
#include "client/table.h"

namespace evald::client {

// Rewrites the organisation cells of `table` -- columns TOWNSHIP,
// PROVIDER, VILLAGES, AGENCY and ORGANISATION, and the rows of a FIELD /
// VALUE table named township, provider, villages, agency, organisation or
// "village CODE" -- as code and Chinese name. A code the registry lacks,
// or whose name is the code (a placeholder), stays as it is; so does
// everything when the registry cannot be read (an older evald): names are
// a help, never a reason to fail.
void LabelOrganisations(Session& s, Table* table);

// Lets people type the names they know: a --township, --provider,
// --agency, --villages (each of the list) or --org value that is not ASCII
// and is the Chinese name of exactly one registered organisation becomes
// its code ("--township 黄阁镇" -> "huangge"). Anything else is left for
// the server to judge.
void ResolveOrganisationNames(Session& s, Args* args);

// code -> Chinese name, as read for the session (read on first use).
const std::map<std::string, std::string>& OrganisationNames(Session& s);

}  // namespace evald::client

#endif  // EVALD_CLIENT_NAMES_H_
