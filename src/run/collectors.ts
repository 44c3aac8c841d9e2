// How the preload starts and takes each profile a run asked for, through the
// library's collectors. Every profile can be taken asynchronously (normal
// exit, signals) and, except for the workers' share of the CPU profile,
// synchronously too: inside a process 'exit' listener (process.exit(), an
// uncaught exception) no promise settles anymore.
//
// Each collector's module is loaded (require, in the preload's CommonJS
// bundle) only when its profile is asked for: loading one has effects (the
// heap sampler starts, Worker is wrapped) and costs start-up time in every
// process of the run.

import type { Writable } from "node:stream";
import type { ProfileData } from "../profile/model.js";
import type { ProfileKind, RunConfig } from "./config.js";

const load = {
  cpu: () => require("../collect/cpu.js") as typeof import("../collect/cpu.js"),
  heap: () => require("../collect/heap.js") as typeof import("../collect/heap.js"),
  heapSampler: () => require("../collect/heap-sampler.js") as typeof import("../collect/heap-sampler.js"),
  block: () => require("../collect/block.js") as typeof import("../collect/block.js"),
  mutex: () => require("../collect/mutex.js") as typeof import("../collect/mutex.js"),
  goroutine: () => require("../collect/goroutine.js") as typeof import("../collect/goroutine.js"),
  threadcreate: () => require("../collect/threadcreate.js") as typeof import("../collect/threadcreate.js"),
  encode: () => require("../profile/encode.js") as typeof import("../profile/encode.js"),
  stream: () => require("node:stream") as typeof import("node:stream"),
  noInspector: () => require("./no-inspector.js") as typeof import("./no-inspector.js"),
};

export interface Collector {
  kind: ProfileKind;
  /**
   * Takes the profile now (the CPU profile stops, the others are read before
   * this returns) and resolves to its gzipped pprof bytes.
   */
  take(): Promise<Uint8Array>;
  /** The same without the event loop; undefined when nothing was collected. */
  takeSync(): Uint8Array | undefined;
}

/**
 * The order profiles are taken in at exit: snapshots first, so they do not
 * record tsprof's own work of finishing the others (the heap sees no
 * encoder's allocations, the block profile none of its file writes), the
 * CPU profile last.
 */
const TAKE_ORDER: ProfileKind[] = ["block", "mutex", "goroutine", "threadcreate", "mem", "cpu"];

