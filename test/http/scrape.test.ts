// Scraped as Grafana Alloy's pyroscope.scrape and Parca scrape: every path
// they ask for by default, at their interval (shortened here to 2 s, the CPU
// window to interval - 1 as Alloy asks, interval as Parca asks), answers 200
// with a pprof; the godeltaprof paths add up to the cumulative profiles; two
// scrapers and the program's own CPU profile share the sampler.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { handler } from "../../src/http/index.ts";
import { startCPUProfile, stopCPUProfile } from "../../src/collect/cpu.ts";
import { setMutexProfileFraction } from "../../src/collect/mutex.ts";
import { setBlockProfileRate } from "../../src/collect/block.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData, Sample } from "../../src/profile/model.ts";
import { MemorySink } from "../../src/http/respond.ts";
import { serve, get, type Reply } from "./helpers.ts";
import { turnOffInlining } from "../helpers/no-inlining.ts";
import { needGo, goPprofStrict } from "../helpers/tools.ts";

// The workload's slice calls scrapeSpin: inlined into it, its samples would be charged to the slice.
turnOffInlining();

const shared = await serve(handler());
const plain = await serve(handler({ sharedCPU: false }));
after(() => Promise.all([shared.close(), plain.close()]));
const P = "/debug/pprof";
const dir = mkdtempSync(join(tmpdir(), "tsprof-scrape-"));

