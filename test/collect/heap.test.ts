// The heap profile of this thread and of a worker: the numbers go tool pprof
// reads back (50 MiB retained by one function), in-use against allocated
// values over time, the rate, the allocs profile and the error paths.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { Worker } from "node:worker_threads";
import { Session } from "node:inspector";
import { writeHeapProfile, setMemProfileRate, memProfileRate, runGC, DEFAULT_MEM_PROFILE_RATE } from "../../src/collect/heap.ts";
import { lookup } from "../../src/index.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { needGo, parseTop } from "../helpers/tools.ts";
import { toFile, failingWriter, pprof, here, dir } from "../registry/_helpers.ts";

const MiB = 1024 * 1024;
// Sampling at 512 KiB from load: checked before any test changes it.
const rateAtLoad = memProfileRate();
// Finer than the default so 20-50 MiB give hundreds of samples (±5%, not ±10%).
const TEST_RATE = 64 * 1024;
setMemProfileRate(TEST_RATE);

const keep: unknown[][] = [];
const lines: Record<string, number> = {};

/** Retains `mib` MiB of array elements (8 bytes each on 64-bit Node). */
function retainFifty(mib: number): void {
  lines.retainFifty ??= here() - 1;
  for (let i = 0; i < (mib * MiB) / 8000; i++) keep.push(new Array(1000).fill(i));
}

function retainThenFree(mib: number): unknown[] {
  const local: unknown[] = [];
  for (let i = 0; i < (mib * MiB) / 8000; i++) local.push(new Array(1000).fill(i));
  return local;
}

function decode(path: string): ProfileData {
  return decodeProfile(gunzipSync(readFileSync(path)));
}

/** Sum of a sample type over samples whose stack contains `fn` (and whose object size passes `size`). */
function valueIn(p: ProfileData, type: string, fn: string, size: (bytes: number) => boolean = () => true): number {
  const i = p.sampleType.findIndex((t) => t.type === type);
  let sum = 0;
  for (const s of p.sample) {
    if (!size(s.numLabel.bytes?.[0] ?? 0)) continue;
    if (s.location.some((l) => l.line.some((ln) => ln.function.name === fn))) sum += s.value[i]!;
  }
  return sum;
}

test("heap sampling runs from load at Go's default 512 KiB", () => {
  assert.equal(rateAtLoad, DEFAULT_MEM_PROFILE_RATE);
  assert.equal(DEFAULT_MEM_PROFILE_RATE, 524288);
});

test("inuse_space attributes 50 MiB retained by one function to it within 25%, as go tool pprof reads it", async (t) => {
  retainFifty(50);
  const path = await toFile("heap.pb.gz", writeHeapProfile);
  const p = decode(path);
  assert.deepEqual(p.sampleType.map((v) => `${v.type}/${v.unit}`), ["alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"]);
  assert.deepEqual(p.periodType, { type: "space", unit: "bytes" });
  assert.equal(p.period, TEST_RATE);
  assert.equal(p.defaultSampleType, "");
  const inuse = valueIn(p, "inuse_space", "retainFifty");
  t.diagnostic(`inuse_space of retainFifty: ${(inuse / MiB).toFixed(2)} MiB, inuse_objects ${valueIn(p, "inuse_objects", "retainFifty")}`);
  assert.ok(Math.abs(inuse - 50 * MiB) <= 0.25 * 50 * MiB, `inuse_space of retainFifty: ${(inuse / MiB).toFixed(1)} MiB`);
  // 6553 arrays, each an 8016-byte element store and a 32-byte JSArray. The
  // element stores get ~800 samples, so their count is within a few percent;
  // the JSArrays get ~3, each standing for ~2000 objects, so their count is
  // noise (Poisson) and is not checked.
  const stores = valueIn(p, "inuse_objects", "retainFifty", (bytes) => bytes >= 4096);
  assert.ok(stores >= 0.75 * 6553 && stores <= 1.25 * 6553, `inuse_objects of retainFifty's element stores: ${stores}`);
  // Source-mapped to this .ts file, at the function's first line.
  const fn = p.function.find((f) => f.name === "retainFifty")!;
  assert.equal(fn.filename, fileURLToPath(import.meta.url));
  assert.equal(fn.startLine, lines.retainFifty);
  if (!needGo(t)) return;
  const top = pprof(["-top", path]);
  assert.match(top, /Type: inuse_space/);
  assert.equal(parseTop(top)[0]!.name, "retainFifty");
  assert.match(pprof(["-raw", path]), /bytes:\[\d+\]/);
});

