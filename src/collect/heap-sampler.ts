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

import { Session } from "node:inspector";
import * as v8 from "node:v8";
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

/** Node 26's v8.startHeapProfile, where it exists. */
type StartHeapProfile = (options: { sampleInterval: number; stackDepth: number; forceGC?: boolean }) => { stop(): unknown };
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

/** Starts sampling every `intervalBytes` on average (a running sampler must be stopped first). */
export function startSampler(intervalBytes: number): void {
  try {
    connected();
    handle = startWithoutCollecting(intervalBytes);
    if (!handle) {
      post("HeapProfiler.startSampling", {
        samplingInterval: intervalBytes,
        stackDepth: STACK_DEPTH,
        // Freed objects dropped: the profile is what is live (inuse_*).
        includeObjectsCollectedByMajorGC: false,
        includeObjectsCollectedByMinorGC: false,
      });
    }
    runningInterval = intervalBytes;
    failure = undefined;
  } catch (err) {
    runningInterval = 0;
    failure = (err as Error).message;
  }
}

/**
 * Node 26+: starts V8's sampler without kSamplingForceGC (freed objects
 * dropped, as above). Undefined where the API is missing or another tool
 * runs the isolate's sampler already (the inspector then adopts it, as before).
 */
function startWithoutCollecting(intervalBytes: number): { stop(): unknown } | undefined {
  if (!startHeapProfile) return undefined;
  try {
    return startHeapProfile({ sampleInterval: intervalBytes, stackDepth: STACK_DEPTH, forceGC: false });
  } catch {
    return undefined;
  }
}

/** Stops the sampler and returns its last profile, or undefined when none ran. */
export function stopSampler(): V8HeapProfile | undefined {
  if (runningInterval === 0) return undefined;
  runningInterval = 0;
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
