// CPU profiling (Go's StartCPUProfile/StopCPUProfile/SetCPUProfileRate).
//
// V8's sampler records this thread's stacks; started on the main thread, a
// profile also covers every worker thread: those created during it sample
// themselves from their first line (cpu-worker-start.ts), and the
// inspector samples every worker from when it attaches (cpu-workers.ts). Samples of the
// (idle) pseudo-function are left out, so the profile is on-CPU time as Go's.
// Nothing is loaded or hooked until the first startCPUProfile, unless the
// tsprof/register preload's sampler already runs (takeOverCPUProfile).
// Profiles are windows of one sampler run (cpu-windows.ts): startCPUProfile's
// is exclusive as Go's, startSharedCPUProfile's (the HTTP endpoint's) join
// whatever runs.

import type { Writable } from "node:stream";
import { createRequire } from "node:module";
import { setKeepAliveMs, releaseThreadProfiler, effectiveRate, DEFAULT_HZ } from "./cpu-session.js";
import { openWindow, closeWindow, closeWindowSync, dropWindow, runningRate, type CPUWindow } from "./cpu-windows.js";

export { threadName } from "./cpu-windows.js";

// Encoding is needed only when a profile stops: loaded then (synchronously,
// as the exit path needs it), which keeps a profile's start — the
// tsprof/register preload's start-up — to the sampler alone.
interface StopModules {
  encode: typeof import("../profile/encode.js");
  write: typeof import("../util/write.js");
}
let stopModulesLoaded: StopModules | undefined;
function stopModules(): StopModules {
  if (!stopModulesLoaded) {
    const load = createRequire(import.meta.url);
    stopModulesLoaded = { encode: load("../profile/encode.js"), write: load("../util/write.js") };
  }
  return stopModulesLoaded;
}

let rateHz = DEFAULT_HZ;

/** The profile startCPUProfile started: one window of the (possibly shared) sampler. */
let running: { w: Writable; window: CPUWindow } | undefined;

/**
 * Sets the sampling rate (Hz) of the next CPU profile (Go's
 * runtime.SetCPUProfileRate). Default 100. Rates above 1,000,000 are clamped;
 * hz <= 0 restores the default. While a profile runs the rate cannot change:
 * as Go, this prints "runtime: cannot set cpu profile rate until previous
 * profile has finished." to stderr and leaves the rate as it is.
 */
export function setCPUProfileRate(hz: number): void {
  if (typeof hz !== "number" || Number.isNaN(hz)) throw new TypeError(`setCPUProfileRate: hz must be a number, got ${String(hz)}`);
  if (runningRate() !== undefined) {
    process.stderr.write("runtime: cannot set cpu profile rate until previous profile has finished.\n");
    return;
  }
  rateHz = effectiveRate(hz);
}

/** The rate the next (or running) CPU profile samples at, in Hz. */
export function cpuProfileRate(): number {
  return runningRate() ?? rateHz;
}

/**
 * Starts profiling this thread (and, on the main thread, every worker
 * thread) until stopCPUProfile, which writes the profile to w. Throws
 * "cpu profiling already in use" if a profile started by startCPUProfile
 * already runs in this thread. Profiles that share the sampler
 * (/debug/pprof/profile with sharedCPU) do not stand in its way: it joins
 * them, at their rate.
 */
export function startCPUProfile(w: Writable): void {
  start(w, false);
}

/**
 * startCPUProfile for the tsprof/register preload: takes over the sampler
 * it started before loading this module (startEarlyThreadProfile), so the
 * profile covers the process from its first line.
 */
export function takeOverCPUProfile(w: Writable): void {
  start(w, true);
}

function start(w: Writable, takeOver: boolean): void {
  if (running) throw new Error("cpu profiling already in use");
  if (!w || typeof (w as Partial<Writable>).write !== "function") throw new TypeError("startCPUProfile: w must be a Writable stream");
  running = { w, window: openWindow(rateHz, takeOver) };
}

/**
 * Stops the CPU profile and resolves once every byte of it has been written
 * to the writer given to startCPUProfile (the writer is not ended). A no-op
 * when no profile runs. A writer error rejects; the profiler is ready for a
 * new start either way.
 */
export async function stopCPUProfile(): Promise<void> {
  const p = running;
  if (!p) return;
  running = undefined;
  const data = await closeWindow(p.window);
  const { encode, write } = stopModules();
  await write.writeAll(p.w, await encode.encodeProfileGzip(data));
}

/**
 * How long (ms) V8's sampler is kept running after stopCPUProfile, so that a
 * profile started within that time starts in well under a millisecond
 * instead of re-logging every compiled function (hundreds of ms in large
 * programs). Default 15000, or TSPROF_CPU_KEEPALIVE_MS. The kept sampler
 * costs what a running profile costs; when it expires its teardown pauses
 * the thread once (tens of ms with 100k functions). 0 tears it down inside
 * stopCPUProfile, and also releases a sampler kept alive right now; other
 * values apply from the next stop.
 */
export function setCPUProfileKeepAlive(ms: number): void {
  setKeepAliveMs(ms);
  if (ms === 0 && runningRate() === undefined) releaseThreadProfiler();
}

/**
 * Stops the CPU profile at once and returns its gzipped bytes, for process
 * 'exit' handlers (tsprof run), where nothing asynchronous can run anymore.
 * Covers this thread, and the workers created during the profile that
 * exited and whose profile the event loop already received; samples of
 * workers still running are lost (reaching them needs the event loop).
 * undefined when no profile runs.
 */
export function stopCPUProfileSync(): Buffer | undefined {
  const p = running;
  if (!p) return undefined;
  running = undefined;
  return stopModules().encode.encodeProfileGzipSync(closeWindowSync(p.window));
}

/** A CPU profile taken from the shared sampler (startSharedCPUProfile). */
export interface SharedCPUProfile {
  /** Ends it and returns its gzipped pprof bytes. */
  stop(): Promise<Buffer>;
  /** Ends it, its samples unwanted (the client left). */
  drop(): void;
}

/**
 * Starts a CPU profile that shares V8's sampler with any other running in
 * this thread (startCPUProfile's, or other shared ones) instead of failing:
 * each gets exactly the samples of its own time range, at the running
 * sampler's rate. With nothing else running it starts the sampler as
 * startCPUProfile does; the last profile to stop stops it.
 */
export function startSharedCPUProfile(): SharedCPUProfile {
  const window = openWindow(rateHz);
  let done = false;
  return {
    async stop() {
      if (done) throw new Error("tsprof: cpu profile not running");
      done = true;
      const { encode } = stopModules();
      return encode.encodeProfileGzip(await closeWindow(window));
    },
    drop() {
      if (done) return;
      done = true;
      dropWindow(window);
    },
  };
}
