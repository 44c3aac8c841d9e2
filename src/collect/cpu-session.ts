// This thread's V8 CPU profiler, driven through one inspector session that
// stays open across profiles.
//
// Why the keep-alive: starting V8's profiler re-logs every compiled function
// (hundreds of ms with 100k functions), and tearing it down walks them again.
// V8 shares one profiler between the profiles of a session, so while a
// profile is being cut a second one keeps it running: stopping profile N
// starts a "keeper" console profile first, and starting profile N+1 ends the
// keeper after the new profile runs. Both steps cost well under a
// millisecond. The keeper lingers for keepAliveMs after a stop, then is ended,
// which pays the teardown once, off the stop path; with no profile ever
// started nothing exists at all.

import { Session, console as inspectorConsole } from "node:inspector";
import { isMainThread } from "node:worker_threads";
import { createRequire } from "node:module";
import { postSync } from "./inspector.js";
import type { V8CpuProfile } from "./cpu-convert.js";
import type { SelfSampledWorkers } from "./cpu-worker-start.js";

const KEEPER_TITLE = "tsprof-keepalive";

/** How long the sampler stays alive after a stop (ms) so a next profile starts at once. */
let keepAliveMs = envKeepAlive() ?? 15_000;

function envKeepAlive(): number | undefined {
  const raw = process.env.TSPROF_CPU_KEEPALIVE_MS;
  if (raw === undefined || raw === "") return undefined;
  const ms = Number(raw);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export function setKeepAliveMs(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`keep-alive must be a non-negative number of ms, got ${ms}`);
  keepAliveMs = ms;
}

/** Go's default CPU profile rate (Hz). */
export const DEFAULT_HZ = 100;
/** Go clamps the rate to 1e6 Hz; V8 cannot sample faster than every µs anyway. */
export const MAX_HZ = 1_000_000;

/** The rate a requested rate gives: hz <= 0 means the default, as in Go; above MAX_HZ is clamped. */
export function effectiveRate(hz: number): number {
  return hz <= 0 ? DEFAULT_HZ : Math.min(hz, MAX_HZ);
}

/** V8's sampling interval (µs) for a rate (Hz). */
export function samplingInterval(hz: number): number {
  return Math.max(1, Math.round(1e6 / hz));
}

let session: Session | undefined;
/** Sampling interval (µs) of the V8 profiler kept alive by the keeper, if any. */
let keeperInterval: number | undefined;
let keeperTimer: NodeJS.Timeout | undefined;
let running = false;
let enabled = false;

function post<T = unknown>(method: string, params?: object): T {
  if (!session) throw new Error("tsprof: no inspector session");
  return postSync<T>(session, method, params);
}

function ensureEnabled(): void {
  if (!session) {
    // Kept only once connected: where connecting fails (a process with no
    // inspector), every call says why, not "Session is not connected".
    const fresh = new Session();
    fresh.connect();
    session = fresh;
  }
  if (!enabled) {
    post("Profiler.enable");
    enabled = true;
  }
}

/** A sampler started by startEarlyThreadProfile that no profile took over yet. */
let early: EarlyProfile | undefined;

export interface EarlyProfile {
  hz: number;
  intervalUs: number;
  startHr: bigint;
  /** On the main thread, the workers created from then on sample themselves, for the profile that takes over. */
  workers: SelfSampledWorkers | undefined;
}

/**
 * Starts V8's profiler ahead of the profile that will own it: the
 * tsprof/register preload does this first, before it loads the rest of
 * tsprof. V8 logs every function already compiled when its sampler starts,
 * parsing each again for its source positions, which costs far more than
 * logging functions as they compile; so the sooner it starts, the cheaper.
 * Until startThreadProfile(its interval, true) takes it over, with its
 * samples, the profiler counts as in use; releaseEarlyThreadProfile ends it.
 */
export function startEarlyThreadProfile(hz: number): void {
  if (running) return;
  const intervalUs = samplingInterval(hz);
  startThreadProfile(intervalUs);
  early = { hz, intervalUs, startHr: process.hrtime.bigint(), workers: isMainThread ? earlyWorkers(intervalUs) : undefined };
}

