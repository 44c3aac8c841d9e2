// Delta profiles (?seconds=N on heap, allocs, goroutine, block, mutex,
// threadcreate): what changed between two collections N seconds apart.

import type { ProfileData } from "../profile/model.js";
import { comparableCopy, mergeProfiles, numberAddresses, scaleProfile } from "../profile/merge.js";

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
  numberAddresses(delta);
  // The second collection's comments describe the profile as of the end (not both sets).
  delta.comments = [...after.comments];
  delta.timeNanos = afterNanos;
  delta.durationNanos = Number(afterNanos - beforeNanos);
  return delta;
}
