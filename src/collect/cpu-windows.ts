// One CPU sampler run feeding several profiles ("windows") at once.
//
// V8's sampler runs while at least one window is open: startCPUProfile's
// profile, or the /debug/pprof/profile windows of scrapers that share it.
// When a window opens or closes while others stay open, the run is cut: this
// thread's V8 profile (cutThreadProfile: the sampler goes on), its label
// timeline and the workers' profiles end there and a new segment begins. A
// window's profile is then exactly the segments between its opening and its
// closing, so each holds the samples of its own time range. Segments are kept
// only while an open window still needs them; with no window open nothing
// runs at all.

import { isMainThread, threadId } from "node:worker_threads";
import { createRequire } from "node:module";
import { startLabelRecording, type LabelRecording } from "./labels.js";
import {
  startThreadProfile,
  stopThreadProfile,
  cutThreadProfile,
  samplingInterval,
  earlyThreadProfile,
} from "./cpu-session.js";
import type { WorkerSampler, WorkerThreadProfile } from "./cpu-workers.js";
import type { SelfSampledWorkers } from "./cpu-worker-start.js";
import type { ThreadProfile, V8CpuProfile } from "./cpu-convert.js";
import type { ProfileData } from "../profile/model.js";
import { ThreadClockWatch } from "./cpu-clock.js";

const load = createRequire(import.meta.url);

/**
 * The wall clock (ns since the epoch) at a moment of process.hrtime's clock,
 * from one anchor per process, so that windows meeting in hrtime meet in
 * time_nanos too. The anchor is read at the first profile's end: the global
 * performance loads node:perf_hooks on first use, which a profile's start
 * should not pay.
 */
let anchor: { wall: bigint; hr: bigint } | undefined;
export function wallNanosAt(hr: bigint): bigint {
  anchor ??= { hr: process.hrtime.bigint(), wall: BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)) };
  return anchor.wall + (hr - anchor.hr);
}

/** The wall clock now (ns since the epoch), on the same anchor as profiles' time_nanos. */
export function wallNanos(): bigint {
  return wallNanosAt(process.hrtime.bigint());
}

/** The `thread` label of this thread's samples. */
export function threadName(): string {
  return isMainThread ? "main" : `worker ${threadId}`;
}

/**
 * The workers' share of a segment. Workers created from now on sample
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

/** A stretch of the run between two cuts. */
interface Segment {
  profile: V8CpuProfile | undefined;
  /** This thread's CPU clock over the run, read at the segment's end; undefined without one. */
  clock: ThreadClockWatch | undefined;
  failure: unknown;
  recording: LabelRecording;
  workers: Promise<WorkerThreadProfile[]> | WorkerThreadProfile[];
}

interface Run {
  hz: number;
  intervalUs: number;
  recording: LabelRecording;
  /** This thread's CPU clock, which weighs its samples (cpu-clock.ts). */
  clock: ThreadClockWatch | undefined;
  workers: Workers | undefined;
  /** Closed segments still needed; segments[0] has the number `base`. */
  segments: Segment[];
  base: number;
  windows: Set<CPUWindow>;
}

/** One profile being taken from the shared sampler. */
export interface CPUWindow {
  /** The number of the first segment it covers. */
  readonly from: number;
  readonly startHr: bigint;
  readonly hz: number;
}

let run: Run | undefined;

// The labels set while the preload's sampler waits to be taken over: any
// label call comes after this module loads (a tsprof import loads it), so a
// recording started now misses none.
let earlyRecording: LabelRecording | undefined = earlyThreadProfile() ? startLabelRecording() : undefined;

/** The rate of the running sampler (Hz), undefined when none runs. */
export function runningRate(): number | undefined {
  return run?.hz;
}

/** How many windows are open. */
export function openWindows(): number {
  return run ? run.windows.size : 0;
}

/**
 * Opens a window: starts the sampler at hz when none runs (taking over the
 * tsprof/register preload's with takeOver), or else joins the running one at
 * its rate.
 */
export function openWindow(hz: number, takeOver = false): CPUWindow {
  if (run) {
    cut(run, false);
    const w: CPUWindow = { from: run.base + run.segments.length, startHr: process.hrtime.bigint(), hz: run.hz };
    run.windows.add(w);
    return w;
  }
  // Taking over, the rate is the one the preload's sampler runs at.
  const early = takeOver ? earlyThreadProfile() : undefined;
  if (early) hz = early.hz;
  const intervalUs = samplingInterval(hz);
  // Watched from before the first sample (or from the early sampler's
  // start). The helper thread is asked on the next turn of the event loop:
  // a profile of one synchronous stretch is weighed by the readings at its
  // start and end, without paying for the helper's start.
  const clock = ThreadClockWatch.watch(undefined, early?.startCpu, true);
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
  const w: CPUWindow = { from: 0, startHr: tookOver && early ? early.startHr : process.hrtime.bigint(), hz };
  run = {
    hz,
    intervalUs,
    recording,
    clock,
    workers: isMainThread ? new Workers(intervalUs, tookOver ? early?.workers : undefined) : undefined,
    segments: [],
    base: 0,
    windows: new Set([w]),
  };
  return w;
}

