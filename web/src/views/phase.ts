// 3. One phase of one station: every party's score, the villages, veto
// findings, the financial checks against their thresholds, the result and
// its reasons, the state timeline, the year's tranches and the audit trail
// with its chain verified.
import { Code, ConnectError } from "@connectrpc/connect";
import { api } from "../api";
import { verifyChain } from "../audit_chain";
import { chart } from "../charts";
import { h } from "../dom";
import { explain } from "../errors";
import {
  Outcome,
  VetoStatus,
  type AuditEvent,
  type Evaluation,
  type Expenditure,
  type PartyScore,
} from "../gen/evaluation/v1/evaluation_pb";
import type { Policy } from "../gen/evaluation/v1/policy_pb";
import { chinaTime, gradeName, kindName, moneyState, percentText, phaseFromSlug, phaseName, shareBasisPoints, stateName, yuan } from "../format";
import { t, tEnum } from "../i18n";
import { href } from "../router";
import { nameOf, settings } from "../settings";
import { table } from "../table";
import { heading, partyName } from "./common";

function scoreRow(party: string, weight: string, p?: PartyScore, rectifiable = false) {
  return { party, weight, score: p?.score ?? "", version: p?.version ?? 0, by: p?.submittedBy ?? "", rectifiable };
}

function financialChecks(x: Expenditure, policy: Policy | undefined): HTMLElement {
  const total = x.personnelFen + x.serviceQualityFen + x.managementFen + x.otherFen;
  const cs = policy?.costStructure;
  const checks = [
    { label: t("phase.check.personnel", { min: cs?.personnelMinPercent ?? 70 }), bp: shareBasisPoints(x.personnelFen, total), limit: cs?.personnelMinPercent ?? 70, atLeast: true },
    {
      label: t("phase.check.personnel_quality", { min: cs?.personnelPlusQualityMinPercent ?? 85 }),
      bp: shareBasisPoints(x.personnelFen + x.serviceQualityFen, total),
      limit: cs?.personnelPlusQualityMinPercent ?? 85,
      atLeast: true,
    },
    { label: t("phase.check.management", { max: cs?.managementMaxPercent ?? 15 }), bp: shareBasisPoints(x.managementFen, total), limit: cs?.managementMaxPercent ?? 15, atLeast: false },
  ];
  return h(
    "div",
    { class: "checks" },
    checks.map((c) => {
      const passed = c.atLeast ? c.bp >= BigInt(c.limit) * 100n : c.bp <= BigInt(c.limit) * 100n;
      return h(
        "div",
        { class: `check ${passed ? "pass" : "fail"}` },
        h("div", { class: "check-label" }, c.label, ": ", h("strong", {}, percentText(c.bp)), passed ? " ✓" : " ✗"),
        chart(
          {
            grid: { left: 10, right: 30, top: 5, bottom: 20 },
            xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
            yAxis: { type: "category", data: [""], show: false },
            series: [
              {
                type: "bar",
                data: [Number(c.bp) / 100],
                color: passed ? "#1a7f37" : "#c62828",
                barWidth: 14,
                markLine: { symbol: "none", data: [{ xAxis: c.limit }], label: { formatter: `${c.limit}%` }, lineStyle: { color: "#333" } },
              },
            ],
          },
          60,
        ),
      );
    }),
    h("p", {}, `${t("common.total")}: ${yuan(total)}`),
  );
}

async function auditSection(projectId: string, e: Evaluation): Promise<HTMLElement> {
  let events: AuditEvent[] = [];
  try {
    let pageToken = "";
    do {
      const r = await api.listAuditEvents({ projectId, pageSize: 1000, pageToken });
      events.push(...r.events);
      pageToken = r.nextPageToken;
    } while (pageToken !== "");
  } catch (err) {
    const denied = ConnectError.from(err).code === Code.PermissionDenied;
    return h("section", {}, h("h2", {}, t("phase.audit")), h("p", { class: "note" }, denied ? t("phase.audit.denied") : explain(err)));
  }
  const check = await verifyChain(events);
  const mine = events.filter((ev) => ev.target === e.name);
  const timeline = mine.flatMap((ev) =>
    ev.effects
      .map((fx) => (fx.kind.case === "record" && fx.kind.value.name === e.name ? fx.kind.value : null))
      .filter((r) => r !== null && r.stateBefore !== r.stateAfter)
      .map((r) => ({ ev, from: r!.stateBefore, to: r!.stateAfter })),
  );
  const verified = h(
    "p",
    { class: check.ok ? "chain ok" : "chain broken" },
    check.ok ? t("phase.audit.ok", { n: check.checked }) : t("phase.audit.broken", { n: check.brokenAt ?? 0n }),
  );
  return h(
    "div",
    {},
    h(
      "section",
      {},
      h("h2", {}, t("phase.timeline")),
      h(
        "ol",
        { class: "timeline" },
        timeline.map(({ ev, from, to }) =>
          h("li", {}, h("time", {}, chinaTime(ev.time)), " ", from ? `${tEnum("state", from)} → ` : "", h("strong", {}, tEnum("state", to)), ` (${ev.principal})`),
        ),
      ),
    ),
    h(
      "section",
      {},
      h("h2", {}, t("phase.audit")),
      verified,
      table(
        [
          { label: "#", value: (ev: AuditEvent) => Number(ev.sequence), numeric: true },
          { label: "时间", value: (ev) => chinaTime(ev.time) },
          { label: "操作人", value: (ev) => `${ev.principal} (${ev.role})` },
          { label: "操作", value: (ev) => ev.action },
          { label: "内容", value: (ev) => ev.detail },
        ],
        mine,
        { exportName: `audit-${projectId}-${e.year}-${e.phase}` },
      ),
    ),
  );
}

