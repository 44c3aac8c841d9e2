// The mutex profile: the event loop is Node's one lock. A callback that holds
// it for long delays all the work queued behind it, as a goroutine holding a
// contended mutex delays its waiters. Each record is the callback that held
// the loop (its name, as the leaf frame) on top of the stack that scheduled
// it (where the timer, request, promise, ... was created).
//
// setMutexProfileFraction(rate) has Go's meaning: 0 turns it off (the
// default: nothing hooked), otherwise on average 1 in `rate` events is
// recorded, with its count and delay scaled by `rate`. A callback is a
// contention event when it held the loop for at least MUTEX_MIN_HOLD_MS; its
// delay is the whole time it held the loop. Callbacks are timed by an
// async_hooks hook (init/before/after), in one of two ways:
// - rate < WINDOWED_FROM: the hook is always on and times every callback;
//   the sampling decision is taken when a resource is created, so only
//   sampled resources pay for a stack capture, and every sampled event has
//   its scheduling stack.
// - rate >= WINDOWED_FROM: the hook is on only around time windows covering
//   1/rate of the time (mutex-windows.ts), so the per-callback cost is paid
//   1/rate of the time; a callback starting inside a window is sampled. One
//   whose resource was created while the hook was off is recorded with its
//   name alone, without the stack that scheduled it.

import { createRequire } from "node:module";
import { AsyncResource, createHook, executionAsyncResource, type AsyncHook } from "node:async_hooks";
import type { ProfileData } from "../profile/model.js";
import type { Frame } from "../profile/builder.js";
import { captureLazyStack, pseudoFrame, type LazyStack } from "./goroutine-stack.js";
import { ContentionRecords } from "./block-records.js";
import { SamplingWindows, WINDOWED_FROM, nowMs } from "./mutex-windows.js";

/** The shortest hold of the event loop that counts as delaying queued work. */
export const MUTEX_MIN_HOLD_MS = 1;

interface Scheduled {
  /** The callback, named at creation: Node clears an Immediate's before its after hook. */
  callback: Frame;
  stack: LazyStack;
}

const records = new ContentionRecords();
/**
 * Events not yet symbolized (tens of µs each): folded into `records` after
 * each window, so that cost falls outside the windows and does not thin the
 * callbacks that start inside one; and before every read.
 */
const pending: { callback: Frame; stack: LazyStack; count: number; delayNanos: number }[] = [];
const MAX_PENDING = 1000;
let fraction = 0;
const hook: AsyncHook = createHook({ init, before, after });
let hookOn = false;
/** Set while sampling in time windows (fraction >= WINDOWED_FROM). */
let windows: SamplingWindows | undefined;
/** Sampled resources → where they were scheduled; forgotten with the resource. */
const scheduled = new WeakMap<object, Scheduled>();
/** Always-on mode: resources with a smaller async id were created before the hook was on. */
let firstTrackedId = Infinity;
/** Callbacks running now (they can nest): their async ids and start times (NaN: not sampled), in step. */
const runningIds: number[] = [];
const runningStarts: number[] = [];

function init(_asyncId: number, type: string, _trigger: number, resource: object): void {
  // In windows every resource created while the hook is on keeps its stack:
  // which callbacks count is decided by when they start.
  if (!windows && fraction > 1 && Math.random() * fraction >= 1) return;
  scheduled.set(resource, { callback: callbackFrame(resource, type), stack: captureLazyStack(init) });
}

// The hot path: every callback, promise reactions included, passes here
// while the hook is on. Only numbers are kept; the resource is looked at
// only for the few callbacks that held the loop long enough.
function before(asyncId: number): void {
  const now = nowMs();
  runningIds.push(asyncId);
  runningStarts.push(!windows || windows.covers(now) ? now : NaN);
}

