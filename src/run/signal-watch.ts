// A program that never returns to its event loop cannot run the preload's
// signal listener, so it neither writes its profiles nor dies of SIGINT or
// SIGTERM: the listener alone keeps Node.js from dying at once, as plain
// node would. Nothing else in the process can learn of the signal (Node.js
// delivers signals only through the main thread's event loop, and worker
// threads cannot listen for them), so `tsprof run` watches its command:
//
//   - the command's first process, if it is a Node.js process with the
//     preload, says so when it starts (a marker in the parts directory);
//   - when tsprof run passes a signal on to it, its preload's listener says
//     it ran (another marker) before it does anything else;
//   - if it has not said so within GRACE_MS, its JavaScript is not running:
//     tsprof run kills it (SIGKILL), notes that its profiles are lost, merges
//     the other processes' parts and dies of the signal, as plain node would.

import { hasMarker, removeMarker, writeMarker, writePartError } from "./parts.js";
import { PROFILE_KINDS, type RunConfig } from "./config.js";

/** How long a signalled process has to reach its signal listener. */
export const GRACE_MS = 1_000;

const startedMarker = (pid: number) => `started.${pid}`;
const signalledMarker = (pid: number) => `signalled.${pid}`;

/** In the command's first process: it runs the preload. */
export function markStarted(dir: string, pid: number): void {
  writeMarker(dir, startedMarker(pid));
}

/** In the command's first process: its signal listener ran. */
export function markSignalled(dir: string, pid: number): void {
  writeMarker(dir, signalledMarker(pid));
}

/**
 * In `tsprof run`, before passing `signal` on to the command's first process:
 * kills it if its listener does not run within GRACE_MS. Returns a function
 * that stops watching (the process exited).
 */
export function watchSignalled(dir: string, pid: number, signal: NodeJS.Signals, config: RunConfig, kill: () => void): () => void {
  if (!hasMarker(dir, startedMarker(pid))) return () => {};
  // Only this signal's listener counts (a program may have lived through an earlier one).
  removeMarker(dir, signalledMarker(pid));
  const deadline = Date.now() + GRACE_MS;
  const timer = setInterval(() => {
    if (hasMarker(dir, signalledMarker(pid))) return clearInterval(timer);
    if (Date.now() < deadline) return;
    clearInterval(timer);
    const why = `the process did not run its ${signal} listener within ${GRACE_MS / 1000} s (its JavaScript never returned to the event loop); tsprof run killed it, and its profiles are lost`;
    for (const kind of PROFILE_KINDS) if (config.files[kind]) writePartError(dir, kind, pid, why);
    kill();
  }, 25);
  return () => clearInterval(timer);
}
