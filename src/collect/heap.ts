// Heap profiling (Go's WriteHeapProfile and MemProfileRate) on V8's sampling
// heap profiler. Sampling starts when this module is loaded, at 512 KiB, so a
// heap profile written later covers what was allocated before it.
//
// Two ways to run V8's one sampler (see docs/heap-and-registry.md):
// - in-use sampling (the default): V8 drops the samples of collected
//   objects. inuse_*: the samples V8 still holds. alloc_*: every sampled
//   allocation a heap profile of this thread has seen live; allocations born
//   and freed between two profiles are missing (the comment says how many).
// - allocation sampling (setAllocationSampling(true), tsprof run -memprofile):
//   V8 keeps the samples of collected objects too, so alloc_* count every
//   sampled allocation. The sampler is drained (stopped, read, restarted) at
//   every profile and after a number of garbage collections, which bounds
//   what V8 keeps. inuse_*: what V8 reports live at the drain (Node 26), among
//   the allocations since the drain before; nothing before Node 26.

import type { Writable } from "node:stream";
import { memoryUsage } from "node:process";
import { getHeapStatistics } from "node:v8";
import type { ProfileData } from "../profile/model.js";
import { ProfileBuilder } from "../profile/builder.js";
import { encodeProfileGzip } from "../profile/encode.js";
import { writeAll } from "../util/write.js";
import { heapProfileText, type HeapTextRecord } from "../registry/text.js";
import { HeapRecords, type HeapRecord } from "./heap-records.js";
import { scaleHeapSample } from "./heap-sizes.js";
import { DrainSchedule } from "./heap-drains.js";
import {
  DEFAULT_MEM_PROFILE_RATE, snapshot, startSampler, stopSampler, samplerFailure, samplerInterval, collectGarbage, SamplerLost,
  samplerKeepsFreed, drainSampler, type V8HeapProfile,
} from "./heap-sampler.js";

export { DEFAULT_MEM_PROFILE_RATE } from "./heap-sampler.js";
export { MAX_KEPT_SAMPLES } from "./heap-drains.js";

// The sampler may already run, started before the program's first line by
// the tsprof/register preload at -memprofilerate: this module adopts it.
let rate = samplerInterval() > 0 ? samplerInterval() : DEFAULT_MEM_PROFILE_RATE;
/** Allocation sampling: V8 keeps the samples of collected objects (adopted from the preload too). */
let keepFreed = samplerKeepsFreed();
const records = new HeapRecords();
/** Set when another tool stopped V8's shared sampler under tsprof. */
let lostAt: Date | undefined;
/** heapCount's last answer (see there). */
let lastCount: { at: number; n: number } | undefined;
if (samplerInterval() === 0) startSampler(rate);

const schedule = new DrainSchedule();
/** When the allocation sampler (re)started last: its drain's inuse_* cover allocations since then. */
let lastDrainAt = new Date();
/** lastDrainAt before the current profile's drain. */
let inuseSince = lastDrainAt;
/**
 * drains: all of them; byGC: those after garbage collections (the others are
 * profiles' reads), and the milliseconds they took: what allocation sampling
 * costs the program beyond V8's sampling.
 */
const drainStats = { drains: 0, byGC: 0, byGCMs: 0, maxSamples: 0, lastSamples: 0 };

function watchGC(on: boolean): void {
  if (!on) return schedule.stop();
  schedule.start(rate, () => {
    try {
      drainStats.byGCMs += drainNow();
      drainStats.byGC++;
    } catch (err) {
      // Never to the host: a lost sampler is restarted and the next profile says so.
      if (err instanceof SamplerLost) samplerLost();
    }
  });
}

/** Drains the allocation sampler into the records (see drainSampler); returns the milliseconds it took. */
function drainNow(): number {
  const t0 = performance.now();
  const d = drainSampler();
  if (!d) return 0;
  takeDrained(d.profile, d.liveness);
  lastDrainAt = new Date();
  const ms = performance.now() - t0;
  schedule.drained(d.profile.samples.length, ms);
  return ms;
}

function takeDrained(p: V8HeapProfile, liveness: boolean): void {
  records.drained(p, rate, liveness);
  livenessKnown = liveness;
  drainStats.drains++;
  drainStats.lastSamples = p.samples.length;
  drainStats.maxSamples = Math.max(drainStats.maxSamples, p.samples.length);
}
/** Whether the last drain said which samples are live (Node 26). */
let livenessKnown = true;
watchGC(keepFreed && samplerInterval() > 0);

