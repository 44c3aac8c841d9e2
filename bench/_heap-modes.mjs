// The heap modes the allocation-sampling benchmarks compare, and how a
// measured process starts in one of them:
//   none     no profiler loaded
//   off      tsprof's heap module loaded, setMemProfileRate(0)
//   inuse    tsprof sampling at 512 KiB, in-use sampling (the default)
//   allocs   tsprof sampling at 512 KiB, allocation sampling (keeps freed samples, drained)
//   datadog  @datadog/pprof's heap profiler at 512 KiB, stack depth 64

import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

export const RATE = 512 * 1024;
export const MODES = ["none", "off", "inuse", "allocs", "datadog"];
export const heapUrl = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), "../dist/esm/collect/heap.js")).href;

/** Starts `mode` in this process; returns tsprof's heap module where it is loaded. */
export async function startHeapMode(mode) {
  if (mode === "off" || mode === "inuse" || mode === "allocs") {
    const tsprof = await import(heapUrl);
    if (mode === "off") tsprof.setMemProfileRate(0);
    if (mode === "allocs") tsprof.setAllocationSampling(true);
    return tsprof;
  }
  if (mode === "datadog") {
    const { heap } = await import("@datadog/pprof");
    heap.start(RATE, 64);
  }
  return undefined;
}
