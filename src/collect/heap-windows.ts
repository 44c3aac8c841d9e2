// The heap profile cut into windows, for continuous profiling: each cut()
// gives the allocations made since the last cut (alloc_*, the difference of
// two heap profiles) and what is in use now (inuse_*, current values: a
// difference of in-use memory means nothing to a backend that averages
// them). Built on the heap profile's public data (heap.ts), whatever its
// alloc_* cover.

import { heapProfileData } from "./heap.js";
import { comparableCopy, mergeProfiles, numberAddresses } from "../profile/merge.js";
import type { ProfileData } from "../profile/model.js";
import { wallNanos } from "./cpu-windows.js";

const ALLOC = new Set(["alloc_objects", "alloc_space"]);

export interface HeapWindow {
  data: ProfileData;
  startNanos: bigint;
  endNanos: bigint;
}

export class HeapWindows {
  private last: ProfileData;
  private startNanos: bigint;

  constructor() {
    this.last = comparableCopy(heapProfileData());
    this.startNanos = wallNanos();
  }

  cut(): HeapWindow {
    const endNanos = wallNanos();
    const now = comparableCopy(heapProfileData());
    const base = mergeProfiles([this.last]);
    // alloc_* subtracted, inuse_* left as they are now.
    const alloc = base.sampleType.map((vt) => ALLOC.has(vt.type));
    for (const s of base.sample) for (let i = 0; i < s.value.length; i++) s.value[i] = alloc[i] ? -s.value[i]! : 0;
    const data = mergeProfiles([base, now]);
    numberAddresses(data);
    const startNanos = this.startNanos;
    data.timeNanos = startNanos;
    data.durationNanos = Number(endNanos - startNanos);
    this.last = now;
    this.startNanos = endNanos;
    return { data, startNanos, endNanos };
  }
}
