// The web UI over HTTP: routes and redirects as google/pprof's, pages built
// from the same reports as the text output, errors as page errors (400).

import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { defaultConfig } from "../../src/analyzer/config.ts";
import { computeTotal, generateReport } from "../../src/analyzer/report/index.ts";
import type { FlameData } from "../../src/analyzer/flame/index.ts";
import { serveWebUI } from "../../src/analyzer/web/index.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { mergeProfiles } from "../../src/profile/merge.ts";
import { parseTop } from "../helpers/tools.ts";
import { loadProfile, sampleIndexOf } from "./report-helpers.ts";

const fixture = "test/fixtures/analyzer/report-profiles/cpu.pb.gz";

const decodeEntities = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/** The top table's rows: [flat, flat%, sum%, cum, cum%, name] as shown. */
function tableRows(html: string): string[][] {
  return [...html.matchAll(/<tr class="row"[^>]*>(.*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => decodeEntities(c[1]!)).slice(0, 6));
}

function expectedRows(text: string): string[][] {
  return parseTop(text).map((r) => [r.flat, `${r.flatPct.toFixed(2)}%`, "", r.cum, `${r.cumPct.toFixed(2)}%`, r.name.replace(/ \((partial-)?inline\)$/, "")]);
}

function sameRows(got: string[][], want: string[][]): void {
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    assert.equal(g[0], w[0]);
    assert.equal(g[3], w[3]);
    assert.equal(g[5], w[5]);
    // Percentages: "100%" is printed without decimals, as in the text report.
    assert.equal(Number.parseFloat(g[1]!), Number.parseFloat(w[1]!));
    assert.equal(Number.parseFloat(g[4]!), Number.parseFloat(w[4]!));
  });
}

