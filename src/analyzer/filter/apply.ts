// The driver's filtering of a profile before a report, in google/pprof's
// order: focus/ignore/hide/show, show_from, tagfocus/tagignore,
// tagshow/taghide, prune_from. Edits the profile in place.

import type { ProfileData } from "../../profile/model.js";
import type { Config } from "../config.js";
import { filterSamplesByName, showFrom } from "./names.js";
import { pruneFrom } from "./prune.js";
import { compileRegexpOption } from "./regexp.js";
import { compileTagFilter, filterSamplesByTag, filterTagsByName } from "./tags.js";

/** Receives google/pprof's warnings ("Focus expression matched no samples"…). */
export type Warn = (message: string) => void;

/** The filter options of `cfg`, compiled: throws FilterError for a bad regexp before anything changes. */
export function compileFilters(cfg: Config, numLabelUnits: Record<string, string>) {
  return {
    focus: compileRegexpOption("focus", cfg.focus),
    ignore: compileRegexpOption("ignore", cfg.ignore),
    hide: compileRegexpOption("hide", cfg.hide),
    show: compileRegexpOption("show", cfg.show),
    showFrom: compileRegexpOption("show_from", cfg.showFrom),
    tagFocus: compileTagFilter("tagfocus", cfg.tagFocus, numLabelUnits),
    tagIgnore: compileTagFilter("tagignore", cfg.tagIgnore, numLabelUnits),
    pruneFrom: compileRegexpOption("prune_from", cfg.pruneFrom),
    tagShow: compileRegexpOption("tagshow", cfg.tagShow),
    tagHide: compileRegexpOption("taghide", cfg.tagHide),
  };
}

/** True when no filter option is set (the profile can be used as it is). */
export function noFilters(cfg: Config): boolean {
  return cfg.focus === "" && cfg.ignore === "" && cfg.hide === "" && cfg.show === "" && cfg.showFrom === "" &&
    cfg.tagFocus === "" && cfg.tagIgnore === "" && cfg.pruneFrom === "" && cfg.tagShow === "" && cfg.tagHide === "";
}

export function applyFocus(p: ProfileData, numLabelUnits: Record<string, string>, cfg: Config, warn: Warn = () => {}): void {
  const f = compileFilters(cfg, numLabelUnits);
  const noMatch = (option: string) => warn(`${option} expression matched no samples`);
  if (f.tagFocus?.rangeNote) warn(f.tagFocus.rangeNote);
  if (f.tagIgnore?.rangeNote) warn(f.tagIgnore.rangeNote);

  if (f.focus || f.ignore || f.hide || f.show) {
    const m = filterSamplesByName(p, f);
    if (f.focus && !m.focus) noMatch("Focus");
    if (f.ignore && !m.ignore) noMatch("Ignore");
    if (f.hide && !m.hide) noMatch("Hide");
    if (f.show && !m.show) noMatch("Show");
  }
  if (f.showFrom && !showFrom(p, f.showFrom)) noMatch("ShowFrom");
  if (f.tagFocus || f.tagIgnore) {
    const m = filterSamplesByTag(p, f.tagFocus?.match, f.tagIgnore?.match);
    if (f.tagFocus && !m.focus) noMatch("TagFocus");
    if (f.tagIgnore && !m.ignore) noMatch("TagIgnore");
  }
  if (f.tagShow || f.tagHide) {
    const m = filterTagsByName(p, f.tagShow, f.tagHide);
    if (f.tagShow && !m.show) noMatch("TagShow");
    if (f.tagHide && !m.hide) noMatch("TagHide");
  }
  if (f.pruneFrom) pruneFrom(p, f.pruneFrom);
}
