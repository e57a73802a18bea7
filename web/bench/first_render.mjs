// The dashboard's first render, for `make bench`: in Debian's Chromium,
// from navigating to the overview URL (the token already in the tab's
// session) until the overview table shows its rows, N times on a fresh
// page each. Prints one JSON line: {"runs": [...ms], "median_ms", "max_ms"}.
//   node web/bench/first_render.mjs http://127.0.0.1:PORT TOKEN YEAR N
import { chromium } from "playwright-core";

const [base, token, year, runs = "5"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const times = [];
for (let i = 0; i < Number(runs); i++) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript((t) => sessionStorage.setItem("evald.token", t), token);
  const page = await context.newPage();
  const start = Date.now();
  await page.goto(`${base}/#/overview/${year}`);
  await page.waitForSelector(".view-overview table tbody tr td a", { timeout: 60_000 });
  times.push(Date.now() - start);
  await context.close();
}
await browser.close();
const sorted = [...times].sort((a, b) => a - b);
console.log(JSON.stringify({ runs: times, median_ms: sorted[Math.floor(sorted.length / 2)], max_ms: sorted.at(-1) }));
