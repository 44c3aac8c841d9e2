// tsprof/register: the preload that profiles a process started by `tsprof run`
// or by `node --import tsprof/register` (or --require), driven by the TSPROF_*
// environment variables (docs/run.md). Worker threads are profiled by their
// process's main thread, so the preload does nothing in a worker.

import { isMainThread } from "node:worker_threads";
import { configFromEnv, wantsAnyProfile } from "./config.js";
import { profileProcess } from "./preload.js";

if (isMainThread) {
  try {
    const config = configFromEnv(process.env, process.cwd());
    if (wantsAnyProfile(config)) profileProcess(config, import.meta.url);
  } catch (err) {
    // A bad variable must not keep the program from running.
    process.stderr.write(`tsprof: profiling disabled: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
