// tsprof/register: the preload that profiles a process started by `tsprof run`
// or by `node --import tsprof/register` (or --require), driven by the TSPROF_*
// environment variables (docs/run.md). Worker threads are profiled by their
// process's main thread, so the preload does nothing in a worker.
//
// The work is done by the CommonJS build of this file (dist/cjs/run/register.js,
// entry dist/cjs/register.cjs), loaded synchronously, which loads a collector
// only when its profile is asked for. The ESM entry re-exports it, so
// `--import` and `--require` run the same code, and a process asking for
// nothing pays almost nothing.

import { createRequire } from "node:module";
import { configFromEnv, wantsAnyProfile } from "./config.js";

/** Loaded only when a profile is asked for: node:worker_threads costs milliseconds to load. */
function isMainThread(): boolean {
  return (createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads")).isMainThread;
}

function start(): void {
  let config;
  try {
    config = configFromEnv(process.env, process.cwd());
  } catch (err) {
    // A bad variable must not keep the program from running (said once, by the main thread).
    if (isMainThread()) process.stderr.write(`tsprof: profiling disabled: ${err instanceof Error ? err.message : String(err)}\n`);
    return;
  }
  if (!wantsAnyProfile(config) || !isMainThread()) return;
  if (typeof require === "undefined") {
    // Run as ES module source (a TypeScript loader): hand over to the CommonJS build.
    createRequire(import.meta.url)("../../dist/cjs/register.cjs");
    return;
  }
  const { profileProcess } = require("./preload.js") as typeof import("./preload.js");
  // Child processes preload the CommonJS entry with --require.
  profileProcess(config, new URL("../register.cjs", import.meta.url).href);
}

start();
