// When to drain an allocation sampler (one that keeps the samples of
// collected objects, about 94 bytes each in V8, until it is stopped): after
// enough garbage collections that a drain takes about a third of
// MAX_KEPT_SAMPLES. Collections are what tracks allocation: a scavenge
// follows each young generation's worth of it. Each one counts as the young
// generation's size at the time, because V8 grows it with the allocation
// rate (Node 20: 1 to 32 MiB; Node 24: to 128 MiB): counted as collections
// alone, a budget learned while it was small let a later drain take 2.5
// times its target. Samples per young-generation byte are learned at each
// drain.
//
// Collections are seen through a `gc` performance observer, but not all the
// time: Node.js 20-24 spend 100-250 µs of JavaScript on each `gc` entry
// (measured: 5% of an allocation-heavy workload's CPU at 130 collections a
// second), so while the program runs, the observer watches one window of
// WINDOW_MS in every TICK_MS and what it sees is scaled by TICK_MS/WINDOW_MS
// (the times as they really were). A count off by a steady factor is
// harmless: the budget is learned in the same units. When a tick finds the
// program idle, the timer stops and the observer stays connected until the
// next collection: nothing runs while nothing allocates.

import { PerformanceObserver, performance } from "node:perf_hooks";
import { getHeapSpaceStatistics, getHeapStatistics } from "node:v8";

/**
 * At most this many samples wait in V8 between two drains (about 94 bytes
 * each, measured on Node 20-26: 4.7 MB), or KEPT_SHARE_OF_HEAP of the heap in
 * use where that is more and drains are costly (see due).
 */
export const MAX_KEPT_SAMPLES = 50_000;
const BYTES_PER_SAMPLE = 94;
/**
 * The share of the program's time drains may take before they are spaced
 * out. On Node 20-24 a drain runs a full GC, whose time grows with the live
 * heap (measured: 530 ms at 685 MB on Node 20, 370 ms on Node 24; Node 26
 * collects nothing, 1 ms).
 */
const MAX_DRAIN_SHARE = 0.005;
/** While costly drains are spaced out, the samples V8 holds stay under this share of the heap in use. */
const KEPT_SHARE_OF_HEAP = 0.05;
/**
 * What a drain aims to take: a third of the cap, leaving room for a count of
 * collections that is off by a factor (a burst, a sampled count's chance).
 */
const TARGET_SAMPLES = MAX_KEPT_SAMPLES / 3;
/** How often the running program's collections are sampled, and for how long each time. */
const TICK_MS = 1000;
const WINDOW_MS = 100;
/**
 * Below this many collections per drain every one is seen: a sampled count
 * of a few would be too rough (fine rates, where a young generation holds
 * thousands of samples).
 */
const SAMPLED_FROM = 100;
/**
 * A tick that finds the heap grown by less than this since the last one (and
 * not shrunk, as after a collection), with no collection seen since, finds
 * the program idle: at that pace a collection is seconds away, so seeing each
 * one costs nothing. (Not CPU time: on a VM with tick-based accounting an
 * idle process shows 1%.)
 */
const IDLE_GROWTH = 256 * 1024;

export class DrainSchedule {
  private drain: (() => void) | undefined;
  private watch: PerformanceObserver | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private windowEnd: NodeJS.Timeout | undefined;
  /** Collections counted since the last drain (an estimate while the program runs). */
  private gcs = 0;
  /** The same, each weighed by the young generation's size then (bytes). */
  private collected = 0;
  /** Young-generation bytes collected until the next drain. */
  private budget = 1;
  /** Samples and young-generation bytes of the drains so far, older ones weighing less (see drained). */
  private learnedSamples = 0;
  private learnedBytes = 0;
  /** The open window: when it opened, what it has seen; and when the last one closed. */
  private windowOpened = 0;
  private windowSeen = 0;
  private lastWindowClosed = 0;
  private lastUsed = 0;
  /** Collections the observer saw since the last tick (all, or the window's). */
  private seenSinceTick = 0;
  /** When the last drain ended and how long it took (ms). */
  private lastDrainEnd = 0;
  private lastDrainMs = 0;

  /** `heapInUse` gives the heap's bytes in use, for the cap on samples held while drains are spaced out. */
  constructor(private readonly heapInUse: () => number = heapUsed) {}

  /** Starts watching for a sampler at `rate` bytes; `drain` runs when the budget is spent (it must not throw). */
  start(rate: number, drain: () => void): void {
    if (this.drain) return;
    this.drain = drain;
    this.gcs = 0;
    this.collected = 0;
    // Until a drain says otherwise: every young-generation byte collected was
    // allocated (an upper bound: a scavenge comes when one semi-space of two
    // is full), so the first drain comes early rather than late.
    this.learnedSamples = 1;
    this.learnedBytes = Math.max(rate, 1);
    this.budget = this.learnedBudget();
    this.lastDrainMs = 0;
    this.idle();
  }

  stop(): void {
    this.drain = undefined;
    this.stopTicking();
    this.disconnect();
  }

  /**
   * A drain took `samples` over the collections counted since the one before.
   * Samples per young-generation byte are learned over the drains, halving
   * the weight of the older ones each time, so that one drain's rough count
   * (a profile read seconds after a drain sees few windows) does not set the
   * next budget alone. `ms` is how long the drain took.
   */
  drained(samples: number, ms = 0): void {
    this.lastDrainEnd = performance.now();
    this.lastDrainMs = ms;
    this.learnedSamples = this.learnedSamples / 2 + samples;
    this.learnedBytes = this.learnedBytes / 2 + this.collected;
    this.budget = this.learnedBudget();
    this.gcs = 0;
    this.collected = 0;
  }