/** Alloy's default paths, with its CPU window of interval - 1 seconds, and its optional godeltaprof paths. */
function alloyPaths(intervalSeconds: number): string[] {
  return [
    `${P}/profile?seconds=${intervalSeconds - 1}`,
    `${P}/allocs`,
    `${P}/goroutine`,
    `${P}/mutex`,
    `${P}/block`,
    `${P}/delta_heap`,
    `${P}/delta_mutex`,
    `${P}/delta_block`,
  ];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function scrapeSpin(): number {
  let acc = 0;
  for (let i = 0; i < 50_000; i++) acc += Math.sqrt(i) * (i & 7);
  return acc;
}

/** Allocations of a known stack, 16 of them kept alive at any time. */
const kept: number[][] = [];
export function scrapeAlloc(): void {
  for (let i = 0; i < 8; i++) {
    kept.push(new Array<number>(32 * 1024).fill(i));
    if (kept.length > 16) kept.shift();
  }
}

const waitCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * The known workload: every few ms a timer callback holds the event loop for
 * 3 ms (a mutex contention), waits 1 ms in Atomics.wait (a block event),
 * allocates, and spins the CPU in scrapeSpin.
 */
function startWorkload(): () => void {
  let running = true;
  let sink = 0;
  const scrapeContended = () => {
    if (!running) return;
    const end = performance.now() + 3;
    while (performance.now() < end) sink += scrapeSpin();
    Atomics.wait(waitCell, 0, 0, 1);
    scrapeAlloc();
    setTimeout(scrapeContended, 2);
  };
  setTimeout(scrapeContended, 2);
  return () => {
    running = false;
    if (sink === -1) console.log(sink);
  };
}

function decode(r: Reply, what: string): ProfileData {
  assert.equal(r.status, 200, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
  assert.equal(r.headers["content-type"], "application/octet-stream", what);
  return decodeProfile(gunzipSync(r.body));
}

/** The samples with fn in their stack (a callback may be named as its receiver's method: Timeout.fn). */
function under(p: ProfileData, fn: string): Sample[] {
  const named = (name: string) => name === fn || name.endsWith(`.${fn}`);
  return p.sample.filter((s) => s.location.some((l) => l.line.some((line) => named(line.function.name))));
}

/** The sum of sample type `type` over the samples whose stack holds fn. */
function total(p: ProfileData, type: string, fn: string): number {
  const i = p.sampleType.findIndex((t) => t.type === type);
  assert.ok(i >= 0, `no sample type ${type} in ${p.sampleType.map((t) => t.type).join(",")}`);
  return under(p, fn).reduce((sum, s) => sum + s.value[i]!, 0);
}

function cpuSamplesOf(p: ProfileData, fn: string): number {
  return p.sample.filter((s) => s.location[0]?.line[0]?.function.name === fn).reduce((sum, s) => sum + s.value[0]!, 0);
}

/**
 * The busy function is in the window, with a share of its samples that the
 * workload (half of its time spinning) gives it on a loaded machine too.
 */
function assertBusy(p: ProfileData, what: string): void {
  const all = p.sample.reduce((sum, s) => sum + s.value[0]!, 0);
  const spin = cpuSamplesOf(p, "scrapeSpin");
  assert.ok(spin >= 1 && spin >= 0.1 * all, `${what}: scrapeSpin has ${spin} of ${all} samples`);
}

/** The window [start, end] of a profile, in ns since the epoch. */
function window(p: ProfileData): [bigint, bigint] {
  return [p.timeNanos, p.timeNanos + BigInt(p.durationNanos)];
}

test("an Alloy scraper, 2 s interval, 4 cycles: every path 200 with a pprof; delta_* add up to the cumulative profiles", async (t) => {
  setMutexProfileFraction(1);
  setBlockProfileRate(1);
  const stop = startWorkload();
  const interval = 2;
  const deltas: Record<string, ProfileData[]> = { delta_heap: [], delta_mutex: [], delta_block: [] };
  const cpu: ProfileData[] = [];
  let firstCPU: Buffer | undefined, firstDeltaHeap: Buffer | undefined;
  try {
    for (let cycle = 0; cycle < 4; cycle++) {
      const started = performance.now();
      const paths = alloyPaths(interval);
      const replies = await Promise.all(paths.map((path) => get(shared.port, path)));
      replies.forEach((r, i) => {
        const path = paths[i]!;
        const p = decode(r, `cycle ${cycle} ${path}`);
        const name = path.slice(P.length + 1).split("?")[0]!;
        if (name === "profile") {
          cpu.push(p);
          firstCPU ??= r.body;
        }
        if (name in deltas) deltas[name]!.push(p);
        if (name === "delta_heap") firstDeltaHeap ??= r.body;
      });
      await sleep(Math.max(0, interval * 1000 - (performance.now() - started)));
    }
  } finally {
    stop();
  }
  // The final scrape, the workload stopped: the deltas up to now add up to the cumulative profiles of now.
  const [dHeap, dMutex, dBlock] = await Promise.all(["delta_heap?gc=1", "delta_mutex", "delta_block"].map((n) => get(shared.port, `${P}/${n}`)));
  deltas.delta_heap!.push(decode(dHeap!, "delta_heap"));
  deltas.delta_mutex!.push(decode(dMutex!, "delta_mutex"));
  deltas.delta_block!.push(decode(dBlock!, "delta_block"));
  const [heap, mutex, block] = await Promise.all(["heap?gc=1", "mutex", "block"].map((n) => get(shared.port, `${P}/${n}`)));
  const heapNow = decode(heap!, "heap"), mutexNow = decode(mutex!, "mutex"), blockNow = decode(block!, "block");
  setMutexProfileFraction(0);
  setBlockProfileRate(0);

  for (const p of cpu) {
    assert.ok(p.durationNanos >= 0.9e9, `CPU window of ${p.durationNanos} ns`);
    assertBusy(p, "each CPU window shows the busy function");
  }

  const sum = (list: ProfileData[], type: string, fn: string) => list.reduce((s, p) => s + total(p, type, fn), 0);
  // Mutex: the callback that held the loop.
  const contentions = total(mutexNow, "contentions", "scrapeContended");
  assert.ok(contentions >= 20, `the workload contended ${contentions} times`);
  assert.equal(sum(deltas.delta_mutex!, "contentions", "scrapeContended"), contentions);
  assert.equal(sum(deltas.delta_mutex!, "delay", "scrapeContended"), total(mutexNow, "delay", "scrapeContended"));
  // Each cycle's delta holds that cycle's contentions, not the total so far.
  const perCycle = deltas.delta_mutex!.slice(1, 4).map((p) => total(p, "contentions", "scrapeContended"));
  assert.ok(perCycle.every((n) => n > 0 && n < contentions), `per-cycle contentions ${perCycle} of ${contentions}`);
  // Block: Atomics.wait under the callback.
  const waits = total(blockNow, "contentions", "scrapeContended");
  assert.ok(waits >= 20, `the workload blocked ${waits} times`);
  assert.equal(sum(deltas.delta_block!, "contentions", "scrapeContended"), waits);
  assert.equal(sum(deltas.delta_block!, "delay", "scrapeContended"), total(blockNow, "delay", "scrapeContended"));
  // Heap: alloc_* add up; inuse_* are the values of now, not differences.
  for (const type of ["alloc_objects", "alloc_space"]) {
    const now = total(heapNow, type, "scrapeAlloc");
    assert.ok(now > 0, `${type} of scrapeAlloc: ${now}`);
    assert.equal(sum(deltas.delta_heap!, type, "scrapeAlloc"), now, type);
  }
  // One more: nothing allocated since, and what is in use is still all there.
  const lastDelta = decode(await get(shared.port, `${P}/delta_heap`), "delta_heap after");
  const inuse = total(heapNow, "inuse_space", "scrapeAlloc");
  assert.ok(inuse > 0, "the kept arrays are in use");
  assert.equal(total(lastDelta, "inuse_space", "scrapeAlloc"), inuse, "delta_heap's inuse_space is the heap's, not a difference");
  assert.equal(total(lastDelta, "alloc_space", "scrapeAlloc"), 0, "nothing was allocated since the previous delta");
  assert.deepEqual(lastDelta.sampleType.map((s) => s.type), ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]);

  if (!needGo(t)) return;
  writeFileSync(join(dir, "cpu.pb.gz"), firstCPU!);
  writeFileSync(join(dir, "delta_heap.pb.gz"), firstDeltaHeap!);
  writeFileSync(join(dir, "delta_mutex.pb.gz"), dMutex!.body);
  assert.match(goPprofStrict(["-top", join(dir, "cpu.pb.gz")]), /scrapeSpin/);
  assert.match(goPprofStrict(["-top", "-sample_index=alloc_space", join(dir, "delta_heap.pb.gz")]), /Type: alloc_space/);
  assert.match(goPprofStrict(["-top", join(dir, "delta_mutex.pb.gz")]), /Type: delay/);
});

test("two scrapers at once (Alloy: seconds=interval-1; Parca: seconds=interval): every CPU window 200, each with the busy function", async () => {
  const stop = startWorkload();
  const interval = 2;
  const scraper = async (seconds: number, offsetMs: number) => {
    await sleep(offsetMs);
    const out: ProfileData[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      const started = performance.now();
      out.push(decode(await get(shared.port, `${P}/profile?seconds=${seconds}`), `seconds=${seconds} cycle ${cycle}`));
      await sleep(Math.max(0, interval * 1000 - (performance.now() - started)));
    }
    return out;
  };
  let alloy: ProfileData[], parca: ProfileData[];
  try {
    [alloy, parca] = await Promise.all([scraper(interval - 1, 0), scraper(interval, 500)]);
  } finally {
    stop();
  }
  let overlapping = 0;
  for (const p of [...alloy, ...parca]) assertBusy(p, "busy function in every window");
  for (const a of alloy) {
    for (const b of parca) {
      const [a0, a1] = window(a), [b0, b1] = window(b);
      if (a0 < b1 && b0 < a1) overlapping++;
    }
  }
  assert.ok(overlapping >= 2, `windows overlapped ${overlapping} times`);
});

test("the program's own startCPUProfile running: a shared scrape gets 200 and the program's profile goes on; Go's plain handler answers 500", async () => {
  const own = new MemorySink();
  const stop = startWorkload();
  startCPUProfile(own);
  let sharedReply: Reply, plainReply: Reply;
  try {
    [sharedReply, plainReply] = await Promise.all([get(shared.port, `${P}/profile?seconds=1`), get(plain.port, `${P}/profile?seconds=1`)]);
    await sleep(300);
  } finally {
    stop();
    await stopCPUProfile();
  }
  const scraped = decode(sharedReply, "shared scrape");
  assertBusy(scraped, "the scrape holds the busy function's samples");
  assert.equal(plainReply.status, 500);
  assert.equal(plainReply.text, "Could not enable CPU profiling: cpu profiling already in use\n");
  const ownProfile = decodeProfile(gunzipSync(own.contents()));
  assert.ok(ownProfile.durationNanos > scraped.durationNanos, "the program's profile spans the scrape");
  assert.ok(cpuSamplesOf(ownProfile, "scrapeSpin") >= cpuSamplesOf(scraped, "scrapeSpin"), "and holds its samples too");
});

test("delta paths: one state per handler, 400 for seconds and debug", async () => {
  assert.equal((await get(shared.port, `${P}/delta_mutex?seconds=1`)).status, 400);
  assert.equal((await get(shared.port, `${P}/delta_heap?debug=1`)).status, 400);
  const other = await serve(handler());
  try {
    // A fresh handler's first answer is everything so far.
    setMutexProfileFraction(1);
    const stop = startWorkload();
    await sleep(200);
    stop();
    await sleep(20);
    const [first, again] = [decode(await get(other.port, `${P}/delta_mutex`), "first"), decode(await get(other.port, `${P}/delta_mutex`), "again")];
    const cumulative = decode(await get(other.port, `${P}/mutex`), "mutex");
    assert.equal(total(first, "contentions", "scrapeContended"), total(cumulative, "contentions", "scrapeContended"));
    assert.equal(total(again, "contentions", "scrapeContended"), 0);
  } finally {
    setMutexProfileFraction(0);
    await other.close();
  }
});
