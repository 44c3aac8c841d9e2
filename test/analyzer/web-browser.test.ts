// The web UI in a real browser (Debian's Chromium, driven by Playwright):
// the top table shows the numbers of `top`, the sample index chooser and the
// focus box change them, and the flame graph draws the expected frames.

import { test } from "node:test";
import assert from "node:assert/strict";
import { chromium, type Browser, type Page } from "playwright-core";
import { defaultConfig } from "../../src/analyzer/config.ts";
import { flameTree } from "../../src/analyzer/flame/index.ts";
import { computeTotal, generateReport } from "../../src/analyzer/report/index.ts";
import { defaultFilter, serveWebUI } from "../../src/analyzer/web/index.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { chromiumPath, needChromium, parseTop } from "../helpers/tools.ts";
import { loadProfile, sampleIndexOf } from "./report-helpers.ts";

const fixture = "test/fixtures/analyzer/report-profiles/cpu.pb.gz";
const launchArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** The top table as the page shows it: flat, cum and name of each row. */
async function shownRows(page: Page): Promise<{ flat: string; cum: string; name: string }[]> {
  return page.$$eval("#top-table tr.row", (trs) => trs.map((tr) => {
    const td = [...tr.querySelectorAll("td")].map((c) => c.textContent ?? "");
    return { flat: td[0]!, cum: td[3]!, name: td[5]! };
  }));
}

function topRows(p: ProfileData, filtered: ProfileData, sampleType: string | undefined) {
  const si = sampleIndexOf(p, sampleType);
  const text = generateReport("top", filtered, defaultConfig(), { sampleIndex: si, total: computeTotal(p, si) });
  return parseTop(text).map((r) => ({ flat: r.flat, cum: r.cum, name: r.name.replace(/ \((partial-)?inline\)$/, "") }));
}

test("web UI in Chromium: top numbers, sample index, focus, flame graph", { timeout: 120_000 }, async (t) => {
  if (!needChromium(t)) return;
  const p = loadProfile(fixture);
  const ui = await serveWebUI({ profile: p, config: defaultConfig() });
  let browser: Browser | undefined;
  t.after(async () => {
    await browser?.close();
    await ui.close();
  });
  browser = await chromium.launch({ executablePath: chromiumPath!, args: launchArgs });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));

  // The top table: the rows of `top`.
  await page.goto(ui.url + "/ui/top");
  assert.deepEqual(await shownRows(page), topRows(p, p, undefined));
  assert.equal(await page.$eval("#sample-index", (s) => (s as unknown as { value: string }).value), p.sampleType[sampleIndexOf(p, undefined)]!.type);

  // Another sample index from the chooser: the numbers of `top -sample_index=samples`.
  await Promise.all([page.waitForURL(/si=samples/), page.selectOption("#sample-index", "samples")]);
  assert.deepEqual(await shownRows(page), topRows(p, p, "samples"));

  // Focus on a function chosen by clicking its row: the table becomes the focused profile's top.
  await page.click('#top-table tr.row[data-name="main.warmLoop"]');
  assert.equal(await page.inputValue("#refine"), "^(main\\.warmLoop)$");
  await Promise.all([page.waitForURL(/f=/), page.click('button[data-refine="focus"]')]);
  const focusedConfig = { ...defaultConfig(), focus: "^(main\\.warmLoop)$" };
  const focused = topRows(p, defaultFilter(p, focusedConfig), "samples");
  const shown = await shownRows(page);
  assert.deepEqual(shown, focused);
  assert.ok(shown.some((r) => r.name === "main.warmLoop") && !shown.some((r) => r.name === "main.hotLoop"));
  assert.match(await page.textContent("#active-filters") ?? "", /focus=\^\(main\\\.warmLoop\)\$/);

  // Reset, then the flame graph: the widest call path's frames, each drawn with its name.
  await Promise.all([page.waitForURL((u) => !u.search.includes("f=")), page.click('button[data-refine="reset"]')]);
  await Promise.all([page.waitForURL(/flamegraph/), page.click("#view-flamegraph")]);
  await page.waitForSelector("#flame .fr");
  const frames = await page.$$eval("#flame .fr", (els) => els.map((e) => ({ text: e.textContent ?? "", title: e.getAttribute("title") ?? "", width: e.getBoundingClientRect().width })));
  const tree = flameTree(p, { ...defaultConfig(), sampleIndex: "samples" });
  for (let n = tree.root.children[0]; n; n = n.children[0]) {
    const f = frames.find((x) => x.title.startsWith(`${n!.name} — ${tree.format(n!.value)} (`));
    assert.ok(f, `frame ${n.name} is drawn with its value`);
    if (f.width > 150) assert.equal(f.text, n.name, "a wide frame is labelled with its name");
  }
  for (const name of ["main.hotLoop", "main.warmLoop"]) assert.ok(frames.some((f) => f.text === name), name);
  const rootWidth = frames.find((f) => f.text === "root")!.width;

  // Click a frame: it fills the width, and its function can be focused from there.
  await page.click('#flame .fr:text-is("main.warmLoop")');
  const zoomed = await page.$eval('#flame .fr:text-is("main.warmLoop")', (e) => e.getBoundingClientRect().width);
  assert.ok(Math.abs(zoomed - rootWidth) < 2, `zoomed frame is full width (${zoomed} vs ${rootWidth})`);
  await Promise.all([page.waitForURL(/f=/), page.click('#flame-actions a[data-action="focus"]')]);
  assert.equal(new URL(page.url()).searchParams.get("f"), "^main\\.warmLoop$");
  await page.waitForSelector("#flame .fr");
  const focusedFrames = await page.$$eval("#flame .fr", (els) => els.map((e) => e.textContent ?? ""));
  assert.ok(focusedFrames.includes("main.warmLoop") && !focusedFrames.includes("main.hotLoop"));

  // The graph view draws the call graph as SVG.
  await Promise.all([page.waitForURL(/graph/), page.click("#view-graph")]);
  assert.ok(await page.$$eval("#graph svg g.node", (g) => g.length) >= 3);
  assert.deepEqual(errors, []);
});
