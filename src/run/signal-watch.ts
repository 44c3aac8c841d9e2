// Signals passed on by `tsprof run` to its command's first process, so that
// it gets each signal once, and ends even if its JavaScript never yields.
//
// Once: Ctrl-C sends SIGINT to the whole process group, tsprof run and the
// command alike; passing it on as well would make it two, which many
// programs read as "force quit" (so does npm, which passes each on again).
// So tsprof run passes a signal on only if the command's first process did
// not get it itself: its preload's signal listener says when it ran (a
// marker in the parts directory), and tsprof run waits RELAY_MS for that
// before passing the signal on (as tsx's CLI does with its child).
//
// Ends: a program that never returns to its event loop cannot run the
// preload's signal listener, so it neither writes its profiles nor dies of
// SIGINT or SIGTERM: the listener alone keeps Node.js from dying at once,
// as plain node would. Nothing else in the process can learn of the signal
// (Node.js delivers signals only through the main thread's event loop, and
// worker threads cannot listen for them). So if the listener has not run
// GRACE_MS after the signal was passed on, tsprof run kills the process
// (SIGKILL), notes that its profiles are lost, merges the other processes'
// parts and dies of the signal, as plain node would.
//
// Only a Node.js process with the preload says it started (another marker):
// any other command gets every signal passed on at once and is never killed.

import { markerTime, startedMarker, writeMarker, writePartError } from "./parts.js";
import { PROFILE_KINDS, type RunConfig } from "./config.js";

/** How long tsprof run waits for the command to say it got the signal itself. */
export const RELAY_MS = 500;
/** How long a signalled process has to reach its signal listener. */
export const GRACE_MS = 1_000;
const POLL_MS = 10;

const signalledMarker = (pid: number) => `signalled.${pid}`;

/** In the command's first process: its signal listener ran. */
export function markSignalled(dir: string, pid: number): void {
  writeMarker(dir, signalledMarker(pid));
}

export interface SignalTarget {
  dir: string;
  pid: number;
  config: RunConfig;
  /** Sends the signal to the process. */
  pass(): void;
  /** Kills the process (SIGKILL). */
  kill(): void;
}

/**
 * In `tsprof run`, on receiving `signal`: passes it on to the command's
 * first process unless it got it too, and kills the process if its listener
 * does not run. Returns a function that stops watching (the process exited).
 */
export function relaySignal(signal: NodeJS.Signals, target: SignalTarget): () => void {
  if (markerTime(target.dir, startedMarker(target.pid)) === undefined) {
    target.pass();
    return () => {};
  }
  const received = Date.now();
  // A listener that ran just before tsprof run's own (the same Ctrl-C) counts.
  const listened = (since: number) => (markerTime(target.dir, signalledMarker(target.pid)) ?? -Infinity) >= since - RELAY_MS;
  let passedAt: number | undefined;
  const timer = setInterval(() => {
    const now = Date.now();
    if (passedAt === undefined) {
      if (listened(received)) return clearInterval(timer);
      if (now - received < RELAY_MS) return;
      passedAt = now;
      target.pass();
      return;
    }
    if (listened(passedAt)) return clearInterval(timer);
    if (now - passedAt < GRACE_MS) return;
    clearInterval(timer);
    const why = `the process did not run its ${signal} listener within ${GRACE_MS / 1000} s (its JavaScript never returned to the event loop); tsprof run killed it, and its profiles are lost`;
    for (const kind of PROFILE_KINDS) if (target.config.files[kind]) writePartError(target.dir, kind, target.pid, why);
    target.kill();
  }, POLL_MS);
  return () => clearInterval(timer);
}