/** Closes a window and returns its profile, with every thread's samples of its time range. */
export async function closeWindow(w: CPUWindow): Promise<ProfileData> {
  const segments = close(w, false);
  const endHr = process.hrtime.bigint();
  const workers = await Promise.all(segments.map((s) => s.workers));
  return windowProfile(w, segments, workers, endHr);
}

/** closeWindow for process 'exit' handlers: nothing asynchronous runs (see stopCPUProfileSync). */
export function closeWindowSync(w: CPUWindow): ProfileData {
  const segments = close(w, true);
  const endHr = process.hrtime.bigint();
  return windowProfile(w, segments, segments.map(settledWorkers), endHr);
}

/**
 * Closes w and opens its successor at the same cut, for a continuous profile
 * cut into periods (the push session's): consecutive windows neither
 * overlap nor leave a gap, in samples and in time_nanos + duration_nanos.
 * Synchronous, as closeWindowSync: workers still running at the cut are not
 * in w's profile.
 */
export function rollWindowSync(w: CPUWindow): { data: ProfileData; next: CPUWindow } {
  const r = run;
  if (!r || !r.windows.has(w)) throw new Error("tsprof: cpu profile not running");
  cut(r, true);
  const endHr = process.hrtime.bigint();
  const next: CPUWindow = { from: r.base + r.segments.length, startHr: endHr, hz: r.hz };
  r.windows.delete(w);
  r.windows.add(next);
  const segments = r.segments.slice(w.from - r.base);
  release(r);
  return { data: windowProfile(w, segments, segments.map(settledWorkers), endHr), next };
}

/** Closes a window whose profile nobody wants any more (its client left). */
export function dropWindow(w: CPUWindow): void {
  close(w, false);
}

/** Ends the window's last segment and returns its segments; the sampler stops if it was the last window. */
function close(w: CPUWindow, sync: boolean): Segment[] {
  const r = run;
  if (!r || !r.windows.delete(w)) throw new Error("tsprof: cpu profile not running");
  if (r.windows.size === 0) {
    run = undefined;
    finish(r, sync);
  } else {
    cut(r, sync);
  }
  const segments = r.segments.slice(w.from - r.base);
  release(r);
  return segments;
}

/** Lets go of the segments no open window covers. */
function release(r: Run): void {
  let first = r.base + r.segments.length;
  for (const o of r.windows) first = Math.min(first, o.from);
  r.segments.splice(0, first - r.base);
  r.base = first;
}

/** Ends the current segment; the sampler, label recording and workers go on in a new one. */
function cut(r: Run, sync: boolean): void {
  let profile: V8CpuProfile | undefined, failure: unknown;
  try {
    profile = cutThreadProfile();
  } catch (err) {
    failure = err;
  }
  const recording = r.recording;
  r.recording = startLabelRecording();
  recording.stop();
  r.clock?.readOwn();
  const workers = r.workers;
  if (workers) r.workers = new Workers(r.intervalUs, undefined);
  r.segments.push({ profile, failure, clock: r.clock, recording, workers: !workers ? [] : sync ? workers.stopNow() : workers.stop() });
}

/** Ends the last segment and the sampler (which then lingers for the keep-alive). */
function finish(r: Run, sync: boolean): void {
  let profile: V8CpuProfile | undefined, failure: unknown;
  try {
    profile = stopThreadProfile(r.intervalUs);
  } catch (err) {
    failure = err;
  }
  r.recording.stop();
  r.clock?.readOwn();
  r.clock?.close();
  // Workers are stopped whatever happened here, so nothing keeps sampling.
  const workers = !r.workers ? [] : sync ? r.workers.stopNow() : r.workers.stop();
  r.segments.push({ profile, failure, clock: r.clock, recording: r.recording, workers });
}

function windowProfile(w: CPUWindow, segments: Segment[], workers: WorkerThreadProfile[][], endHr: bigint): ProfileData {
  const failed = segments.find((s) => !s.profile);
  if (failed) throw failed.failure;
  const threads: ThreadProfile[] = segments.map((s) => ({ thread: threadName(), profiles: [s.profile!], labelsAt: (t) => s.recording.labelsAt(t), cpuTime: s.clock?.timeline() }));
  // Each worker once, with its profiles of every segment.
  const byThread = new Map<string, WorkerThreadProfile>();
  for (const list of workers) {
    for (const t of list) {
      const seen = byThread.get(t.thread);
      if (seen) seen.profiles.push(...t.profiles);
      else byThread.set(t.thread, { ...t, profiles: [...t.profiles] });
    }
  }
  threads.push(...byThread.values());
  const elapsed = endHr - w.startHr;
  const timeNanos = wallNanosAt(w.startHr);
  const { cpuProfileData } = load("./cpu-convert.js") as typeof import("./cpu-convert.js");
  return cpuProfileData(threads, { periodNanos: Math.round(1e9 / w.hz), timeNanos, durationNanos: Number(elapsed) });
}

/**
 * A segment's worker profiles where nothing asynchronous can run: those of a
 * segment cut asynchronously (a window opened or closed in the meantime)
 * are still being collected, and are left out.
 */
function settledWorkers(s: Segment): WorkerThreadProfile[] {
  return Array.isArray(s.workers) ? s.workers : [];
}
