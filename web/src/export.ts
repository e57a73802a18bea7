// Tables out as files: CSV (UTF-8 with BOM, so Excel opens Chinese text
// correctly) and XLSX through ExcelJS, loaded only when a user exports.

export type Cell = string | number;

// RFC 4180: quote a cell holding a comma, quote or line break; double the
// quotes inside. A cell starting with = + - @ is prefixed with ' so that a
// spreadsheet never runs it as a formula.
export function toCsv(header: string[], rows: Cell[][]): string {
  const cell = (v: Cell): string => {
    let s = String(v);
    if (typeof v === "string" && /^[=+\-@]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

function download(name: string, blob: Blob): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export function downloadCsv(name: string, header: string[], rows: Cell[][]): void {
  download(
    `${name}.csv`,
    new Blob(["\uFEFF", toCsv(header, rows)], { type: "text/csv;charset=utf-8" }),
  );
}

export async function xlsxBytes(
  sheet: string,
  header: string[],
  rows: Cell[][],
): Promise<ArrayBuffer> {
  const { default: ExcelJS } = await import("exceljs");
  const book = new ExcelJS.Workbook();
  const ws = book.addWorksheet(sheet.slice(0, 31));
  ws.addRow(header).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  ws.columns.forEach((c, i) => {
    const widest = Math.max(...[header, ...rows].map((r) => String(r[i] ?? "").length));
    c.width = Math.min(60, Math.max(8, widest * 2));
  });
  return (await book.xlsx.writeBuffer()) as ArrayBuffer;
}

export async function downloadXlsx(name: string, header: string[], rows: Cell[][]): Promise<void> {
  const bytes = await xlsxBytes(name, header, rows);
  download(
    `${name}.xlsx`,
    new Blob([bytes], {
      type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }),
  );
}
