// Reports on hand-built profiles (tsprof-style CPU and heap profiles, inline
// frames, address-only locations, odd names, negative values), compared line
// for line with `go tool pprof` on the same files.

import { test } from "node:test";
import assert from "node:assert/strict";
import { needGo } from "../helpers/tools.ts";
import type { ReportKind } from "../../src/analyzer/report/index.ts";
import { assertSameAsGo, ours } from "./report-helpers.ts";
import { cpuProfile, diffProfile, heapProfile, inlineProfile, save } from "./synthetic-profiles.ts";

const files = {
  cpu: save("cpu", cpuProfile()),
  heap: save("heap", heapProfile()),
  inline: save("inline", inlineProfile()),
  diff: save("diff", diffProfile()),
};

interface Case { file: keyof typeof files; kind: ReportKind; flags?: string[]; arg?: string }
const cases: Case[] = [];
for (const file of Object.keys(files) as (keyof typeof files)[]) {
  for (const kind of ["top", "traces", "tags", "tree", "dot", "raw", "callgrind"] as ReportKind[]) cases.push({ file, kind });
  for (const g of ["-lines", "-files", "-filefunctions", "-addresses", "-noinlines", "-cum"]) {
    cases.push({ file, kind: "top", flags: [g] });
    cases.push({ file, kind: "traces", flags: [g] });
  }
  cases.push({ file, kind: "dot", flags: ["-lines"] });
  cases.push({ file, kind: "dot", flags: ["-addresses"] });
  cases.push({ file, kind: "tree", flags: ["-nodecount=2"] });
  cases.push({ file, kind: "top", flags: ["-unit=auto"] });
  cases.push({ file, kind: "top", flags: ["-mean"] });
  cases.push({ file, kind: "peek", arg: "main|ServeHTTP" });
  cases.push({ file, kind: "list", arg: "." });
  cases.push({ file, kind: "top", flags: ["-focus=.", "-hide=zzzz"] });
}
cases.push(
  { file: "cpu", kind: "top", flags: ["-sample_index=samples"] },
  { file: "cpu", kind: "dot", flags: ["-nodecount=4"] },
  // (Not on "cpu": its recursive fib makes tree nodes go tool pprof itself orders at random.)
  { file: "inline", kind: "dot", flags: ["-call_tree"] },
  { file: "inline", kind: "dot", flags: ["-call_tree", "-nodecount=3"] },
  { file: "heap", kind: "dot", flags: ["-call_tree", "-nodefraction=0.3"] },
  { file: "cpu", kind: "dot", flags: ["-nodefraction=0.2", "-edgefraction=0.2"] },
  { file: "cpu", kind: "top", flags: ["-nodefraction=0.05"] },
  { file: "cpu", kind: "top", flags: ["-unit=hrs"] },
  { file: "cpu", kind: "top", flags: ["-unit=us"] },
  { file: "cpu", kind: "top", flags: ["-unit=B"] },
  { file: "cpu", kind: "tags", flags: ["-unit=ms"] },
  { file: "cpu", kind: "list", arg: "fib|loadConfig", flags: ["-lines"] },
  { file: "heap", kind: "top", flags: ["-sample_index=alloc_space"] },
  { file: "heap", kind: "top", flags: ["-sample_index=alloc_objects"] },
  { file: "heap", kind: "top", flags: ["-unit=mb"] },
  { file: "heap", kind: "top", flags: ["-unit=kilobyte"] },
  { file: "heap", kind: "tags", flags: ["-sample_index=alloc_space"] },
  { file: "heap", kind: "dot", flags: ["-sample_index=alloc_space"] },
  { file: "inline", kind: "top", flags: ["-sample_index=contentions"] },
  { file: "inline", kind: "dot", flags: ["-noinlines"] },
  { file: "inline", kind: "tree", flags: ["-addresses"] },
  { file: "diff", kind: "top", flags: ["-drop_negative"] },
);

for (const c of cases) {
  const flags = c.flags ?? [];
  test(`${c.kind}${c.arg !== undefined ? "=" + c.arg : ""} ${flags.join(" ")} on ${c.file} matches go tool pprof`, (t) => {
    if (!needGo(t)) return;
    assertSameAsGo(files[c.file], c.kind, flags, c.arg);
  });
}

test("list reads a source that exists only in a source map's sourcesContent", async () => {
  const { mkdirSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { workDir } = await import("./synthetic-profiles.ts");
  const { ProfileBuilder } = await import("../../src/profile/builder.ts");
  const { defaultConfig } = await import("../../src/analyzer/config.ts");
  const { generateReport } = await import("../../src/analyzer/report/index.ts");
  const dist = join(workDir, "mapped", "dist");
  mkdirSync(dist, { recursive: true });
  const tsPath = join(workDir, "mapped", "src", "gone.ts"); // never written to disk
  const source = ["export function hot(n: number) {", "  let s = 0;", "  for (let i = 0; i < n; i++) s += i;", "  return s;", "}"].join("\n");
  writeFileSync(join(dist, "app.js"), "function hot(n){let s=0;for(let i=0;i<n;i++)s+=i;return s}\n//# sourceMappingURL=app.js.map\n");
  writeFileSync(join(dist, "app.js.map"), JSON.stringify({ version: 3, sources: ["../src/gone.ts"], sourcesContent: [source], names: [], mappings: "" }));
  const b = new ProfileBuilder({
    sampleType: [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }],
    periodType: { type: "cpu", unit: "nanoseconds" }, period: 10_000_000, mappingFile: join(dist, "app.js"),
  });
  b.addSample([{ name: "hot", file: tsPath, line: 3, column: 0, startLine: 1 }], [5, 50_000_000]);
  const out = generateReport("list", b.build(), defaultConfig(), { sampleIndex: 1, symbol: /hot/ });
  assert.match(out, new RegExp(`ROUTINE ======================== hot in ${tsPath.replaceAll("/", "\\/")}`));
  assert.match(out, /^\s+50ms\s+50ms\s+3:\s+for \(let i = 0; i < n; i\+\+\) s \+= i;$/m);
  assert.match(out, /^\s+\.\s+\.\s+1:export function hot\(n: number\) \{$/m);
  assert.doesNotMatch(out, /Error/);
});
