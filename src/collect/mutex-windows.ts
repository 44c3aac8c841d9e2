// Sampling the mutex profile in time. Timing every callback costs an
// async_hooks hook on each one (and V8 promise hooks on every promise), about
// 15% of a small HTTP server's CPU. At a fraction `rate` >= WINDOWED_FROM the
// hook is instead on only around randomly placed windows that cover 1/rate
// of the time: a callback is sampled when it *starts* inside a window, so
// each one is sampled with probability exactly 1/rate whatever its length,
// and scaling by `rate` keeps the totals unbiased, as Go's per-event sampling.
//
// The windows lie on a grid of period rate * WINDOW_MS with one uniformly
// random phase, so any instant is inside a window with probability
// WINDOW_MS / period = 1/rate. The hook is turned on PREROLL_MS before each
// window (so a timer late by a few ms misses nothing, and resources created
// just before it keep their scheduling stack) and off just after it; whether
// a callback counts is decided by its start time alone (covers()), not by
// when the timers that toggle the hook happened to run.

/**
 * A monotonic clock in milliseconds, as cheap per call as performance.now()
 * without loading node:perf_hooks (milliseconds of a preloaded process's start-up).
 */
export function nowMs(): number {
  const t = process.hrtime();
  return t[0] * 1e3 + t[1] / 1e6;
}

/** The fraction from which the mutex profile samples in time windows. */
export const WINDOWED_FROM = 5;
/** The length of one sampling window. */
export const WINDOW_MS = 20;
/** How long before a window the hook is turned on. */
const PREROLL_MS = 5;
/** Node caps setTimeout at 2^31-1 ms (and turns longer delays into 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class SamplingWindows {
  readonly #period: number;
  /** A window starts at every base + k * period. */
  readonly #base: number;
  readonly #setHook: (on: boolean) => void;
  #timer: NodeJS.Timeout | undefined;
  #on = false;

  /** `setHook(on)` turns the timing hook on or off; the windows start now. */
  constructor(rate: number, setHook: (on: boolean) => void) {
    this.#period = rate * WINDOW_MS;
    this.#base = nowMs() - Math.random() * this.#period;
    this.#setHook = setHook;
    this.#tick();
  }

  /** Whether a callback that started at `t` (nowMs()) is sampled. */
  covers(t: number): boolean {
    return this.#offset(t) < WINDOW_MS;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#on) this.#setHook(false);
    this.#on = false;
  }

  /** Where `t` falls in its period, in [0, period). */
  #offset(t: number): number {
    const x = (t - this.#base) % this.#period;
    return x < 0 ? x + this.#period : x;
  }

  #tick = (): void => {
    const now = nowMs();
    const x = this.#offset(now);
    // On from PREROLL_MS before a window until 1 ms after it ends.
    const on = x < WINDOW_MS + 1 || x >= this.#period - PREROLL_MS;
    const nextChange = on
      ? (x < WINDOW_MS + 1 ? WINDOW_MS + 1 - x : this.#period - x + WINDOW_MS + 1)
      : this.#period - PREROLL_MS - x;
    if (on !== this.#on) {
      this.#on = on;
      this.#setHook(on);
    }
    this.#timer = setTimeout(this.#tick, Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(nextChange))));
    this.#timer.unref();
  };
}
