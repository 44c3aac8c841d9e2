// -sample_index: an index, or a sample type name (an "inuse_" prefix is
// tolerated, as google/pprof's SampleIndexByName); "" = default_sample_type,
// else the last type.

import type { ProfileData } from "../../profile/model.js";
import { FilterError } from "./regexp.js";

export function sampleIndexByName(p: ProfileData, want: string): number {
  const types = p.sampleType;
  if (want === "") {
    if (p.defaultSampleType !== "") {
      const i = types.findIndex((t) => t.type === p.defaultSampleType);
      if (i >= 0) return i;
    }
    return types.length - 1;
  }
  if (/^[+-]?\d+$/.test(want)) {
    const i = Number(want);
    if (i < 0 || i >= types.length) throw new FilterError(`sample_index ${want} is outside the range [0..${types.length - 1}]`);
    return i;
  }
  const noInuse = want.replace(/^inuse_/, "");
  const i = types.findIndex((t) => t.type === want || t.type === noInuse);
  if (i < 0) throw new FilterError(`sample_index "${want}" must be one of: [${types.map((t) => t.type).join(" ")}]`);
  return i;
}