export async function phaseView(args: string[]): Promise<HTMLElement> {
  const [projectId = "", yearText = "", slug = "mid-term"] = args;
  const year = Number(yearText);
  const phase = phaseFromSlug(slug);
  const [s, project, e, money] = await Promise.all([
    settings(),
    api.getProject({ projectId }),
    api.getEvaluation({ evaluation: { projectId, year, phase } }),
    api.listDisbursements({ projectId, year, pageSize: 10 }),
  ]);
  const policy = await api.getPolicy({ policyId: e.policyId }).catch(() => undefined);
  const w = policy?.weights;
  const parties = [
    scoreRow(t("phase.third_party"), `${w?.thirdPartyPercent ?? 70}%`, e.thirdParty, e.professionalRectifiable),
    scoreRow(t("phase.township"), `${w?.townshipPercent ?? 10}%`, e.townshipScore),
    ...e.villages.map((v) => scoreRow(`${t("phase.villages")} ${nameOf(s, v.village)}`, "", v.score)),
    scoreRow(t("phase.bureau"), `${w?.bureauPercent ?? 10}%`, e.bureau),
  ];
  const r = e.result;
  const resultBlock = r
    ? h(
        "dl",
        { class: "result" },
        h("dt", {}, t("common.score")),
        h("dd", { class: "big" }, r.score, " ", h("span", { class: "grade" }, gradeName(r.grade)), r.provisional ? h("span", { class: "note" }, " ", t("phase.provisional")) : null),
        h("dt", {}, t("phase.outcome")),
        h("dd", {}, tEnum("outcome", Outcome[r.outcome])),
        h("dt", {}, t("phase.village_mean")),
        h("dd", {}, r.villageMean),
        r.resultDate ? [h("dt", {}, t("phase.result_date")), h("dd", {}, r.resultDate)] : null,
        e.rectificationDeadline ? [h("dt", {}, t("phase.deadline", { date: "" }).trim()), h("dd", {}, e.rectificationDeadline)] : null,
        r.reasons.length + r.pending.length > 0
          ? [h("dt", {}, t("phase.reasons")), h("dd", {}, h("ul", {}, [...r.reasons, ...r.pending].map((x) => h("li", {}, x))))]
          : null,
      )
    : h("p", {}, t("phase.missing", { who: e.missing.map(partyName).join("、") }));
  return h(
    "section",
    { class: "view view-phase" },
    heading(
      t("phase.title", { station: project.name || projectId, year, phase: phaseName(phase) }),
      h("p", {}, h("a", { href: href("township", project.township, year) }, nameOf(s, project.township)), " · ", nameOf(s, project.provider), " · ", h("span", { class: "state" }, stateName(e.state))),
    ),
    h("section", {}, h("h2", {}, t("phase.result")), resultBlock),
    h(
      "section",
      {},
      h("h2", {}, t("phase.parties")),
      table(
        [
          { label: t("phase.party"), value: (p) => p.party },
          { label: t("phase.weight"), value: (p) => p.weight },
          { label: t("common.score"), value: (p) => p.score, numeric: true },
          { label: t("phase.version"), value: (p) => p.version, numeric: true },
          { label: t("phase.by"), value: (p) => p.by },
          { label: t("phase.rectifiable"), value: (p) => (p.rectifiable ? t("pub.yes") : "") },
        ],
        parties,
        { exportName: `scores-${projectId}-${year}-${slug}` },
      ),
      e.missing.length > 0 ? h("p", { class: "note" }, t("phase.missing", { who: e.missing.map(partyName).join("、") })) : null,
    ),
    h(
      "section",
      {},
      h("h2", {}, t("phase.vetoes")),
      e.vetoes.length === 0
        ? h("p", {}, t("common.none"))
        : table(
            [
              { label: "#", value: (v) => Number(v.vetoId), numeric: true },
              { label: t("phase.veto.code"), value: (v) => v.code },
              { label: t("phase.veto.evidence"), value: (v) => v.evidence },
              { label: t("phase.veto.status"), value: (v) => tEnum("veto", VetoStatus[v.status]) },
              { label: t("phase.veto.reason"), value: (v) => v.decisionReason },
            ],
            e.vetoes,
            { exportName: `vetoes-${projectId}-${year}-${slug}` },
          ),
    ),
    h(
      "section",
      {},
      h("h2", {}, t("phase.financial")),
      e.financial?.expenditure
        ? [
            h("p", {}, `${t("phase.financial.score")}: ${e.financial.score}`, e.financial.rectifiable ? `（${t("phase.rectifiable")}）` : ""),
            financialChecks(e.financial.expenditure, policy),
          ]
        : h("p", {}, t("common.none")),
    ),
    h(
      "section",
      {},
      h("h2", {}, t("phase.tranches")),
      table(
        [
          { label: t("money.kind"), value: (d) => kindName(d.kind) },
          { label: t("common.amount"), value: (d) => yuan(d.amountFen), numeric: true },
          { label: t("common.state"), value: (d) => tEnum("money", moneyState(d)) },
          { label: t("money.due_date"), value: (d) => d.dueDate },
          { label: t("money.reference"), value: (d) => d.paymentReference || d.holdReason },
        ],
        money.disbursements,
        { exportName: `tranches-${projectId}-${year}` },
      ),
    ),
    await auditSection(projectId, e),
  );
}
