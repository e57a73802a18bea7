// 2. One township's stations: each project's mid-term and final S and
// grade per service year, sortable and filterable.
import { api, listAll } from "../api";
import { h } from "../dom";
import { Phase, type Evaluation, type Project } from "../gen/evaluation/v1/evaluation_pb";
import { gradeName, phaseSlug, stateName } from "../format";
import { t } from "../i18n";
import { href } from "../router";
import { nameOf, settings } from "../settings";
import { table } from "../table";
import { heading, knownYears, phaseLink, yearPicker } from "./common";

interface Row {
  project: Project;
  year: number;
  mid?: Evaluation;
  final?: Evaluation;
}

export async function townshipView(args: string[]): Promise<HTMLElement> {
  const township = args[0] ?? "";
  const years = await knownYears();
  const year = args[1] ? Number(args[1]) : 0;
  const [s, projects, evaluations] = await Promise.all([
    settings(),
    listAll(async (pageToken) => {
      const r = await api.listProjects({ township, pageSize: 1000, pageToken });
      return { items: r.projects, next: r.nextPageToken };
    }),
    listAll(async (pageToken) => {
      const r = await api.listEvaluations({ township, year, pageSize: 1000, pageToken });
      return { items: r.evaluations, next: r.nextPageToken };
    }),
  ]);
  const byProject = new Map(projects.map((p) => [p.projectId, p]));
  const rows = new Map<string, Row>();
  for (const e of evaluations) {
    const project = byProject.get(e.projectId);
    if (!project) continue;
    const key = `${e.projectId}/${e.year}`;
    const row = rows.get(key) ?? { project, year: e.year };
    if (e.phase === Phase.FINAL) row.final = e;
    else row.mid = e;
    rows.set(key, row);
  }
  const score = (e?: Evaluation): string => e?.result?.score ?? "";
  const scoreKey = (e?: Evaluation): number => (e?.result?.score ? Number(e.result.score) : -1);
  const phaseCell = (r: Row, e?: Evaluation): Node | string =>
    e ? phaseLink(r.project.projectId, r.year, phaseSlug(e.phase), e.result?.score || stateName(e.state)) : "";
  const grid = table<Row>(
    [
      { label: t("common.station"), value: (r) => r.project.name || r.project.projectId },
      { label: t("common.year"), value: (r) => r.year, numeric: true },
      {
        label: `${t("township.midterm")} ${t("common.score")}`,
        value: (r) => score(r.mid),
        sortKey: (r) => scoreKey(r.mid),
        render: (r) => phaseCell(r, r.mid),
        numeric: true,
      },
      { label: `${t("township.midterm")} ${t("common.grade")}`, value: (r) => (r.mid?.result ? gradeName(r.mid.result.grade) : "") },
      { label: `${t("township.midterm")} ${t("common.state")}`, value: (r) => (r.mid ? stateName(r.mid.state) : "") },
      {
        label: `${t("township.final")} ${t("common.score")}`,
        value: (r) => score(r.final),
        sortKey: (r) => scoreKey(r.final),
        render: (r) => phaseCell(r, r.final),
        numeric: true,
      },
      { label: `${t("township.final")} ${t("common.grade")}`, value: (r) => (r.final?.result ? gradeName(r.final.result.grade) : "") },
      { label: `${t("township.final")} ${t("common.state")}`, value: (r) => (r.final ? stateName(r.final.state) : "") },
      { label: t("common.provider"), value: (r) => nameOf(s, r.project.provider) },
    ],
    [...rows.values()].sort((a, b) => a.project.projectId.localeCompare(b.project.projectId) || a.year - b.year),
    { exportName: `stations-${township}${year ? `-${year}` : ""}`, filter: true },
  );
  return h(
    "section",
    { class: "view view-township" },
    heading(
      t("township.title", { township: nameOf(s, township) }),
      yearPicker([0, ...years], year, (y) => href("township", township, ...(y ? [y] : []))),
    ),
    grid,
  );
}
