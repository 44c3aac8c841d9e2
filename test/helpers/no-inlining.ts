// Keeping V8 from inlining, for tests that check which function a CPU sample
// names. V8's profiler charges an inlined callee's time to its caller in
// on-stack-replaced code (a long loop calling the hot function, optimized
// while it runs), and in optimized code that predates the profile; a plain
// `node --cpu-prof` profile does the same. Both optimizing tiers inline:
// TurboFan, and Maglev (whose thresholds Node 24 raised enough to inline
// these tests' hot functions). The tests measure tsprof's attribution, not
// the inliner's.

import { setFlagsFromString } from "node:v8";

/** The flags, for a child process's command line (execArgv). */
export const NO_INLINING_FLAGS = ["--no-turbo-inlining", "--no-maglev-inlining"];

/** Turns inlining off in this process (V8 flags are process-wide: its workers too). */
export function turnOffInlining(): void {
  for (const flag of NO_INLINING_FLAGS) setFlagsFromString(flag);
}
