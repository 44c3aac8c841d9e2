// Sample filters by frame name, as google/pprof's profile filters: focus,
// ignore, hide and show (FilterSamplesByName) and show_from. A regexp matches
// a frame when it matches the function name, its file name, or the mapping's
// file. They edit the profile in place (locations' line lists included): run
// them on a copy.

import type { Line, Location, ProfileData, Sample } from "../../profile/model.js";
import type { NameRegexp } from "./regexp.js";

function lineMatches(re: NameRegexp, ln: Line): boolean {
  return re.test(ln.function.name) || re.test(ln.function.filename);
}

function mappingMatches(re: NameRegexp, loc: Location): boolean {
  return loc.mapping !== undefined && re.test(loc.mapping.file);
}

function locationMatches(re: NameRegexp, loc: Location): boolean {
  return loc.line.some((ln) => lineMatches(re, ln)) || mappingMatches(re, loc);
}

export interface NameFilters {
  focus?: NameRegexp | undefined;
  ignore?: NameRegexp | undefined;
  hide?: NameRegexp | undefined;
  show?: NameRegexp | undefined;
}

/** Which filters matched at least one frame (for "… expression matched no samples" warnings). */
export interface NameMatches {
  focus: boolean;
  ignore: boolean;
  hide: boolean;
  show: boolean;
}

/**
 * Keeps the samples with a focused frame and no ignored one; removes hidden
 * frames (and frames not shown) from stacks, dropping samples left empty.
 */
export function filterSamplesByName(p: ProfileData, f: NameFilters): NameMatches {
  const matched: NameMatches = { focus: false, ignore: false, hide: false, show: false };
  // Location → true (focused) / false (ignored); absent: neither.
  const focusOrIgnore = new Map<Location, boolean>();
  const hidden = new Set<Location>();
  for (const loc of p.location) {
    if (f.ignore && locationMatches(f.ignore, loc)) {
      matched.ignore = true;
      focusOrIgnore.set(loc, false);
    } else if (!f.focus || locationMatches(f.focus, loc)) {
      matched.focus = true;
      focusOrIgnore.set(loc, true);
    }
    if (f.hide && locationMatches(f.hide, loc)) {
      matched.hide = true;
      const hide = f.hide;
      loc.line = mappingMatches(hide, loc) ? [] : loc.line.filter((ln) => !lineMatches(hide, ln));
      if (loc.line.length === 0) hidden.add(loc);
    }
    if (f.show) {
      const show = f.show;
      if (!mappingMatches(show, loc)) loc.line = loc.line.filter((ln) => lineMatches(show, ln));
      if (loc.line.length === 0) hidden.add(loc);
      else matched.show = true;
    }
  }
  const kept: Sample[] = [];
  for (const s of p.sample) {
    if (!focusedAndNotIgnored(s.location, focusOrIgnore)) continue;
    if (hidden.size > 0) {
      const locs = s.location.filter((l) => !hidden.has(l));
      if (locs.length === 0) continue;
      s.location = locs;
    }
    kept.push(s);
  }
  p.sample = kept;
  return matched;
}

function focusedAndNotIgnored(locs: Location[], m: Map<Location, boolean>): boolean {
  let focused = false;
  for (const l of locs) {
    const v = m.get(l);
    if (v === false) return false;
    if (v === true) focused = true;
  }
  return focused;
}

/**
 * show_from: cuts every stack above its outermost frame matching `re` (and
 * drops samples without one); inlined frames above the match go too.
 */
export function showFrom(p: ProfileData, re: NameRegexp): boolean {
  let matched = false;
  const from = new Set<Location>();
  for (const loc of p.location) {
    if (mappingMatches(re, loc)) {
      from.add(loc);
      matched = true;
      continue;
    }
    for (let i = loc.line.length - 1; i >= 0; i--) {
      if (lineMatches(re, loc.line[i]!)) {
        loc.line = loc.line.slice(0, i + 1);
        from.add(loc);
        matched = true;
        break;
      }
    }
  }
  const kept: Sample[] = [];
  for (const s of p.sample) {
    for (let i = s.location.length - 1; i >= 0; i--) {
      if (from.has(s.location[i]!)) {
        s.location = s.location.slice(0, i + 1);
        kept.push(s);
        break;
      }
    }
  }
  p.sample = kept;
  return matched;
}
