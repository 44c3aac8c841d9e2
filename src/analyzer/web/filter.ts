// The web UI's own -focus/-ignore/-hide/-show, with google/pprof's meaning
// (FilterSamplesByName): a regexp matches a frame by function name, file name
// or mapping file; focus keeps samples with a matching frame, ignore drops
// them, hide removes matching frames, show keeps only matching ones. Used when
// the driver does not hand serveWebUI its own filter. Never mutates its input.

import type { Location, ProfileData, Sample } from "../../profile/model.js";
import type { Config } from "../config.js";
import { ReportError } from "../report/index.js";

export type ProfileFilter = (profile: ProfileData, config: Config) => ProfileData;

export function compileRegexp(option: string, value: string): RegExp | undefined {
  if (value === "") return undefined;
  try {
    return new RegExp(value);
  } catch (e) {
    throw new ReportError(`parsing argument regexp ${value}: ${(e as Error).message} (option ${option})`);
  }
}

function lineMatches(re: RegExp, l: Location["line"][number]): boolean {
  return re.test(l.function.name) || re.test(l.function.filename);
}

function matchesName(re: RegExp, l: Location): boolean {
  if (l.line.some((ln) => lineMatches(re, ln))) return true;
  return l.mapping !== undefined && re.test(l.mapping.file);
}

export const filterByName: ProfileFilter = (profile, config) => {
  const focus = compileRegexp("focus", config.focus);
  const ignore = compileRegexp("ignore", config.ignore);
  const hide = compileRegexp("hide", config.hide);
  const show = compileRegexp("show", config.show);
  if (!focus && !ignore && !hide && !show) return profile;

  const keep = new Map<Location, boolean>(); // true: focused, false: ignored
  const replaced = new Map<Location, Location | null>(); // null: every frame hidden
  for (const l of profile.location) {
    if (ignore && matchesName(ignore, l)) keep.set(l, false);
    else if (!focus || matchesName(focus, l)) keep.set(l, true);
    let lines = l.line;
    const mappingFile = l.mapping?.file;
    if (hide && matchesName(hide, l)) {
      lines = mappingFile !== undefined && hide.test(mappingFile) ? [] : lines.filter((ln) => !lineMatches(hide, ln));
    }
    if (show && !(mappingFile !== undefined && show.test(mappingFile))) lines = lines.filter((ln) => lineMatches(show, ln));
    if (lines !== l.line) replaced.set(l, lines.length === 0 ? null : { ...l, line: lines });
  }

  const samples: Sample[] = [];
  for (const s of profile.sample) {
    let focused = false;
    let ignored = false;
    for (const l of s.location) {
      const k = keep.get(l);
      if (k === false) ignored = true;
      else if (k === true) focused = true;
    }
    if (!focused || ignored) continue;
    if (replaced.size === 0) {
      samples.push(s);
      continue;
    }
    const locs: Location[] = [];
    for (const l of s.location) {
      const r = replaced.get(l);
      if (r === undefined) locs.push(l);
      else if (r !== null) locs.push(r);
    }
    if (locs.length > 0) samples.push({ ...s, location: locs });
  }
  const location = replaced.size === 0 ? profile.location : profile.location.flatMap((l) => {
    const r = replaced.get(l);
    return r === undefined ? [l] : r === null ? [] : [r];
  });
  return { ...profile, sample: samples, location };
};
