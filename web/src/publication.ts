// The 公示 table's rows from a round's finalised phases: pure, so the
// numbering, the veto column and the rectification text are unit-tested.
import {
  EvaluationState,
  VetoStatus,
  type Evaluation,
  type Project,
} from "./gen/evaluation/v1/evaluation_pb";

export interface PublicationRow {
  no: number;
  township: string;
  station: string;
  provider: string;
  evaluation: Evaluation;
  vetoed: boolean;
  rectifyBy: string;
}

// Finalised phases only (a provisional result is not published), ordered by
// township, then station.
export function publicationRows(evaluations: Evaluation[], projects: Project[]): PublicationRow[] {
  const byId = new Map(projects.map((p) => [p.projectId, p]));
  return evaluations
    .filter((e) => e.result && !e.result.provisional && e.state !== EvaluationState.OPEN && e.state !== EvaluationState.SCORED)
    .map((e) => {
      const p = byId.get(e.projectId);
      return {
        no: 0,
        township: e.township,
        station: p?.name || e.projectId,
        provider: p?.provider ?? "",
        evaluation: e,
        vetoed: e.vetoes.some((v) => v.status === VetoStatus.CONFIRMED),
        rectifyBy: e.state === EvaluationState.RECTIFYING ? e.rectificationDeadline : "",
      };
    })
    .sort((a, b) => a.township.localeCompare(b.township) || a.evaluation.projectId.localeCompare(b.evaluation.projectId))
    .map((r, i) => ({ ...r, no: i + 1 }));
}

// The last day of a publication period of `days` days from `from`.
export function periodEnd(from: string, days: number): string {
  const d = new Date(`${from}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + Math.max(1, days) - 1);
  return d.toISOString().slice(0, 10);
}

// Today in China Standard Time, as YYYY-MM-DD.
export function chinaToday(now = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}
