// A full garbage collection for ?gc=1 (Go's runtime.GC before a heap
// profile). Uses global.gc when node runs with --expose-gc; otherwise turns
// the flag on just long enough to get V8's gc function in a fresh context.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type GC = () => void;
let gcFunction: GC | null | undefined;

function findGC(): GC | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === "function") return exposed as GC;
  try {
    setFlagsFromString("--expose-gc");
    const fn: unknown = runInNewContext("gc");
    return typeof fn === "function" ? (fn as GC) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
}

/** Runs a full collection; false when this Node.js offers no way to (the caller says so). */
export function collectGarbage(): boolean {
  if (gcFunction === undefined) gcFunction = findGC();
  if (!gcFunction) return false;
  gcFunction();
  return true;
}
