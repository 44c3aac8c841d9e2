// -base and -diff_base for the web UI: the driver's combination (the base
// negated and merged in; with -diff_base its samples labelled pprof::base=true),
// applied to a copy of the base, which it edits.

import { mergeProfiles } from "../../profile/merge.js";
import type { ProfileData } from "../../profile/model.js";
import { combineSources } from "../filter/index.js";

export interface BaseProfile {
  /** The base profile as loaded (not negated). */
  profile: ProfileData;
  /** true for -diff_base, false for -base. */
  diffBase: boolean;
}

export function subtractBase(source: ProfileData, base: BaseProfile): ProfileData {
  return combineSources([source], { base: mergeProfiles([base.profile]), diffBase: base.diffBase });
}
