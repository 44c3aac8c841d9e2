// Issue 13: tsprof's CPU profile against V8's own profiler, started through a
// second inspector session during the same execution, on real packages:
// terser minifying its own bundle, and marked (shipped minified, with a
// source map) parsing markdown. Per-function shares of the top 10 within 2
// points, names as V8's (after source mapping for marked), per-line shares
// of the top 10 lines within 3 points.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// The child runs the built package (dist/, from `node scripts/build.mjs`).
const entry = pathToFileURL(join(here, "../../dist/esm/index.js")).href;
const fixture = join(here, "../fixtures/cpu/fidelity.mjs");
const require = createRequire(import.meta.url);

type Shares = Record<string, number>;
interface Figures {
  samples: { v8: number; tsprof: number };
  functions: { v8: Shares; tsprof: Shares };
  names: { v8: Record<string, string>; tsprof: Record<string, string> };
  lines: { v8: Shares; tsprof: Shares };
}

function run(workload: string): Figures {
  const r = spawnSync(process.execPath, [fixture, entry, workload, "1000"], { encoding: "utf8", timeout: 240_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout) as Figures;
}

/**
 * Runs the workload and checks it; a run that fails is run once more and
 * must pass then. Two samplers watching one execution disagree by chance, most
 * on bursts such as garbage collections (once in CI, on a loaded machine: 10.4%
 * of samples against V8's 7.4%); a fault in tsprof fails both runs.
 */
function checkTwice(workload: string, check: (f: Figures) => void, t: { diagnostic(m: string): void }): void {
  const f = run(workload);
  try {
    check(f);
    return;
  } catch (e) {
    t.diagnostic(`first run (samples ${JSON.stringify(f.samples)}): ${(e as Error).message}; running again`);
  }
  const again = run(workload);
  t.diagnostic(`second run: samples ${JSON.stringify(again.samples)}`);
  check(again);
}

function top(shares: Shares, n: number): [string, number][] {
  return Object.entries(shares).slice(0, n);
}

function assertShares(what: string, reference: Shares, own: Shares, points: number, t: { diagnostic(m: string): void }): void {
  let worst = 0;
  for (const [key, share] of top(reference, 10)) {
    const mine = own[key] ?? 0;
    worst = Math.max(worst, Math.abs(mine - share));
    assert.ok(Math.abs(mine - share) < points, `${what} ${key}: V8 ${share.toFixed(2)}%, tsprof ${mine.toFixed(2)}%`);
  }
  t.diagnostic(`${what}: top 10 within ${worst.toFixed(2)} points of V8's`);
}

test("terser: the same functions, names and lines as V8's own profiler in the same run", (t) => {
  checkTwice("terser", (f) => {
    assert.ok(f.samples.v8 > 300 && f.samples.tsprof > 300, JSON.stringify(f.samples));
    assertShares("functions", f.functions.v8, f.functions.tsprof, 2, t);
    for (const [key] of top(f.functions.v8, 10)) {
      const v8Name = f.names.v8[key];
      if (v8Name === undefined) continue; // a pseudo-function: (garbage collector), (program), a regular expression
      const own = f.names.tsprof[key];
      if (v8Name === "") assert.match(own ?? "", /^\(anonymous /, `${key}: anonymous in V8`);
      else assert.equal(own, v8Name, key);
    }
    assertShares("lines", f.lines.v8, f.lines.tsprof, 3, t);
  }, t);
});

test("marked, minified with a source map: the same functions as V8's own profiler, under their original names", (t) => {
  checkTwice("marked", (f) => {
    assert.ok(f.samples.v8 > 300 && f.samples.tsprof > 300, JSON.stringify(f.samples));
    assertShares("functions (V8's mapped through marked's source map)", f.functions.v8, f.functions.tsprof, 2, t);
    const markedDir = dirname(require.resolve("marked/package.json"));
    const mapNames = new Set((JSON.parse(readFileSync(join(markedDir, "lib/marked.esm.js.map"), "utf8")) as { names: string[] }).names);
    let renamed = 0;
    for (const [key] of top(f.functions.v8, 10)) {
      const v8Name = f.names.v8[key];
      if (v8Name === undefined) continue;
      assert.ok(key.includes("/marked/src/"), `${key}: mapped to marked's sources`);
      const own = f.names.tsprof[key] ?? "";
      // A name the bundler kept is V8's too; one it shortened comes from the map's names.
      const fromSources = own === v8Name || mapNames.has(own.replace(/^#/, "")) || mapNames.has(own) || /^\(anonymous /.test(own);
      assert.ok(fromSources, `${key}: tsprof names it ${own}, neither V8's name nor one of marked's sources (V8: ${v8Name})`);
      if (own !== v8Name) renamed++;
    }
    // The bundle's minified names (#e, #t) are among the hottest: they show as in the sources.
    assert.ok(renamed >= 1, JSON.stringify(f.names));
    assert.ok(Object.values(f.names.tsprof).includes("#tokenizeInlines"), JSON.stringify(f.names.tsprof));
  }, t);
});
