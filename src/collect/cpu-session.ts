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
import { postSync } from "./inspector.js";
import type { V8CpuProfile } from "./cpu-convert.js";

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
    session = new Session();
    session.connect();
  }
  if (!enabled) {
    post("Profiler.enable");
    enabled = true;
  }
}

/** Starts V8's profiler for this thread at the given interval (µs). */
export function startThreadProfile(intervalUs: number): void {
  if (running) throw new Error("cpu profiling already in use");
  if (keeperInterval !== undefined && keeperInterval !== intervalUs) endKeeper(); // rate changed: a fresh sampler
  ensureEnabled();
  if (keeperInterval === undefined) post("Profiler.setSamplingInterval", { interval: intervalUs });
  post("Profiler.start");
  running = true;
  // The new profile holds the sampler now; the keeper's own samples are dropped.
  if (keeperInterval !== undefined) endKeeper();
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