test("web UI over HTTP: redirects, views, numbers, errors, download", async (t) => {
  const p = loadProfile(fixture);
  const ui = await serveWebUI({ profile: p, config: defaultConfig() });
  t.after(() => ui.close());
  assert.match(ui.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const get = (path: string) => fetch(ui.url + path, { redirect: "manual" });

  let r = await get("/?si=samples");
  assert.equal(r.status, 307);
  assert.equal(r.headers.get("location"), "/ui/?si=samples");
  r = await get("/ui/");
  assert.equal(r.status, 301);
  assert.equal(r.headers.get("location"), "/ui/flamegraph");
  assert.equal((await get("/ui/nothing")).status, 404);
  assert.equal((await get("/ui/diff")).status, 404, "no diff view without a base");

  // The top table: the rows of `top`, for the default sample type and for another.
  for (const si of [undefined, "samples"]) {
    r = await get("/ui/top" + (si ? `?si=${si}` : ""));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "text/html; charset=utf-8");
    const index = sampleIndexOf(p, si);
    const want = generateReport("top", p, defaultConfig(), { sampleIndex: index, total: computeTotal(p, index) });
    sameRows(tableRows(await r.text()), expectedRows(want));
  }

  // Every view answers, with the report's content.
  const graph = await (await get("/ui/graph")).text();
  assert.match(graph, /<div id="graph"><svg /);
  assert.match(graph, /main\.hotLoop/);
  const flame = await (await get("/ui/flamegraph")).text();
  assert.match(flame, /id="flame-data"/);
  // A frame's callees, as a zoom asks for them: the node's subtree, numbered as in the page's data.
  const page = JSON.parse(/id="flame-data">(.*?)<\/script>/s.exec(flame)![1]!) as FlameData;
  const node = page.depth.indexOf(1);
  r = await get(`/ui/flamedata?node=${page.id[node]}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "application/json");
  const part = (await r.json()) as FlameData;
  assert.equal(part.id[0], page.id[node]);
  assert.equal(part.names[part.name[0]!], page.names[page.name[node]!]);
  assert.equal(part.value[0], page.value[node]);
  assert.equal((await get("/ui/flamedata?node=99999999")).status, 404);
  assert.equal((await get("/ui/flamedata?node=x")).status, 404);
  assert.equal((await get("/ui/flamedata?node=0&f=(")).status, 400);
  const peek = await (await get("/ui/peek?f=hotLoop")).text();
  assert.ok(decodeEntities(peek).includes(generateReport("peek", p, { ...defaultConfig(), focus: "hotLoop" }, { sampleIndex: sampleIndexOf(p, undefined), total: computeTotal(p, sampleIndexOf(p, undefined)), symbol: /hotLoop/ }).split("\n").slice(-4).join("\n")));
  const source = await (await get("/ui/source?f=hotLoop")).text();
  assert.match(source, /ROUTINE =+ main\.hotLoop/);
  assert.match(await (await get("/ui/peek")).text(), /Type a regexp/);

  // Focus from the URL: the table is the top of the focused profile, percentages of the whole.
  r = await get("/ui/top?f=warmLoop");
  const focused = tableRows(await r.text());
  assert.ok(focused.some((row) => row[5] === "main.warmLoop"));
  assert.ok(!focused.some((row) => row[5] === "main.hotLoop"));

  // Bad input is the page's error, not the server's.
  r = await get("/ui/top?f=(");
  assert.equal(r.status, 400);
  assert.match(await r.text(), /id="error">parsing focus regexp/);
  r = await get("/ui/top?si=nosuch");
  assert.equal(r.status, 400);
  assert.match(decodeEntities(await r.text()), /sample_index "nosuch" must be one of: \[samples cpu\]/);

  r = await get("/ui/download");
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "application/vnd.google.protobuf+gzip");
  assert.equal(r.headers.get("content-disposition"), "attachment;filename=profile.pb.gz");
  const back = decodeProfile(gunzipSync(Buffer.from(await r.arrayBuffer())));
  assert.equal(computeTotal(back, 1), computeTotal(p, 1));
});

test("web UI with -diff_base: a diff view of base and new values per function", async (t) => {
  const p = loadProfile(fixture);
  const base = mergeProfiles([p]);
  for (const s of base.sample) s.value = s.value.map((v) => Math.trunc(v / 2));
  const ui = await serveWebUI({ profile: p, base: { profile: base, diffBase: true }, config: defaultConfig() });
  t.after(() => ui.close());
  const html = await (await fetch(ui.url + "/ui/diff")).text();
  assert.match(html, /id="view-diff" class="current"/);
  const si = sampleIndexOf(p, undefined);
  const topNew = parseTop(generateReport("top", p, defaultConfig(), { sampleIndex: si }));
  const topBase = parseTop(generateReport("top", base, defaultConfig(), { sampleIndex: si }));
  const rows = [...html.matchAll(/<tr class="row" data-name="([^"]*)">(.*?)<\/tr>/g)].map((m) => ({ name: decodeEntities(m[1]!), cells: [...m[2]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!) }));
  const hot = rows.find((r) => r.name === "main.hotLoop")!;
  assert.ok(hot);
  assert.equal(hot.cells[3], topBase.find((r) => r.name === "main.hotLoop")!.cum);
  assert.equal(hot.cells[4], topNew.find((r) => r.name === "main.hotLoop")!.cum);
  assert.match(hot.cells[5]!, /^\+/);
  // The other views show the combined profile, relative to the base (go tool pprof -diff_base).
  const top = await (await fetch(ui.url + "/ui/top")).text();
  assert.equal(tableRows(top).length > 0, true);
});

test("web UI on loopback refuses other addresses: what counts as loopback", async () => {
  const { isLoopback } = await import("../../src/analyzer/web/server.ts");
  for (const a of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) assert.equal(isLoopback(a), true, a);
  for (const a of ["10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "", undefined]) assert.equal(isLoopback(a), false, String(a));
});

test("web UI with -base: the top table is `top` of the difference", async (t) => {
  const { combineSources } = await import("../../src/analyzer/filter/index.ts");
  const p = loadProfile(fixture);
  const base = loadProfile("test/fixtures/analyzer/report-profiles/cpu-base.pb.gz");
  const ui = await serveWebUI({ profile: p, base: { profile: base, diffBase: false }, config: defaultConfig() });
  t.after(() => ui.close());
  const combined = combineSources([p], { base: mergeProfiles([base]) });
  const si = sampleIndexOf(combined, undefined);
  const want = generateReport("top", combined, defaultConfig(), { sampleIndex: si, total: computeTotal(combined, si) });
  const html = await (await fetch(ui.url + "/ui/top")).text();
  const rows = tableRows(html);
  assert.deepEqual(rows.map((r) => [r[0], r[3], r[5]]), parseTop(want).map((r) => [r.flat, r.cum, r.name.replace(/ \((partial-)?inline\)$/, "")]));
  assert.ok(rows.some((r) => r[0]!.startsWith("-")), "some functions shrank");
});

test("web UI top table on a heap profile: each sample type's numbers as `top -sample_index`", async (t) => {
  const p = loadProfile("test/fixtures/analyzer/report-profiles/heap.pb.gz");
  const ui = await serveWebUI({ profile: p, config: defaultConfig() });
  t.after(() => ui.close());
  for (const si of [undefined, "alloc_space", "inuse_objects"]) {
    const html = await (await fetch(ui.url + "/ui/top" + (si ? `?si=${si}` : ""))).text();
    const index = sampleIndexOf(p, si);
    assert.match(html, new RegExp(`<option value="${p.sampleType[index]!.type}" selected>`));
    sameRows(tableRows(html), expectedRows(generateReport("top", p, defaultConfig(), { sampleIndex: index, total: computeTotal(p, index) })));
  }
});

test("web UI Stacks view over HTTP: a bad pivot regexp is the page's error; an unmatched one says so; links keep the options", async (t) => {
  const p = loadProfile(fixture);
  const ui = await serveWebUI({ profile: p, config: defaultConfig() });
  t.after(() => ui.close());
  let r = await fetch(ui.url + "/ui/stacks?p=" + encodeURIComponent("(unclosed"));
  assert.equal(r.status, 400);
  assert.match(await r.text(), /id="error"/);
  r = await fetch(ui.url + "/ui/stacks?si=samples&p=" + encodeURIComponent("^no such function$"));
  assert.equal(r.status, 200);
  const html = await r.text();
  assert.match(html, /id="stacks-note">No frame matches \^no such function\$/);
  // The pivot form carries the sample index along; the other views' links drop the pivot.
  assert.match(html, /<form id="pivot-form"[^>]*><input type="hidden" name="si" value="samples">/);
  assert.match(html, /href="\.\/top\?si=samples" id="view-top"/);
});
