// The V8 → pprof conversion on a hand-made V8 profile, where every number is
// known: which samples are kept ((idle) and the start sample dropped,
// (program) and (garbage collector) kept), how frames are named and placed,
// the leaf lines handed out from positionTicks, and the labels.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pathToFileURL } from "node:url";
import { cpuProfileData, type V8CpuProfile, type V8ProfileNode } from "../../src/collect/cpu-convert.ts";
import { encodeProfile } from "../../src/profile/encode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { labels } from "../../src/collect/labels.ts";
import { needGo, goPprof } from "../helpers/tools.ts";

const dir = mkdtempSync(join(tmpdir(), "tsprof-cpu-convert-"));
const appFile = join(dir, "app.js");
writeFileSync(appFile, "// no source map here\n");
const appUrl = pathToFileURL(appFile).href;

function node(id: number, functionName: string, url: string, lineNumber: number, columnNumber: number, children: number[] = [], positionTicks?: { line: number; ticks: number }[]): V8ProfileNode {
  return { id, callFrame: { functionName, scriptId: url ? "7" : "0", url, lineNumber, columnNumber }, children, positionTicks };
}

// (root) → main (app.js:1) → hot (app.js:10) and an anonymous arrow (app.js:20:5) → readFileSync (node:fs)
// plus (idle), (program), (garbage collector) under the root. Positions are 0-based, as the inspector's.
const v8: V8CpuProfile = {
  nodes: [
    node(1, "(root)", "", -1, -1, [2, 6, 7, 8]),
    node(2, "main", appUrl, 0, 0, [3, 4]),
    node(3, "hot", appUrl, 9, 12, [], [{ line: 11, ticks: 3 }, { line: 12, ticks: 1 }]),
    node(4, "", appUrl, 19, 4, [5]),
    node(5, "readFileSync", "node:fs", 440, 21),
    node(6, "(idle)", "", -1, -1),
    node(7, "(program)", "", -1, -1),
    node(8, "(garbage collector)", "", -1, -1),
  ],
  startTime: 1_000,
  endTime: 1_000 + 11 * 10_000,
  // Sample 0 (the profiler's own start) is dropped; then hot ×4, readFileSync ×2, idle ×3, program, GC.
  samples: [2, 3, 3, 3, 3, 5, 5, 6, 6, 6, 7, 8],
  timeDeltas: [0, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000],
};

const PERIOD = 10_000_000;

function convert(labelsAt?: (t: number) => ReturnType<typeof labels> | undefined): ProfileData {
  return cpuProfileData([{ thread: "main", profiles: [v8], labelsAt }], { periodNanos: PERIOD, timeNanos: 1_700_000_000_000_000_000n, durationNanos: 110_000_000 });
}

/** Samples per leaf function name. */
function perLeaf(p: ProfileData): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of p.sample) {
    const name = s.location[0]!.line[0]!.function.name;
    out.set(name, (out.get(name) ?? 0) + s.value[0]!);
  }
  return out;
}

test("idle and the start sample are left out; (program) and (garbage collector) stay", () => {
  const p = convert();
  assert.deepEqual(Object.fromEntries(perLeaf(p)), { hot: 4, readFileSync: 2, "(program)": 1, "(garbage collector)": 1 });
});

test("types, period, values, time and duration", () => {
  const p = convert();
  assert.deepEqual(p.sampleType, [{ type: "samples", unit: "count" }, { type: "wall", unit: "nanoseconds" }, { type: "cpu", unit: "nanoseconds" }]);
  assert.deepEqual(p.periodType, { type: "cpu", unit: "nanoseconds" });
  assert.equal(p.period, PERIOD);
  assert.equal(p.timeNanos, 1_700_000_000_000_000_000n);
  assert.equal(p.durationNanos, 110_000_000);
  // Without a thread clock, a sample counts one period of CPU, as Go's.
  for (const s of p.sample) assert.equal(s.value[2], s.value[0]! * PERIOD);
  assert.equal(p.sample.reduce((n, s) => n + s.value[0]!, 0), 8);
  assert.ok(p.sample.every((s) => s.label.thread?.[0] === "main"));
  assert.ok(p.mapping.length === 1 && p.mapping[0]!.hasFunctions && p.mapping[0]!.hasFilenames && p.mapping[0]!.hasLineNumbers);
});

