// tsprof/register: the preload that profiles a process started by `tsprof run`
// or by `node --import tsprof/register` (or --require), driven by the TSPROF_*
// environment variables (docs/run.md). Worker threads are profiled by their
// process's main thread, so the preload does nothing in a worker.
//
// The work is done by the CommonJS bundle of this file (dist/cjs/register.cjs):
// one file, loaded synchronously, that loads a collector only when its profile
// is asked for. The ESM build hands over to it, so `--import` and `--require`
// run the same code, and a process asking for nothing pays almost nothing.

import { createRequire } from "node:module";
import { isMainThread } from "node:worker_threads";
import { configFromEnv, wantsAnyProfile } from "./config.js";

function start(): void {
  let config;
  try {
    config = configFromEnv(process.env, process.cwd());
  } catch (err) {
    // A bad variable must not keep the program from running.
    process.stderr.write(`tsprof: profiling disabled: ${err instanceof Error ? err.message : String(err)}\n`);
    return;
  }
  if (!wantsAnyProfile(config)) return;
  if (!import.meta.url.endsWith(".cjs")) {
    createRequire(import.meta.url)("../../cjs/register.cjs");
    return;
  }
  const { profileProcess } = require("./preload.js") as typeof import("./preload.js");
  profileProcess(config, import.meta.url);
}

if (isMainThread) start();
