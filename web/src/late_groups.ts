// Who is late, grouped as a clerk chases them: by township, then by party,
// each with the stations and phases it owes; and the same as plain text to
// paste into a message.
import type { LateEntry } from "./gen/evaluation/v1/evaluation_pb";

export interface LateGroup {
  township: string;
  parties: { party: string; owes: LateEntry[] }[];
}

export function groupLate(entries: LateEntry[]): LateGroup[] {
  const byTownship = new Map<string, Map<string, LateEntry[]>>();
  for (const e of entries) {
    const parties = byTownship.get(e.township) ?? new Map<string, LateEntry[]>();
    byTownship.set(e.township, parties);
    for (const party of e.missing) {
      parties.set(party, [...(parties.get(party) ?? []), e]);
    }
  }
  return [...byTownship.keys()].sort().map((township) => ({
    township,
    parties: [...byTownship.get(township)!.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([party, owes]) => ({ party, owes })),
  }));
}

export function lateText(
  groups: LateGroup[],
  describe: { township: (id: string) => string; party: (p: string) => string; owes: (e: LateEntry) => string },
): string {
  const lines: string[] = [];
  for (const g of groups) {
    lines.push(describe.township(g.township));
    for (const p of g.parties) {
      lines.push(`  ${describe.party(p.party)}: ${p.owes.map(describe.owes).join("; ")}`);
    }
  }
  return lines.join("\n");
}