  /** Garbage collections until the next drain, at the young generation's size now. */
  gcBudget(): number {
    return Math.max(1, Math.ceil(this.budget / youngGeneration()));
  }

  /** Collections counted since the last drain. */
  gcsCounted(): number {
    return Math.round(this.gcs);
  }

  /** How collections are counted now: not at all (stopped), the first after idleness, one window a tick, or every one. */
  mode(): "stopped" | "idle" | "sampled" | "every" {
    if (!this.drain) return "stopped";
    if (this.ticker === undefined) return "idle";
    return this.countsEvery() ? "every" : "sampled";
  }

  /** Whether a drain needs so few collections that each one is seen. */
  private countsEvery(): boolean {
    return this.gcBudget() < SAMPLED_FROM;
  }

  /** The young-generation bytes after which a drain takes about TARGET_SAMPLES. */
  private learnedBudget(): number {
    // Where a drain took nothing (a program allocating little), as if it took one sample.
    const perByte = Math.max(this.learnedSamples, 1) / Math.max(this.learnedBytes, 1);
    return TARGET_SAMPLES / perByte;
  }

  private connect(): void {
    if (this.watch) return;
    this.watch = new PerformanceObserver((list) => this.seen(list.getEntries().length));
    this.watch.observe({ entryTypes: ["gc"] });
  }

  private disconnect(): void {
    if (!this.watch) return;
    // Entries of collections while connected that are not delivered yet.
    const pending = this.watch.takeRecords().length;
    this.watch.disconnect();
    this.watch = undefined;
    this.seen(pending);
  }

  private seen(n: number): void {
    if (n === 0 || !this.drain) return;
    this.seenSinceTick += n;
    if (this.windowEnd !== undefined) {
      this.windowSeen += n;
      return;
    }
    const afterIdle = this.ticker === undefined;
    this.count(n);
    // The first collection after an idle spell: the program runs again.
    if (afterIdle && this.mode() !== "stopped") this.running();
  }

  private count(n: number): void {
    this.gcs += n;
    this.collected += n * youngGeneration();
    if (this.collected >= this.budget && this.due()) this.drain!();
  }

  /**
   * Whether a drain whose budget is spent runs now. A costly one (a full GC
   * of a large heap) waits until it takes at most MAX_DRAIN_SHARE of the time
   * since the last, while the samples V8 holds (estimated from the budget)
   * stay under a third of a cap that grows with the heap: a heap of hundreds
   * of megabytes can hold a few megabytes more of samples, and one drain of a
   * second every 40 s would cost it more than the sampling.
   */
  private due(): boolean {
    if ((performance.now() - this.lastDrainEnd) * MAX_DRAIN_SHARE >= this.lastDrainMs) return true;
    const held = (this.collected / this.budget) * TARGET_SAMPLES;
    const cap = Math.max(MAX_KEPT_SAMPLES, (this.heapInUse() * KEPT_SHARE_OF_HEAP) / BYTES_PER_SAMPLE);
    return held >= cap / 3;
  }

  /** Idle: every collection is seen (there are none until the program allocates). */
  private idle(): void {
    this.stopTicking();
    this.connect();
  }

  /** Running: collections are sampled in one window a tick, or all seen when a drain needs few. */
  private running(): void {
    this.lastUsed = heapUsed();
    this.lastWindowClosed = Date.now();
    this.ticker = setInterval(() => this.tick(), TICK_MS).unref();
    if (this.countsEvery()) this.connect();
    else this.disconnect();
  }

  private stopTicking(): void {
    if (this.windowEnd !== undefined) this.closeWindow();
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private tick(): void {
    const used = heapUsed();
    const growth = used - this.lastUsed;
    const seen = this.seenSinceTick;
    this.lastUsed = used;
    this.seenSinceTick = 0;
    // Two readings of a busy heap can differ by little by chance: a collection seen says it is busy.
    if (growth >= 0 && growth < IDLE_GROWTH && seen === 0) return this.idle();
    if (this.countsEvery()) return this.connect();
    if (this.windowEnd !== undefined) return; // still open: a late timer
    this.windowOpened = Date.now();
    this.windowSeen = 0;
    this.windowEnd = setTimeout(() => this.closeWindow(), WINDOW_MS).unref();
    this.connect();
  }

  /**
   * Counts what the window saw, scaled by the time it stands for (since the
   * last window closed) over its own length, both as they really were: late
   * timers stretch either.
   */
  private closeWindow(): void {
    clearTimeout(this.windowEnd);
    this.disconnect(); // its pending entries go to windowSeen
    this.windowEnd = undefined;
    const now = Date.now();
    const scale = Math.max(now - this.lastWindowClosed, 1) / Math.max(now - this.windowOpened, 1);
    this.lastWindowClosed = now;
    if (this.windowSeen > 0 && this.drain) this.count(this.windowSeen * scale);
    this.windowSeen = 0;
  }
}

/** The young generation's size now (V8's new space: both semi-spaces). */
function youngGeneration(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === "new_space") return Math.max(s.space_size, 1);
  return 1;
}

function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}
