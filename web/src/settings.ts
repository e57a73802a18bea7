// Deployment settings (web/public/settings.json, served beside the app):
// the 公示 page's publication period and objection contact, edited by
// whoever deploys; and the organisations' names, from evald's registry
// (ListOrganisations), so that a name the bureau changes with
// `evalctl org rename` shows here at the next page load.
import { api } from "./api";

export interface Settings {
  district: string;
  bureau: string;
  publication_days: number;
  objection_contact: string;
  // Organisation code -> Chinese name.
  names: Record<string, string>;
}

let loaded: Settings | null = null;

export async function settings(): Promise<Settings> {
  if (loaded) return loaded;
  const fallback: Settings = {
    district: "南沙区",
    bureau: "南沙区民政局",
    publication_days: 7,
    objection_contact: "",
    names: {},
  };
  let file: Partial<Settings> = {};
  try {
    const reply = await fetch("settings.json", { cache: "no-cache" });
    if (reply.ok) file = (await reply.json()) as Partial<Settings>;
  } catch {
    // No settings file: the defaults above.
  }
  const names: Record<string, string> = {};
  try {
    const registry = await api.listOrganisations({ includeRetired: true });
    for (const o of registry.organisations) names[o.code] = o.nameZh;
  } catch {
    // Not signed in yet, or an older evald: codes until the next load.
    return { ...fallback, ...file, names };
  }
  loaded = { ...fallback, ...file, names };
  return loaded;
}

// An organisation's display name, or its id when settings name none.
export function nameOf(s: Settings, id: string): string {
  return s.names[id] ?? id;
}
