// Shared by the report tests: load a profile, run one of our reports with
// options given as go tool pprof flags, and run go tool pprof itself.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseProfileBytes } from "../../src/analyzer/source/fetch.ts";
import { mergeProfiles, scaleProfile } from "../../src/profile/merge.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { defaultConfig, type Config } from "../../src/analyzer/config.ts";
import { computeTotal, generateReport, type ReportKind } from "../../src/analyzer/report/index.ts";
import { goPprof } from "../helpers/tools.ts";

export function loadProfile(path: string): ProfileData {
  // Read as the driver reads a source; go tool pprof merges every source it fetches, even a single one.
  return mergeProfiles([parseProfileBytes(readFileSync(path))]);
}

/**
 * A stand-in for the driver's -base/-diff_base (tests only), as go tool pprof
 * does it: the base is negated (and, for -diff_base, its samples labelled
 * pprof::base=true), then merged with the profile.
 */
export function withBase(p: ProfileData, basePath: string, diff: boolean): ProfileData {
  const base = loadProfile(basePath);
  if (diff) for (const s of base.sample) s.label = { ...s.label, "pprof::base": ["true"] };
  scaleProfile(base, -1);
  return mergeProfiles([p, base]);
}

/** The sample index go tool pprof picks: -sample_index, else default_sample_type, else the last. */
export function sampleIndexOf(p: ProfileData, name: string | undefined): number {
  const want = name ?? p.defaultSampleType;
  if (want) {
    const i = p.sampleType.findIndex((st) => st.type === want);
    if (i >= 0) return i;
  }
  return p.sampleType.length - 1;
}

/** Config from the subset of go tool pprof flags the report tests use. */
export function configFromFlags(flags: string[]): { config: Config; sampleIndex?: string; base?: { path: string; diff: boolean } } {
  const c = defaultConfig();
  let sampleIndex: string | undefined;
  let base: { path: string; diff: boolean } | undefined;
  for (const f of flags) {
    const m = /^-([a-z_]+)(?:=(.*))?$/.exec(f);
    if (!m) throw new Error("bad flag " + f);
    const [, name, value] = m as unknown as [string, string, string | undefined];
    switch (name) {
      case "nodecount": c.nodeCount = Number(value); break;
      case "nodefraction": c.nodeFraction = Number(value); break;
      case "edgefraction": c.edgeFraction = Number(value); break;
      case "cum": c.sort = "cum"; break;
      case "flat": c.sort = "flat"; break;
      case "unit": c.unit = value!; break;
      case "functions": case "filefunctions": case "files": case "lines": case "addresses": c.granularity = name; break;
      case "noinlines": c.noInlines = true; break;
      case "trim": c.trim = value !== "false"; break;
      case "mean": c.mean = true; break;
      case "relative_percentages": c.relativePercentages = true; break;
      case "compact_labels": c.compactLabels = true; break;
      case "divide_by": c.divideBy = Number(value); break;
      case "call_tree": c.callTree = true; break;
      case "sample_index": sampleIndex = value; break;
      case "drop_negative": c.dropNegative = true; break;
      case "base": base = { path: value!, diff: false }; break;
      case "diff_base": base = { path: value!, diff: true }; break;
      // Filters that keep every sample of the test profiles: only the
      // "Active filters" legend changes (the driver's transform does the filtering).
      case "focus": c.focus = value!; break;
      case "hide": c.hide = value!; break;
      case "show": c.show = value!; break;
      case "tagfocus": c.tagFocus = value!; break;
      default: throw new Error("unsupported flag in test: " + f);
    }
  }
  return { config: c, sampleIndex, base };
}

/**
 * A stand-in for the driver's -focus (tests only): keeps the samples with a
 * frame whose function name or file, or mapping file, matches.
 */
export function focusSamples(p: ProfileData, focus: string): ProfileData {
  const re = new RegExp(focus);
  const matches = (l: ProfileData["location"][number]) =>
    l.line.some((ln) => re.test(ln.function.name) || re.test(ln.function.filename)) || (l.mapping !== undefined && re.test(l.mapping.file));
  return { ...p, sample: p.sample.filter((s) => s.location.some(matches)) };
}

/** Our report for `go tool pprof -KIND[=ARG] FLAGS FILE`. */
export function ours(file: string, kind: ReportKind, flags: string[], arg?: string, loaded?: ProfileData): string {
  const { config, sampleIndex, base } = configFromFlags(flags);
  let p = loaded ?? loadProfile(file);
  if (base) p = withBase(p, base.path, base.diff);
  const si = sampleIndexOf(p, sampleIndex);
  // As the driver does: the total comes from the profile before filtering,
  // unless -relative_percentages.
  const filtered = config.focus !== "" && config.focus !== "." ? focusSamples(p, config.focus) : p;
  return generateReport(kind, filtered, config, {
    sampleIndex: si,
    total: computeTotal(config.relativePercentages ? filtered : p, si, config.mean),
    symbol: arg !== undefined ? new RegExp(arg) : undefined,
  });
}

export function theirs(file: string, kind: ReportKind, flags: string[], arg?: string): string {
  const k = arg !== undefined ? `-${kind}=${arg}` : `-${kind}`;
  return goPprof([k, ...flags, file]);
}

/**
 * Asserts that our report equals go tool pprof's on the same file and flags
 * (or that both refuse). go tool pprof orders some ties at random (edges of
 * equal |weight| but opposite sign, call-tree nodelets: it iterates Go maps
 * and its edge order is not a total order), so its output is fetched a few
 * times; with `unordered`, the lines are finally compared as a multiset.
 */
export function assertSameAsGo(file: string, kind: ReportKind, flags: string[], arg?: string, opts: { unordered?: boolean; loaded?: ProfileData } = {}): void {
  let want = "";
  // 20 tries: one call-tree case prints its less frequent order 40% of the
  // time, so 6 tries missed ours once in about 250 runs.
  const tries = 20;
  for (let attempt = 0; attempt < tries; attempt++) {
    try {
      want = theirs(file, kind, flags, arg);
    } catch {
      assert.throws(() => ours(file, kind, flags, arg, opts.loaded));
      return;
    }
    const got = ours(file, kind, flags, arg, opts.loaded);
    if (got === want) return;
    if (attempt === tries - 1) {
      if (opts.unordered) assert.deepEqual(got.split("\n").sort(), want.split("\n").sort());
      else assert.equal(got, want);
    }
  }
}
