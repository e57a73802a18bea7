// 5. Money of one service year: per township what is due, overdue as of
// today, held, released and forfeited, with totals; then every tranche.
import { api, listAll } from "../api";
import { h } from "../dom";
import type { Disbursement } from "../gen/evaluation/v1/evaluation_pb";
import { kindName, moneyState, yuan, yuanPlain } from "../format";
import { MONEY_STATES, moneyTotals } from "../money_totals";
import { t, tEnum } from "../i18n";
import { href } from "../router";
import { nameOf, settings } from "../settings";
import { table } from "../table";
import { heading, knownYears, yearPicker } from "./common";

export async function moneyView(args: string[]): Promise<HTMLElement> {
  const years = await knownYears();
  const year = Number(args[0] ?? years[0]);
  const [s, list] = await Promise.all([
    settings(),
    listAll(async (pageToken) => {
      const r = await api.listDisbursements({ year, pageSize: 1000, pageToken });
      return { items: r.disbursements, next: r.nextPageToken };
    }),
  ]);
  const totals = moneyTotals(list);
  const townships = [...totals.keys()].filter((k) => k !== "").sort();
  const fen = (township: string, state: string): bigint => totals.get(township)?.get(state) ?? 0n;
  const summary = table(
    [
      {
        label: t("common.township"),
        value: (k: string) => (k === "" ? t("common.total") : nameOf(s, k)),
        render: (k) => (k === "" ? h("strong", {}, t("common.total")) : h("a", { href: href("township", k, year) }, nameOf(s, k))),
      },
      ...MONEY_STATES.map((state) => ({
        label: tEnum("money", state),
        value: (k: string) => yuan(fen(k, state)),
        sortKey: (k: string) => Number(fen(k, state)),
        numeric: true,
      })),
    ],
    [...townships, ""],
    { exportName: `money-${year}` },
  );
  const detail = table(
    [
      { label: t("common.township"), value: (d: Disbursement) => nameOf(s, d.township) },
      { label: t("common.project"), value: (d) => d.projectId },
      { label: t("money.kind"), value: (d) => kindName(d.kind) },
      // Exports carry yuan as a plain number a spreadsheet can sum.
      { label: t("common.amount"), value: (d) => yuanPlain(d.amountFen), render: (d) => yuan(d.amountFen), numeric: true },
      { label: t("common.state"), value: (d) => tEnum("money", moneyState(d)) },
      { label: t("money.due_date"), value: (d) => d.dueDate },
      { label: t("money.reference"), value: (d) => d.paymentReference || d.holdReason },
    ],
    list,
    { exportName: `tranches-${year}`, filter: true },
  );
  return h(
    "section",
    { class: "view view-money" },
    heading(t("money.title", { year }), yearPicker(years, year, (y) => href("money", y))),
    summary,
    detail,
  );
}
