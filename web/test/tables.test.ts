import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { toCsv } from "../src/export";
import {
  DisbursementSchema,
  DisbursementState,
  EvaluationSchema,
  EvaluationState,
  LateEntrySchema,
  Phase,
  ProjectSchema,
  ResultSchema,
  ScoreBucketSchema,
  VetoStatus,
} from "../src/gen/evaluation/v1/evaluation_pb";
import { groupLate, lateText } from "../src/late_groups";
import { moneyTotals } from "../src/money_totals";
import { periodEnd, publicationRows, chinaToday } from "../src/publication";
import { href, parseRoute } from "../src/router";
import { fiveNumbers } from "../src/spread";

describe("CSV export", () => {
  it("quotes what needs quoting and defuses formulas", () => {
    expect(toCsv(["站点", "总分"], [["黄阁镇社工站", 86.67], ['say "hi", twice', "=1+1"]])).toBe(
      '站点,总分\r\n黄阁镇社工站,86.67\r\n"say ""hi"", twice",\'=1+1\r\n',
    );
  });
});

describe("the spread of S", () => {
  it("gives a box plot's five numbers from whole-point buckets", () => {
    const b = (points: number, count: bigint) => create(ScoreBucketSchema, { points, count });
    expect(fiveNumbers([b(93, 1n), b(55, 1n), b(86, 1n)])).toEqual({ min: 55, q1: 70.5, median: 86, q3: 89.5, max: 93, count: 3 });
    expect(fiveNumbers([b(80, 4n)])).toMatchObject({ min: 80, median: 80, max: 80, count: 4 });
    expect(fiveNumbers([])).toBeNull();
  });
});

describe("who is late", () => {
  const late = (projectId: string, township: string, missing: string[]) =>
    create(LateEntrySchema, { projectId, township, year: 2025, phase: Phase.FINAL, missing, daysLate: 3 });
  it("groups by township, then party, with what each owes", () => {
    const groups = groupLate([
      late("P1", "huangge", ["township", "village:V01"]),
      late("P3", "huangge", ["township"]),
      late("P2", "dongchong", ["financial"]),
    ]);
    expect(groups.map((g) => [g.township, g.parties.map((p) => [p.party, p.owes.map((e) => e.projectId)])])).toEqual([
      ["dongchong", [["financial", ["P2"]]]],
      ["huangge", [["township", ["P1", "P3"]], ["village:V01", ["P1"]]]],
    ]);
    expect(
      lateText(groups, { township: (t) => t.toUpperCase(), party: (p) => p, owes: (e) => e.projectId }),
    ).toBe("DONGCHONG\n  financial: P2\nHUANGGE\n  township: P1; P3\n  village:V01: P1");
  });
});

describe("money totals", () => {
  it("add fen per township and state, overdue apart from due", () => {
    const d = (township: string, state: DisbursementState, amountFen: bigint, overdue = false) =>
      create(DisbursementSchema, { township, state, amountFen, overdue });
    const totals = moneyTotals([
      d("huangge", DisbursementState.DUE, 78000000n, true),
      d("huangge", DisbursementState.RELEASED, 104000000n),
      d("dongchong", DisbursementState.DUE, 80000000n),
      d("dongchong", DisbursementState.HELD, 60000000n),
    ]);
    expect(totals.get("huangge")?.get("OVERDUE")).toBe(78000000n);
    expect(totals.get("huangge")?.get("DUE")).toBeUndefined();
    expect(totals.get("")?.get("RELEASED")).toBe(104000000n);
    expect(totals.get("")?.get("HELD")).toBe(60000000n);
    expect(totals.get("")?.get("DUE")).toBe(80000000n);
  });
});

describe("the 公示 rows", () => {
  it("number finalised phases by township and station, with veto and rectification", () => {
    const result = create(ResultSchema, { score: "55.00" });
    const e = (projectId: string, township: string, state: EvaluationState, extra = {}) =>
      create(EvaluationSchema, { projectId, township, state, result, ...extra });
    const rows = publicationRows(
      [
        e("P3", "huangge", EvaluationState.PASSED),
        e("P2", "dongchong", EvaluationState.RECTIFYING, { rectificationDeadline: "2025-07-25" }),
        e("P1", "huangge", EvaluationState.FAILED, { vetoes: [{ status: VetoStatus.CONFIRMED }] }),
        e("P4", "huangge", EvaluationState.SCORED),
        create(EvaluationSchema, { projectId: "P5", township: "huangge", state: EvaluationState.OPEN }),
      ],
      [create(ProjectSchema, { projectId: "P1", name: "黄阁镇社工站", provider: "PR1" })],
    );
    expect(rows.map((r) => [r.no, r.evaluation.projectId, r.station, r.vetoed, r.rectifyBy])).toEqual([
      [1, "P2", "P2", false, "2025-07-25"],
      [2, "P1", "黄阁镇社工站", true, ""],
      [3, "P3", "P3", false, ""],
    ]);
  });
  it("counts the publication period inclusively", () => {
    expect(periodEnd("2025-07-01", 7)).toBe("2025-07-07");
    expect(periodEnd("2025-12-28", 7)).toBe("2026-01-03");
    expect(chinaToday(Date.parse("2026-12-01T16:30:00Z"))).toBe("2026-12-02");
  });
});

describe("routes", () => {
  it("round-trip through the location hash", () => {
    expect(parseRoute(href("phase", "P1", 2025, "mid-term"))).toEqual({ view: "phase", args: ["P1", "2025", "mid-term"] });
    expect(parseRoute("")).toEqual({ view: "overview", args: [] });
    expect(parseRoute(href("township", "黄阁 镇"))).toEqual({ view: "township", args: ["黄阁 镇"] });
  });
});
