// 4. Who is late: parties that have not submitted for phases whose window
// is open, grouped by township and party, copyable as a list.
import { api, listAll } from "../api";
import { h } from "../dom";
import { phaseName, phaseSlug } from "../format";
import { t } from "../i18n";
import { groupLate, lateText } from "../late_groups";
import { nameOf, settings } from "../settings";
import { heading, partyName, phaseLink } from "./common";

export async function lateView(): Promise<HTMLElement> {
  const [s, entries, projects] = await Promise.all([
    settings(),
    listAll(async (pageToken) => {
      const r = await api.listLateParties({ pageSize: 1000, pageToken });
      return { items: r.late, next: r.nextPageToken };
    }),
    listAll(async (pageToken) => {
      const r = await api.listProjects({ pageSize: 1000, pageToken });
      return { items: r.projects, next: r.nextPageToken };
    }),
  ]);
  const station = new Map(projects.map((p) => [p.projectId, p.name || p.projectId]));
  const groups = groupLate(entries);
  const owes = (e: (typeof entries)[number]): string =>
    `${station.get(e.projectId) ?? e.projectId} ${e.year} ${phaseName(e.phase)}（${t("late.days", { n: e.daysLate })}）`;
  const text = lateText(groups, { township: (id) => nameOf(s, id), party: partyName, owes });
  const copy = h(
    "button",
    {
      type: "button",
      class: "no-print",
      onclick: async () => {
        await navigator.clipboard?.writeText(text).catch(() => undefined);
        copy.textContent = t("late.copied");
      },
    },
    t("late.copy"),
  );
  return h(
    "section",
    { class: "view view-late" },
    heading(t("late.title"), h("p", { class: "help" }, t("late.help"))),
    groups.length === 0
      ? h("p", {}, t("late.none"))
      : [
          copy,
          ...groups.map((g) =>
            h(
              "section",
              { class: "late-township" },
              h("h2", {}, nameOf(s, g.township)),
              h(
                "ul",
                {},
                g.parties.map((p) =>
                  h(
                    "li",
                    { class: "late-party" },
                    h("strong", {}, partyName(p.party)),
                    "：",
                    p.owes.flatMap((e, i) => [i > 0 ? "；" : "", phaseLink(e.projectId, e.year, phaseSlug(e.phase), owes(e))]),
                  ),
                ),
              ),
            ),
          ),
          h("textarea", { class: "late-text", readonly: true, rows: 8, "aria-label": t("late.copy") }, text),
        ],
  );
}
