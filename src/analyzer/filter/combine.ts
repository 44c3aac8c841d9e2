// Combining sources as google/pprof's fetch does: every source merged into
// one profile (even a single one), then a -base or -diff_base profile negated
// and merged in (diff_base samples labelled pprof::base=true, so percentages
// are relative to the base); -normalize scales the source to the base first.

import { mergeProfiles, checkCompatible, scaleProfile } from "../../profile/merge.js";
import { decodedSamples } from "../../profile/decode.js";
import type { ProfileData } from "../../profile/model.js";

export interface BaseOptions {
  base?: ProfileData | undefined;
  diffBase?: boolean;
  normalize?: boolean;
}

export function combineSources(sources: ProfileData[], opts: BaseOptions = {}): ProfileData {
  let p = mergeProfiles(sources);
  const base = opts.base;
  if (base) {
    if (opts.diffBase) {
      for (const s of base.sample) s.label = { ...s.label, "pprof::base": ["true"] };
    }
    if (opts.normalize) normalize(p, base);
    scaleProfile(base, -1);
    p = mergeProfiles([p, base]);
  }
  return p;
}

/** Scales each sample value of `p` so that its total equals the base's (google/pprof's Normalize). */
export function normalize(p: ProfileData, base: ProfileData): void {
  checkCompatible(p, base);
  const n = p.sampleType.length;
  const baseVals = new Array<number>(n).fill(0);
  const srcVals = new Array<number>(n).fill(0);
  for (const s of base.sample) s.value.forEach((v, i) => { baseVals[i]! += v; });
  for (const s of p.sample) s.value.forEach((v, i) => { srcVals[i]! += v; });
  const ratio = baseVals.map((b, i) => (srcVals[i] === 0 ? 0 : b / srcVals[i]!));
  if (ratio.every((r) => r === 1)) return;
  // Rounded half away from zero (Go's math.Round); a sample stays if a scaled value is nonzero.
  const round = (x: number) => Math.sign(x) * Math.round(Math.abs(x));
  p.sample = p.sample.filter((s) => {
    let keep = false;
    for (let i = 0; i < s.value.length; i++) {
      if (ratio[i] === 1) continue;
      s.value[i] = round(s.value[i]! * ratio[i]!);
      if (s.value[i] !== 0) keep = true;
    }
    return keep;
  });
}

/**
 * One source for a graph or label report (top, tree, peek, dot, list, tags…):
 * the profile as decoded, without its all-zero samples. Merging it with
 * itself, as google/pprof does, would only join identical stacks, drop
 * duplicate locations and functions and renumber ids, none of which these
 * reports can show, and on a large profile costs a third of the run.
 */
export function withoutZeroSamples(p: ProfileData): ProfileData {
  // A profile just decoded knows it has none, without making its Sample objects.
  if (decodedSamples(p)?.zeroSamples === 0) return p;
  p.sample = p.sample.filter((s) => s.value.some((v) => v !== 0));
  return p;
}
