// How the web UI filters a profile for a page: by default with the driver's
// filters (focus, ignore, hide, show, show_from, tagfocus…, as google/pprof
// applies them), on a copy, since they edit the profile in place.

import type { ProfileData } from "../../profile/model.js";
import type { Config } from "../config.js";
import { applyFocus, copyForFilters } from "../filter/index.js";
import { numLabelUnits } from "../totals.js";

/** Returns `profile` with the filters of `config` applied, leaving `profile` unchanged. */
export type ProfileFilter = (profile: ProfileData, config: Config) => ProfileData;

export const defaultFilter: ProfileFilter = (profile, config) => {
  const copy = copyForFilters(profile);
  applyFocus(copy, numLabelUnits(copy), config);
  return copy;
};
