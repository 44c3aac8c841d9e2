// Profiler labels (Go's pprof.Labels, Do, Label, ForLabels,
// SetGoroutineLabels), carried by AsyncLocalStorage in the place of Go's
// context.Context, so they follow every await, callback, timer and event
// emitted inside, as Go's follow goroutines started inside Do.
//
// Contract with the CPU profiler (collect/cpu.ts): at start it calls
// startLabelRecording(); while no label was ever used nothing is installed
// (the recording begins at the first label call). At stop it calls recording.stop() and then
// recording.labelsAt(t) for each sample, t being the sample's time in
// microseconds on process.hrtime's clock (V8's startTime + timeDeltas).
//
// Why a timeline: V8 samples the stack from another thread and knows nothing
// of asynchronous context, so while a profile runs every change of the
// current label set is stamped (an async_hooks before hook, and the label calls
// themselves) and joined to the samples by time when the profile stops.

import { AsyncLocalStorage, createHook, type AsyncHook } from "node:async_hooks";

/** An immutable set of labels, sorted by key (Go's LabelSet). */
export type LabelSet = Readonly<Record<string, string>>;

export interface LabelRecording {
  stop(): void;
  /** The labels in effect at time t (µs, process.hrtime clock), or undefined. */
  labelsAt(t: number): LabelSet | undefined;
}

const EMPTY: LabelSet = Object.freeze({});

// Created on first use, so a process that never sets a label pays nothing.
let storage: AsyncLocalStorage<LabelSet> | undefined;

function store(): AsyncLocalStorage<LabelSet> {
  if (!storage) {
    storage = new AsyncLocalStorage<LabelSet>();
    // A profile that started before the first label begins its timeline now.
    for (const waiting of lazyWaiting.splice(0)) waiting.begin();
  }
  return storage;
}

/**
 * Builds a label set from key/value pairs (Go's pprof.Labels): sorted by key,
 * and a key given twice keeps its last value.
 */
export function labels(...keyValues: string[]): LabelSet {
  if (keyValues.length % 2 !== 0) throw new Error("uneven number of arguments to pprof.Labels");
  const pairs = new Map<string, string>();
  for (let i = 0; i < keyValues.length; i += 2) {
    const key = keyValues[i], value = keyValues[i + 1];
    if (typeof key !== "string" || typeof value !== "string") {
      throw new TypeError(`pprof.Labels: keys and values must be strings, got ${typeof key} and ${typeof value}`);
    }
    pairs.set(key, value);
  }
  return sortedSet(pairs);
}

function sortedSet(pairs: Map<string, string>): LabelSet {
  const out: Record<string, string> = {};
  for (const key of [...pairs.keys()].sort()) out[key] = pairs.get(key)!;
  return Object.freeze(out);
}

/** The labels in effect for the current asynchronous flow (undefined: none). */
export function currentLabels(): LabelSet | undefined {
  const current = storage?.getStore();
  return current && current !== EMPTY ? current : undefined;
}

function merged(base: LabelSet | undefined, added: LabelSet): LabelSet {
  if (!base || base === EMPTY) return added;
  const pairs = new Map(Object.entries(base));
  for (const key in added) pairs.set(key, added[key]!);
  return sortedSet(pairs);
}

/**
 * Runs fn with labelSet added to the current labels (Go's pprof.Do): inner
 * labels override outer ones with the same key. Every sample taken while fn
 * runs — and in everything it starts asynchronously — carries them. They are
 * gone once fn returns (for an async fn, from the caller's point of view).
 */
export function runWithLabels<T>(labelSet: LabelSet, fn: () => T): T {
  return runWithExactLabels(merged(storage?.getStore(), labelSet), fn);
}

/**
 * Runs fn with exactly labelSet as the current labels (undefined: none), for
 * integrations that replace some keys of the current set (tsprof/otel's span
 * labels). Not part of Go's API.
 */
export function runWithExactLabels<T>(labelSet: LabelSet | undefined, fn: () => T): T {
  const als = store();
  const previous = als.getStore();
  const next = labelSet ?? EMPTY;
  if (!recorder) return als.run(next, fn);
  recorder.mark(next);
  try {
    return als.run(next, fn);
  } finally {
    recorder?.mark(previous);
  }
}

/** The value of one label of the current flow (Go's pprof.Label). */
export function label(key: string): string | undefined {
  const current = storage?.getStore();
  return current && Object.prototype.hasOwnProperty.call(current, key) ? current[key] : undefined;
}

/** Calls fn for each current label in key order until it returns false (Go's pprof.ForLabels). */
export function forLabels(fn: (key: string, value: string) => boolean): void {
  const current = storage?.getStore();
  if (!current) return;
  for (const key in current) if (!fn(key, current[key]!)) return;
}

