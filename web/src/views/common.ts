// Pieces several views share: the page heading with its year picker, the
// flag badge, a party's name.
import { api } from "../api";
import { h } from "../dom";
import type { Flag } from "../gen/evaluation/v1/evaluation_pb";
import { Flag as FlagEnum } from "../gen/evaluation/v1/evaluation_pb";
import { t, tEnum } from "../i18n";
import { href } from "../router";

// The years that have evaluations (from the summary counters), the one to
// show first at the head: the newest year in which some phase has left
// OPEN (the round in progress), else the newest not after this year.
export async function knownYears(): Promise<number[]> {
  const summary = await api.getSummary({});
  const years = [...new Set(summary.rows.map((r) => r.year))].sort((a, b) => b - a);
  if (years.length === 0) return [new Date().getFullYear()];
  const active = summary.rows
    .filter((r) => Object.entries(r.byState).some(([state, n]) => state !== "OPEN" && n > 0n))
    .map((r) => r.year);
  const thisYear = new Date().getFullYear();
  const first = active.length > 0 ? Math.max(...active) : (years.find((y) => y <= thisYear) ?? years[0]);
  return [first, ...years.filter((y) => y !== first)];
}

export function yearPicker(years: number[], current: number, link: (year: number) => string): HTMLElement {
  const select = h(
    "select",
    {
      "aria-label": t("common.year"),
      onchange: (e: Event) => {
        location.hash = link(Number((e.target as HTMLSelectElement).value));
      },
    },
    [...years]
      .sort((a, b) => a - b)
      .map((y) => h("option", { value: y, selected: y === current }, y === 0 ? t("common.allyears") : String(y))),
  );
  return h("label", { class: "year-picker no-print" }, t("common.year"), " ", select);
}

export function heading(title: string, ...extra: (Node | null)[]): HTMLElement {
  return h("div", { class: "page-head" }, h("h1", {}, title), ...extra);
}

export function flagBadge(flag: Flag, reasons: string[]): HTMLElement {
  const name = FlagEnum[flag];
  return h(
    "span",
    { class: `flag flag-${name.toLowerCase()}`, title: reasons.join("; ") },
    h("span", { class: "dot", "aria-hidden": "true" }),
    tEnum("flag", name),
  );
}

// "3 tranches overdue" -> "3 笔拨款逾期".
export function flagReason(reason: string): string {
  const m = /^(\d+) (.*)$/.exec(reason);
  if (!m) return reason;
  const text = tEnum("reason", m[2]);
  return text === m[2] ? reason : text.replace("{n}", m[1]);
}

export function partyName(party: string): string {
  if (party.startsWith("village:")) return t("party.village", { id: party.slice(8) });
  return tEnum("party", party);
}

export function phaseLink(projectId: string, year: number, phaseSlug: string, text: string): HTMLElement {
  return h("a", { href: href("phase", projectId, year, phaseSlug) }, text);
}
