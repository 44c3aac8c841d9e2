// tsprof: Go's runtime/pprof for Node.js. The public API of the profiled
// process; nothing from the analyzer or the web UI is loaded from here.

import "./registry/predefined.js";

export { startCPUProfile, stopCPUProfile, setCPUProfileRate, setCPUProfileKeepAlive } from "./collect/cpu.js";
export { writeHeapProfile, setMemProfileRate, memProfileRate, setAllocationSampling, allocationSampling } from "./collect/heap.js";
export { setBlockProfileRate } from "./collect/block.js";
export { setMutexProfileFraction } from "./collect/mutex.js";
export { setGoroutineTracking } from "./collect/goroutine.js";
export { Profile, newProfile, lookup, profiles } from "./registry/profile.js";
export type { LabelSet } from "./collect/labels.js";
export { labels, runWithLabels, label, forLabels, setGoroutineLabels } from "./collect/labels.js";
