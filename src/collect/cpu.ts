// CPU profiling (Go's StartCPUProfile/StopCPUProfile/SetCPUProfileRate).
//
// V8's sampler records this thread's stacks; started on the main thread, a
// profile also covers every worker thread: those created during it sample
// themselves from their first line (cpu-worker-start.ts), and the
// inspector samples every worker from when it attaches (cpu-workers.ts). Samples of the
// (idle) pseudo-function are left out, so the profile is on-CPU time as Go's.
// Nothing is loaded or hooked until the first startCPUProfile, unless the
// tsprof/register preload's sampler already runs (takeOverCPUProfile).

import type { Writable } from "node:stream";
import { isMainThread, threadId } from "node:worker_threads";
import { createRequire } from "node:module";
import { startLabelRecording, type LabelRecording } from "./labels.js";
import {
  startThreadProfile,
  stopThreadProfile,
  setKeepAliveMs,
  releaseThreadProfiler,
  effectiveRate,
  samplingInterval,
  earlyThreadProfile,
  DEFAULT_HZ,
} from "./cpu-session.js";
import type { WorkerSampler, WorkerThreadProfile } from "./cpu-workers.js";
import type { SelfSampledWorkers } from "./cpu-worker-start.js";
import type { ThreadProfile, V8CpuProfile } from "./cpu-convert.js";
import { ThreadClockWatch } from "./cpu-clock.js";
import type { ProfileData } from "../profile/model.js";

// Converting and encoding are needed only when a profile stops: loaded then
// (synchronously, as the exit path needs them), which keeps a profile's start
// — the tsprof/register preload's start-up — to the sampler alone.
interface StopModules {
  convert: typeof import("./cpu-convert.js");
  encode: typeof import("../profile/encode.js");
  write: typeof import("../util/write.js");
}
let stopModulesLoaded: StopModules | undefined;
function stopModules(): StopModules {
  if (!stopModulesLoaded) {
    const load = createRequire(import.meta.url);
    stopModulesLoaded = { convert: load("./cpu-convert.js"), encode: load("../profile/encode.js"), write: load("../util/write.js") };
  }
  return stopModulesLoaded;
}

let rateHz = DEFAULT_HZ;

interface RunningProfile {
  w: Writable;
  hz: number;
  intervalUs: number;
  startHr: bigint;
  recording: LabelRecording;
  /** This thread's CPU clock, which weighs its samples; undefined without one. */
  clock: ThreadClockWatch | undefined;
  workers: Workers | undefined;
}

/**
 * The workers' share of a profile. Workers created from now on sample
 * themselves from their first line (cpu-worker-start.ts): set up here, at
 * once. The inspector's view of every worker (cpu-workers.ts) is set up on
 * the next turn of the event loop instead: its module and second inspector
 * session then stay off a profile's start (the tsprof/register preload's
 * start-up), and NodeWorker.enable reports the workers that already exist.
 */
class Workers {
  private sampler: WorkerSampler | undefined;
  private readonly selfSampled: SelfSampledWorkers | undefined;
  private readonly immediate: NodeJS.Immediate;

  /** early: the set the tsprof/register preload's sampler started (startEarlyThreadProfile), taken over. */
  constructor(intervalUs: number, early: SelfSampledWorkers | undefined) {
    const load = createRequire(import.meta.url);
    this.selfSampled = early ?? (load("./cpu-worker-start.js") as typeof import("./cpu-worker-start.js")).selfSampleNewWorkers(intervalUs);
    this.immediate = setImmediate(() => {
      const { WorkerSampler } = load("./cpu-workers.js") as typeof import("./cpu-workers.js");
      const sampler = new WorkerSampler(intervalUs);
      try {
        sampler.start();
        this.sampler = sampler;
      } catch {
        // No worker inspector (e.g. a build without it).
      }
    });
    // Not a reason for the process to keep running.
    this.immediate.unref();
  }

  async stop(): Promise<WorkerThreadProfile[]> {
    clearImmediate(this.immediate);
    // Both at once: a worker's own profile comes in while the inspector's are stopped.
    const [inspected, own] = await Promise.all([
      this.sampler ? this.sampler.stop() : [],
      this.selfSampled ? this.selfSampled.collect(SELF_PROFILE_WAIT_MS) : new Map<number, V8CpuProfile>(),
    ]);
    return merged(inspected, own, this.selfSampled);
  }

  stopNow(): WorkerThreadProfile[] {
    clearImmediate(this.immediate);
    this.selfSampled?.close();
    return merged(this.sampler ? this.sampler.stopNow() : [], this.selfSampled?.profiles ?? new Map(), this.selfSampled);
  }
}

/**
 * How long stop waits for the profiles of the workers created during the
 * profile (ms): an idle worker posts its own at once; a busy one cannot, and
 * is covered by the inspector's samples from when it attached.
 */
const SELF_PROFILE_WAIT_MS = 300;