/** A Writable that keeps what it is given. */
function sink(): { w: Writable; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  const w = new (load.stream().Writable)({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { w, bytes: () => Buffer.concat(chunks) };
}

/**
 * A profile read from a synchronous source; `before` runs first (synchronously too).
 * The encoder (and zlib) is loaded when the profile is taken, not at start-up.
 */
function snapshotCollector(kind: ProfileKind, read: () => ProfileData, before?: () => void): Collector {
  const take = (): ProfileData => {
    before?.();
    return read();
  };
  return {
    kind,
    // Read now, encode later: the reads of every profile come before any
    // encoding starts (whose zlib handles the goroutine profile would list).
    take: async () => {
      const data = take();
      const { encodeProfileGzip } = load.encode();
      await undefined;
      return encodeProfileGzip(data);
    },
    takeSync: () => {
      const data = take();
      return load.encode().encodeProfileGzipSync(data);
    },
  };
}

/**
 * A full GC before the heap is read, as go test does for -memprofile. The
 * inspector answers a same-thread session before post() returns, so the
 * collection is over when runGC() returns; its promise is only a formality.
 */
function collectGarbage(): void {
  load.heap().runGC().catch(() => {});
}

/** The CPU profile of a process without an inspector (no-inspector.ts), started by register.ts. */
function cpuCollectorWithoutInspector(): Collector {
  const { stopCpuProfileWithoutInspector } = load.noInspector();
  return { kind: "cpu", take: async () => stopCpuProfileWithoutInspector(), takeSync: stopCpuProfileWithoutInspector };
}

function cpuCollector(config: RunConfig): Collector {
  const noInspector = load.noInspector();
  if (noInspector.cpuProfileWithoutInspectorRunning()) return cpuCollectorWithoutInspector();
  const { takeOverCPUProfile, stopCPUProfile, stopCPUProfileSync, setCPUProfileRate, setCPUProfileKeepAlive } = load.cpu();
  if (config.cpuProfileRate !== undefined) setCPUProfileRate(config.cpuProfileRate);
  // stopCPUProfile writes into this sink (running workers included);
  // stopCPUProfileSync hands the bytes back instead.
  const out = sink();
  // The sampler the preload started before its first line, if any (register.ts).
  try {
    takeOverCPUProfile(out.w);
  } catch (err) {
    if (noInspector.hasInspector()) throw err;
    // register.ts could not start V8's profiler without the inspector either: this throws why (Node.js before 24).
    noInspector.startCpuProfileWithoutInspector(config.cpuProfileRate ?? 100);
    return cpuCollectorWithoutInspector();
  }
  return {
    kind: "cpu",
    async take() {
      // A sampler kept alive for a next profile would only slow the way out.
      setCPUProfileKeepAlive(0);
      await stopCPUProfile();
      return out.bytes();
    },
    takeSync: () => {
      setCPUProfileKeepAlive(0);
      return stopCPUProfileSync();
    },
  };
}

function startCollector(kind: ProfileKind, config: RunConfig): Collector {
  switch (kind) {
    case "cpu":
      return cpuCollector(config);
    case "mem": {
      // Go: -memprofilerate sets runtime.MemProfileRate only when > 0; the
      // file is the allocs profile, written after a GC.
      // V8's heap sampler already running (register.ts started it at the
      // configured rate): the collector, which adopts it, loads when the
      // profile is taken, as when only CPU and memory profiles are asked for.
      const rate = config.memProfileRate !== undefined && config.memProfileRate > 0 ? config.memProfileRate : undefined;
      const running = load.heapSampler().samplerInterval();
      if (running === 0 && !load.noInspector().hasInspector()) throw new Error(load.noInspector().NO_INSPECTOR);
      if (running === 0 || (rate !== undefined && rate !== running) || !load.heapSampler().samplerKeepsFreed()) {
        const heap = load.heap();
        if (rate !== undefined) heap.setMemProfileRate(rate);
        // Go's allocs profile: every sampled allocation, short-lived garbage included.
        heap.setAllocationSampling(true);
      }
      return snapshotCollector(kind, () => load.heap().heapProfileData("alloc_space"), collectGarbage);
    }
    case "block": {
      const block = load.block();
      block.setBlockProfileRate(config.blockProfileRate ?? 1);
      return snapshotCollector(kind, () => block.blockSource.collect());
    }
    case "mutex": {
      const mutex = load.mutex();
      mutex.setMutexProfileFraction(config.mutexProfileFraction ?? 1);
      return snapshotCollector(kind, () => mutex.mutexSource.collect());
    }
    case "goroutine": {
      const goroutine = load.goroutine();
      // Creation stacks make the units at exit say where they came from.
      goroutine.setGoroutineTracking(true);
      return snapshotCollector(kind, () => goroutine.goroutineSource.collect());
    }
    case "threadcreate": {
      const threadcreate = load.threadcreate();
      return snapshotCollector(kind, () => threadcreate.threadcreateSource.collect());
    }
  }
}

/**
 * Applies the rates and starts what must run from the start (the CPU
 * profile). Returns the collectors in the order to take them, and why the
 * others could not start.
 */
export function startCollectors(config: RunConfig): { collectors: Collector[]; failed: Map<ProfileKind, unknown> } {
  const collectors: Collector[] = [];
  const failed = new Map<ProfileKind, unknown>();
  // The CPU profile first (it may already run, started by register.ts): V8
  // logs every function compiled before its sampler starts, with source
  // positions it must parse again, which costs far more than logging them as
  // they compile; so the other collectors load after it.
  // The block profile last: from then on every synchronous fs call (each
  // module the others load) is timed and recorded.
  const rank = (k: ProfileKind): number => (k === "cpu" ? 0 : k === "block" ? 2 : 1);
  const kinds = (Object.keys(config.files) as ProfileKind[]).sort((a, b) => rank(a) - rank(b));
  for (const kind of kinds) {
    try {
      collectors.push(startCollector(kind, config));
    } catch (err) {
      failed.set(kind, err);
    }
  }
  collectors.sort((a, b) => TAKE_ORDER.indexOf(a.kind) - TAKE_ORDER.indexOf(b.kind));
  return { collectors, failed };
}
