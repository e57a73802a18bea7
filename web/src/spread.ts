// The spread of S in one township from the overview's whole-point buckets:
// the five numbers a box plot draws. Exact enough for a chart (a bucket
// stands for its lower bound); the table prints the range.
import type { ScoreBucket } from "./gen/evaluation/v1/evaluation_pb";

export interface FiveNumbers {
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  count: number;
}

export function fiveNumbers(buckets: ScoreBucket[]): FiveNumbers | null {
  const sorted = buckets
    .filter((b) => b.count > 0n)
    .slice()
    .sort((a, b) => a.points - b.points);
  const count = sorted.reduce((n, b) => n + Number(b.count), 0);
  if (count === 0) return null;
  // The value at rank r (0-based) of the expanded, sorted list.
  const at = (r: number): number => {
    let seen = 0;
    for (const b of sorted) {
      seen += Number(b.count);
      if (r < seen) return b.points;
    }
    return sorted[sorted.length - 1].points;
  };
  const quantile = (q: number): number => {
    const pos = (count - 1) * q;
    const lo = Math.floor(pos);
    return at(lo) + (at(Math.ceil(pos)) - at(lo)) * (pos - lo);
  };
  return {
    min: sorted[0].points,
    q1: quantile(0.25),
    median: quantile(0.5),
    q3: quantile(0.75),
    max: sorted[sorted.length - 1].points,
    count,
  };
}