/** Each thread once: the profile a worker sampled itself (from its first line) over the inspector's. */
function merged(inspected: WorkerThreadProfile[], own: Map<number, V8CpuProfile>, selfSampled: SelfSampledWorkers | undefined): WorkerThreadProfile[] {
  const out: WorkerThreadProfile[] = [...own].map(([threadId, profile]) => ({ thread: `worker ${threadId}`, threadId, profiles: [profile], cpuTime: selfSampled?.cpuTime(threadId) }));
  for (const w of inspected) if (w.threadId === undefined || !own.has(w.threadId)) out.push(w);
  return out;
}

let running: RunningProfile | undefined;

/** The `thread` label of this thread's samples. */
export function threadName(): string {
  return isMainThread ? "main" : `worker ${threadId}`;
}

/**
 * Sets the sampling rate (Hz) of the next CPU profile (Go's
 * runtime.SetCPUProfileRate). Default 100. Rates above 1,000,000 are clamped;
 * hz <= 0 restores the default. While a profile runs the rate cannot change:
 * as Go, this prints "runtime: cannot set cpu profile rate until previous
 * profile has finished." to stderr and leaves the rate as it is.
 */
export function setCPUProfileRate(hz: number): void {
  if (typeof hz !== "number" || Number.isNaN(hz)) throw new TypeError(`setCPUProfileRate: hz must be a number, got ${String(hz)}`);
  if (running) {
    process.stderr.write("runtime: cannot set cpu profile rate until previous profile has finished.\n");
    return;
  }
  rateHz = effectiveRate(hz);
}

/** The rate the next (or running) CPU profile samples at, in Hz. */
export function cpuProfileRate(): number {
  return running ? running.hz : rateHz;
}

/**
 * Starts profiling this thread (and, on the main thread, every worker
 * thread) until stopCPUProfile, which writes the profile to w. Throws
 * "cpu profiling already in use" if a profile already runs in this thread.
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

// The labels set while the preload's sampler waits to be taken over: any
// label call comes after this module loads (a tsprof import loads it), so a
// recording started now misses none.
let earlyRecording: LabelRecording | undefined = earlyThreadProfile() ? startLabelRecording() : undefined;

function start(w: Writable, takeOver: boolean): void {
  if (running) throw new Error("cpu profiling already in use");
  if (!w || typeof (w as Partial<Writable>).write !== "function") throw new TypeError("startCPUProfile: w must be a Writable stream");
  // Taking over, the rate is the one the preload's sampler runs at.
  const early = takeOver ? earlyThreadProfile() : undefined;
  const hz = early ? early.hz : rateHz;
  const intervalUs = samplingInterval(hz);
  // Watched from before the first sample (or from the early sampler's start).
  const clock = ThreadClockWatch.watch(undefined, early?.startCpu, takeOver);
  let tookOver: boolean;
  try {
    tookOver = startThreadProfile(intervalUs, takeOver);
  } catch (err) {
    clock?.close();
    throw err;
  }
  const recording = tookOver && earlyRecording ? earlyRecording : startLabelRecording();
  if (recording !== earlyRecording) earlyRecording?.stop();
  earlyRecording = undefined;
  running = {
    w,
    hz,
    intervalUs,
    startHr: tookOver && early ? early.startHr : process.hrtime.bigint(),
    recording,
    clock,
    workers: isMainThread ? new Workers(intervalUs, tookOver ? early?.workers : undefined) : undefined,
  };
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
  const self = stopThisThread(p);
  // Workers are stopped whatever happened here, so nothing keeps sampling.
  const workerProfiles = p.workers ? await p.workers.stop() : [];
  const { encode, write } = stopModules();
  await write.writeAll(p.w, await encode.encodeProfileGzip(profileData(p, self, workerProfiles)));
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
  if (ms === 0 && !running) releaseThreadProfiler();
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
  const self = stopThisThread(p);
  const workerProfiles = p.workers ? p.workers.stopNow() : [];
  return stopModules().encode.encodeProfileGzipSync(profileData(p, self, workerProfiles));
}

/** Stops this thread's sampler and label recording; a failure is kept for after the workers stopped. */
function stopThisThread(p: RunningProfile): { profile?: V8CpuProfile; failure?: unknown; durationNanos: number; timeNanos: bigint } {
  let profile: V8CpuProfile | undefined;
  let failure: unknown;
  try {
    profile = stopThreadProfile(p.intervalUs);
  } catch (err) {
    failure = err;
  }
  p.recording.stop();
  p.clock?.readOwn();
  p.clock?.close();
  const elapsed = process.hrtime.bigint() - p.startHr;
  // The start's wall clock, read now: the global performance loads
  // node:perf_hooks on first use, which a profile's start should not pay.
  const timeNanos = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)) - elapsed;
  return { profile, failure, durationNanos: Number(elapsed), timeNanos };
}

function profileData(p: RunningProfile, self: ReturnType<typeof stopThisThread>, workers: ThreadProfile[]): ProfileData {
  if (!self.profile) throw self.failure;
  const threads: ThreadProfile[] = [{ thread: threadName(), profiles: [self.profile], labelsAt: (t) => p.recording.labelsAt(t), cpuTime: p.clock?.timeline() }, ...workers];
  return stopModules().convert.cpuProfileData(threads, { periodNanos: Math.round(1e9 / p.hz), timeNanos: self.timeNanos, durationNanos: self.durationNanos });
}
