// The delta of a cumulative profile since the previous call, computed on the
// profile's samples before encoding (the godeltaprof way, which Grafana
// Alloy's delta_heap, delta_mutex and delta_block paths expect):
// cumulative values (alloc_*, contentions, delay) become what was added
// since the previous call, values of the moment (inuse_*) stay as they are.
// A plain subtraction of two profiles would turn inuse_* into changes.

import type { Location, ProfileData, ProfileFunction, Sample } from "./model.js";

export class RunningDelta {
  /** Cumulative values of the previous call, by sample key. */
  #previous = new Map<string, number[]>();
  #previousNanos: bigint | undefined;

  /** cumulative: the indices of the sample values that only grow; the others are kept as they are. */
  constructor(private readonly cumulative: readonly number[]) {}

  /**
   * What changed since the previous call (the first call: everything so far).
   * Samples of the same stack and labels are summed first; a sample whose
   * cumulative values went down (the profile was reset) or that has nothing
   * to show is left out. Time is the call's, duration the time since the
   * previous call (0 on the first).
   */
  next(p: ProfileData, nowNanos: bigint): ProfileData {
    const merged = new Map<string, Sample>();
    for (const s of p.sample) {
      const key = sampleKey(s);
      const seen = merged.get(key);
      if (seen) seen.value.forEach((_, i) => (seen.value[i]! += s.value[i]!));
      else merged.set(key, { ...s, value: [...s.value] });
    }
    const current = new Map<string, number[]>();
    const out: Sample[] = [];
    for (const [key, s] of merged) {
      const totals = this.cumulative.map((i) => s.value[i]!);
      current.set(key, totals);
      const before = this.#previous.get(key);
      const value = [...s.value];
      let dropped = false;
      this.cumulative.forEach((i, j) => {
        value[i] = totals[j]! - (before?.[j] ?? 0);
        if (value[i]! < 0) dropped = true;
      });
      if (dropped || value.every((v) => v === 0)) continue;
      out.push({ ...s, value });
    }
    // Keys gone from the profile are forgotten: memory follows the profile's size.
    this.#previous = current;
    const since = this.#previousNanos;
    this.#previousNanos = nowNanos;
    return withSamples(p, out, nowNanos, since === undefined ? 0 : Number(nowNanos - since));
  }
}

/** A sample's identity across collections: its frames (not per-profile ids or addresses) and labels. */
function sampleKey(s: Sample): string {
  let key = "";
  for (const loc of s.location) {
    for (const l of loc.line) key += `${l.function.name}\u0001${l.function.filename}\u0001${l.line}\u0001${l.column}\u0002`;
    key += "\u0003";
  }
  for (const k of Object.keys(s.label).sort()) key += `\u0004${k}=${s.label[k]!.join("\u0001")}`;
  for (const k of Object.keys(s.numLabel).sort()) key += `\u0005${k}=${s.numLabel[k]!.join("\u0001")}`;
  return key;
}

/** p with only the given samples, and the locations and functions they use. */
function withSamples(p: ProfileData, sample: Sample[], timeNanos: bigint, durationNanos: number): ProfileData {
  const locations = new Set<Location>();
  for (const s of sample) for (const l of s.location) locations.add(l);
  const functions = new Set<ProfileFunction>();
  for (const l of locations) for (const line of l.line) functions.add(line.function);
  return {
    ...p,
    sample,
    location: p.location.filter((l) => locations.has(l)),
    function: p.function.filter((f) => functions.has(f)),
    timeNanos,
    durationNanos,
  };
}
