// A profile's samples as typed arrays, for the graph builders and the stack
// trie: the decoder's columns when its Sample objects were never made, else
// made once from the Sample objects.

import { decodedSamples } from "../../profile/decode.js";
import type { Location, ProfileData } from "../../profile/model.js";

/** The profile's sample stacks, flat: sample i has frames k in [start[i], start[i + 1]), leaf first. */
export interface StackColumns {
  readonly count: number;
  readonly start: Int32Array;
  /** The location id of frame k; -1 (or any id not unique to one location) means ask locationAt(k). */
  readonly ids: Int32Array;
  locationAt(k: number): Location;
}

/** What each sample adds: w[i] (sampleValue) and dw[i] (sampleMeanDivisor, 0 without one). */
export interface SampleWeights {
  readonly w: Float64Array;
  readonly dw: Float64Array;
}

/** The stacks of a profile's samples as StackColumns: the decoder's columns when its Sample objects were never made. */
export function sampleColumns(profile: ProfileData): StackColumns {
  const d = decodedSamples(profile);
  if (d) return { count: d.count, start: d.start, ids: d.ids, locationAt: (k) => d.locationAt(k) };
  // Ids stand for a location only when one location of the profile's list has it and samples refer to that one.
  const byId: (Location | undefined)[] = [];
  const limit = 4 * profile.location.length + 1024;
  for (const l of profile.location) {
    const id = l.id;
    if (Number.isInteger(id) && id > 0 && id < limit) byId[id] = byId[id] === undefined ? l : byId[id];
  }
  const samples = profile.sample;
  let frames = 0;
  for (const s of samples) frames += s.location.length;
  const start = new Int32Array(samples.length + 1);
  const ids = new Int32Array(frames);
  const others = new Map<number, Location>();
  let k = 0;
  for (let i = 0; i < samples.length; i++) {
    const locs = samples[i]!.location;
    for (let j = 0; j < locs.length; j++, k++) {
      const l = locs[j]!;
      const id = l.id;
      if (id > 0 && id < limit && byId[id] === l) ids[k] = id;
      else {
        ids[k] = -1;
        others.set(k, l);
      }
    }
    start[i + 1] = k;
  }
  return { count: samples.length, start, ids, locationAt: (at) => (ids[at]! >= 0 ? byId[ids[at]!]! : others.get(at)!) };
}

/** SampleWeights of `stacks`' samples (read from the decoder's columns, or the Sample objects). */
export function sampleWeights(
  profile: ProfileData, value: (values: number[]) => number, meanDivisor?: (values: number[]) => number,
): SampleWeights {
  const d = decodedSamples(profile);
  if (d) {
    const n = d.count, k = d.valuesPerSample;
    const w = new Float64Array(n);
    const dw = new Float64Array(n);
    const scratch: number[] = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) scratch[j] = d.values[i * k + j]!;
      w[i] = value(scratch);
      if (meanDivisor) dw[i] = meanDivisor(scratch);
    }
    return { w, dw };
  }
  const samples = profile.sample;
  const w = new Float64Array(samples.length);
  const dw = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    w[i] = value(samples[i]!.value);
    if (meanDivisor) dw[i] = meanDivisor(samples[i]!.value);
  }
  return { w, dw };
}
