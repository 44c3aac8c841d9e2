// Heap profiling (Go's WriteHeapProfile and MemProfileRate) on V8's sampling
// heap profiler. Sampling starts when this module is loaded, at 512 KiB, so a
// heap profile written later covers what was allocated before it.
//
// inuse_*: the samples V8 still holds, i.e. sampled objects not yet
// collected. alloc_*: every sampled allocation a heap profile of this thread
// has seen live (now or at an earlier profile); V8 on Node 20 cannot report
// freed samples without losing liveness, so allocations born and freed
// between two profiles are missing, and the profile's comment says how many.

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
import {
  DEFAULT_MEM_PROFILE_RATE, snapshot, startSampler, stopSampler, samplerFailure, samplerInterval, collectGarbage, SamplerLost,
} from "./heap-sampler.js";

export { DEFAULT_MEM_PROFILE_RATE } from "./heap-sampler.js";

// The sampler may already run, started before the program's first line by
// the tsprof/register preload at -memprofilerate: this module adopts it.
let rate = samplerInterval() > 0 ? samplerInterval() : DEFAULT_MEM_PROFILE_RATE;
const records = new HeapRecords();
/** Set when another tool stopped V8's shared sampler under tsprof. */
let lostAt: Date | undefined;
/** heapCount's last answer (see there). */
let lastCount: { at: number; n: number } | undefined;
if (samplerInterval() === 0) startSampler(rate);

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
  let last;
  try {
    last = stopSampler();
  } catch {
    last = undefined; // another tool stopped it already
  }
  records.retire(last, rate);
  lastCount = undefined;
  rate = bytes;
  if (bytes > 0) startSampler(bytes);
}

/** The heap sampling interval in effect, in bytes (0: off). */
export function memProfileRate(): number {
  return rate;
}

/** Reads V8's live samples into the records; throws when sampling should run but cannot. */
function refresh(): HeapRecord[] {
  if (rate > 0) {
    const failure = samplerFailure();
    if (failure) throw new Error(`tsprof: heap sampling could not start in this thread: ${failure}`);
    let p;
    try {
      p = snapshot();
    } catch (err) {
      if (!(err instanceof SamplerLost)) throw err;
      // Another tool stopped the isolate's one sampler: what was in use is
      // unknown from here; sample again from now.
      records.retire(undefined, rate);
      lostAt = new Date();
      startSampler(rate);
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
 * defaultSampleType "alloc_space".
 */
export function heapProfileData(defaultSampleType = ""): ProfileData {
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
    ],
  });
  for (const r of recs) {
    const alloc = scaleHeapSample(r.seen, r.seen * r.size, r.rate);
    const inuse = scaleHeapSample(r.live, r.live * r.size, r.rate);
    b.addSample(r.stack, [alloc.count, alloc.bytes, inuse.count, inuse.bytes], undefined, { bytes: { value: r.size } });
  }
  return b.build();
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
