// Which sample value a view shows: -sample_index as go tool pprof reads it (an
// index, or a sample type name with an optional "inuse_" prefix), else the
// profile's default_sample_type, else the last type.

import type { ProfileData } from "../../profile/model.js";
import { ReportError } from "../report/index.js";

export function resolveSampleIndex(profile: ProfileData, want: string): number {
  const types = profile.sampleType;
  if (types.length === 0) throw new ReportError("profile has no samples");
  if (want === "") {
    const i = types.findIndex((st) => st.type === profile.defaultSampleType);
    return i >= 0 ? i : types.length - 1;
  }
  if (/^\d+$/.test(want)) {
    const n = Number(want);
    if (n >= types.length) throw new ReportError(`sample_index ${want} is outside the range [0..${types.length - 1}]`);
    return n;
  }
  const name = want.replace(/^inuse_/, "");
  const i = types.findIndex((st) => st.type === want || st.type === name);
  if (i < 0) throw new ReportError(`sample_index "${want}" must be one of: [${types.map((t) => t.type).join(" ")}]`);
  return i;
}
