// Every text report compared line for line with `go tool pprof` on profiles
// written by Go's runtime/pprof (test/fixtures/analyzer/report-profiles,
// made by test/fixtures/analyzer/go/reportgen).

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { needGo } from "../helpers/tools.ts";
import type { ReportKind } from "../../src/analyzer/report/index.ts";
import { ours, theirs } from "./report-helpers.ts";

const dir = join(import.meta.dirname, "../fixtures/analyzer/report-profiles");

interface Case { file: string; kind: ReportKind; flags?: string[]; arg?: string }

const cases: Case[] = [];
const files = ["cpu", "heap", "block", "mutex", "goroutine", "custom"];
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
);

for (const c of cases) {
  const flags = c.flags ?? [];
  const name = `${c.kind}${c.arg !== undefined ? "=" + c.arg : ""} ${flags.join(" ")} ${c.file}.pb.gz matches go tool pprof`;
  test(name, (t) => {
    if (!needGo(t)) return;
    const file = join(dir, c.file + ".pb.gz");
    let want: string;
    try {
      want = theirs(file, c.kind, flags, c.arg);
    } catch (e) {
      // go tool pprof refused (e.g. no match): we must refuse too.
      assert.throws(() => ours(file, c.kind, flags, c.arg));
      return;
    }
    assert.equal(ours(file, c.kind, flags, c.arg), want);
  });
}
