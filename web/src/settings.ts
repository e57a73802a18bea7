// Deployment settings (web/public/settings.json, served beside the app):
// display names of organisations and the 公示 page's publication period
// and objection contact. Edited by whoever deploys; no code change needed.
export interface Settings {
  district: string;
  bureau: string;
  publication_days: number;
  objection_contact: string;
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
  try {
    const reply = await fetch("settings.json", { cache: "no-cache" });
    loaded = reply.ok ? { ...fallback, ...((await reply.json()) as Partial<Settings>) } : fallback;
  } catch {
    loaded = fallback;
  }
  return loaded;
}

// An organisation's display name, or its id when settings name none.
export function nameOf(s: Settings, id: string): string {
  return s.names[id] ?? id;
}
