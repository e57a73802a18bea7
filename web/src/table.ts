// A sortable, filterable table with CSV and XLSX export of what it shows.
import { h } from "./dom";
import { downloadCsv, downloadXlsx, type Cell } from "./export";
import { t } from "./i18n";

export interface Column<R> {
  label: string;
  // What the cell shows, and what exports write (numbers stay numbers).
  value: (row: R) => Cell;
  // Optional: what sorting compares (defaults to value).
  sortKey?: (row: R) => Cell;
  // Optional: the cell as a node (a link, a flag); text otherwise.
  render?: (row: R) => Node | string;
  numeric?: boolean;
}

export interface TableOptions {
  // File name of exports (without extension).
  exportName: string;
  filter?: boolean;
  caption?: string;
}

export function table<R>(columns: Column<R>[], rows: R[], options: TableOptions): HTMLElement {
  let sortColumn = -1;
  let ascending = true;
  let query = "";
  const body = h("tbody");
  const shown = (): R[] => {
    const q = query.trim().toLowerCase();
    const out = q
      ? rows.filter((r) => columns.some((c) => String(c.value(r)).toLowerCase().includes(q)))
      : rows.slice();
    if (sortColumn >= 0) {
      const key = columns[sortColumn].sortKey ?? columns[sortColumn].value;
      out.sort((a, b) => {
        const x = key(a);
        const y = key(b);
        const order =
          typeof x === "number" && typeof y === "number"
            ? x - y
            : String(x).localeCompare(String(y), "zh-CN", { numeric: true });
        return ascending ? order : -order;
      });
    }
    return out;
  };
  const headers = columns.map((c, i) =>
    h(
      "th",
      {
        scope: "col",
        class: c.numeric ? "num sortable" : "sortable",
        onclick: () => {
          ascending = sortColumn === i ? !ascending : true;
          sortColumn = i;
          headers.forEach((th, j) =>
            th.setAttribute("aria-sort", j !== i ? "none" : ascending ? "ascending" : "descending"),
          );
          draw();
        },
      },
      c.label,
    ),
  );
  const draw = (): void => {
    const list = shown();
    body.replaceChildren(
      ...(list.length === 0
        ? [h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, t("common.empty")))]
        : list.map((r) =>
            h(
              "tr",
              {},
              columns.map((c) =>
                h("td", { class: c.numeric ? "num" : undefined }, c.render ? c.render(r) : String(c.value(r))),
              ),
            ),
          )),
    );
  };
  draw();
  const exportRows = (): Cell[][] => shown().map((r) => columns.map((c) => c.value(r)));
  const header = columns.map((c) => c.label);
  const tools = h(
    "div",
    { class: "table-tools no-print" },
    options.filter
      ? h("input", {
          type: "search",
          placeholder: t("common.filter"),
          "aria-label": t("common.filter"),
          oninput: (e: Event) => {
            query = (e.target as HTMLInputElement).value;
            draw();
          },
        })
      : null,
    h("button", { type: "button", onclick: () => downloadCsv(options.exportName, header, exportRows()) }, t("common.export.csv")),
    h(
      "button",
      { type: "button", onclick: () => void downloadXlsx(options.exportName, header, exportRows()) },
      t("common.export.xlsx"),
    ),
  );
  return h(
    "div",
    { class: "table-block" },
    tools,
    h("table", {}, options.caption ? h("caption", {}, options.caption) : null, h("thead", {}, h("tr", {}, headers)), body),
  );
}
