// When to drain an allocation sampler (one that keeps the samples of
// collected objects, about 94 bytes each in V8, until it is stopped): after a
// number of garbage collections, chosen after each drain so that a drain
// takes about half of MAX_KEPT_SAMPLES. Garbage collections are seen through a
// `gc` performance observer: nothing runs while the program does not allocate.

import { PerformanceObserver } from "node:perf_hooks";

/**
 * At most this many samples wait in V8 between two drains (about 94 bytes
 * each, measured on Node 20-26: 4.7 MB).
 */
export const MAX_KEPT_SAMPLES = 50_000;
/** V8's young generation at its largest by default (two 16 MiB semi-spaces): an upper bound of what one scavenge follows. */
const YOUNG_GENERATION = 32 * 1024 * 1024;

export class DrainSchedule {
  private watch: PerformanceObserver | undefined;
  private gcs = 0;
  private budget = 1;

  /** Starts watching for a sampler at `rate` bytes; `drain` runs when the budget is spent (it must not throw). */
  start(rate: number, drain: () => void): void {
    if (this.watch) return;
    this.gcs = 0;
    this.budget = budgetFor(YOUNG_GENERATION / Math.max(rate, 1), 1);
    this.watch = new PerformanceObserver((list) => {
      this.gcs += list.getEntries().length;
      if (this.gcs >= this.budget) drain();
    });
    this.watch.observe({ entryTypes: ["gc"] });
  }

  stop(): void {
    this.watch?.disconnect();
    this.watch = undefined;
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
}

/** Garbage collections until the next drain, for `samples` taken over `gcs` collections. */
function budgetFor(samples: number, gcs: number): number {
  const perGC = Math.max(samples / Math.max(gcs, 1), 1e-3);
  return Math.max(1, Math.min(100_000, Math.floor(MAX_KEPT_SAMPLES / 2 / perGC)));
}
