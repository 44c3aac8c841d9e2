// Reports on profiles tsprof itself writes (CPU with labels, heap, a custom
// profile, goroutine, block, mutex), compared line for line with `go tool pprof`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createWriteStream, readFileSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { needGo } from "../helpers/tools.ts";
import type { ReportKind } from "../../src/analyzer/report/index.ts";
import {
  startCPUProfile, stopCPUProfile, writeHeapProfile, newProfile, labels, runWithLabels, lookup, setBlockProfileRate, setMutexProfileFraction,
} from "../../src/index.ts";
import { assertSameAsGo, ours } from "./report-helpers.ts";
import { workDir } from "./synthetic-profiles.ts";

const files = {
  cpu: join(workDir, "tsprof-cpu.pb.gz"),
  heap: join(workDir, "tsprof-heap.pb.gz"),
  custom: join(workDir, "tsprof-custom.pb.gz"),
  goroutine: join(workDir, "tsprof-goroutine.pb.gz"),
  block: join(workDir, "tsprof-block.pb.gz"),
  mutex: join(workDir, "tsprof-mutex.pb.gz"),
};
const keep: unknown[] = [];

/** Burns `ms` of CPU time (not wall time: the test machine may be loaded). */
function spin(ms: number): number {
  const start = process.cpuUsage();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return x;
  }
}
function heavy(): number { return spin(120); }
function light(): number { return spin(60); }
function retain(): void { for (let i = 0; i < 2000; i++) keep.push(new Array(256).fill(i)); }

async function write(path: string, f: (w: NodeJS.WritableStream) => Promise<void>): Promise<void> {
  const w = createWriteStream(path);
  await f(w);
  w.end();
  await once(w, "finish");
}

// Each profile is written on first use, so a failure to write one (say, the
// heap profile) fails only that profile's tests.
const writers: Record<keyof typeof files, () => Promise<void>> = {
  cpu: () =>
    write(files.cpu, async (w) => {
      startCPUProfile(w as never);
      for (let i = 0; i < 3; i++) {
        await runWithLabels(labels("phase", "heavy"), async () => heavy());
        await runWithLabels(labels("phase", "light"), async () => light());
      }
      await stopCPUProfile();
    }),
  heap: async () => {
    retain();
    await write(files.heap, (w) => writeHeapProfile(w as never));
  },
  custom: async () => {
    const p = newProfile(`tsprof.test/report-${process.pid}`);
    const opener = (v: object) => p.add(v, 0);
    for (let i = 0; i < 3; i++) opener({ i });
    await write(files.custom, (w) => p.writeTo(w as never, 0));
  },
  goroutine: async () => {
    const timers = [setTimeout(() => {}, 60_000), setInterval(() => {}, 60_000)];
    try {
      await write(files.goroutine, (w) => lookup("goroutine")!.writeTo(w as never, 0));
    } finally {
      clearTimeout(timers[0]);
      clearInterval(timers[1]);
    }
  },
  block: async () => {
    setBlockProfileRate(1);
    try {
      for (let i = 0; i < 5; i++) readFileSync(import.meta.filename);
    } finally {
      setBlockProfileRate(0);
    }
    await write(files.block, (w) => lookup("block")!.writeTo(w as never, 0));
  },
  mutex: async () => {
    setMutexProfileFraction(1);
    try {
      await new Promise<void>((resolve) => setTimeout(() => { spin(30); resolve(); }, 1));
      await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      setMutexProfileFraction(0);
    }
    await write(files.mutex, (w) => lookup("mutex")!.writeTo(w as never, 0));
  },
};
const written = new Map<keyof typeof files, Promise<string>>();
function profileFile(name: keyof typeof files): Promise<string> {
  let p = written.get(name);
  if (!p) written.set(name, (p = writers[name]().then(() => files[name])));
  return p;
}

interface Case { file: keyof typeof files; kind: ReportKind; flags?: string[]; arg?: string }
const cases: Case[] = [];
for (const file of Object.keys(files) as (keyof typeof files)[]) {
  for (const kind of ["top", "traces", "tags", "tree", "dot", "raw"] as ReportKind[]) cases.push({ file, kind });
  cases.push({ file, kind: "top", flags: ["-lines"] }, { file, kind: "top", flags: ["-cum", "-nodecount=5"] }, { file, kind: "peek", arg: "heavy|light|opener" });
}
cases.push(
  { file: "cpu", kind: "list", arg: "^(heavy|spin)$" },
  { file: "cpu", kind: "top", flags: ["-sample_index=samples"] },
  { file: "heap", kind: "top", flags: ["-sample_index=alloc_space"] },
  { file: "heap", kind: "list", arg: "^retain$" },
  { file: "cpu", kind: "tree", flags: ["-lines"] },
  { file: "cpu", kind: "traces", flags: ["-lines"] },
  { file: "cpu", kind: "dot", flags: ["-lines", "-nodecount=6"] },
  { file: "cpu", kind: "top", flags: ["-files"] },
  { file: "cpu", kind: "top", flags: ["-unit=ms", "-nodefraction=0.05"] },
  { file: "cpu", kind: "top", flags: ["-mean"] },
  { file: "cpu", kind: "callgrind" },
  { file: "heap", kind: "top", flags: ["-sample_index=alloc_objects", "-cum"] },
  { file: "heap", kind: "tags", flags: ["-sample_index=alloc_space"] },
  { file: "heap", kind: "dot", flags: ["-sample_index=inuse_objects"] },
  { file: "heap", kind: "top", flags: ["-mean", "-sample_index=inuse_space"] },
  { file: "custom", kind: "list", arg: "opener" },
  { file: "block", kind: "top", flags: ["-sample_index=contentions"] },
  { file: "block", kind: "list", arg: "readFileSync" },
  { file: "mutex", kind: "top", flags: ["-mean"] },
  { file: "goroutine", kind: "top", flags: ["-files"] },
);

for (const c of cases) {
  const flags = c.flags ?? [];
  test(`${c.kind}${c.arg !== undefined ? "=" + c.arg : ""} ${flags.join(" ")} on tsprof's ${c.file} profile matches go tool pprof`, async (t) => {
    if (!needGo(t)) return;
    assertSameAsGo(await profileFile(c.file), c.kind, flags, c.arg);
  });
}

test("tsprof's CPU profile names the labelled work", async (t) => {
  if (!needGo(t)) return;
  const tags = ours(await profileFile("cpu"), "tags", []);
  assert.match(tags, /phase: Total/);
  assert.match(tags, / heavy\n/);
});
