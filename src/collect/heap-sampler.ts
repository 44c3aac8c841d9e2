// This thread's V8 sampling heap profiler. It starts when the library is
// loaded (Go's MemProfileRate is in effect from program start) and keeps
// running; a snapshot reads the live samples through an inspector session
// without stopping it.
//
// Started through the inspector (HeapProfiler.startSampling), V8 runs a full
// garbage collection before every read of the samples (the inspector always
// asks for kSamplingForceGC). Node 26's v8.startHeapProfile starts the same
// sampler without that flag: where it exists, tsprof starts the sampler with
// it and reads it through the inspector, and a heap profile collects nothing.
//
// Node 26's sampler must not outlive the program: V8 frees it only after it
// has torn the heap down, so one still running when the isolate ends makes
// the process crash on its way out, now and then (SIGSEGV in
// ~SamplingHeapProfiler, 2 of some 60 pushing processes in the push tests).
// So it runs on the main thread only, where it is stopped at 'exit' and what
// it held is kept for readers later in the same 'exit' (a worker can be
// terminated with no 'exit' of its own: workers use the inspector, whose
// sampler Node.js stops when it disconnects the session, before teardown).
//
// Allocation sampling (keepFreed): V8 also keeps the samples of objects it
// collected, so every sampled allocation can be counted. It keeps them until
// the sampler stops (about 94 bytes each, measured), so such a sampler is
// drained: stopped, read and started again (drainSampler). Only Node 26's
// v8.startHeapProfile says which of them are still live (isLive), and only
// when it stops; through the inspector they carry no liveness.

import { Session } from "node:inspector";
import * as v8 from "node:v8";
import { isMainThread } from "node:worker_threads";
import { postSync } from "./inspector.js";

/** The inspector's HeapProfiler.SamplingHeapProfile, as this code reads it. */
export interface V8HeapNode {
  callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  id: number;
  children: V8HeapNode[];
}

export interface V8HeapSample {
  /** Bytes, already multiplied by V8's rounded scale factor (see heap-sizes.ts). */
  size: number;
  nodeId: number;
  /** V8 numbers every sampled allocation 1, 2, 3, ... per sampler run. */
  ordinal: number;
  /** The object's own size (Node 26's v8.startHeapProfile only). */
  objectSize?: number;
  /** Whether the object is still live (Node 26's v8.startHeapProfile only). */
  isLive?: boolean;
}

export interface V8HeapProfile {
  head: V8HeapNode;
  samples: V8HeapSample[];
}

/** Go's runtime.MemProfileRate default: one sample per 512 KiB allocated, on average. */
export const DEFAULT_MEM_PROFILE_RATE = 512 * 1024;

/** V8's stack depth limit for sampled allocations (frames kept, leaf first). */
const STACK_DEPTH = 64;

let session: Session | undefined;
/** The interval (bytes) the running sampler uses; 0 when none runs. */
let runningInterval = 0;
/** Why the sampler could not start (another sampler in this isolate, no inspector). */
let failure: string | undefined;
/** The handle of a sampler started through v8.startHeapProfile (Node 26+). */
let handle: { stop(): unknown } | undefined;
/** Whether the running sampler keeps the samples of collected objects. */
let keepingFreed = false;
/** Whether stopBeforeTeardown listens for 'exit'. */
let stoppingAtExit = false;
/** The process is exiting: no v8.startHeapProfile sampler starts any more. */
let exiting = false;
/**
 * The v8.startHeapProfile sampler stopped at exit stands in for the running
 * sampler: what it held (JSON). A snapshot reads it as often as asked; a
 * drain takes its samples once.
 */
let frozen: string | undefined;

/** Node 26's v8.startHeapProfile, where it exists. */
type StartHeapProfile = (options: {
  sampleInterval: number;
  stackDepth: number;
  forceGC?: boolean;
  includeObjectsCollectedByMajorGC?: boolean;
  includeObjectsCollectedByMinorGC?: boolean;
}) => { stop(): unknown };
const startHeapProfile = (v8 as unknown as { startHeapProfile?: StartHeapProfile }).startHeapProfile;

function connected(): Session {
  if (!session) {
    // Kept only once connected: where connecting fails (a process with no
    // inspector), every call says why, not "Session is not connected".
    const fresh = new Session();
    fresh.connect();
    session = fresh;
  }
  return session;
}

function post<T>(method: string, params: object = {}): T {
  return postSync<T>(connected(), method, params);
}

/**
 * Starts sampling every `intervalBytes` on average (a running sampler must be
 * stopped first). With `keepFreed`, samples of collected objects are kept
 * too (allocation sampling), until the sampler is drained or stopped.
 */
export function startSampler(intervalBytes: number, keepFreed = false): void {
  frozen = undefined;
  try {
    connected();
    handle = startWithoutCollecting(intervalBytes, keepFreed);
    if (!handle) {
      post("HeapProfiler.startSampling", {
        samplingInterval: intervalBytes,
        stackDepth: STACK_DEPTH,
        // Without keepFreed, freed objects are dropped: the profile is what is live (inuse_*).
        includeObjectsCollectedByMajorGC: keepFreed,
        includeObjectsCollectedByMinorGC: keepFreed,
      });
    }
    runningInterval = intervalBytes;
    keepingFreed = keepFreed;
    failure = undefined;
  } catch (err) {
    runningInterval = 0;
    failure = (err as Error).message;
  }
}

