// `tsprof run --push URL` in each process of the run: a push session
// (src/push) started before the program's first line, with the settings of
// the TSPROF_PUSH* variables. A signal that would end the process (SIGINT,
// SIGTERM, SIGHUP, with no listener of the program's) first sends the last
// window, synchronously and bounded in time, then the process dies of it as
// without tsprof; a program with its own listener decides, and its exit
// flushes (the session's 'exit' listener).

import { PARTS_DIR_ENV, PUSH_SECRET_ENV, WRAPPER_PID_ENV, parsePushTags, type PushRunConfig } from "./config.js";
import { hideListeners } from "./hidden-listeners.js";
import { markSignalled } from "./signal-watch.js";
import { markStarted } from "./parts.js";
import type { PushOptions } from "../push/options.js";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export function pushFromRun(config: PushRunConfig): void {
  const options: PushOptions = { serverAddress: config.url };
  if (config.app) options.appName = config.app;
  if (config.tags) options.tags = parsePushTags(config.tags);
  if (config.periodMs) options.flushIntervalMs = config.periodMs;
  if (config.tenant) options.tenantID = config.tenant;
  const token = process.env[PUSH_SECRET_ENV.token];
  if (token) options.authToken = token;
  const basic = process.env[PUSH_SECRET_ENV.basicAuth];
  if (basic) {
    const colon = basic.indexOf(":");
    options.basicAuthUser = colon >= 0 ? basic.slice(0, colon) : basic;
    options.basicAuthPassword = colon >= 0 ? basic.slice(colon + 1) : "";
  }
  let session;
  try {
    session = (require("../push/session.js") as typeof import("../push/session.js")).startPush(options);
  } catch (err) {
    process.stderr.write(`tsprof: push disabled: ${err instanceof Error ? err.message : String(err)}\n`);
    return;
  }

  // The first process of `tsprof run`'s command: the wrapper learns that it handles signals itself.
  const dir = process.env[PARTS_DIR_ENV];
  const watched = dir !== undefined && process.env[WRAPPER_PID_ENV] === String(process.ppid);
  if (watched) markStarted(dir, process.pid, "");
  const listeners = new Map<NodeJS.Signals, () => void>();
  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      if (watched) markSignalled(dir, process.pid);
      if (process.listenerCount(signal) > 1) return;
      session.stopSync();
      for (const [s, fn] of listeners) process.removeListener(s, fn);
      process.kill(process.pid, signal);
    };
    listeners.set(signal, onSignal);
    process.on(signal, onSignal);
  }
  hideListeners(listeners);
}
