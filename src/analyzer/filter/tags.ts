// Sample filters by label, as google/pprof's -tagfocus/-tagignore (a regexp,
// a comma list of regexps, "key=regexp", or a numeric range such as "1kb",
// "1kb:4kb", "64:" or "key=:1mb") and -tagshow/-taghide (which label keys
// stay on samples).

import type { ProfileData, Sample } from "../../profile/model.js";
import { scale } from "../measurement.js";
import { FilterError, compileRegexp, type NameRegexp } from "./regexp.js";

export type TagMatch = (s: Sample) => boolean;

export interface CompiledTagFilter {
  match: TagMatch;
  /** Set when the value was read as a numeric range (google/pprof says so on stderr). */
  rangeNote?: string;
}

const rangeRx = /([+-]?\d+)([A-Za-z]+)?/g;

/** A numeric range filter, or undefined when `filter` is not one. */
function parseTagFilterRange(filter: string): ((v: number, unit: string) => boolean) | undefined {
  const ranges = [...filter.matchAll(rangeRx)].slice(0, 2);
  if (ranges.length === 0) return undefined;
  const [m0, n0, u0 = ""] = ranges[0]! as unknown as [string, string, string | undefined];
  const [lo, unit] = scale(Number(n0), u0, u0);
  const inUnit = (v: number, u: string): number | undefined => {
    const [sv, su] = scale(v, u, unit);
    return su === unit ? sv : undefined;
  };
  if (ranges.length === 1) {
    if (filter === m0) return (v, u) => inUnit(v, u) === lo;
    if (filter === m0 + ":") return (v, u) => (inUnit(v, u) ?? -Infinity) >= lo;
    if (filter === ":" + m0) return (v, u) => (inUnit(v, u) ?? Infinity) <= lo;
    return undefined;
  }
  const [m1, n1, u1 = ""] = ranges[1]! as unknown as [string, string, string | undefined];
  if (filter !== `${m0}:${m1}`) return undefined;
  const [hi, unit2] = scale(Number(n1), u1, unit);
  if (unit2 !== unit) return undefined;
  return (v, u) => {
    const sv = inUnit(v, u);
    return sv !== undefined && sv >= lo && sv <= hi;
  };
}

/** Compiles a -tagfocus/-tagignore value; undefined for "". */
export function compileTagFilter(name: string, value: string, numLabelUnits: Record<string, string>): CompiledTagFilter | undefined {
  if (value === "") return undefined;
  let wantKey = "";
  const eq = value.indexOf("=");
  if (eq >= 0) {
    wantKey = value.slice(0, eq);
    value = value.slice(eq + 1);
  }
  const num = parseTagFilterRange(value);
  if (num) {
    const any = (vals: number[], unit: string) => vals.some((v) => num(v, unit));
    const rangeNote = `${name}:Interpreted '${value}' as range, not regexp`;
    if (wantKey === "") {
      return {
        rangeNote,
        match: (s) => Object.entries(s.numLabel).some(([k, vals]) => any(vals, numLabelUnits[k] ?? "")),
      };
    }
    return {
      rangeNote,
      match: (s) => {
        const vals = s.numLabel[wantKey];
        return vals !== undefined && any(vals, numLabelUnits[wantKey] ?? "");
      },
    };
  }
  const rxs = value.split(",").map((v) => compileRegexp(name, v));
  if (wantKey === "") {
    // Every regexp must match some "key:value" of the sample.
    return {
      match: (s) => rxs.every((rx) => Object.entries(s.label).some(([k, vals]) => vals.some((v) => rx.test(`${k}:${v}`)))),
    };
  }
  return {
    match: (s) => {
      const vals = s.label[wantKey];
      return vals !== undefined && rxs.some((rx) => vals.some((v) => rx.test(v)));
    },
  };
}

/** Keeps samples matching focus (if any) and not ignore. Returns whether each matched some sample. */
export function filterSamplesByTag(p: ProfileData, focus: TagMatch | undefined, ignore: TagMatch | undefined): { focus: boolean; ignore: boolean } {
  let fm = false;
  let im = false;
  p.sample = p.sample.filter((s) => {
    const focused = focus ? focus(s) : true;
    const ignored = ignore ? ignore(s) : false;
    fm ||= focused;
    im ||= ignored;
    return focused && !ignored;
  });
  return { focus: fm, ignore: im };
}

/** -tagshow/-taghide: removes the label keys not shown or hidden from every sample. */
export function filterTagsByName(p: ProfileData, show: NameRegexp | undefined, hide: NameRegexp | undefined): { show: boolean; hide: boolean } {
  let sm = false;
  let hm = false;
  const remove = (key: string): boolean => {
    const s = !show || show.test(key);
    const h = hide !== undefined && hide.test(key);
    sm ||= s;
    hm ||= h;
    return !s || h;
  };
  for (const s of p.sample) {
    for (const k of Object.keys(s.label)) if (remove(k)) delete s.label[k];
    for (const k of Object.keys(s.numLabel)) {
      if (remove(k)) {
        delete s.numLabel[k];
        delete s.numUnit[k];
      }
    }
  }
  return { show: sm, hide: hm };
}

export { FilterError };
