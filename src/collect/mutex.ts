// The mutex profile: the event loop is Node's one lock. A callback that holds
// it for long delays all the work queued behind it, as a goroutine holding a
// contended mutex delays its waiters. Each record is the callback that held
// the loop (its name, as the leaf frame) on top of the stack that scheduled
// it (where the timer, request, promise, ... was created).
//
// setMutexProfileFraction(rate) has Go's meaning: 0 turns it off (the
// default: nothing hooked), otherwise on average 1 in `rate` events is
// recorded, with its count and delay scaled by `rate`. The sampling decision
// is taken when a resource is created, so only sampled resources pay for a
// stack capture; every callback is timed (async_hooks before/after) while on.
// A callback is a contention event when it held the loop for at least
// MUTEX_MIN_HOLD_MS; its delay is the whole time it held the loop.

import { AsyncResource, createHook, executionAsyncResource, type AsyncHook } from "node:async_hooks";
import { performance } from "node:perf_hooks";
import type { ProfileData } from "../profile/model.js";
import type { Frame } from "../profile/builder.js";
import { captureLazyStack, pseudoFrame, type LazyStack } from "./goroutine-stack.js";
import { ContentionRecords } from "./block-records.js";
import { contentionText } from "./goroutine-text.js";

/** The shortest hold of the event loop that counts as delaying queued work. */
export const MUTEX_MIN_HOLD_MS = 1;

interface Scheduled {
  type: string;
  stack: LazyStack;
}

const records = new ContentionRecords();
let fraction = 0;
let hook: AsyncHook | undefined;
/** Sampled resources → where they were scheduled; forgotten with the resource. */
const scheduled = new WeakMap<object, Scheduled>();
/** Resources with a smaller async id were created before the hook was on. */
let firstTrackedId = Infinity;
/** Callbacks running now (they can nest): their async ids and start times, in step. */
const runningIds: number[] = [];
const runningStarts: number[] = [];

function init(_asyncId: number, type: string, _trigger: number, resource: object): void {
  if (fraction > 1 && Math.random() * fraction >= 1) return;
  scheduled.set(resource, { type, stack: captureLazyStack(init) });
}

// The hot path: every callback, promise reactions included, passes here
// while the profile is on. Only numbers are kept; the resource is looked at
// only for the few callbacks that held the loop long enough.
function before(asyncId: number): void {
  runningIds.push(asyncId);
  runningStarts.push(performance.now());
}

function after(asyncId: number): void {
  // An uncaught exception can skip an after: unwind to this callback.
  let id = runningIds.pop();
  let start = runningStarts.pop();
  while (id !== undefined && id !== asyncId) {
    id = runningIds.pop();
    start = runningStarts.pop();
  }
  if (start === undefined) return;
  const heldMs = performance.now() - start;
  if (heldMs < MUTEX_MIN_HOLD_MS) return;
  // Still the callback's resource: after runs before its context is left.
  const resource = executionAsyncResource();
  const r = fraction;
  const s = scheduled.get(resource);
  if (s) {
    records.add([callbackFrame(resource, s.type)], s.stack, r, r * heldMs * 1e6);
  } else if (asyncId < firstTrackedId && (r <= 1 || Math.random() * r < 1)) {
    // Scheduled before the profile was on: the callback alone, sampled now.
    records.add([callbackFrame(resource, "")], NO_STACK, r, r * heldMs * 1e6);
  }
}

const NO_STACK: LazyStack = {};

/** The callback that ran, by name where Node keeps it on the resource. */
function callbackFrame(resource: object, type: string): Frame {
  const r = resource as { _onTimeout?: unknown; _onImmediate?: unknown; callback?: unknown };
  type ||= resource.constructor?.name ?? "";
  const fn = type === "Timeout" ? r._onTimeout : type === "Immediate" ? r._onImmediate : type === "TickObject" ? r.callback : undefined;
  const name = typeof fn === "function" && fn.name ? fn.name : type === "PROMISE" ? "(promise reaction)" : `(${type || "unknown"} callback)`;
  return pseudoFrame(name);
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
  fraction = Math.trunc(Math.min(rate, Number.MAX_SAFE_INTEGER));
  if (fraction > 0 && !hook) {
    // The async id counter now: everything created from here on is seen by init.
    firstTrackedId = new AsyncResource("tsprof.mutex").asyncId();
    hook = createHook({ init, before, after });
    hook.enable();
  } else if (fraction === 0 && hook) {
    hook.disable();
    hook = undefined;
    runningIds.length = 0;
    runningStarts.length = 0;
  }
  return previous;
}

/** The mutex profile's source for the registry. */
export const mutexSource = {
  count: (): number => records.size,
  collect: (): ProfileData => records.build(),
  text: (): string => contentionText("mutex", records.build(), fraction),
};
