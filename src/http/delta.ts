// Delta profiles (?seconds=N on heap, allocs, goroutine, block, mutex,
// threadcreate): what changed between two collections N seconds apart.

import type { ProfileData } from "../profile/model.js";
import { mergeProfiles, scaleProfile } from "../profile/merge.js";

/** The profiles that have a delta form, as in Go. */
export const DELTA_PROFILES: ReadonlySet<string> = new Set(["allocs", "block", "goroutine", "heap", "mutex", "threadcreate"]);

/**
 * after − before, sample by sample (samples that cancel out are dropped, and
 * values may be negative, e.g. fewer live objects). Times are those of the
 * two collections: time_nanos of the second, duration between them.
 */
export function deltaProfile(before: ProfileData, beforeNanos: bigint, after: ProfileData, afterNanos: bigint): ProfileData {
  const base = comparableCopy(before);
  scaleProfile(base, -1);
  const delta = mergeProfiles([base, comparableCopy(after)]);
  // Addresses are per-profile placeholders (one per location): given back after the merge.
  for (const loc of delta.location) loc.address = BigInt(loc.id);
  for (const m of delta.mapping) m.limit = BigInt(delta.location.length + 1);
  // The second collection's comments describe the profile as of the end (not both sets).
  delta.comments = [...after.comments];
  delta.timeNanos = afterNanos;
  delta.durationNanos = Number(afterNanos - beforeNanos);
  return delta;
}

/**
 * A copy whose locations match those of another collection of the same
 * program: tsprof's addresses and mapping ranges are numbered per profile,
 * so they are cleared and the locations compared by function, file and line.
 */
function comparableCopy(p: ProfileData): ProfileData {
  const copy = mergeProfiles([p]);
  for (const m of copy.mapping) {
    m.start = 0n;
    m.limit = 0n;
    m.offset = 0n;
  }
  for (const loc of copy.location) loc.address = 0n;
  return copy;
}
