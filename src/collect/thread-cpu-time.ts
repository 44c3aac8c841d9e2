// A thread's CPU time, readable from any thread of the process: Linux keeps
// each thread's time on a CPU, in nanoseconds, in
// /proc/self/task/TID/schedstat (its first field). Elsewhere there is no
// such clock and these return undefined.

import { readFileSync, readlinkSync } from "node:fs";

/** This thread's kernel thread id (Linux), or undefined. */
export function currentThreadTid(): number | undefined {
  try {
    // "PID/task/TID"
    const m = /\/task\/(\d+)$/.exec(readlinkSync("/proc/thread-self"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The schedstat file of thread tid of this process. */
export function schedstatPath(tid: number): string {
  return `/proc/self/task/${tid}/schedstat`;
}

/** Nanoseconds thread tid has run on a CPU, or undefined (no such thread, or no clock). */
export function threadCpuNanos(tid: number): number | undefined {
  try {
    return parseSchedstat(readFileSync(schedstatPath(tid), "latin1"));
  } catch {
    return undefined;
  }
}

/** The first field of a schedstat line ("run_ns wait_ns slices"). */
export function parseSchedstat(text: string): number | undefined {
  const space = text.indexOf(" ");
  const ns = Number(space < 0 ? text : text.slice(0, space));
  return Number.isFinite(ns) && ns >= 0 ? ns : undefined;
}
