// Facts of a profile that filters, reports and views all need: the report
// total and the units of numeric labels. A leaf: it depends on the profile
// model alone, so filter/ and flame/ need not import report/.

import { decodedSamples } from "../profile/decode.js";
import type { ProfileData, Sample } from "../profile/model.js";

/** True for samples of the base profile in a -diff_base comparison. */
export function isDiffBaseSample(s: Sample): boolean {
  return s.label["pprof::base"]?.includes("true") ?? false;
}

/**
 * The report total: the sum of |value| (of diff-base samples only, if any),
 * divided by the sum of sample counts for -mean.
 */
export function computeTotal(profile: ProfileData, sampleIndex: number, mean = false): number {
  // A profile just decoded, with no label that can mark a diff-base sample,
  // is summed from the decoder's columns: its Sample objects need not be made.
  const d = decodedSamples(profile);
  if (d && !d.labelKeys.has("pprof::base") && sampleIndex < d.valuesPerSample) {
    const { values, valuesPerSample: k } = d;
    let total = 0;
    let div = 0;
    for (let i = 0; i < d.count; i++) {
      total += Math.abs(values[i * k + sampleIndex]!);
      if (mean) div += values[i * k]!;
    }
    return div !== 0 ? Math.trunc(total / div) : total;
  }
  let div = 0;
  let total = 0;
  let diffDiv = 0;
  let diffTotal = 0;
  for (const s of profile.sample) {
    const v = Math.abs(s.value[sampleIndex] ?? 0);
    const d = mean ? s.value[0] ?? 0 : 0;
    total += v;
    div += d;
    if (isDiffBaseSample(s)) {
      diffTotal += v;
      diffDiv += d;
    }
  }
  if (diffTotal > 0) {
    total = diffTotal;
    div = diffDiv;
  }
  return div !== 0 ? Math.trunc(total / div) : total;
}

/** Units of numeric labels: the first unit seen per key, else inferred from the key (as Profile.NumLabelUnits). */
export function numLabelUnits(profile: ProfileData): Record<string, string> {
  // A profile just decoded without numeric labels has none to find units for.
  if (decodedSamples(profile)?.numericLabelCount === 0) return {};
  const units: Record<string, string> = {};
  const keys = new Set<string>();
  for (const s of profile.sample) {
    for (const k of Object.keys(s.numLabel)) {
      keys.add(k);
      for (const u of s.numUnit[k] ?? []) {
        if (u !== "" && !(k in units)) units[k] = u;
      }
    }
  }
  for (const k of keys) {
    if (!units[k]) units[k] = k === "alignment" || k === "request" ? "bytes" : k;
  }
  return units;
}
