// tsprof/register: the preload that profiles a process started by `tsprof run`
// or by `node --import tsprof/register` (or --require), driven by the TSPROF_*
// environment variables (docs/run.md).
//
// Every process of a run loads this before its first line, so what it does
// there is kept short (bench/run-startup.mjs). This entry looks for a profile
// file variable, so a process asking for nothing loads nothing else. For a CPU
// profile it starts V8's sampler at once, before loading the rest of tsprof
// (see startEarlyThreadProfile for why), and for a memory profile V8's heap
// sampler (Go's MemProfileRate is in effect from the first line), then hands
// over to preload.ts, which loads the collectors only when needed. The
// build (scripts/build.mjs) makes this file, config.ts, preload.ts and
// parts.ts one CommonJS file, dist/cjs/register.cjs, and the collectors and
// the merging another, loaded when needed; both require the shared runtime
// for the rest, so `--import` and `--require` run the same code and the
// preload's profiles are the ones `tsprof` and `tsprof/http` see.

import { PRELOAD_ENV_NAMES, envName, parseIntFlag } from "./config.js";

/** Whether a TSPROF_*PROFILE variable names a file, or TSPROF_PUSH a server. */
function asksForProfile(): boolean {
  for (const name of PRELOAD_ENV_NAMES) if (process.env[name]) return true;
  return false;
}

/**
 * Starts the main thread's V8 sampler for the CPU profile that preload.ts
 * starts (which takes it over). Anything wrong is left for preload.ts to report.
 */
function startSamplerEarly(): boolean {
  let hz: number;
  try {
    if (!(require("node:worker_threads") as typeof import("node:worker_threads")).isMainThread) return false;
    const raw = process.env[envName("cpuprofilerate")];
    const session = require("../collect/cpu-session.js") as typeof import("../collect/cpu-session.js");
    hz = session.effectiveRate(raw ? parseIntFlag("cpuprofilerate", raw) : session.DEFAULT_HZ);
    try {
      session.startEarlyThreadProfile(hz);
      return true;
    } catch (err) {
      const noInspector = require("./no-inspector.js") as typeof import("./no-inspector.js");
      if (noInspector.hasInspector()) throw err;
      // node --test's runner: V8's profiler without the inspector, where Node.js has it (collectors.ts takes it).
      noInspector.startCpuProfileWithoutInspector(hz);
      return false;
    }
  } catch {
    // preload.ts reports a bad setting; a sampler that cannot start fails again there, and is reported.
    return false;
  }
}

/**
 * Starts the main thread's V8 heap sampler for the memory profile (the heap
 * collector adopts it when it loads, at exit or when the program imports
 * tsprof). Anything wrong is left for preload.ts to report.
 */
function startHeapSamplerEarly(): boolean {
  try {
    if (!(require("node:worker_threads") as typeof import("node:worker_threads")).isMainThread) return false;
    const raw = process.env[envName("memprofilerate")];
    const configured = raw ? parseIntFlag("memprofilerate", raw) : 0;
    const sampler = require("../collect/heap-sampler.js") as typeof import("../collect/heap-sampler.js");
    // Go: -memprofilerate sets MemProfileRate only when > 0. The file is
    // Go's allocs profile: V8 keeps the samples of collected objects too.
    sampler.startSampler(configured > 0 ? configured : sampler.DEFAULT_MEM_PROFILE_RATE, true);
    return sampler.samplerInterval() > 0;
  } catch {
    return false;
  }
}

if (asksForProfile()) {
  if (typeof require === "undefined") {
    // Run as ES module source (a TypeScript loader): the built preload does the work.
    const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    const { createRequire } = (builtin?.("node:module") ?? {}) as Partial<typeof import("node:module")>;
    // From src/run/, or from tsc's dist/esm/run/ (scripts/build.mjs replaces that file, but a build may be under way).
    const built = import.meta.url.includes("/dist/esm/") ? "../../cjs/register.cjs" : "../../dist/cjs/register.cjs";
    if (createRequire) createRequire(import.meta.url)(built);
    else process.stderr.write("tsprof: profiling disabled: preload tsprof/register (dist/cjs/register.cjs), not its TypeScript source\n");
  } else {
    const cpu = process.env[envName("cpuprofile")] ? startSamplerEarly() : false;
    const heap = process.env[envName("memprofile")] ? startHeapSamplerEarly() : false;
    // Child processes preload this file (the CommonJS entry) with --require.
    (require("./preload.js") as typeof import("./preload.js")).startFromEnv(__filename, { cpu, heap });
  }
}
