// A continuous CPU profile cut into consecutive windows (the push session's):
// one window of the shared sampler (cpu-windows.ts) held open and rolled over
// at every cut, so windows neither overlap nor leave a gap (their time_nanos
// + duration_nanos meet), and startCPUProfile and the HTTP /profile endpoint
// share the sampler meanwhile instead of failing.

import { effectiveRate } from "./cpu-session.js";
import { openWindow, closeWindowSync, rollWindowSync, type CPUWindow } from "./cpu-windows.js";
import type { ProfileData } from "../profile/model.js";

export interface CpuWindow {
  data: ProfileData;
  /** Wall-clock bounds of the window, ns. */
  startNanos: bigint;
  endNanos: bigint;
}

export class CpuWindows {
  readonly hz: number;
  private window: CPUWindow | undefined;

  /** Opens the first window: starts the sampler at hz, or joins the one running at its rate. */
  constructor(hz: number) {
    this.window = openWindow(effectiveRate(hz));
    this.hz = this.window.hz;
  }

  get active(): boolean {
    return this.window !== undefined;
  }

  /** The window since the last cut (or the start); the next one starts now. */
  cut(): CpuWindow {
    if (!this.window) throw new Error("tsprof: cpu windows stopped");
    const { data, next } = rollWindowSync(this.window);
    this.window = next;
    return bounded(data);
  }

  /** The last window; the sampler stops unless another profile shares it. */
  stop(): CpuWindow {
    if (!this.window) throw new Error("tsprof: cpu windows stopped");
    const w = this.window;
    this.window = undefined;
    return bounded(closeWindowSync(w));
  }
}

function bounded(data: ProfileData): CpuWindow {
  return { data, startNanos: data.timeNanos, endNanos: data.timeNanos + BigInt(data.durationNanos) };
}