/**
 * Sets the heap sampling interval in bytes (Go's runtime.MemProfileRate):
 * on average one allocation is sampled per `bytes` allocated; 0 turns
 * sampling off. Changing it restarts V8's sampler: objects sampled before stay
 * in the alloc_* values but are no longer tracked as in use, so set it early.
 */
export function setMemProfileRate(bytes: number): void {
  if (typeof bytes !== "number" || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`setMemProfileRate: bytes must be a non-negative integer, got ${String(bytes)}`);
  }
  if (bytes === rate && (bytes === 0 || !samplerFailure())) return;
  restart(bytes, keepFreed);
}

/** Stops the sampler, keeps what it held, and starts it at `bytes` (0: off) in the given mode. */
function restart(bytes: number, keep: boolean): void {
  watchGC(false);
  let last;
  try {
    if (samplerKeepsFreed()) {
      const d = drainSampler(false);
      if (d) takeDrained(d.profile, d.liveness);
    } else {
      last = stopSampler();
    }
  } catch {
    last = undefined; // another tool stopped it already
  }
  records.retire(last, rate);
  lastCount = undefined;
  rate = bytes;
  keepFreed = keep;
  if (bytes > 0) startSampler(bytes, keep);
  lastDrainAt = new Date();
  watchGC(keep && bytes > 0);
}

/**
 * Allocation sampling (Go's allocs profile, short-lived garbage included):
 * with `on`, V8 keeps the samples of objects it collected, so alloc_* count
 * every sampled allocation from now on. In use figures (inuse_*) then come
 * from V8's liveness at each profile, among allocations since the previous
 * profile (Node 26), and are empty before Node 26: see
 * docs/heap-and-registry.md. Switching restarts V8's sampler: what was
 * sampled stays in alloc_*, no longer tracked as in use. Set it early.
 */
export function setAllocationSampling(on: boolean): void {
  if (typeof on !== "boolean") throw new TypeError(`setAllocationSampling: on must be a boolean, got ${String(on)}`);
  if (on === keepFreed && (rate === 0 || !samplerFailure())) return;
  restart(rate, on);
}

/** Whether allocation sampling is on (setAllocationSampling). */
export function allocationSampling(): boolean {
  return keepFreed;
}

/** How the allocation sampler was drained so far (for tests and benches). */
export function allocationDrainStats(): { drains: number; byGC: number; byGCMs: number; maxSamples: number; lastSamples: number; gcBudget: number } {
  return { ...drainStats, gcBudget: schedule.gcBudget() };
}

/** The heap sampling interval in effect, in bytes (0: off). */
export function memProfileRate(): number {
  return rate;
}

/**
 * Another tool stopped the isolate's one sampler: what was in use is unknown
 * from here; sample again from now.
 */
function samplerLost(): void {
  records.retire(undefined, rate);
  lostAt = new Date();
  startSampler(rate, keepFreed);
  lastDrainAt = new Date();
}

/** Reads V8's live samples into the records; throws when sampling should run but cannot. */
function refresh(): HeapRecord[] {
  if (rate > 0) {
    const failure = samplerFailure();
    if (failure) throw new Error(`tsprof: heap sampling could not start in this thread: ${failure}`);
    let p;
    try {
      if (keepFreed) {
        inuseSince = lastDrainAt;
        drainNow();
      } else {
        p = snapshot();
      }
    } catch (err) {
      if (!(err instanceof SamplerLost)) throw err;
      samplerLost();
    }
    if (p) records.observe(p, rate);
  }
  return records.all().filter((r) => r.seen > 0);
}

/**
 * The heap profile as Go writes it: alloc_objects, alloc_space,
 * inuse_objects, inuse_space, period space/bytes = the sampling rate, values
 * scaled to estimates of all allocations (V8's unsampling), and a `bytes`
 * numeric label with the object size. `allocs` is the same data with
 * defaultSampleType "alloc_space"; so is `heap` where inuse_* are empty
 * (allocation sampling before Node.js 26), so that a viewer's default view
 * shows the allocations rather than nothing.
 */
