// 1. District overview of one service year: per township its phases by
// state, grade mix, spread of S and a red/amber/green flag.
import { api } from "../api";
import { chart } from "../charts";
import { h } from "../dom";
import { EvaluationState, Flag, Grade, type TownshipOverview } from "../gen/evaluation/v1/evaluation_pb";
import { t, tEnum } from "../i18n";
import { yuan } from "../format";
import { href } from "../router";
import { nameOf, settings } from "../settings";
import { fiveNumbers } from "../spread";
import { table } from "../table";
import { flagBadge, flagReason, heading, knownYears, yearPicker } from "./common";

const GRADES = [Grade.EXCELLENT, Grade.GOOD, Grade.QUALIFIED, Grade.QUALIFIED_AFTER_RECTIFICATION, Grade.UNQUALIFIED];
const GRADE_COLOURS = ["#1a7f37", "#4c9f38", "#9bc53d", "#c7a008", "#c62828"];

export async function overviewView(args: string[]): Promise<HTMLElement> {
  const years = await knownYears();
  const year = Number(args[0] ?? years[0]);
  const [o, s] = await Promise.all([api.getYearOverview({ year }), settings()]);
  const rows = o.townships;
  const name = (r: TownshipOverview): string => nameOf(s, r.township);
  const count = (m: Record<string, bigint>, k: string): number => Number(m[k] ?? 0n);

  const grades = chart({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 80, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: rows.map(name) },
    series: GRADES.map((g, i) => ({
      name: tEnum("grade", Grade[g]),
      type: "bar",
      stack: "grades",
      color: GRADE_COLOURS[i],
      data: rows.map((r) => count(r.byGrade, Grade[g])),
    })),
  });
  const spreads = rows.map((r) => fiveNumbers(r.scores));
  const spread = chart({
    tooltip: { trigger: "item" },
    grid: { left: 80, right: 20, top: 20, bottom: 30 },
    xAxis: { type: "value", min: 40, max: 100 },
    yAxis: { type: "category", data: rows.map(name) },
    series: [
      {
        type: "boxplot",
        data: spreads.map((f) => (f ? [f.min, f.q1, f.median, f.q3, f.max] : [])),
      },
    ],
  });

  const statesText = (r: TownshipOverview): string =>
    Object.entries(r.byState)
      .sort(([a], [b]) => EvaluationState[a as keyof typeof EvaluationState] - EvaluationState[b as keyof typeof EvaluationState])
      .map(([k, n]) => `${tEnum("state", k)} ${n}`)
      .join(" · ");
  const gradesText = (r: TownshipOverview): string =>
    GRADES.filter((g) => count(r.byGrade, Grade[g]) > 0)
      .map((g) => `${tEnum("grade", Grade[g])} ${count(r.byGrade, Grade[g])}`)
      .join(" · ");
  const spreadText = (i: number): string => {
    const f = spreads[i];
    return f ? (f.min === f.max ? `${f.min}` : `${f.min}–${f.max}`) : "";
  };
  const indexed = rows.map((r, i) => ({ r, i }));
  const flags = table(
    [
      {
        label: t("common.township"),
        value: ({ r }) => name(r),
        render: ({ r }) => h("a", { href: href("township", r.township, year) }, name(r)),
      },
      { label: t("overview.phases"), value: ({ r }) => statesText(r) },
      { label: t("overview.grades"), value: ({ r }) => gradesText(r) },
      { label: t("overview.spread"), value: ({ i }) => spreadText(i) },
      { label: t("overview.late"), value: ({ r }) => Number(r.latePhases), numeric: true },
      {
        label: t("overview.rect"),
        value: ({ r }) => `${r.rectificationsNearDeadline}/${r.rectificationsPastDeadline}`,
        numeric: true,
      },
      {
        label: t("overview.overdue"),
        value: ({ r }) => (r.overdueTranches > 0n ? `${r.overdueTranches} · ${yuan(r.overdueFen)}` : "0"),
        sortKey: ({ r }) => Number(r.overdueFen),
        numeric: true,
      },
      {
        label: t("overview.held"),
        value: ({ r }) => (r.heldTranches > 0n ? `${r.heldTranches} · ${yuan(r.heldFen)}` : "0"),
        sortKey: ({ r }) => Number(r.heldFen),
        numeric: true,
      },
      {
        label: t("common.flag"),
        value: ({ r }) => [tEnum("flag", Flag[r.flag]), ...r.flagReasons.map(flagReason)].join(" "),
        sortKey: ({ r }) => r.flag,
        render: ({ r }) =>
          h("span", {}, flagBadge(r.flag, r.flagReasons), " ", h("span", { class: "reasons" }, r.flagReasons.map(flagReason).join("；"))),
      },
    ],
    indexed,
    { exportName: `overview-${year}`, filter: true },
  );
  return h(
    "section",
    { class: "view view-overview" },
    heading(
      t("overview.title", { year }),
      yearPicker(years, year, (y) => href("overview", y)),
      h("p", { class: "as-of" }, t("common.asof", { date: o.asOf })),
    ),
    flags,
    h(
      "div",
      { class: "charts" },
      h("figure", {}, h("figcaption", {}, t("overview.grades")), grades),
      h("figure", {}, h("figcaption", {}, t("overview.spread")), spread),
    ),
  );
}
