// Allocation sampling (setAllocationSampling): short-lived garbage of known
// sizes counted in alloc_space per function, retained objects too, in use
// where V8 says what is live (Node 26), drains that keep what V8 holds under
// MAX_KEPT_SAMPLES, and the way back to in-use sampling.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { setImmediate as turn } from "node:timers/promises";
import * as v8 from "node:v8";
import { Session } from "node:inspector";
import {
  writeHeapProfile, setMemProfileRate, setAllocationSampling, allocationSampling, allocationDrainStats, heapRecords,
  MAX_KEPT_SAMPLES,
} from "../../src/collect/heap.ts";
import { lookup } from "../../src/index.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { needGo, parseTop } from "../helpers/tools.ts";
import { toFile, pprof } from "../registry/_helpers.ts";

const MiB = 1024 * 1024;
/** Node 26's v8.startHeapProfile reports which samples are live. */
const reportsLiveness = typeof (v8 as { startHeapProfile?: unknown }).startHeapProfile === "function";
// 32 KiB: 100 MiB gives ~3,200 samples, a standard error near 2%; the checks allow 15%.
const RATE = 32 * 1024;
setMemProfileRate(RATE);
setAllocationSampling(true);

let sink: unknown;
const keep: unknown[] = [];
// V8 on 64-bit Node.js: {a, b} is 40 bytes; new Array(n) is a 32-byte JSArray
// and a 16 + 8n byte element store.
const PAIR = 40;
const arrayBytes = (n: number) => 32 + 16 + 8 * n;

function garbagePairs(mib: number): void {
  for (let i = 0; i < (mib * MiB) / PAIR; i++) sink = { a: i, b: i };
}
function garbageArrays(mib: number): void {
  for (let i = 0; i < (mib * MiB) / arrayBytes(100); i++) sink = new Array(100).fill(i);
}
function garbageLarge(mib: number): void {
  for (let i = 0; i < (mib * MiB) / arrayBytes(8000); i++) sink = new Array(8000).fill(i);
}
function retainArrays(mib: number): void {
  for (let i = 0; i < (mib * MiB) / arrayBytes(1000); i++) keep.push(new Array(1000).fill(i));
}

/** Sum of a sample type over samples whose leaf is `fn`. */
function leafValue(p: ProfileData, type: string, fn: string): number {
  const i = p.sampleType.findIndex((t) => t.type === type);
  let sum = 0;
  for (const s of p.sample) if (s.location[0]?.line[0]?.function.name === fn) sum += s.value[i]!;
  return sum;
}

function decode(path: string): ProfileData {
  return decodeProfile(gunzipSync(readFileSync(path)));
}

function near(actual: number, truth: number, within: number, what: string): void {
  assert.ok(Math.abs(actual - truth) <= within * truth, `${what}: ${(actual / MiB).toFixed(1)} MiB, truth ${(truth / MiB).toFixed(1)} MiB`);
}

test("alloc_space counts short-lived garbage of several sizes per function within 15%; retained objects too", async (t) => {
  assert.equal(allocationSampling(), true);
  garbagePairs(100);
  garbageArrays(150);
  garbageLarge(150);
  retainArrays(30);
  const path = await toFile("allocs-truth.pb.gz", (w) => lookup("allocs")!.writeTo(w, 0));
  const p = decode(path);
  for (const [fn, mib] of [["garbagePairs", 100], ["garbageArrays", 150], ["garbageLarge", 150], ["retainArrays", 30]] as const) {
    const alloc = leafValue(p, "alloc_space", fn);
    t.diagnostic(`${fn}: alloc_space ${(alloc / MiB).toFixed(1)} MiB of ${mib}, inuse_space ${(leafValue(p, "inuse_space", fn) / MiB).toFixed(1)} MiB`);
    near(alloc, mib * MiB, 0.15, `alloc_space of ${fn}`);
  }
  if (reportsLiveness) {
    // Node 26: V8 says which samples are live: the retained arrays, not the garbage.
    near(leafValue(p, "inuse_space", "retainArrays"), 30 * MiB, 0.25, "inuse_space of retainArrays");
    assert.ok(leafValue(p, "inuse_space", "garbageArrays") < 2 * MiB, "garbage is not in use");
  } else {
    assert.equal(leafValue(p, "inuse_space", "retainArrays"), 0);
    assert.ok(p.comments.some((c) => /V8 reports no liveness before Node\.js 26/.test(c)), p.comments.join("\n"));
  }
  // heap: in-use by default where V8 says what is live, else the allocations (not an empty view).
  const heap = decode(await toFile("heap-under-allocs.pb.gz", (w) => lookup("heap")!.writeTo(w, 0)));
  assert.equal(heap.defaultSampleType, reportsLiveness ? "" : "alloc_space");
  // Only the in-use sampling before setAllocationSampling(true) can have missed any.
  const omitted = /omit (\d+) of (\d+)/.exec(p.comments.join("\n"));
  assert.ok(!omitted || Number(omitted[1]) < 0.01 * Number(omitted[2]), "nothing freed unseen: " + p.comments.join("\n"));
  // Source-mapped to this .ts file, as in the CPU profile.
  assert.equal(p.function.find((f) => f.name === "garbageArrays")?.filename, fileURLToPath(import.meta.url));
  if (!needGo(t)) return;
  const top = parseTop(pprof(["-top", path]));
  assert.ok(["garbageArrays", "garbageLarge"].includes(top[0]!.name), `top alloc_space entry: ${top[0]!.name}`);
});

