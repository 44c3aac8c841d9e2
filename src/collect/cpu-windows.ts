// A continuous CPU profile cut into windows: V8's sampler runs from start()
// to stop(), and each cut() returns the profile of the time since the last
// cut (or the start), so consecutive windows neither overlap nor leave a gap
// (their time_nanos + duration_nanos meet). Used by the push session; the
// sampler is this thread's one (cpu-session.ts), so while windows are cut
// startCPUProfile says "cpu profiling already in use", as Go's does while
// another profile runs.

import { isMainThread, threadId } from "node:worker_threads";
import { startThreadProfile, stopThreadProfile, cutThreadProfile, samplingInterval, effectiveRate } from "./cpu-session.js";
import { startLabelRecording, type LabelRecording } from "./labels.js";
import { cpuProfileData, type V8CpuProfile } from "./cpu-convert.js";
import type { ProfileData } from "../profile/model.js";

/** The wall clock in ns (the profile's time_nanos). */
export function wallNanos(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

export interface CpuWindow {
  data: ProfileData;
  /** Wall-clock bounds of the window, ns. */
  startNanos: bigint;
  endNanos: bigint;
}

export class CpuWindows {
  readonly hz: number;
  private readonly intervalUs: number;
  private recording: LabelRecording;
  private startNanos: bigint;
  private running = true;

  /** Starts the sampler; throws "cpu profiling already in use" when a profile already runs in this thread. */
  constructor(hz: number) {
    this.hz = effectiveRate(hz);
    this.intervalUs = samplingInterval(this.hz);
    startThreadProfile(this.intervalUs);
    this.recording = startLabelRecording();
    this.startNanos = wallNanos();
  }

  get active(): boolean {
    return this.running;
  }

  /** The window since the last cut; the next one starts now. */
  cut(): CpuWindow {
    if (!this.running) throw new Error("tsprof: cpu windows stopped");
    const recording = this.recording;
    this.recording = startLabelRecording();
    const endNanos = wallNanos();
    let profile: V8CpuProfile;
    try {
      profile = cutThreadProfile();
    } finally {
      recording.stop();
    }
    return this.window(profile, recording, endNanos);
  }

  /** The last window; the sampler is released (it lingers for the keep-alive as after stopCPUProfile). */
  stop(): CpuWindow {
    if (!this.running) throw new Error("tsprof: cpu windows stopped");
    this.running = false;
    const endNanos = wallNanos();
    let profile: V8CpuProfile;
    try {
      profile = stopThreadProfile(this.intervalUs);
    } finally {
      this.recording.stop();
    }
    return this.window(profile, this.recording, endNanos);
  }

  private window(profile: V8CpuProfile, recording: LabelRecording, endNanos: bigint): CpuWindow {
    const startNanos = this.startNanos;
    this.startNanos = endNanos;
    const thread = isMainThread ? "main" : `worker ${threadId}`;
    const data = cpuProfileData([{ thread, profiles: [profile], labelsAt: (t) => recording.labelsAt(t) }], {
      periodNanos: Math.round(1e9 / this.hz),
      timeNanos: startNanos,
      durationNanos: Number(endNanos - startNanos),
    });
    return { data, startNanos, endNanos };
  }
}
