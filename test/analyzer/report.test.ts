// Every text report compared line for line with `go tool pprof` on profiles
// written by Go's runtime/pprof (test/fixtures/analyzer/report-profiles,
// made by test/fixtures/analyzer/go/reportgen).

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { needGo } from "../helpers/tools.ts";
import type { ReportKind } from "../../src/analyzer/report/index.ts";
import { assertSameAsGo } from "./report-helpers.ts";

const dir = join(import.meta.dirname, "../fixtures/analyzer/report-profiles");

interface Case { file: string; kind: ReportKind; flags?: string[]; arg?: string; unordered?: boolean }

const cases: Case[] = [];
const files = ["cpu", "heap", "allocs", "block", "mutex", "goroutine", "custom"];
for (const f of files) {
  for (const kind of ["top", "traces", "tags", "tree", "raw"] as ReportKind[]) cases.push({ file: f, kind });
  cases.push({ file: f, kind: "top", flags: ["-cum"] });
  cases.push({ file: f, kind: "top", flags: ["-lines"] });
  cases.push({ file: f, kind: "top", flags: ["-files"] });
  cases.push({ file: f, kind: "top", flags: ["-filefunctions"] });
  cases.push({ file: f, kind: "top", flags: ["-addresses"] });
  cases.push({ file: f, kind: "top", flags: ["-noinlines"] });
  cases.push({ file: f, kind: "top", flags: ["-nodecount=3"] });
  cases.push({ file: f, kind: "peek", arg: "main\\." });
  cases.push({ file: f, kind: "dot" });
  cases.push({ file: f, kind: "callgrind" });
}
cases.push(
  { file: "cpu", kind: "top", flags: ["-unit=ms"] },
  { file: "cpu", kind: "top", flags: ["-unit=s"] },
  { file: "cpu", kind: "top", flags: ["-sample_index=samples"] },
  { file: "cpu", kind: "top", flags: ["-nodefraction=0.1"] },
  { file: "cpu", kind: "top", flags: ["-trim=false"] },
  { file: "cpu", kind: "tree", flags: ["-lines"] },
  { file: "cpu", kind: "tree", flags: ["-edgefraction=0.2", "-nodecount=4"] },
  { file: "cpu", kind: "traces", flags: ["-lines"] },
  { file: "cpu", kind: "dot", flags: ["-lines"] },
  { file: "cpu", kind: "dot", flags: ["-nodecount=3"] },
  { file: "cpu", kind: "dot", flags: ["-call_tree"] },
  { file: "heap", kind: "top", flags: ["-sample_index=alloc_space"] },
  { file: "heap", kind: "top", flags: ["-sample_index=alloc_objects"] },
  { file: "heap", kind: "top", flags: ["-sample_index=inuse_objects", "-cum"] },
  { file: "heap", kind: "top", flags: ["-mean", "-sample_index=alloc_space"] },
  { file: "heap", kind: "top", flags: ["-unit=kb"] },
  { file: "heap", kind: "top", flags: ["-unit=auto"] },
  { file: "heap", kind: "tags", flags: ["-sample_index=alloc_space"] },
  { file: "heap", kind: "traces", flags: ["-mean"] },
  { file: "heap", kind: "dot", flags: ["-sample_index=alloc_space"] },
  { file: "block", kind: "top", flags: ["-sample_index=contentions"] },
  { file: "block", kind: "top", flags: ["-mean"] },
  { file: "mutex", kind: "top", flags: ["-unit=us"] },
  { file: "cpu", kind: "top", flags: ["-compact_labels"] },
  { file: "cpu", kind: "top", flags: ["-divide_by=2"] },
  { file: "cpu", kind: "list", arg: "main.hotLoop" },
  { file: "cpu", kind: "list", arg: "main\\." },
  { file: "cpu", kind: "list", arg: "worker", flags: ["-cum"] },
  { file: "cpu", kind: "list", arg: "runtime\\.main$" },
  { file: "cpu", kind: "list", arg: "nosuchfunction" },
  { file: "cpu", kind: "peek", arg: "nosuchfunction" },
  { file: "heap", kind: "list", arg: "main\\.alloc", flags: ["-sample_index=alloc_space"] },
  { file: "block", kind: "list", arg: "contend" },
  // Filtered reports: percentages of the unfiltered total, or of the
  // filtered one with -relative_percentages (the test filters with a stand-in
  // for the driver's -focus).
  { file: "cpu", kind: "top", flags: ["-focus=warmLoop"] },
  { file: "cpu", kind: "top", flags: ["-focus=warmLoop", "-relative_percentages"] },
  { file: "cpu", kind: "tree", flags: ["-focus=hotLoop"] },
  { file: "cpu", kind: "dot", flags: ["-focus=hotLoop", "-relative_percentages"] },
  { file: "cpu", kind: "traces", flags: ["-focus=warmLoop"] },
  { file: "cpu", kind: "list", arg: "worker", flags: ["-focus=warmLoop"] },
  { file: "heap", kind: "top", flags: ["-focus=allocSmall", "-sample_index=alloc_space"] },
  { file: "heap", kind: "top", flags: ["-focus=allocSmall", "-relative_percentages", "-sample_index=alloc_objects"] },
  { file: "allocs", kind: "top", flags: ["-sample_index=inuse_space"] },
  { file: "allocs", kind: "list", arg: "main\\.alloc" },
  { file: "allocs", kind: "tree", flags: ["-sample_index=alloc_objects", "-cum"] },
  { file: "allocs", kind: "dot", flags: ["-lines"] },
  { file: "cpu", kind: "tree", flags: ["-cum"] },
  { file: "cpu", kind: "tree", flags: ["-divide_by=3"] },
  { file: "cpu", kind: "tree", flags: ["-noinlines"] },
  { file: "cpu", kind: "peek", arg: "main", flags: ["-lines"] },
  { file: "cpu", kind: "dot", flags: ["-addresses"] },
  { file: "cpu", kind: "dot", flags: ["-edgefraction=0.1"] },
  { file: "cpu", kind: "tags", flags: ["-unit=s"] },
  { file: "cpu", kind: "list", arg: "hotLoop", flags: ["-addresses"] },
  { file: "heap", kind: "dot", flags: ["-mean"] },
  { file: "heap", kind: "tags", flags: ["-mean"] },
  { file: "heap", kind: "traces", flags: ["-sample_index=alloc_objects"] },
  { file: "heap", kind: "top", flags: ["-nodecount=5", "-nodefraction=0", "-edgefraction=0"] },
  { file: "block", kind: "tree", flags: ["-lines"] },
  { file: "mutex", kind: "dot", flags: ["-mean"] },
  { file: "goroutine", kind: "traces", flags: ["-lines"] },
  { file: "custom", kind: "dot", flags: ["-call_tree"] },
);
// -base and -diff_base: negative values, the diff_base total, drop_negative.
const base = join(dir, "cpu-base.pb.gz");
for (const b of [`-diff_base=${base}`, `-base=${base}`]) {
  // (tree and dot: go tool pprof orders edges of equal |weight| and opposite sign at random.)
  for (const kind of ["top", "traces", "tags", "tree", "dot"] as ReportKind[]) cases.push({ file: "cpu", kind, flags: [b], unordered: kind === "tree" || kind === "dot" });
  cases.push(
    { file: "cpu", kind: "top", flags: [b, "-cum"] },
    { file: "cpu", kind: "top", flags: [b, "-lines"] },
    { file: "cpu", kind: "top", flags: [b, "-drop_negative"] },
    { file: "cpu", kind: "top", flags: [b, "-sample_index=samples", "-nodecount=3"] },
    { file: "cpu", kind: "peek", arg: "Loop", flags: [b] },
    { file: "cpu", kind: "list", arg: "main\\.worker", flags: [b] },
  );
}
// (Not dot -call_tree with a base: go tool pprof numbers tree nodes of equal
// |weight| and opposite sign in random order, so no output can match it.)
cases.push(
  { file: "cpu", kind: "top", flags: [`-diff_base=${base}`, "-mean"] },
  { file: "cpu", kind: "top", flags: [`-diff_base=${base}`, "-compact_labels"] },
  { file: "cpu", kind: "top", flags: [`-diff_base=${base}`, "-unit=auto"] },
  { file: "cpu", kind: "raw", flags: [`-diff_base=${base}`] },
  { file: "cpu", kind: "traces", flags: [`-base=${base}`, "-lines"] },
);

