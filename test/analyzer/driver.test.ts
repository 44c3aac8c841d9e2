// `tsprof pprof` compared line for line with `go tool pprof` on profiles
// written by Go's runtime/pprof (test/fixtures/analyzer/report-profiles):
// report flags, filters, sample indexes, -base/-diff_base and several sources.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { goPprof, needGo } from "../helpers/tools.ts";
import { runPprof } from "./driver-helpers.ts";

const dir = join(import.meta.dirname, "../fixtures/analyzer/report-profiles");
const f = (name: string) => join(dir, `${name}.pb.gz`);

/** Each case: the arguments given to both tools (files as fixture names, resolved below). */
const cases: string[][] = [];
// Every report kind goes through the driver on the CPU profile; the other
// profiles get the reports and filters whose results depend on their shape
// (the report layouts themselves are compared in report.test.ts).
for (const r of ["-top", "-text", "-traces", "-tags", "-tree", "-raw", "-dot", "-callgrind", "-comments"]) cases.push([r, "@cpu"]);
for (const p of ["cpu", "heap", "block", "mutex", "goroutine", "custom"]) {
  cases.push(["-top", `@${p}`], ["-raw", `@${p}`], ["-traces", "-lines", `@${p}`]);
  cases.push(["-top", "-focus=main", "-hide=runtime", `@${p}`], ["-top", "-ignore=runtime", "-cum", `@${p}`]);
  cases.push(["-top", `@${p}`, `@${p}`]); // two sources merged
}
for (const p of ["cpu", "heap", "goroutine"]) {
  cases.push(["-top", "-show=main\\.", `@${p}`], ["-traces", "-show_from=main\\.main", `@${p}`], ["-top", "-prune_from=main\\.", `@${p}`]);
  cases.push(["-peek=main\\.", `@${p}`]);
}
cases.push(
  ["-top", "-focus=hotLoop", "-relative_percentages", "@cpu"],
  ["-tree", "-focus=worker", "-ignore=hot", "@cpu"],
  ["-traces", "-hide=runtime\\.", "@cpu"],
  ["-top", "-tagfocus=worker", "@cpu"],
  ["-top", "-tagignore=worker", "@cpu"],
  ["-traces", "-tagshow=worker", "@cpu"],
  ["-traces", "-taghide=.", "@cpu"],
  ["-tags", "-tagfocus=job=a", "@cpu"],
  ["-top", "-sample_index=samples", "@cpu"],
  ["-top", "-sample_index=0", "@cpu"],
  ["-top", "-sample_index=alloc_space", "@heap"],
  ["-top", "-alloc_objects", "@heap"],
  ["-top", "-inuse_objects", "-cum", "@heap"],
  ["-top", "-mean", "-sample_index=alloc_space", "@heap"],
  ["-top", "-tagfocus=1kb:", "@heap"],
  ["-top", "-tagfocus=bytes=:64", "@heap"],
  ["-tags", "-tagignore=1mb:", "@heap"],
  ["-top", "-contentions", "@block"],
  ["-top", "-mean_delay", "@mutex"],
  ["-top", "-total_delay", "@block"],
  ["-top", "-base", "@cpu", "@cpu"],
  ["-top", "-diff_base=@heap", "@heap"],
  ["-top", "-base=@block", "@block"],
  ["-top", "-base=@mutex", "@block"],
  ["-top", "-diff_base=@mutex", "@block"],
  ["-traces", "-diff_base=@mutex", "@block"],
  ["-top", "-normalize", "-base=@mutex", "@block"],
  ["-top", "-normalize", "-diff_base=@mutex", "-sample_index=contentions", "@block"],
  ["-top", "@mutex", "@block"],
  ["-top", "-nodecount=3", "-cum", "@cpu"],
  ["-list=main.hotLoop", "@cpu"],
  ["-peek=hotLoop", "-lines", "@cpu"],
  ["-top", "-unit=ms", "@cpu"],
  ["-top", "-divide_by=2", "@cpu"],
  ["-top", "-files", "@heap"],
  ["-traces", "-add_comment=hello", "@cpu"],
  ["-comments", "-add_comment=hello", "@cpu"],
  ["-top", "-tagroot=job", "@cpu"],
  ["-tree", "-tagleaf=job", "-nodecount=6", "@cpu"],
  ["-top", "-tagroot=bytes", "@heap"],
  ["-top", "-tagroot=job", "-focus=^a$", "@cpu"],
);

const resolve = (args: string[]) => args.map((a) => a.replace(/@(\w+)/g, (_, n: string) => f(n)));

for (const args of cases.filter((c) => c.length > 0)) {
  const name = args.join(" ");
  test(`tsprof pprof ${name}`, async (t) => {
    if (!needGo(t)) return;
    const a = resolve(args);
    const ours = await runPprof(a);
    assert.equal(ours.code, 0, ours.stderr);
    const theirs = goPprof(a);
    assert.deepEqual(ours.stdout.split("\n"), theirs.split("\n"));
  });
}

/** Cases where go tool pprof fails: ours fails too, with the same message. */
const failing: [string[], RegExp][] = [
  [["-peek=runtime\\.main$", "@cpu"], /no matches found for regexp: runtime\\\.main\$/],
  [["-top", "-sample_index=bogus", "@cpu"], /sample_index "bogus" must be one of: \[samples cpu\]/],
  [["-top", "-sample_index=9", "@heap"], /sample_index 9 is outside the range \[0\.\.3\]/],
  [["-top", "-base=@heap", "@cpu"], /incompatible/],
  [["-top", "-base=@cpu", "-diff_base=@cpu", "@cpu"], /-base and -diff_base flags cannot both be specified/],
  [["-top", "-normalize", "@cpu"], /must have base profile to normalize by/],
  [["-top", "-raw", "@cpu"], /must set at most one output format/],
];

for (const [args, message] of failing) {
  test(`tsprof pprof ${args.join(" ")} fails as go tool pprof does`, async (t) => {
    if (!needGo(t)) return;
    const a = resolve(args);
    const ours = await runPprof(a);
    assert.notEqual(ours.code, 0);
    assert.equal(ours.stdout, "");
    assert.match(ours.stderr, message);
    assert.equal(ours.stderr.trimEnd().split("\n").length, 1, ours.stderr);
    assert.throws(() => goPprof(a), (e: Error & { stderr?: string }) => message.test(String(e.stderr)));
  });
}