/**
 * Node 26+: starts V8's sampler without kSamplingForceGC. Undefined where the
 * API is missing or another tool runs the isolate's sampler already (the
 * inspector then adopts it, as before).
 */
function startWithoutCollecting(intervalBytes: number, keepFreed: boolean): { stop(): unknown } | undefined {
  if (!startHeapProfile || !isMainThread || exiting) return undefined;
  try {
    // Once (not moved at each drain: one added while 'exit' is emitted would
    // not run); the listeners registered after it read what it kept.
    if (!stoppingAtExit) process.on("exit", stopBeforeTeardown);
    stoppingAtExit = true;
    return startHeapProfile({
      sampleInterval: intervalBytes,
      stackDepth: STACK_DEPTH,
      forceGC: false,
      includeObjectsCollectedByMajorGC: keepFreed,
      includeObjectsCollectedByMinorGC: keepFreed,
    });
  } catch {
    return undefined;
  }
}

/** At 'exit': stops the v8.startHeapProfile sampler before V8 tears the heap down, keeping what it held. */
function stopBeforeTeardown(): void {
  exiting = true;
  if (!handle) return;
  const h = handle;
  handle = undefined;
  try {
    const out = h.stop();
    if (typeof out === "string") frozen = out;
    else runningInterval = 0; // another tool stopped it: nothing held
  } catch {
    runningInterval = 0;
  }
}

/** Whether the samples say which objects are live (v8.startHeapProfile's output). */
const reportsLiveness = (p: V8HeapProfile): boolean => p.samples.length === 0 || typeof p.samples[0]!.isLive === "boolean";

/** The frozen sampler's profile; `drain`: its samples are handed over (the sampler keeps none). */
function readFrozen(drain: boolean): V8HeapProfile {
  const profile = JSON.parse(frozen!) as V8HeapProfile;
  if (drain) frozen = JSON.stringify({ head: profile.head, samples: [] });
  return profile;
}

/** Whether the running sampler keeps samples of collected objects (allocation sampling). */
export function samplerKeepsFreed(): boolean {
  return runningInterval > 0 && keepingFreed;
}

/**
 * Stops the sampler, returns everything it holds and (unless `restart` is
 * false) starts it again with the same settings: V8 frees the samples it kept, and ordinals start again at 1.
 * Where V8 reports liveness (Node 26), `liveness` is true and each sample's
 * isLive says whether its object is still live; otherwise nothing is known
 * of liveness. Undefined when no sampler runs. Throws SamplerLost when
 * another tool stopped the sampler.
 */
export function drainSampler(restart = true): { profile: V8HeapProfile; liveness: boolean } | undefined {
  if (runningInterval === 0) return undefined;
  const interval = runningInterval;
  const keep = keepingFreed;
  if (frozen !== undefined) {
    const profile = readFrozen(true);
    if (!restart) stopSampler();
    return { profile, liveness: reportsLiveness(profile) };
  }
  let profile: V8HeapProfile;
  let liveness = false;
  try {
    if (handle) {
      const h = handle;
      handle = undefined;
      const out = h.stop();
      if (typeof out !== "string") throw new Error("the heap profile was stopped by another tool");
      profile = JSON.parse(out) as V8HeapProfile;
      liveness = reportsLiveness(profile);
    } else {
      profile = post<{ profile: V8HeapProfile }>("HeapProfiler.stopSampling").profile;
    }
  } catch (err) {
    runningInterval = 0;
    handle = undefined;
    throw new SamplerLost((err as Error).message);
  }
  runningInterval = 0;
  if (restart) startSampler(interval, keep);
  return { profile, liveness };
}

/** Stops the sampler and returns its last profile, or undefined when none ran. */
export function stopSampler(): V8HeapProfile | undefined {
  if (runningInterval === 0) return undefined;
  runningInterval = 0;
  if (frozen !== undefined) {
    const profile = readFrozen(false);
    frozen = undefined;
    return profile;
  }
  if (!handle) return post<{ profile: V8HeapProfile }>("HeapProfiler.stopSampling").profile;
  const h = handle;
  handle = undefined;
  try {
    return post<{ profile: V8HeapProfile }>("HeapProfiler.getSamplingProfile").profile;
  } finally {
    try {
      h.stop();
    } catch {
      // another tool stopped it already
    }
  }
}

/**
 * The live samples now, or undefined when no sampler runs. V8 has one
 * sampler per isolate, shared by every inspector session: when another tool
 * stops it, this throws SamplerLost and tsprof's sampler counts as stopped.
 */
export function snapshot(): V8HeapProfile | undefined {
  if (runningInterval === 0) return undefined;
  if (frozen !== undefined) return readFrozen(false);
  try {
    return post<{ profile: V8HeapProfile }>("HeapProfiler.getSamplingProfile").profile;
  } catch (err) {
    runningInterval = 0;
    handle = undefined;
    throw new SamplerLost((err as Error).message);
  }
}

export class SamplerLost extends Error {
  override name = "SamplerLost";
}

/** The running sampler's interval in bytes, 0 when off. */
export function samplerInterval(): number {
  return runningInterval;
}

/** Why the last start failed, if it did. */
export function samplerFailure(): string | undefined {
  return failure;
}

/** Runs a full garbage collection (net/http/pprof's ?gc=1); the inspector answers after it. */
export function collectGarbage(): Promise<void> {
  return new Promise((resolve, reject) => {
    connected().post("HeapProfiler.collectGarbage", (err) => (err ? reject(err) : resolve()));
  });
}
