// How the dashboard writes money, dates, scores and enum values. Money is
// integer fen (bigint) throughout: never a floating-point yuan.
import {
  DisbursementState,
  EvaluationState,
  Grade,
  Phase,
  TrancheKind,
  type Disbursement,
} from "./gen/evaluation/v1/evaluation_pb";
import { tEnum } from "./i18n";

// 104000000n -> "¥1,040,000.00"; negative amounts keep their sign.
export function yuan(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}¥${whole}.${cents}`;
}

// For spreadsheets: "1040000.00", a number a spreadsheet can sum.
export function yuanPlain(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  return `${negative ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

export const gradeName = (g: Grade): string =>
  g === Grade.GRADE_UNSPECIFIED ? "" : tEnum("grade", Grade[g]);
export const stateName = (s: EvaluationState): string =>
  tEnum("state", EvaluationState[s]);
export const phaseName = (p: Phase): string => tEnum("phase", Phase[p]);
export const kindName = (k: TrancheKind): string =>
  tEnum("kind", TrancheKind[k]);

// The state a clerk thinks in: a DUE tranche past its date is "OVERDUE".
export function moneyState(d: Disbursement): string {
  if (d.state === DisbursementState.DUE && d.overdue) return "OVERDUE";
  return DisbursementState[d.state];
}

// URL segment of a phase, as in resource names.
export const phaseSlug = (p: Phase): string =>
  p === Phase.FINAL ? "final" : "mid-term";
export const phaseFromSlug = (s: string): Phase =>
  s === "final" ? Phase.FINAL : Phase.MID_TERM;

// Percent of `part` in `total`, in hundredths of a percent, exactly.
export function shareBasisPoints(part: bigint, total: bigint): bigint {
  return total === 0n ? 0n : (part * 10000n) / total;
}
export const percentText = (bp: bigint): string => `${bp / 100n}.${(bp % 100n).toString().padStart(2, "0")}%`;

// "2026-12-01T08:40:55.56+00:00" -> "2026-12-01 16:40" (China Standard Time).
export function chinaTime(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return rfc3339;
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
}

