// 6. 公示 of one round (service year + phase): a printable A4 page in
// Chinese, whatever the chosen language, as it is posted publicly.
import { api, listAll } from "../api";
import { h } from "../dom";
import { phaseFromSlug, phaseSlug } from "../format";
import { Grade, Phase } from "../gen/evaluation/v1/evaluation_pb";
import type { MessageKey } from "../messages";
import { translate } from "../i18n";
import { chinaToday, periodEnd, publicationRows } from "../publication";
import { href } from "../router";
import { nameOf, settings } from "../settings";
import { table } from "../table";
import { knownYears, yearPicker } from "./common";

const zh = (key: MessageKey, params: Record<string, string | number> = {}) => translate("zh", key, params);

export async function publicationView(args: string[]): Promise<HTMLElement> {
  const years = await knownYears();
  const year = Number(args[0] ?? years[0]);
  const phase = phaseFromSlug(args[1] ?? "mid-term");
  const from = /^\d{4}-\d{2}-\d{2}$/.test(args[2] ?? "") ? args[2] : chinaToday();
  const [s, evaluations, projects] = await Promise.all([
    settings(),
    listAll(async (pageToken) => {
      const r = await api.listEvaluations({ year, phase, pageSize: 1000, pageToken });
      return { items: r.evaluations, next: r.nextPageToken };
    }),
    listAll(async (pageToken) => {
      const r = await api.listProjects({ pageSize: 1000, pageToken });
      return { items: r.projects, next: r.nextPageToken };
    }),
  ]);
  const rows = publicationRows(evaluations, projects);
  const phaseText = zh(phase === Phase.FINAL ? "phase.FINAL" : "phase.MID_TERM");
  const to = periodEnd(from, s.publication_days);
  const link = (y: number, p: string, f = from) => href("publication", y, p, f);
  const controls = h(
    "div",
    { class: "no-print controls" },
    yearPicker(years, year, (y) => link(y, phaseSlug(phase))),
    h(
      "label",
      {},
      zh("common.phase"),
      " ",
      h(
        "select",
        { onchange: (e: Event) => (location.hash = link(year, (e.target as HTMLSelectElement).value)) },
        h("option", { value: "mid-term", selected: phase !== Phase.FINAL }, zh("phase.MID_TERM")),
        h("option", { value: "final", selected: phase === Phase.FINAL }, zh("phase.FINAL")),
      ),
    ),
    h(
      "label",
      {},
      zh("pub.from"),
      " ",
      h("input", { type: "date", value: from, onchange: (e: Event) => (location.hash = link(year, phaseSlug(phase), (e.target as HTMLInputElement).value)) }),
    ),
    h("button", { type: "button", onclick: () => window.print() }, zh("pub.print")),
  );
  const part = (x?: { score?: string }) => x?.score ?? "";
  const grid = table(
    [
      { label: zh("pub.no"), value: (r) => r.no, numeric: true },
      { label: zh("common.township"), value: (r) => nameOf(s, r.township) },
      { label: zh("common.station"), value: (r) => r.station },
      { label: zh("common.provider"), value: (r) => nameOf(s, r.provider) },
      { label: zh("common.phase"), value: () => phaseText },
      { label: zh("common.score"), value: (r) => r.evaluation.result?.score ?? "", numeric: true },
      { label: zh("pub.third_party"), value: (r) => part(r.evaluation.thirdParty), numeric: true },
      { label: zh("pub.township"), value: (r) => part(r.evaluation.townshipScore), numeric: true },
      { label: zh("pub.villages"), value: (r) => r.evaluation.result?.villageMean ?? "", numeric: true },
      { label: zh("pub.bureau"), value: (r) => part(r.evaluation.bureau), numeric: true },
      { label: zh("common.grade"), value: (r) => (r.evaluation.result ? zh(`grade.${Grade[r.evaluation.result.grade]}` as MessageKey) : "") },
      { label: zh("pub.veto"), value: (r) => (r.vetoed ? zh("pub.yes") : zh("pub.no_veto")) },
      { label: zh("pub.rectify"), value: (r) => (r.rectifyBy ? zh("pub.rectify_by", { date: r.rectifyBy }) : "—") },
    ],
    rows,
    { exportName: `gongshi-${year}-${phaseSlug(phase)}` },
  );
  return h(
    "section",
    { class: "view view-publication", lang: "zh-CN" },
    controls,
    h(
      "article",
      { class: "a4" },
      h("h1", { class: "pub-title" }, zh("pub.title", { district: s.district, year, phase: phaseText })),
      h("p", {}, zh("pub.intro", { year, phase: phaseText })),
      rows.length === 0 ? h("p", {}, zh("pub.none")) : grid,
      h("p", { class: "pub-period" }, zh("pub.period", { from, to })),
      s.objection_contact ? h("p", { class: "pub-contact" }, s.objection_contact) : null,
      h("p", { class: "pub-issuer" }, s.bureau, h("br"), from),
    ),
  );
}
