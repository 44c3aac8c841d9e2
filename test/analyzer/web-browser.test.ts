// The web UI in a real browser (Debian's Chromium, driven by Playwright):
// the top table shows the numbers of `top`, the sample index chooser and the
// focus box change them, and the flame graph draws the expected frames.

import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { chromium, type Browser, type Page } from "playwright-core";
import { defaultConfig } from "../../src/analyzer/config.ts";
import { flameTree } from "../../src/analyzer/flame/index.ts";
import { computeTotal, generateReport } from "../../src/analyzer/report/index.ts";
import { defaultFilter, serveWebUI } from "../../src/analyzer/web/index.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { ProfileBuilder } from "../../src/profile/builder.ts";
import { encodeProfile } from "../../src/profile/encode.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { chromiumPath, needChromium, parseTop } from "../helpers/tools.ts";
import { loadProfile, sampleIndexOf } from "./report-helpers.ts";

// The page's globals, as the page.evaluate callbacks below use them (they run
// in Chromium; the tests are type-checked without the DOM library).
interface PageCanvas {
  width: number;
  getBoundingClientRect(): { left: number; top: number; width: number };
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
declare const window: { scrollX: number; scrollY: number };
declare const document: {
  querySelector(selector: string): unknown;
  getElementById(id: string): { hasAttribute(name: string): boolean } | null;
};

const fixture = "test/fixtures/analyzer/report-profiles/cpu.pb.gz";
const launchArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** The top table as the page shows it: flat, cum and name of each row. */
async function shownRows(page: Page): Promise<{ flat: string; cum: string; name: string }[]> {
  return page.$$eval("#top-table tr.row", (trs) => trs.map((tr) => {
    const td = [...tr.querySelectorAll("td")].map((c) => c.textContent ?? "");
    return { flat: td[0]!, cum: td[3]!, name: td[5]! };
  }));
}

interface DrawnFrame { name: string; text: string; description: string; x: number; y: number; width: number; height: number }

/** What the flame graph's canvas shows: each frame drawn, with its text and description, in page coordinates. */
async function drawnFrames(page: Page): Promise<DrawnFrame[]> {
  return page.evaluate(() => (window as unknown as { tsprofFlame: { frames(): DrawnFrame[] } }).tsprofFlame.frames());
}

/** The colour of the canvas at a page position, "r,g,b,a". */
async function pixel(page: Page, x: number, y: number): Promise<string> {
  return page.evaluate(([px, py]) => {
    const c = document.querySelector("#flame canvas") as PageCanvas;
    const r = c.getBoundingClientRect();
    const k = c.width / r.width;
    return Array.from(c.getContext("2d")!.getImageData(Math.floor((px! - r.left - window.scrollX) * k), Math.floor((py! - r.top - window.scrollY) * k), 1, 1).data).join(",");
  }, [x, y]);
}

/** Serves `profile`'s web UI and opens a Chromium page; both are closed after the test. Page errors are collected. */
async function openWebUI(t: TestContext, profile: ProfileData): Promise<{ ui: Awaited<ReturnType<typeof serveWebUI>>; page: Page; errors: string[] }> {
  const ui = await serveWebUI({ profile, config: defaultConfig() });
  let browser: Browser | undefined;
  t.after(async () => {
    await browser?.close();
    await ui.close();
  });
  browser = await chromium.launch({ executablePath: chromiumPath!, args: launchArgs });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { ui, page, errors };
}

function topRows(p: ProfileData, filtered: ProfileData, sampleType: string | undefined) {
  const si = sampleIndexOf(p, sampleType);
  const text = generateReport("top", filtered, defaultConfig(), { sampleIndex: si, total: computeTotal(p, si) });
  return parseTop(text).map((r) => ({ flat: r.flat, cum: r.cum, name: r.name.replace(/ \((partial-)?inline\)$/, "") }));
}

test("web UI in Chromium: top numbers, sample index, focus, flame graph", { timeout: 120_000 }, async (t) => {
  if (!needChromium(t)) return;
  const p = loadProfile(fixture);
  const { ui, page, errors } = await openWebUI(t, p);

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

  // Reset, then the flame graph: the widest call path's frames, each drawn with its name, value and share.
  await Promise.all([page.waitForURL((u) => !u.search.includes("f=")), page.click('button[data-refine="reset"]')]);
  await Promise.all([page.waitForURL(/flamegraph/), page.click("#view-flamegraph")]);
  await page.waitForSelector("#flame[data-drawn]");
  const frames = await drawnFrames(page);
  const tree = flameTree(p, { ...defaultConfig(), sampleIndex: "samples" });
  for (let n = tree.root.children[0]; n; n = n.children[0]) {
    const shown = `${n.name} — ${tree.format(n.value)} (${((100 * n.value) / tree.total).toFixed(2)}%)`;
    const f = frames.find((x) => x.name === n!.name && x.description.startsWith(shown));
    assert.ok(f, `frame ${n.name} is drawn with its value`);
    if (f.width > 150) assert.equal(f.text, n.name, "a wide frame is labelled with its name");
    // Hovering it shows the same in the details line.
    await page.mouse.move(f.x + f.width / 2, f.y + f.height / 2);
    assert.equal(await page.textContent("#flame-details"), f.description);
  }
  for (const name of ["main.hotLoop", "main.warmLoop"]) assert.ok(frames.some((f) => f.text === name), name);
  const rootWidth = frames.find((f) => f.text === "root")!.width;
  const warm = frames.find((f) => f.text === "main.warmLoop")!;
  assert.notEqual(await pixel(page, warm.x + warm.width / 2, warm.y + 2), "255,255,255,255", "the frame is painted");

  // Click a frame: it fills the width, and its function can be focused from there.
  await page.mouse.click(warm.x + warm.width / 2, warm.y + warm.height / 2);
  const zoomed = (await drawnFrames(page)).find((f) => f.text === "main.warmLoop")!;
  assert.ok(Math.abs(zoomed.width - rootWidth) < 2, `zoomed frame is full width (${zoomed.width} vs ${rootWidth})`);
  await Promise.all([page.waitForURL(/f=/), page.click('#flame-actions a[data-action="focus"]')]);
  assert.equal(new URL(page.url()).searchParams.get("f"), "^main\\.warmLoop$");
  await page.waitForSelector("#flame[data-drawn]");
  const focusedFrames = (await drawnFrames(page)).map((f) => f.name);
  assert.ok(focusedFrames.includes("main.warmLoop") && !focusedFrames.includes("main.hotLoop"));

  // The graph view draws the call graph as SVG.
  await Promise.all([page.waitForURL(/graph/), page.click("#view-graph")]);
  assert.ok(await page.$$eval("#graph svg g.node", (g) => g.length) >= 3);
  assert.deepEqual(errors, []);
});

test("web UI in Chromium: zooming into a frame fetches the callees too narrow to send at first", { timeout: 60_000 }, async (t) => {
  if (!needChromium(t)) return;
  // One wide path, and main.fanout → 10 mids → 100 leaves of 20 samples each: a leaf is 1/6,000 of the total,
  // drawn by the page (over 1/10,000) but narrower than what it is sent at first (1/2,000).
  const b = new ProfileBuilder({ sampleType: [{ type: "samples", unit: "count" }], periodType: { type: "samples", unit: "count" }, period: 1, mappingFile: "/app/main.js" });
  const fn = (name: string) => ({ name, file: "/app/main.js", line: 1, column: 0, startLine: 1 });
  b.addSample([fn("main.busy"), fn("main.main")], [100_000]);
  for (let m = 0; m < 10; m++) {
    for (let l = 0; l < 100; l++) b.addSample([fn(`main.leaf${m}_${l}`), fn(`main.mid${m}`), fn("main.fanout"), fn("main.main")], [20]);
  }
  const p = decodeProfile(encodeProfile(b.build()));
  const { ui, page, errors } = await openWebUI(t, p);
  await page.goto(ui.url + "/ui/");
  await page.waitForSelector("#flame[data-drawn]");
  const before = await drawnFrames(page);
  assert.ok(!before.some((f) => f.name.startsWith("main.leaf")), "leaves are not sent at first");
  const mid = before.find((f) => f.name === "main.mid3")!;
  assert.ok(mid, "main.mid3 is drawn");

  await page.mouse.click(mid.x + mid.width / 2, mid.y + mid.height / 2);
  await page.waitForFunction(() => !document.getElementById("flame")!.hasAttribute("data-loading"));
  const after = await drawnFrames(page);
  const leaves = after.filter((f) => f.name.startsWith("main.leaf3_"));
  assert.equal(leaves.length, 100, "every callee of the zoomed frame is drawn");
  assert.ok(leaves.every((f) => f.description === `${f.name} — 20 (0.02%), self 20`), leaves[0]?.description);
  assert.ok(Math.abs(leaves[0]!.width - after.find((f) => f.name === "main.mid3")!.width / 100) < 0.5, "each a hundredth of its caller");
  assert.deepEqual(errors, []);
});

test("web UI in Chromium: tag focus and tag ignore from the refine box", { timeout: 60_000 }, async (t) => {
  if (!needChromium(t)) return;
  const p = loadProfile(fixture);
  const { ui, page, errors } = await openWebUI(t, p);
  await page.goto(ui.url + "/ui/top");
  const all = await shownRows(page);

  // The samples labelled job=b only: the numbers of `top -tagfocus=job=b`.
  await page.fill("#refine", "job=b");
  await Promise.all([page.waitForURL(/tf=/), page.click('button[data-refine="tagfocus"]')]);
  assert.equal(new URL(page.url()).searchParams.get("tf"), "job=b");
  const focused = await shownRows(page);
  assert.deepEqual(focused, topRows(p, defaultFilter(p, { ...defaultConfig(), tagFocus: "job=b" }), undefined));
  assert.notDeepEqual(focused, all);
  assert.match(await page.textContent("#active-filters") ?? "", /tagfocus=job=b/);

  // Reset, then everything but job=b: `top -tagignore=job=b`.
  await Promise.all([page.waitForURL((u) => !u.search.includes("tf=")), page.click('button[data-refine="reset"]')]);
  assert.deepEqual(await shownRows(page), all);
  await page.fill("#refine", "job=b");
  await Promise.all([page.waitForURL(/ti=/), page.click('button[data-refine="tagignore"]')]);
  assert.deepEqual(await shownRows(page), topRows(p, defaultFilter(p, { ...defaultConfig(), tagIgnore: "job=b" }), undefined));

  // A bad regexp is the page's error, with the header still there.
  await page.fill("#refine", "job=(");
  await Promise.all([page.waitForURL(/tf=/), page.click('button[data-refine="tagfocus"]')]);
  assert.match(await page.textContent("#error") ?? "", /^parsing tagfocus regexp: /);
  assert.ok(await page.$('button[data-refine="reset"]'));
  assert.deepEqual(errors, []);
});

/**
 * Call paths (root first) through `parse`, which is reached from handle,
 * worker, boot→loadConfig and, recursively, from main directly.
 */
function pivotProfile(): ProfileData {
  const b = new ProfileBuilder({ sampleType: [{ type: "samples", unit: "count" }], periodType: { type: "cpu", unit: "nanoseconds" }, period: 1 });
  const add = (path: string[], v: number) => b.addSample(path.reverse().map((name) => ({ name, file: `/app/${name}.js`, line: 1, column: 0, startLine: 1 })), [v]);
  add(["main", "handle", "parse", "scan"], 4);
  add(["main", "handle", "parse"], 1);
  add(["main", "worker", "parse", "scan"], 3);
  add(["main", "boot", "loadConfig", "parse"], 2);
  add(["main", "handle", "render"], 5);
  add(["gc"], 1);
  add(["main", "parse", "parse", "scan"], 2);
  return b.build();
}

interface StackBox { kind: string; name: string; value: number; self: number; row: number; x: number; y: number; width: number }

/** The Stacks view's boxes, as laid out in the page. */
async function stackBoxes(page: Page): Promise<StackBox[]> {
  return page.$$eval("#stacks .stk", (divs) => divs.map((d) => {
    // (No helper functions in here: the callback runs in the page, without tsx's helpers.)
    const r = d.getBoundingClientRect();
    return {
      kind: d.className.replace("stk ", ""), name: d.getAttribute("data-name") ?? "", value: Number(d.getAttribute("data-value")),
      self: Number(d.getAttribute("data-self")), row: Number(d.getAttribute("data-row")), x: r.left, y: r.top, width: r.width,
    };
  }));
}

test("web UI in Chromium: the Stacks view pivots on a frame, its callers merged above and its callees below", { timeout: 60_000 }, async (t) => {
  if (!needChromium(t)) return;
  const { ui, page, errors } = await openWebUI(t, pivotProfile());

  // From the flame graph: click a parse frame, then "Callers & callees".
  await page.goto(ui.url + "/ui/flamegraph");
  await page.waitForSelector("#flame[data-drawn]");
  const parse = (await drawnFrames(page)).filter((f) => f.name === "parse").sort((a, b) => b.width - a.width)[0]!;
  await page.mouse.click(parse.x + parse.width / 2, parse.y + parse.height / 2);
  await Promise.all([page.waitForURL(/\/ui\/stacks\?/), page.click('#flame-actions a[data-action="stacks"]')]);
  assert.equal(new URL(page.url()).searchParams.get("p"), "^parse$");

  // parse is on 12 of the 18 samples; the recursive path counts once, at its outermost parse.
  const boxes = await stackBoxes(page);
  const line = (b: StackBox) => `${b.kind} ${b.row} ${b.name} ${b.value}${b.kind === "caller" ? "" : ` self ${b.self}`}`;
  assert.deepEqual(boxes.map(line), [
    "pivot 0 parse 12 self 3",
    "callee 1 scan 7 self 7",
    "callee 1 parse 2 self 0",
    "callee 2 scan 2 self 2",
    "caller -1 handle 5",
    "caller -2 main 5",
    "caller -1 worker 3",
    "caller -2 main 3",
    "caller -1 loadConfig 2",
    "caller -2 boot 2",
    "caller -3 main 2",
    "caller -1 main 2",
  ]);
  assert.match(await page.textContent("#stacks-note") ?? "", /parse: 12 \(66\.67%\) of 18/);

  // Laid out as drawn: callers above the pivot, callees below, widths in proportion to values.
  const pivot = boxes[0]!;
  const by = (kind: string, name: string, row: number) => boxes.find((b) => b.kind === kind && b.name === name && b.row === row)!;
  const handle = by("caller", "handle", -1), scan = by("callee", "scan", 1), loadConfig = by("caller", "loadConfig", -1);
  assert.ok(handle.y < pivot.y && loadConfig.y < pivot.y && scan.y > pivot.y);
  assert.ok(by("caller", "main", -3).y < by("caller", "boot", -2).y);
  assert.ok(Math.abs(handle.width - (pivot.width * 5) / 12) < 2, `${handle.width} vs ${pivot.width}`);
  assert.ok(Math.abs(scan.width - (pivot.width * 7) / 12) < 2, `${scan.width} vs ${pivot.width}`);
  assert.ok(Math.abs(by("caller", "worker", -1).x - (handle.x + handle.width)) < 2, "callers side by side, heaviest first");

  // Clicking a caller pivots on it: handle (10 samples) is called by main and calls render and parse.
  await Promise.all([page.waitForURL(/p=%5Ehandle%24/), page.click('#stacks .stk.caller[data-name="handle"] a')]);
  assert.deepEqual((await stackBoxes(page)).map(line), [
    "pivot 0 handle 10 self 0",
    "callee 1 parse 5 self 1",
    "callee 2 scan 4 self 4",
    "callee 1 render 5 self 5",
    "caller -1 main 10",
  ]);

  // Without a pivot: the whole profile from the root, as a flame graph.
  await Promise.all([page.waitForURL((u) => !u.search.includes("p=")), page.click("#unpivot")]);
  const whole = await stackBoxes(page);
  assert.equal(whole[0]!.name, "root");
  assert.equal(whole[0]!.value, 18);
  assert.ok(!whole.some((b) => b.kind === "caller"));
  assert.deepEqual(errors, []);
});
