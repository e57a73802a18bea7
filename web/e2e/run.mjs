// End-to-end tests of the dashboard in a real browser: Debian's Chromium,
// headless, driven by playwright-core, against a real evald (free loopback
// ports, a temporary data directory) seeded through evalctl with
// scripts/seed-demo.sh. Each test checks what a person reads on the page.
//
//   EVALD=build/server/evald EVALCTL=build/client/evalctl \
//   SCREENSHOTS=build/web-screenshots node web/e2e/run.mjs
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import { chromium } from "playwright-core";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const top = resolve(web, "..");
const evald = resolve(process.env.EVALD ?? join(top, "build/server/evald"));
const evalctl = resolve(process.env.EVALCTL ?? join(top, "build/client/evalctl"));
const shots = resolve(process.env.SCREENSHOTS ?? join(top, "build/web-screenshots"));
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

let dir;
let server;
let grpcAddress;
let base;
let browser;

// Starts evald and resolves once it has announced both ports.
function startEvald() {
  return new Promise((resolveStart, reject) => {
    const principals = execFileSync(join(top, "scripts/make-principals.sh"), [join(top, "deploy/demo/tokens.txt")]);
    writeFileSync(join(dir, "principals.txt"), principals);
    server = spawn(
      evald,
      [
        "--listen=127.0.0.1:0",
        "--http_listen=127.0.0.1:0",
        `--web_dir=${join(web, "dist")}`,
        `--data_dir=${join(dir, "data")}`,
        `--principals=${join(dir, "principals.txt")}`,
        `--organisations=${join(web, "..", "deploy", "demo", "organisations.tsv")}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const grpc = /evald listening on (\S+)/.exec(out);
      const http = /evald http on (\S+)/.exec(out);
      if (grpc && http) {
        grpcAddress = grpc[1];
        base = http[1];
        resolveStart();
      }
    });
    let err = "";
    server.stderr.on("data", (chunk) => (err += chunk));
    server.on("exit", (code) => reject(new Error(`evald exited with ${code}: ${err}`)));
  });
}

function evalctlAs(token, ...args) {
  return execFileSync(evalctl, ["--server", grpcAddress, "--token", token, ...args], { encoding: "utf8" });
}

const openPages = [];

async function signedIn(token, hash = "") {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  openPages.push(page);
  page.on("pageerror", (e) => assert.fail(`the page threw: ${e.message}`));
  await page.goto(`${base}${hash}`);
  await page.fill("#token", token);
  await page.click("form.signin button[type=submit]");
  await page.waitForSelector("main[aria-busy=false]");
  return page;
}

// Opens the view `hash` names, reloading it when it is the one shown.
async function goTo(page, hash) {
  const url = new URL(hash, `${base}/`).href;
  if (page.url() === url) {
    await page.reload();
  } else {
    await page.goto(url);
  }
  await page.waitForSelector("main[aria-busy=false]");
}

async function screenshot(page, name) {
  await page.waitForTimeout(300); // charts draw on the next animation frame
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

// The text of each row of the first table under `scope`, cells joined by |.
async function rows(page, scope = "main") {
  return page.$$eval(`${scope} table tbody tr`, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim()).join("|")),
  );
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "evald-web-e2e-"));
  mkdirSync(shots, { recursive: true });
  await startEvald();
  execFileSync(join(top, "scripts/seed-demo.sh"), [evalctl, grpcAddress], { stdio: "inherit" });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterEach(async () => {
  for (const page of openPages.splice(0)) await page.close();
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("signing in", () => {
  test("a wrong token gets a sentence, not a stack", async () => {
    const page = await browser.newPage();
    await page.goto(base);
    await page.fill("#token", "not-a-real-token");
    await page.click("form.signin button[type=submit]");
    await page.waitForSelector("form.signin .error:not(:empty)");
    assert.equal(await page.textContent("form.signin .error"), "令牌无效或已被撤销，请重新登录。");
    await screenshot(page, "signin");
    await page.close();
  });

  test("signing out forgets the token", async () => {
    const page = await signedIn("demo-bureau");
    await page.click("text=退出");
    await page.waitForSelector("form.signin");
    await page.reload();
    await page.waitForSelector("form.signin");
    await page.close();
  });
});

describe("the bureau", () => {
  test("sees the district and drills down from the overview to the phase", async () => {
    const page = await signedIn("demo-bureau", "/#/overview/2025");
    assert.equal(await page.textContent("main h1"), "2025 服务年度 · 全区概览");
    await page.waitForSelector("nav .who:text('bureau · nansha')");
    const overview = await rows(page);
    assert.equal(overview.length, 2);
    assert.match(overview[0], /^东涌镇\|评分中 1 · 整改中 1\|不合格 1\|55\|1\|0\/1\|1 · ¥800,000.00\|0\|警示/);
    assert.match(overview[1], /^黄阁镇\|评分中 2 · 合格 2\|优秀 1 · 良好 1\|86–93\|2\|0\/0\|1 · ¥780,000.00\|0\|警示/);
    await screenshot(page, "overview");

    await page.click("main table >> text=黄阁镇");
    await page.waitForSelector(".view-township");
    assert.equal(await page.textContent("main h1"), "黄阁镇 · 各站点评估结果");
    const stations = await rows(page);
    assert.ok(stations.some((r) => r.startsWith("黄阁镇社工站|2025|86.67|良好|合格|")), stations.join("\n"));
    await screenshot(page, "township");

    await page.click("main table >> text=86.67");
    await page.waitForSelector(".view-phase");
    assert.equal(await page.textContent("main h1"), "黄阁镇社工站 · 2025 年度中期评估");
    assert.equal(await page.textContent("dd.big"), "86.67 良好");
    const text = await page.textContent("main");
    for (const expected of ["86.40", "92.00", "88.00", "90.50", "79.25", "84.00", "85.92", "居民投诉:长者饭堂活动取消未告知", "已驳回", "人员经费占比（≥70%）: 75.00% ✓", "管理费占比（≤15%）: 10.00% ✓"]) {
      assert.ok(text.includes(expected), `the phase page shows ${expected}`);
    }
    const tranches = await rows(page, ".view-phase > section:has(> h2:text-is('本年度拨款'))");
    assert.deepEqual(tranches, ["年初拨款|¥1,040,000.00|已拨付|2025-01-22|BANK-2025-0001", "中期拨款|¥780,000.00|逾期|2025-07-11|", "末期拨款|¥780,000.00|未到期||"]);
    assert.match(await page.textContent(".chain"), /^审计链完整：\d+ 条记录均已核验$/);
    await screenshot(page, "phase");
  });

  test("sees who is late, and a party drop off the list once it submits", async () => {
    const page = await signedIn("demo-bureau", "/#/late");
    const townshipLine = () =>
      page.textContent(".late-township:has(h2:text('黄阁镇')) li.late-party:has(strong:text-is('镇(街)'))");
    assert.match(await townshipLine(), /黄阁镇社工站 2025 末期评估/);
    assert.match(await townshipLine(), /黄阁镇麒麟社工点 2025 末期评估/);
    await screenshot(page, "late");
    evalctlAs("demo-township", "score", "submit", "--project", "P1", "--year", "2025", "--phase", "final", "--score", "90");
    await goTo(page, "/#/late");
    assert.doesNotMatch(await townshipLine(), /黄阁镇社工站 2025 末期评估/);
    assert.match(await townshipLine(), /黄阁镇麒麟社工点 2025 末期评估/);
    // The copyable list says the same.
    assert.match(await page.inputValue("textarea.late-text"), /^黄阁镇\n/m);
  });

  test("reads the money and exports it to an XLSX file that opens", async () => {
    const page = await signedIn("demo-bureau", "/#/money/2025");
    const totals = await rows(page, ".view-money > .table-block:nth-child(2)");
    assert.equal(totals.at(-1), "合计|¥0.00|¥1,580,000.00|¥0.00|¥600,000.00|¥2,090,000.00|¥0.00");
    await screenshot(page, "money");
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("main .table-block").nth(1).locator("text=导出 Excel").click()]);
    const file = join(dir, "tranches.xlsx");
    await download.saveAs(file);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(file));
    const sheet = book.worksheets[0];
    assert.deepEqual(sheet.getRow(1).values.slice(1), ["镇(街)", "项目", "拨款批次", "金额", "状态", "应付日期", "支付凭证"]);
    const found = [];
    sheet.eachRow((row) => found.push(row.values.slice(1).join("|")));
    assert.ok(found.some((r) => r.startsWith("黄阁镇|P1|中期拨款|780000.00|逾期|2025-07-11")), found.join("\n"));
  });

  test("prints the 公示 of a round to PDF", async () => {
    const page = await signedIn("demo-bureau", "/#/publication/2025/mid-term/2025-07-01");
    await screenshot(page, "publication");
    const pdf = join(dir, "gongshi.pdf");
    await page.pdf({ path: pdf, format: "A4", landscape: true, printBackground: true });
    const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
    for (const expected of ["南沙区2025年度社工站中期评估结果公示", "公示期：2025-07-01 至 2025-07-07", "联系电话", "86.67", "良好", "93.00", "优秀", "限 2025-07-25 前完成整改"]) {
      assert.ok(text.includes(expected), `the PDF says ${expected}:\n${text}`);
    }
    assert.ok(!text.includes("导出"), "buttons are not printed");
  });

  test("can switch to English", async () => {
    const page = await signedIn("demo-bureau", "/#/overview/2025");
    await page.click("nav >> text=English");
    await page.waitForSelector("nav >> text=District overview");
    assert.equal(await page.textContent("main h1"), "Service year 2025: district overview");
    await page.click("nav >> text=中文");
    await page.waitForSelector("nav >> text=全区概览");
  });
});

describe("a township", () => {
  test("sees only its own stations and money", async () => {
    const page = await signedIn("demo-township", "/#/overview/2025");
    const overview = await rows(page);
    assert.equal(overview.length, 1);
    assert.match(overview[0], /^黄阁镇\|/);
    await goTo(page, "/#/money/2025");
    const money = await rows(page, ".view-money > .table-block:nth-child(3)");
    assert.ok(money.length > 0 && money.every((r) => r.startsWith("黄阁镇|")), money.join("\n"));
    await goTo(page, "/#/phase/P2/2025/mid-term");
    assert.match(await page.textContent("main .error"), /^(没有找到|您的账号无权查看此内容)：/);
    await screenshot(page, "township-user");
  });
});