test("alloc_* keep what a profile saw after it is freed; inuse_* drop it; alloc >= inuse everywhere", async () => {
  let held: unknown[] | undefined = retainThenFree(20);
  const before = decode(await toFile("heap-before.pb.gz", writeHeapProfile));
  held = undefined;
  void held;
  await runGC();
  const after = decode(await toFile("heap-after.pb.gz", writeHeapProfile));
  const seenInuse = valueIn(before, "inuse_space", "retainThenFree");
  assert.ok(seenInuse > 15 * MiB && seenInuse < 25 * MiB, `in use before free: ${seenInuse}`);
  assert.ok(valueIn(after, "inuse_space", "retainThenFree") < 0.05 * seenInuse, "freed objects leave inuse_space");
  assert.equal(valueIn(after, "alloc_space", "retainThenFree"), valueIn(before, "alloc_space", "retainThenFree"));
  for (const s of after.sample) {
    assert.ok(s.value[0]! >= s.value[2]! && s.value[1]! >= s.value[3]!, "alloc >= inuse per sample");
  }
});

test("the allocs profile is the heap data with alloc_space as its default sample type", async (t) => {
  const path = await toFile("allocs.pb.gz", (w) => lookup("allocs")!.writeTo(w, 0));
  const p = decode(path);
  assert.equal(p.defaultSampleType, "alloc_space");
  assert.equal(p.sampleType.length, 4);
  if (!needGo(t)) return;
  assert.match(pprof(["-top", path]), /Type: alloc_space/);
});

test("setMemProfileRate: validates, sets the period, and 0 stops sampling new allocations", async () => {
  for (const bad of [-1, 1.5, NaN, Infinity, "1" as unknown as number]) assert.throws(() => setMemProfileRate(bad), RangeError);
  setMemProfileRate(0);
  try {
    assert.equal(memProfileRate(), 0);
    function whileOff(): unknown[] { return retainThenFree(10); }
    const held = whileOff();
    const p = decode(await toFile("heap-off.pb.gz", writeHeapProfile));
    assert.equal(p.period, 0);
    assert.equal(valueIn(p, "alloc_space", "whileOff"), 0);
    // Earlier samples stay as allocations, no longer tracked as in use.
    assert.ok(valueIn(p, "alloc_space", "retainFifty") > 0);
    assert.equal(valueIn(p, "inuse_space", "retainFifty"), 0);
    assert.ok(held.length > 0);
  } finally {
    setMemProfileRate(TEST_RATE);
  }
  assert.equal(memProfileRate(), TEST_RATE);
});

test("count() is the number of records; a failing writer rejects and the next profile still works", async () => {
  assert.ok(lookup("heap")!.count() > 0);
  await assert.rejects(writeHeapProfile(failingWriter()), /writing profile: disk full/);
  const p = decode(await toFile("heap-again.pb.gz", writeHeapProfile));
  assert.ok(valueIn(p, "alloc_space", "retainFifty") > 0);
});

test("in a worker thread, the heap profile is the worker's own", async (t) => {
  // Workers do not inherit the tsx loader: the worker loads the built heap module.
  const here_ = dirname(fileURLToPath(import.meta.url));
  const tsprof = pathToFileURL(join(here_, "../../dist/esm/collect/heap.js")).href;
  const path = join(dir, "worker-heap.pb.gz");
  const worker = new Worker(
    `const { workerData, parentPort } = require("node:worker_threads");
     const { createWriteStream } = require("node:fs");
     const { once } = require("node:events");
     const keep = [];
     function workerRetains() { for (let i = 0; i < 2560; i++) keep.push(new Array(1000).fill(i)); }
     (async () => {
       const t = await import(workerData.tsprof);
       t.setMemProfileRate(${TEST_RATE});
       workerRetains();
       const w = createWriteStream(workerData.path);
       await t.writeHeapProfile(w);
       w.end();
       await once(w, "finish");
       parentPort.postMessage("done");
     })();`,
    { eval: true, workerData: { tsprof, path } },
  );
  const [msg] = await once(worker, "message");
  assert.equal(msg, "done");
  await once(worker, "exit");
  const p = decode(path);
  const inuse = valueIn(p, "inuse_space", "workerRetains");
  assert.ok(Math.abs(inuse - 20 * MiB) <= 0.25 * 20 * MiB, `worker inuse_space: ${(inuse / MiB).toFixed(1)} MiB`);
  assert.equal(valueIn(p, "inuse_space", "retainFifty"), 0, "the main thread's allocations are not in the worker's profile");
  if (!needGo(t)) return;
  assert.equal(parseTop(pprof(["-top", path]))[0]!.name, "workerRetains");
});

test("another tool stopping V8's one sampler: the profile says so and sampling resumes", async () => {
  const other = new Session();
  other.connect();
  await new Promise<void>((resolve, reject) => other.post("HeapProfiler.stopSampling", (err) => (err ? reject(err) : resolve())));
  other.disconnect();
  const lost = decode(await toFile("heap-lost.pb.gz", writeHeapProfile));
  assert.ok(lost.comments.some((c) => /another tool stopped V8's sampling heap profiler/.test(c)), lost.comments.join("\n"));
  function afterLoss(): unknown[] { return retainThenFree(10); }
  const held = afterLoss();
  const p = decode(await toFile("heap-resumed.pb.gz", writeHeapProfile));
  assert.ok(valueIn(p, "inuse_space", "afterLoss") > 5 * MiB);
  assert.ok(held.length > 0);
});