function after(asyncId: number): void {
  // An uncaught exception can skip an after: unwind to this callback. An
  // after whose before came while the hook was off has nothing to unwind.
  const at = runningIds.lastIndexOf(asyncId);
  if (at < 0) return;
  const start = runningStarts[at]!;
  runningIds.length = at;
  runningStarts.length = at;
  const heldMs = nowMs() - start;
  if (!(heldMs >= MUTEX_MIN_HOLD_MS)) return;
  // Still the callback's resource: after runs before its context is left.
  const resource = executionAsyncResource();
  const r = fraction;
  const s = scheduled.get(resource);
  if (s) {
    record(s.callback, s.stack, r, r * heldMs * 1e6);
  } else if (windows) {
    // Created while the hook was off: the callback alone (already sampled by its start).
    record(callbackFrame(resource, ""), NO_STACK, r, r * heldMs * 1e6);
  } else if (asyncId < firstTrackedId && (r <= 1 || Math.random() * r < 1)) {
    // Scheduled before the profile was on: the callback alone, sampled now.
    record(callbackFrame(resource, ""), NO_STACK, r, r * heldMs * 1e6);
  }
}

function record(callback: Frame, stack: LazyStack, count: number, delayNanos: number): void {
  pending.push({ callback, stack, count, delayNanos });
  if (pending.length >= MAX_PENDING) flushPending();
}

function flushPending(): void {
  const events = pending.splice(0);
  for (const e of events) {
    try {
      records.add([e.callback], e.stack, e.count, e.delayNanos);
    } catch {
      // A stack that cannot be symbolized: keep the event under its callback
      // alone (an exception escaping an async hook would end the process).
      records.add([e.callback], NO_STACK, e.count, e.delayNanos);
    }
  }
}

const NO_STACK: LazyStack = {};

/** The callback that ran, by name where Node keeps it on the resource. */
function callbackFrame(resource: object, type: string): Frame {
  const r = resource as { _onTimeout?: unknown; _onImmediate?: unknown; callback?: unknown };
  type ||= resource.constructor?.name ?? "";
  const fn = type === "Timeout" ? r._onTimeout : type === "Immediate" ? r._onImmediate : type === "TickObject" ? r.callback : undefined;
  const name = typeof fn === "function" && fn.name ? fn.name : type === "PROMISE" || type === "Promise" ? "(promise reaction)" : `(${type || "unknown"} callback)`;
  return pseudoFrame(name);
}

function setHook(on: boolean): void {
  if (on === hookOn) return;
  hookOn = on;
  // Entries left from when the hook went off have no after coming.
  runningIds.length = 0;
  runningStarts.length = 0;
  if (on) hook.enable();
  else {
    hook.disable();
    flushPending();
  }
}

/**
 * Go's runtime.SetMutexProfileFraction: on average 1 in `rate` contention
 * events is recorded; 0 turns it off; a negative rate only reads. Returns the
 * previous rate. Records already taken are kept.
 */
export function setMutexProfileFraction(rate: number): number {
  if (typeof rate !== "number" || Number.isNaN(rate)) throw new TypeError(`setMutexProfileFraction: rate must be a number, got ${String(rate)}`);
  const previous = fraction;
  if (rate < 0) return previous;
  const next = Math.trunc(Math.min(rate, Number.MAX_SAFE_INTEGER));
  if (next === previous) return previous;
  windows?.stop();
  windows = undefined;
  setHook(false);
  fraction = next;
  if (fraction >= WINDOWED_FROM) {
    windows = new SamplingWindows(fraction, setHook);
  } else if (fraction > 0) {
    // The async id counter now: everything created from here on is seen by init.
    firstTrackedId = new AsyncResource("tsprof.mutex").asyncId();
    setHook(true);
  }
  return previous;
}

/** The mutex profile's source for the registry. */
export const mutexSource = {
  count: (): number => (flushPending(), records.size),
  collect: (): ProfileData => (flushPending(), records.build()),
  text: (): string => {
    flushPending();
    // The text helpers are loaded when a text form is asked for.
    const { contentionText } = createRequire(import.meta.url)("./goroutine-text.js") as typeof import("./goroutine-text.js");
    return contentionText("mutex", records.build(), fraction);
  },
};