for (const c of cases) {
  const flags = c.flags ?? [];
  const shown = flags.map((f) => f.replace(dir + "/", ""));
  const name = `${c.kind}${c.arg !== undefined ? "=" + c.arg : ""} ${shown.join(" ")} ${c.file}.pb.gz matches go tool pprof`;
  test(name, (t) => {
    if (!needGo(t)) return;
    assertSameAsGo(join(dir, c.file + ".pb.gz"), c.kind, flags, c.arg, { unordered: c.unordered });
  });
}

test("generateReportParts joins to generateReport's output", async () => {
  const { loadProfile } = await import("./report-helpers.ts");
  const { defaultConfig } = await import("../../src/analyzer/config.ts");
  const { computeTotal, generateReport, generateReportParts } = await import("../../src/analyzer/report/index.ts");
  const p = loadProfile(join(dir, "cpu.pb.gz"));
  const ctx = { sampleIndex: 1, total: computeTotal(p, 1) };
  for (const kind of ["traces", "top"] as ReportKind[]) {
    const parts = generateReportParts(kind, p, defaultConfig(), ctx);
    if (kind === "traces") assert.ok(parts.length > p.sample.length, "one part per sample");
    assert.equal(parts.join(""), generateReport(kind, p, defaultConfig(), ctx));
  }
});