/** The first worker of a run may start before the profile takes over: workers sample themselves from now on. */
function earlyWorkers(intervalUs: number): SelfSampledWorkers | undefined {
  try {
    return (createRequire(import.meta.url)("./cpu-worker-start.js") as typeof import("./cpu-worker-start.js")).selfSampleNewWorkers(intervalUs);
  } catch {
    return undefined; // workers are sampled through the inspector alone
  }
}

/** The sampler startEarlyThreadProfile started, while nothing took it over. */
export function earlyThreadProfile(): EarlyProfile | undefined {
  return early;
}

/** Ends a sampler started by startEarlyThreadProfile that no profile took over. */
export function releaseEarlyThreadProfile(): void {
  if (!early) return;
  early.workers?.close();
  early = undefined;
  running = false;
  try {
    post("Profiler.stop");
  } finally {
    if (keeperInterval === undefined) {
      post("Profiler.disable");
      enabled = false;
    }
  }
}

/**
 * Starts V8's profiler for this thread at the given interval (µs). With
 * takeOverEarly, a sampler started by startEarlyThreadProfile at the same
 * interval becomes this profile (true is returned); at another interval it
 * is ended and a new one started.
 */
export function startThreadProfile(intervalUs: number, takeOverEarly = false): boolean {
  if (early && takeOverEarly) {
    if (early.intervalUs === intervalUs) {
      early = undefined;
      return true;
    }
    releaseEarlyThreadProfile();
  }
  if (running) throw new Error("cpu profiling already in use");
  if (keeperInterval !== undefined && keeperInterval !== intervalUs) endKeeper(); // rate changed: a fresh sampler
  ensureEnabled();
  if (keeperInterval === undefined) post("Profiler.setSamplingInterval", { interval: intervalUs });
  post("Profiler.start");
  running = true;
  // The new profile holds the sampler now; the keeper's own samples are dropped.
  if (keeperInterval !== undefined) endKeeper();
  return false;
}

/** Stops this thread's profile and returns it; the sampler lingers for keepAliveMs. */
export function stopThreadProfile(intervalUs: number): V8CpuProfile {
  if (!running) throw new Error("tsprof: cpu profile not running");
  if (keepAliveMs > 0) startKeeper(intervalUs);
  try {
    return post<{ profile: V8CpuProfile }>("Profiler.stop").profile;
  } finally {
    running = false;
    if (keeperInterval === undefined) {
      post("Profiler.disable");
      enabled = false;
    }
  }
}

/**
 * Ends this thread's profile and starts the next at once, at the same
 * interval, without tearing V8's profiler down in between (the keeper holds
 * it for the instant between the two, whatever the keep-alive): the cut of
 * a continuous profile into windows (cpu-windows.ts).
 */
export function cutThreadProfile(): V8CpuProfile {
  if (!running) throw new Error("tsprof: cpu profile not running");
  // While a profile runs no keeper lingers (startThreadProfile ended it): this one is ours.
  inspectorConsole.profile(KEEPER_TITLE);
  let profile: V8CpuProfile;
  try {
    profile = post<{ profile: V8CpuProfile }>("Profiler.stop").profile;
  } finally {
    post("Profiler.start");
    inspectorConsole.profileEnd(KEEPER_TITLE);
  }
  return profile;
}

function startKeeper(intervalUs: number): void {
  if (keeperInterval !== undefined) return;
  inspectorConsole.profile(KEEPER_TITLE);
  keeperInterval = intervalUs;
  keeperTimer = setTimeout(endKeeper, keepAliveMs);
  keeperTimer.unref();
}

function endKeeper(): void {
  if (keeperTimer) clearTimeout(keeperTimer);
  keeperTimer = undefined;
  if (keeperInterval === undefined) return;
  keeperInterval = undefined;
  inspectorConsole.profileEnd(KEEPER_TITLE);
  // Idle: a disabled domain also ignores console.profile() calls made by others.
  if (!running && enabled) {
    post("Profiler.disable");
    enabled = false;
  }
}

/** Ends a lingering sampler now (tests, benchmarks, shutdown). */
export function releaseThreadProfiler(): void {
  endKeeper();
}