/**
 * Sets the labels of the rest of the current asynchronous flow to exactly
 * labelSet (Go's pprof.SetGoroutineLabels): what runs next in this flow, and
 * what it starts, carries them. Lower level than runWithLabels.
 */
export function setGoroutineLabels(labelSet: LabelSet): void {
  enterExactLabels(labelSet);
}

/** setGoroutineLabels with undefined for none, for integrations (tsprof/otel). */
export function enterExactLabels(labelSet: LabelSet | undefined): void {
  store().enterWith(labelSet ?? EMPTY);
  recorder?.mark(labelSet);
}

// ---- The timeline joined to CPU samples -------------------------------------

/**
 * process.hrtime (µs) minus performance.now() (ms → µs): constant, both read
 * uv_hrtime, but performance.now() is the cheaper call on the hot path.
 * Calibrated on the tightest of a few paired readings, when a timeline first
 * starts: the global performance loads node:perf_hooks on first use, which
 * the tsprof/register preload's start-up should not pay.
 */
let hrtimeOffsetMicros = 0;
let calibrated = false;
function calibrate(): void {
  if (calibrated) return;
  calibrated = true;
  let best = Infinity, offset = 0;
  for (let i = 0; i < 8; i++) {
    const before = process.hrtime.bigint();
    const now = performance.now();
    const after = process.hrtime.bigint();
    const width = Number(after - before);
    if (width < best) {
      best = width;
      offset = Number((before + after) / 2000n) - now * 1000;
    }
  }
  hrtimeOffsetMicros = offset;
}

const CHUNK = 16 * 1024;
/** A bound on one profile's timeline memory (about 2M changes, 32 MB). */
const MAX_CHANGES = 2 * 1024 * 1024;

class Timeline {
  private readonly times: Float64Array[] = [];
  private readonly sets: (LabelSet | undefined)[] = [];
  private length = 0;
  private last: LabelSet | undefined = undefined;
  private hook: AsyncHook | undefined;
  truncated = false;

  start(): void {
    calibrate();
    this.mark(storage?.getStore());
    // before: the resource's context is already current, so getStore() is
    // the label set its callback runs with. No after hook: what runs after a
    // callback is the next callback (marked here) or the loop itself, and
    // one hook instead of two halves the cost on every callback. The price:
    // the rest of a callback that ran a nested one synchronously
    // (AsyncResource#runInAsyncScope) keeps the nested labels.
    this.hook = createHook({ before: () => this.mark(storage!.getStore()) });
    this.hook.enable();
  }

  mark(set: LabelSet | undefined): void {
    if (set === EMPTY) set = undefined;
    if (set === this.last || this.truncated) return;
    this.last = set;
    if (this.length === MAX_CHANGES - 1) {
      // Full: samples from here on are left unlabelled rather than mislabelled.
      this.truncated = true;
      set = undefined;
    }
    const chunk = this.length % CHUNK;
    if (chunk === 0) this.times.push(new Float64Array(CHUNK));
    this.times[this.times.length - 1]![chunk] = performance.now() * 1000 + hrtimeOffsetMicros;
    this.sets.push(set);
    this.length++;
  }

  stop(): void {
    this.hook?.disable();
    this.hook = undefined;
  }

  private timeAt(i: number): number {
    return this.times[Math.floor(i / CHUNK)]![i % CHUNK]!;
  }

  labelsAt(t: number): LabelSet | undefined {
    // The last change at or before t.
    let lo = 0, hi = this.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) <= t) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 ? this.sets[found] : undefined;
  }
}

/** The timeline of the CPU profile running now, if labels are in use. */
let recorder: Timeline | undefined;
/** Recordings of profiles started while no label was used yet. */
const lazyWaiting: { begin(): void }[] = [];

/**
 * Called by the CPU profiler when a profile starts. If no label was ever set
 * in this thread nothing is installed until the first one is.
 */
export function startLabelRecording(): LabelRecording {
  if (storage) return beginRecording();
  let real: LabelRecording | undefined;
  const waiting = {
    begin() {
      real ??= beginRecording();
    },
  };
  lazyWaiting.push(waiting);
  return {
    stop() {
      const i = lazyWaiting.indexOf(waiting);
      if (i >= 0) lazyWaiting.splice(i, 1);
      real?.stop();
    },
    labelsAt: (t) => real?.labelsAt(t),
  };
}

function beginRecording(): LabelRecording {
  const timeline = new Timeline();
  recorder = timeline;
  timeline.start();
  return {
    stop() {
      timeline.stop();
      if (recorder === timeline) recorder = undefined;
    },
    labelsAt: (t) => timeline.labelsAt(t),
  };
}