export function heapProfileData(defaultSampleType = ""): ProfileData {
  if (defaultSampleType === "" && keepFreed && !livenessKnown) defaultSampleType = "alloc_space";
  const recs = refresh();
  const sampled = records.sampled();
  const unseen = Math.max(0, sampled - records.observed());
  const b = new ProfileBuilder({
    sampleType: [
      { type: "alloc_objects", unit: "count" },
      { type: "alloc_space", unit: "bytes" },
      { type: "inuse_objects", unit: "count" },
      { type: "inuse_space", unit: "bytes" },
    ],
    periodType: { type: "space", unit: "bytes" },
    period: rate,
    defaultSampleType,
    comments: [
      ...(unseen > 0 ? [`tsprof: alloc_* omit ${unseen} of ${sampled} sampled allocations, freed before any heap profile saw them`] : []),
      ...(lostAt ? [`tsprof: another tool stopped V8's sampling heap profiler; inuse_* cover allocations since ${lostAt.toISOString()}`] : []),
      ...inuseNotes(),
    ],
  });
  for (const r of recs) {
    const alloc = scaleHeapSample(r.seen, r.seen * r.size, r.rate);
    const inuse = scaleHeapSample(r.live, r.live * r.size, r.rate);
    b.addSample(r.stack, [alloc.count, alloc.bytes, inuse.count, inuse.bytes], undefined, { bytes: { value: r.size } });
  }
  return b.build();
}

/** What inuse_* mean under allocation sampling, as a profile comment. */
function inuseNotes(): string[] {
  if (!keepFreed) return [];
  if (!livenessKnown) return ["tsprof: allocation sampling: V8 reports no liveness before Node.js 26, so inuse_* are empty; alloc_* count every sampled allocation"];
  return [`tsprof: allocation sampling: inuse_* are the objects allocated since ${inuseSince.toISOString()} (the sampler's previous drain) and live now`];
}

/**
 * The heap records, read now: `seen` is each record's cumulative sampled
 * allocations (alloc_*), `live` its samples in use (inuse_*), as raw counts
 * at `rate` (scale with scaleHeapSample). For delta views: records only grow.
 */
export function heapRecords(): { records: HeapRecord[]; rate: number } {
  return { records: refresh(), rate };
}

/**
 * Go's Count() for heap and allocs: the number of records. A snapshot costs
 * milliseconds, and an index page asks for heap and allocs at once: a count
 * less than a second old is reused.
 */
export function heapCount(): number {
  const now = performance.now();
  if (!lastCount || now - lastCount.at > 1000) {
    let n: number;
    try {
      n = refresh().length;
    } catch {
      n = records.all().filter((r) => r.seen > 0).length; // sampling unavailable: what was seen
    }
    lastCount = { at: now, n };
  }
  return lastCount.n;
}

/** Go's heap text (debug != 0): raw sampled counts per record, then memory statistics. */
export function heapText(): string {
  // Statistics first, as Go reads MemStats before the records.
  const trailer = memoryTrailer();
  const recs = refresh();
  const b = new ProfileBuilder({ sampleType: [], periodType: { type: "space", unit: "bytes" }, period: rate });
  const text: HeapTextRecord[] = recs.map((r) => ({
    inuseObjects: r.live,
    inuseBytes: r.live * r.size,
    allocObjects: r.seen,
    allocBytes: r.seen * r.size,
    location: r.stack.map((f) => b.locationFor(f)),
  }));
  return heapProfileText(text, rate, trailer);
}

/** Node's counterpart of Go's `# runtime.MemStats` block (pprof ignores `#` lines). */
function memoryTrailer(): string {
  const m = memoryUsage();
  const h = getHeapStatistics();
  let s = "# process.memoryUsage()\n";
  for (const [k, v] of Object.entries(m)) s += `# ${k} = ${v}\n`;
  s += "# v8.getHeapStatistics()\n";
  for (const [k, v] of Object.entries(h)) s += `# ${k} = ${v}\n`;
  return s;
}

/** Go's WriteHeapProfile: the heap profile, gzipped pprof, written to `w`. */
export async function writeHeapProfile(w: Writable): Promise<void> {
  const data = heapProfileData();
  await writeAll(w, await encodeProfileGzip(data));
}

/** Runs a full garbage collection (net/http/pprof's heap ?gc=1), resolving after it. */
export function runGC(): Promise<void> {
  return collectGarbage();
}
