// One report's inputs, as google/pprof's generateRawReport prepares them: the
// sample index resolved, the total computed on the profile *before*
// filtering (unless relative_percentages), then the filters applied.

import type { ProfileData } from "../../profile/model.js";
import type { Config } from "../config.js";
import type { ReportContext, ReportKind } from "../report/index.js";
import { computeTotal, numLabelUnits } from "../totals.js";
import { applyFocus, type Warn } from "./apply.js";
import { compileRE2, FilterError, type NameRegexp } from "./regexp.js";
import { sampleIndexByName } from "./sample-index.js";
import { generateTagRootsLeaves } from "./tagroot.js";

export interface PreparedReport {
  /** The filtered profile (the one given, edited in place). */
  profile: ProfileData;
  ctx: ReportContext;
}

/**
 * Filters `p` in place for report `kind` (pass a copy if it is used again)
 * and returns the context generateReport needs. `symbol` is the regexp
 * argument of peek/list/tree. (-proto writes the filtered profile as it is:
 * go tool pprof sets its granularity to addresses, which aggregates nothing.)
 */
export function prepareReport(
  kind: ReportKind | "proto", p: ProfileData, cfg: Config,
  opts: { symbol?: string | undefined; warn?: Warn } = {},
): PreparedReport {
  const units = numLabelUnits(p);
  // Label pseudo frames come first, so that the filters can match them.
  generateTagRootsLeaves(p, cfg.tagRoot, cfg.tagLeaf, cfg.unit, opts.warn ?? (() => {}));
  const relative = cfg.relativePercentages;
  if (relative) applyFocus(p, units, cfg, opts.warn);
  const sampleIndex = p.sampleType.length === 0 ? 0 : sampleIndexByName(p, cfg.sampleIndex);
  let symbol: NameRegexp | undefined;
  if (opts.symbol !== undefined && opts.symbol !== "") {
    try {
      symbol = compileRE2(opts.symbol);
    } catch (err) {
      throw new FilterError(`parsing argument regexp ${opts.symbol}: ${(err as Error).message}`);
    }
  }
  const total = p.sampleType.length === 0 ? 0 : computeTotal(p, sampleIndex, cfg.mean);
  if (!relative) applyFocus(p, units, cfg, opts.warn);
  return { profile: p, ctx: { sampleIndex, total, numLabelUnits: units, ...(symbol ? { symbol } : {}) } };
}
