// Profiler labels (Go's pprof.Do), carried by AsyncLocalStorage.
export type LabelSet = Readonly<Record<string, string>>;
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
