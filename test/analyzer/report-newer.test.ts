// Reports newer google/pprof has beyond Go 1.19: column numbers
// (-showcolumns) and tag shares of the whole profile (-tag_percentages).
// Without those flags the text stays Go 1.19's (checked against go tool pprof).

import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { needGo } from "../helpers/tools.ts";
import { ProfileBuilder, type Frame } from "../../src/profile/builder.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { runPprof } from "./driver-helpers.ts";
import { assertSameAsGo } from "./report-helpers.ts";
import { cpuProfile, save, workDir } from "./synthetic-profiles.ts";

/** A minified bundle: every function on line 1, told apart only by columns. */
function minifiedProfile(): ProfileData {
  const b = new ProfileBuilder({ sampleType: [{ type: "samples", unit: "count" }], periodType: { type: "cpu", unit: "nanoseconds" }, period: 1 });
  const file = join(workDir, "bundle.min.js");
  const at = (name: string, column: number): Frame => ({ name, file, line: 1, column, startLine: 1 });
  b.addSample([at("a", 15), at("main", 900)], [5]);
  b.addSample([at("b", 120), at("main", 910)], [3]);
  b.addSample([at("b", 180), at("main", 910)], [2]);
  return b.build();
}

const minified = save("minified", minifiedProfile());
const cpu = save("cpu-newer", cpuProfile());

/** The top report's rows as "flat cum name". */
function topRows(out: string): string[] {
  return out.split("\n").filter((l) => /^\s+\d/.test(l)).map((l) => {
    const f = l.trim().split(/\s+/);
    return `${f[0]} ${f[3]} ${f.slice(5).join(" ")}`;
  });
}

test("-showcolumns: line-level nodes are told apart by column, named file:line:col", async () => {
  const r = await runPprof(["-top", "-lines", "-showcolumns", minified]);
  assert.equal(r.code, 0, r.stderr);
  const file = join(workDir, "bundle.min.js");
  assert.deepEqual(topRows(r.stdout), [
    `5 5 a ${file}:1:15`,
    `3 3 b ${file}:1:120`,
    `2 2 b ${file}:1:180`,
    `0 5 main ${file}:1:900`,
    `0 5 main ${file}:1:910`,
  ]);
});

test("-showcolumns changes nothing at function granularity; without it lines merge across columns", async () => {
  const fns = await runPprof(["-top", "-showcolumns", minified]);
  assert.deepEqual(topRows(fns.stdout), ["5 5 a", "5 5 b", "0 10 main"]);
  const lines = await runPprof(["-top", "-lines", minified]);
  const file = join(workDir, "bundle.min.js");
  assert.deepEqual(topRows(lines.stdout), [`5 5 a ${file}:1`, `5 5 b ${file}:1`, `0 10 main ${file}:1`]);
});

test("-lines on a profile with columns matches go tool pprof 1.19 (which ignores them)", (t) => {
  if (!needGo(t)) return;
  assertSameAsGo(minified, "top", ["-lines"]);
  assertSameAsGo(minified, "traces", ["-lines"]);
});

/** A minified bundle on disk, one 724-character line, and a profile of it with the columns where a, b and main start. */
const bundleFile = join(workDir, "app.min.js");
const bundle = "function a(n){let s=0;for(let i=0;i<n;i++)s+=i;return s};" + "x".repeat(142) + "function b(){return a(3)+a(4)};" + "y".repeat(169) + "function main(){b();a(9)}" + "z".repeat(300);
writeFileSync(bundleFile, bundle + "\n");
const col = (name: string) => bundle.indexOf(`function ${name}(`) + 1;
function bundleProfile(): ProfileData {
  const b = new ProfileBuilder({ sampleType: [{ type: "samples", unit: "count" }], periodType: { type: "cpu", unit: "nanoseconds" }, period: 1 });
  const at = (name: string): Frame => ({ name, file: bundleFile, line: 1, column: col(name), startLine: 1 });
  b.addSample([at("a"), at("b"), at("main")], [5]);
  b.addSample([at("b"), at("main")], [3]);
  b.addSample([at("a"), at("main")], [2]);
  return b.build();
}
const bundled = save("bundled", bundleProfile());

test("-list -showcolumns on a one-line bundle: the line cut short, then each sampled column with the code from there", async () => {
  const r = await runPprof(["-list=^main$", "-showcolumns", bundled]);
  assert.equal(r.code, 0, r.stderr);
  const from = (c: number) => "…" + bundle.slice(c - 1, c - 1 + 60) + "…";
  assert.deepEqual(r.stdout.split("\n").slice(3), [
    `         .         10      1:${bundle.slice(0, 100)}… (${bundle.length} characters)`,
    `         .         10 ${`1:${col("main")}`.padStart(6)}:  ${from(col("main"))}`,
    "",
  ]);
  // main's callee b, at its own column, is listed the same way.
  const b = await runPprof(["-list=^b$", "-showcolumns", bundled]);
  assert.match(b.stdout, new RegExp(`^         3          8 +1:${col("b")}:  …function b\\(\\)`, "m"));
});

test("-list without -showcolumns on the bundle matches go tool pprof 1.19 (the whole line, no columns)", (t) => {
  if (!needGo(t)) return;
  assertSameAsGo(bundled, "list", [], "main|^a$");
});

test("-tag_percentages: each key's total and each value as shares of the profile's total", async () => {
  // cpuProfile: 2100.001ms in all; "job" on 2040ms (a 1500, b 500, init 40).
  const r = await runPprof(["-tags", "-tag_percentages", "-tagshow=job", cpu]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\n").map((l) => l.trim()).filter(Boolean), [
    "job: Total 2.04s of 2.10s (97.14%)",
    "1.50s (71.43%): a",
    "500ms (23.81%): b",
    "40ms ( 1.90%): init",
  ]);
});

test("-tags without -tag_percentages keeps Go 1.19's shares of each key's total", async (t) => {
  const r = await runPprof(["-tags", "-tagshow=job", cpu]);
  assert.match(r.stdout, /1\.5s \(73\.53%\): a/);
  if (!needGo(t)) return;
  assertSameAsGo(cpu, "tags", []);
});
