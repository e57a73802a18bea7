// What the money view adds up: fen per township per state a clerk
// thinks in (a DUE tranche past its date counts as OVERDUE).
import type { Disbursement } from "./gen/evaluation/v1/evaluation_pb";
import { moneyState } from "./format";

export const MONEY_STATES = ["DUE", "OVERDUE", "HELD", "WITHHELD", "RELEASED", "FORFEITED"] as const;

// Fen per township per money state, and the district's totals ("").
export function moneyTotals(list: Disbursement[]): Map<string, Map<string, bigint>> {
  const out = new Map<string, Map<string, bigint>>();
  const add = (township: string, state: string, fen: bigint) => {
    const row = out.get(township) ?? new Map<string, bigint>();
    row.set(state, (row.get(state) ?? 0n) + fen);
    out.set(township, row);
  };
  for (const d of list) {
    const state = moneyState(d);
    add(d.township, state, d.amountFen);
    add("", state, d.amountFen);
  }
  return out;
}