test("alloc_* are cumulative: a later profile keeps the earlier allocations and adds the new ones", async () => {
  const before = heapRecords();
  const seen = (fn: string) => before.records.filter((r) => r.stack[0]?.name === fn).reduce((n, r) => n + r.seen, 0);
  const pairsBefore = seen("garbagePairs");
  assert.ok(pairsBefore > 0);
  garbagePairs(50);
  const p = decode(await toFile("allocs-later.pb.gz", writeHeapProfile));
  near(leafValue(p, "alloc_space", "garbagePairs"), 150 * MiB, 0.15, "alloc_space of garbagePairs after 100 + 50 MiB");
});

test("drains keep V8's kept samples under MAX_KEPT_SAMPLES while the program allocates, and lose no allocation", async (t) => {
  // 4 KiB: 450 MiB is ~115,000 samples, over twice the cap; the event loop
  // turns between chunks, which is when garbage collections are seen. (Finer
  // rates put more than the cap in one young generation: see the docs.)
  setMemProfileRate(4096);
  try {
    const { drains: start, byGC: byGCBefore, byGCMs: byGCMsBefore } = allocationDrainStats();
    function garbageInChunks(): void {
      garbagePairs(6);
    }
    for (let i = 0; i < 75; i++) {
      garbageInChunks();
      await turn();
    }
    const stats = allocationDrainStats();
    const p = decode(await toFile("allocs-drained.pb.gz", writeHeapProfile));
    t.diagnostic(`drains ${stats.drains - start}, largest drain ${stats.maxSamples} samples, gc budget ${stats.gcBudget}`);
    assert.ok(stats.drains - start >= 3, `drained ${stats.drains - start} times`);
    assert.ok(stats.maxSamples <= MAX_KEPT_SAMPLES, `a drain held ${stats.maxSamples} samples`);
    // The drains above came after collections, and were timed (the schedule spaces out costly ones by that time).
    assert.ok(stats.byGC - byGCBefore >= 3, `${stats.byGC - byGCBefore} drains after collections`);
    assert.ok(stats.byGCMs > byGCMsBefore, `${stats.byGC - byGCBefore} drains after collections took ${stats.byGCMs - byGCMsBefore} ms`);
    // garbagePairs allocated 150 MiB in the tests before.
    near(leafValue(p, "alloc_space", "garbagePairs"), 600 * MiB, 0.15, "alloc_space across drains");
  } finally {
    setMemProfileRate(RATE);
  }
});

test("back to in-use sampling: allocations counted so far stay; inuse_* follow V8's live samples again", async () => {
  setAllocationSampling(false);
  try {
    assert.equal(allocationSampling(), false);
    function retainAfter(): unknown[] {
      const out: unknown[] = [];
      for (let i = 0; i < (10 * MiB) / arrayBytes(1000); i++) out.push(new Array(1000).fill(i));
      return out;
    }
    const held = retainAfter();
    const p = decode(await toFile("inuse-again.pb.gz", writeHeapProfile));
    near(leafValue(p, "inuse_space", "retainAfter"), 10 * MiB, 0.25, "inuse_space of retainAfter");
    assert.ok(leafValue(p, "alloc_space", "garbageLarge") > 100 * MiB, "earlier allocations stay");
    assert.ok(!p.comments.some((c) => /allocation sampling/.test(c)), p.comments.join("\n"));
    assert.ok(held.length > 0);
  } finally {
    setAllocationSampling(true);
  }
  assert.throws(() => setAllocationSampling("yes" as unknown as boolean), TypeError);
});

test("another tool stopping V8's one sampler under allocation sampling: the profile says so and counting resumes", async () => {
  const other = new Session();
  other.connect();
  await new Promise<void>((resolve, reject) => other.post("HeapProfiler.stopSampling", (err) => (err ? reject(err) : resolve())));
  other.disconnect();
  const lost = decode(await toFile("allocs-lost.pb.gz", writeHeapProfile));
  assert.ok(lost.comments.some((c) => /another tool stopped V8's sampling heap profiler/.test(c)), lost.comments.join("\n"));
  assert.equal(allocationSampling(), true);
  function garbageAfterLoss(): void {
    garbageArrays(50);
  }
  garbageAfterLoss();
  const p = decode(await toFile("allocs-resumed.pb.gz", writeHeapProfile));
  const i = p.sampleType.findIndex((t) => t.type === "alloc_space");
  let after = 0;
  for (const s of p.sample) if (s.location.some((l) => l.line.some((ln) => ln.function.name === "garbageAfterLoss"))) after += s.value[i]!;
  near(after, 50 * MiB, 0.15, "alloc_space of garbageAfterLoss");
});
