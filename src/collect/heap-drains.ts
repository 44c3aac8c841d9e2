// When to drain an allocation sampler (one that keeps the samples of
// collected objects, about 94 bytes each in V8, until it is stopped): after a
// number of garbage collections, chosen after each drain so that a drain
// takes about half of MAX_KEPT_SAMPLES. Collections are what tracks
// allocation (a scavenge follows each young generation's worth of it).
//
// They are counted through a `gc` performance observer, but not all the time:
// Node.js 20-24 spend 100-250 µs of JavaScript on each `gc` entry (measured:
// 5% of an allocation-heavy workload's CPU at 130 collections a second), so
// while the program runs, the observer watches one window of WINDOW_MS in
// every TICK_MS and the collections are counted as seen × TICK_MS/WINDOW_MS.
// (A count off by a constant factor is harmless: the budget is learned in the
// same units.) When a tick finds the program idle, the timer stops and the
// observer stays connected until the next collection: nothing runs while
// nothing allocates.

import { PerformanceObserver } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";

/**
 * At most this many samples wait in V8 between two drains (about 94 bytes
 * each, measured on Node 20-26: 4.7 MB).
 */
export const MAX_KEPT_SAMPLES = 50_000;
/** V8's young generation at its largest by default (two 16 MiB semi-spaces): an upper bound of what one scavenge follows. */
const YOUNG_GENERATION = 32 * 1024 * 1024;
/** How often the running program's collections are sampled, and for how long each time. */
const TICK_MS = 1000;
const WINDOW_MS = 100;
/**
 * Below this many collections per drain every one is seen: a sampled count
 * of a few would be too rough (fine rates, where a young generation holds
 * thousands of samples).
 */
const SAMPLED_FROM = 200;
/**
 * A tick that finds the heap grown by less than this since the last one (and
 * not shrunk, as after a collection) finds the program idle: at that pace a
 * collection is seconds away, so seeing each one costs nothing. (Not CPU
 * time: on a VM with tick-based accounting an idle process shows 1%.)
 */
const IDLE_GROWTH = 256 * 1024;

export class DrainSchedule {
  private drain: (() => void) | undefined;
  private watch: PerformanceObserver | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private windowEnd: NodeJS.Timeout | undefined;
  /** Collections counted since the last drain (an estimate while the program runs). */
  private gcs = 0;
  /** What one collection seen in the current window counts for. */
  private weight = 1;
  private budget = 1;
  private lastUsed = 0;

  /** Starts watching for a sampler at `rate` bytes; `drain` runs when the budget is spent (it must not throw). */
  start(rate: number, drain: () => void): void {
    if (this.drain) return;
    this.drain = drain;
    this.gcs = 0;
    this.budget = budgetFor(YOUNG_GENERATION / Math.max(rate, 1), 1);
    this.idle();
  }

  stop(): void {
    this.drain = undefined;
    this.disconnect();
    clearInterval(this.ticker);
    clearTimeout(this.windowEnd);
    this.ticker = this.windowEnd = undefined;
  }

  /** A drain took `samples`: the next one comes after as many collections as took half the cap. */
  drained(samples: number): void {
    this.budget = budgetFor(samples, this.gcs);
    this.gcs = 0;
  }

  /** Garbage collections until the next drain. */
  gcBudget(): number {
    return this.budget;
  }

  /** Collections counted since the last drain. */
  gcsCounted(): number {
    return Math.round(this.gcs);
  }

  /** How collections are counted now: not at all (stopped), the first after idleness, one window a tick, or every one. */
  mode(): "stopped" | "idle" | "sampled" | "every" {
    if (!this.drain) return "stopped";
    if (this.ticker === undefined) return "idle";
    return this.budget < SAMPLED_FROM ? "every" : "sampled";
  }

  private connect(weight: number): void {
    this.weight = weight;
    if (this.watch) return;
    this.watch = new PerformanceObserver((list) => this.seen(list.getEntries().length));
    this.watch.observe({ entryTypes: ["gc"] });
  }

  private disconnect(): void {
    if (!this.watch) return;
    // Entries of collections inside the window that are not delivered yet.
    this.count(this.watch.takeRecords().length);
    this.watch.disconnect();
    this.watch = undefined;
  }

  private seen(n: number): void {
    const afterIdle = this.ticker === undefined;
    this.count(n);
    // The first collection after an idle spell: the program runs again.
    if (afterIdle && this.drain) this.running();
  }

  private count(n: number): void {
    if (n === 0 || !this.drain) return;
    this.gcs += n * this.weight;
    if (this.gcs >= this.budget) this.drain();
  }

  /** Idle: every collection is seen (there are none until the program allocates). */
  private idle(): void {
    clearInterval(this.ticker);
    clearTimeout(this.windowEnd);
    this.ticker = this.windowEnd = undefined;
    this.connect(1);
  }

  /** Running: collections are sampled in one window a tick, or all seen when a drain needs few. */
  private running(): void {
    this.lastUsed = heapUsed();
    this.ticker = setInterval(() => this.tick(), TICK_MS).unref();
    if (this.budget < SAMPLED_FROM) this.connect(1);
    else this.disconnect();
  }

  private tick(): void {
    const used = heapUsed();
    const growth = used - this.lastUsed;
    this.lastUsed = used;
    if (growth >= 0 && growth < IDLE_GROWTH) return this.idle();
    if (this.budget < SAMPLED_FROM) return this.connect(1);
    this.connect(TICK_MS / WINDOW_MS);
    clearTimeout(this.windowEnd);
    this.windowEnd = setTimeout(() => {
      this.windowEnd = undefined;
      this.disconnect();
    }, WINDOW_MS).unref();
  }
}

function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

/** Garbage collections until the next drain, for `samples` taken over `gcs` collections. */
function budgetFor(samples: number, gcs: number): number {
  const perGC = Math.max(samples / Math.max(gcs, 1), 1e-3);
  return Math.max(1, Math.min(100_000, Math.floor(MAX_KEPT_SAMPLES / 2 / perGC)));
}