test("frames: names, files (paths and node: built-ins), start lines, leaf and caller lines", () => {
  const p = convert();
  const fn = (name: string) => p.function.find((f) => f.name === name);
  assert.deepEqual({ ...fn("hot"), id: 0 }, { id: 0, name: "hot", systemName: "hot", filename: appFile, startLine: 10 });
  assert.deepEqual([fn("main")?.filename, fn("main")?.startLine], [appFile, 1]);
  // Anonymous: basename, 1-based start line and column, so two arrows on one line differ.
  assert.deepEqual([fn("(anonymous app.js:20:5)")?.filename, fn("(anonymous app.js:20:5)")?.startLine], [appFile, 20]);
  assert.deepEqual([fn("readFileSync")?.filename, fn("readFileSync")?.startLine], ["node:fs", 441]);
  assert.deepEqual([fn("(program)")?.filename, fn("(garbage collector)")?.filename], ["", ""]);

  // Leaf lines of hot: V8's positionTicks (3 on line 11, 1 on line 12).
  const hotLines = new Map<number, number>();
  for (const s of p.sample) {
    const l = s.location[0]!.line[0]!;
    if (l.function.name === "hot") hotLines.set(l.line, (hotLines.get(l.line) ?? 0) + s.value[0]!);
  }
  assert.deepEqual(Object.fromEntries(hotLines), { 11: 3, 12: 1 });
  // Stacks leaf first, without (root); callers at their start line.
  const fsSample = p.sample.find((s) => s.location[0]!.line[0]!.function.name === "readFileSync")!;
  assert.deepEqual(fsSample.location.map((l) => `${l.line[0]!.function.name}:${l.line[0]!.line}`), ["readFileSync:441", "(anonymous app.js:20:5):20", "main:1"]);
  const gc = p.sample.find((s) => s.location[0]!.line[0]!.function.name === "(garbage collector)")!;
  assert.equal(gc.location.length, 1);
});

test("each sample carries the labels in effect at its time", () => {
  // Samples 1-4 (hot) at t = 11_000..41_000 µs; label the first two.
  const a = labels("job", "a");
  const p = convert((t) => (t <= 21_000 ? a : undefined));
  const byJob = new Map<string, number>();
  for (const s of p.sample) {
    const key = `${s.location[0]!.line[0]!.function.name}/${s.label.job?.[0] ?? "-"}`;
    byJob.set(key, (byJob.get(key) ?? 0) + s.value[0]!);
  }
  assert.equal(byJob.get("hot/a"), 2);
  assert.equal(byJob.get("hot/-"), 2);
  assert.equal(byJob.get("readFileSync/-"), 2);
});

test("the converted profile loads in go tool pprof without warnings", (t) => {
  if (!needGo(t)) return;
  const path = join(dir, "synthetic.pb.gz");
  writeFileSync(path, gzipSync(encodeProfile(convert())));
  const top = goPprof(["-top", path]);
  assert.match(top, /Type: cpu/);
  assert.match(top, /\s40ms\s+50\.00%\s+50\.00%\s+40ms\s+50\.00%\s+hot$/m);
  assert.match(goPprof(["-raw", path]), /readFileSync node:fs:441 s=441/);
});

test("locations carry V8's start column where the line is the function's own (1-based); other lines have none", () => {
  const p = convert();
  const at = new Set(p.location.map((l) => `${l.line[0]!.function.name} ${l.line[0]!.line}:${l.line[0]!.column}`));
  // main (0:0) as a caller; the arrow (19:4) as a caller; readFileSync (440:21) a leaf without positionTicks.
  assert.ok(at.has("main 1:1"), [...at].join(", "));
  assert.ok(at.has("(anonymous app.js:20:5) 20:5"), [...at].join(", "));
  assert.ok(at.has("readFileSync 441:22"), [...at].join(", "));
  // hot's ticks are on lines 11 and 12, not its first line (10): no column is known there.
  assert.ok(at.has("hot 11:0") && at.has("hot 12:0"), [...at].join(", "));
});

test("script ids are per thread: the same id in two workers' profiles names two scripts", () => {
  // Each worker's isolate numbers its scripts from the same start, so two
  // workers' main scripts share scriptId 7, with their top level at 0:0.
  const files = ["alpha", "beta"].map((name) => {
    const file = join(dir, `${name}.js`);
    writeFileSync(file, "// no source map here\n");
    return pathToFileURL(file).href;
  });
  const threadProfile = (url: string, work: string): V8CpuProfile => ({
    nodes: [
      node(1, "(root)", "", -1, -1, [2]),
      node(2, "", url, 0, 0, [3]),
      node(3, work, url, 2, 0),
    ],
    startTime: 0,
    endTime: 30_000,
    samples: [2, 3, 3],
    timeDeltas: [0, 10_000, 10_000],
  });
  const p = cpuProfileData(
    [
      { thread: "worker 1", profiles: [threadProfile(files[0]!, "alphaWork")] },
      { thread: "worker 2", profiles: [threadProfile(files[1]!, "betaWork")] },
    ],
    { periodNanos: PERIOD, timeNanos: 0n, durationNanos: 30_000_000 },
  );
  const stacks = p.sample.map((s) => `${s.label.thread?.[0]}: ${s.location.map((l) => l.line[0]!.function.name).join(" ← ")}`).sort();
  assert.deepEqual(stacks, ["worker 1: alphaWork ← (top level alpha.js)", "worker 2: betaWork ← (top level beta.js)"]);
});
