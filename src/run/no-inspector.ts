// Processes without a V8 inspector. Node.js creates none for the process
// that runs `node --test` (the runner that starts one child process per test
// file; with --test-isolation=none it has one) nor for `node --watch`'s
// supervisor, so that `--inspect` reaches the test files, not the runner.
// Every inspector-based profiler fails there. Node.js 24 added
// v8.startCpuProfile(), which drives V8's CPU profiler directly: this
// process's CPU profile comes from it (without labels: a runner sets none).
// Earlier versions have no way to profile such a process's CPU; its part
// is missing, with a note saying why.


/** The part note of a profile that needs the inspector. */
export const NO_INSPECTOR = "this process has no V8 inspector (Node.js creates none for the node --test runner or the node --watch supervisor)";

let available: boolean | undefined;

/** Whether this process has a V8 inspector to connect to (tried once). */
export function hasInspector(): boolean {
  if (available === undefined) {
    try {
      const { Session } = require("node:inspector") as typeof import("node:inspector");
      const session = new Session();
      session.connect();
      session.disconnect();
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

interface V8CpuProfileHandle {
  stop(): string;
}
type StartCpuProfile = (options?: { samplingIntervalMicros?: number }) => V8CpuProfileHandle;

function startCpuProfileFn(): StartCpuProfile | undefined {
  return (require("node:v8") as { startCpuProfile?: StartCpuProfile }).startCpuProfile;
}

interface Running {
  handle: V8CpuProfileHandle;
  hz: number;
  startHr: bigint;
  startNanos: bigint;
}

let running: Running | undefined;

/**
 * Starts V8's CPU profiler without the inspector (Node.js 24+), at `hz`
 * where the API takes a rate (Node.js 26; 24 samples at V8's default, every
 * millisecond). Throws where it cannot.
 */
export function startCpuProfileWithoutInspector(hz: number): void {
  if (running) return;
  const start = startCpuProfileFn();
  if (!start) throw new Error(`${NO_INSPECTOR}; its CPU profile needs Node.js 24 or later (v8.startCpuProfile)`);
  const intervalUs = Math.max(1, Math.round(1e6 / hz));
  const startHr = process.hrtime.bigint();
  const startNanos = BigInt(Date.now()) * 1_000_000n;
  // Node.js 24 takes no options; it samples every millisecond.
  const handle = start.length === 0 ? start() : start({ samplingIntervalMicros: intervalUs });
  running = { handle, hz: start.length === 0 ? 1000 : hz, startHr, startNanos };
}

/** Whether startCpuProfileWithoutInspector's profile runs. */
export function cpuProfileWithoutInspectorRunning(): boolean {
  return running !== undefined;
}

/** Stops the profile and returns it as a gzipped pprof profile, thread "main". */
export function stopCpuProfileWithoutInspector(): Uint8Array {
  const r = running;
  if (!r) throw new Error("tsprof: no CPU profile runs");
  running = undefined;
  const json = r.handle.stop();
  const durationNanos = Number(process.hrtime.bigint() - r.startHr);
  const profile = JSON.parse(json) as import("../collect/cpu-convert.js").V8CpuProfile;
  // What one sample stands for: the mean time between samples (Node.js 24
  // takes no rate, and V8 does not keep exactly to the one asked for).
  const samples = profile.samples?.length ?? 0;
  const periodNanos = samples > 0 && profile.endTime > profile.startTime ? Math.round(((profile.endTime - profile.startTime) * 1000) / samples) : Math.round(1e9 / r.hz);
  const { cpuProfileData } = require("../collect/cpu-convert.js") as typeof import("../collect/cpu-convert.js");
  const { encodeProfileGzipSync } = require("../profile/encode.js") as typeof import("../profile/encode.js");
  const data = cpuProfileData([{ thread: "main", profiles: [profile] }], { periodNanos, timeNanos: r.startNanos, durationNanos });
  return encodeProfileGzipSync(data);
}

