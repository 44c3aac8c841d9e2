// Profiler labels (Go's pprof.Do), carried by AsyncLocalStorage.
//
// Contract with the CPU profiler (collect/cpu.ts): at start it calls
// startLabelRecording(); when labels were never used that returns undefined
// and nothing is installed. At stop it calls recording.stop() and then
// recording.labelsAt(t) for each sample, t being the sample's time in
// microseconds on process.hrtime's clock (V8's startTime + timeDeltas).

export type LabelSet = Readonly<Record<string, string>>;

export interface LabelRecording {
  stop(): void;
  /** The labels in effect at time t (µs, process.hrtime clock), or undefined. */
  labelsAt(t: number): LabelSet | undefined;
}

export function startLabelRecording(): LabelRecording | undefined {
  return undefined;
}

/** The labels of the current asynchronous flow (for creation-time labels of resources). */
export function currentLabels(): LabelSet | undefined {
  return undefined;
}

export function labels(..._keyValues: string[]): LabelSet {
  throw new Error("not implemented");
}
export function runWithLabels<T>(_labelSet: LabelSet, fn: () => T): T {
  return fn();
}
export function label(_key: string): string | undefined {
  return undefined;
}
export function forLabels(_fn: (key: string, value: string) => boolean): void {}
export function setGoroutineLabels(_labelSet: LabelSet): void {}
