// -base and -diff_base for the web UI, as google/pprof combines them: the base
// profile's values are negated and merged into the source; with -diff_base its
// samples also carry the label pprof::base=true, so percentages are relative
// to the base and views can tell the two apart.

import { mergeProfiles } from "../../profile/merge.js";
import { scaleProfile } from "../../profile/merge.js";
import type { ProfileData } from "../../profile/model.js";

export interface BaseProfile {
  /** The base profile as loaded (not negated). */
  profile: ProfileData;
  /** true for -diff_base, false for -base. */
  diffBase: boolean;
}

export function subtractBase(source: ProfileData, base: BaseProfile): ProfileData {
  const negated = mergeProfiles([base.profile]); // a copy we may change
  scaleProfile(negated, -1);
  if (base.diffBase) for (const s of negated.sample) s.label = { ...s.label, "pprof::base": ["true"] };
  return mergeProfiles([source, negated]);
}
