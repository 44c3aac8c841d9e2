// Report options: what a report kind changes in the user's Config (as
// google/pprof's applyCommandOverrides), the sample value extractors, the
// active-filter legend, and the report total.

import { decodedSamples } from "../../profile/decode.js";
import type { ProfileData, Sample } from "../../profile/model.js";
import type { Config, Granularity } from "../config.js";
import { baseName } from "../graph/types.js";
import type { NameRegexp } from "../filter/regexp.js";

/** The text reports `generateReport` produces. */
export type ReportKind = "top" | "text" | "traces" | "tags" | "peek" | "tree" | "list" | "dot" | "raw" | "callgrind" | "comments" | "topproto";

/** What the driver knows beyond Config. */
export interface ReportContext {
  /** Index into profile.sampleType of the value to report (resolved from config.sampleIndex by the driver). */
  sampleIndex: number;
  /**
   * The total that percentages are relative to. google/pprof computes it on
   * the profile *before* focus/ignore/tagfocus… filtering (unless
   * relative_percentages is set): the driver computes it with
   * `computeTotal(unfilteredProfile, sampleIndex, config.mean)` before it
   * filters. When absent, the total of the profile given is used (as with
   * relative_percentages).
   */
  total?: number;
  /** The regexp argument of peek/list (required for them) or of tree (optional). */
  symbol?: NameRegexp;
  /** Numeric label units (key → unit); default: computed from the profile by numLabelUnits(). */
  numLabelUnits?: Record<string, string>;
  /** Reads source files for `list` (default: from disk, searching config.sourcePath or the cwd). */
  source?: SourceReaderLike;
  /** Working directory for `list` source lookup (default process.cwd()). */
  cwd?: string;
}

/** Source access for `list`: returns the file's lines (without line ends), or throws an Error whose message is printed. */
export interface SourceReaderLike {
  lines(path: string): string[];
}

/** The effective options of one report, after per-kind overrides. */
export interface ReportOptions {
  kind: ReportKind;
  cumSort: boolean;
  callTree: boolean;
  dropNegative: boolean;
  compactLabels: boolean;
  ratio: number;
  title: string;
  activeFilters: string[];
  numLabelUnits: Record<string, string>;
  nodeCount: number;
  nodeFraction: number;
  edgeFraction: number;
  granularity: Granularity;
  noInlines: boolean;
  sampleValue: (v: number[]) => number;
  sampleMeanDivisor: ((v: number[]) => number) | undefined;
  /** Sample type name as shown in "Type:" ("mean_" prefixed for -mean). */
  sampleType: string;
  /** Unit of the sample values, lower-cased. */
  sampleUnit: string;
  /** Unit to print values in: "minimum" until selectOutputUnit picks one, "auto", or a unit. */
  outputUnit: string;
  symbol: NameRegexp | undefined;
  sourcePath: string;
  trimPath: string;
}

export class ReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReportError";
  }
}

/** The per-command overrides of `go tool pprof` (trim off for peek/list, granularity for list and raw, node count defaults). */
export function applyCommandOverrides(kind: ReportKind, cfg: Config): Config {
  cfg = { ...cfg };
  let trim = cfg.trim;
  switch (kind) {
    case "peek":
      trim = false;
      break;
    case "list":
      trim = false;
      cfg.granularity = "lines";
      break;
    case "text":
    case "top":
    case "topproto":
      if (cfg.nodeCount === -1) cfg.nodeCount = 0;
      break;
    default:
      if (cfg.nodeCount === -1) cfg.nodeCount = 80;
  }
  if (kind === "raw" || kind === "callgrind") {
    trim = false;
    cfg.granularity = "addresses";
    cfg.noInlines = false;
  }
  if (!trim) {
    cfg.nodeCount = 0;
    cfg.nodeFraction = 0;
    cfg.edgeFraction = 0;
  }
  return cfg;
}

/** Filter options set in Config, as the "Active filters:" legend lists them. */
export function activeFilters(cfg: Config): string[] {
  const filters: string[] = [];
  const add = (k: string, v: string) => {
    if (v !== "") filters.push(`${k}=${v}`);
  };
  add("focus", cfg.focus);
  add("ignore", cfg.ignore);
  add("hide", cfg.hide);
  add("show", cfg.show);
  add("show_from", cfg.showFrom);
  add("tagfocus", cfg.tagFocus);
  add("tagignore", cfg.tagIgnore);
  add("tagshow", cfg.tagShow);
  add("taghide", cfg.tagHide);
  return filters;
}

export function reportOptions(kind: ReportKind, profile: ProfileData, config: Config, ctx: ReportContext): ReportOptions {
  const cfg = applyCommandOverrides(kind, config);
  const st = profile.sampleType[ctx.sampleIndex];
  if (!st) throw new ReportError(profile.sampleType.length === 0 ? "profile has no samples" : `sample_index ${ctx.sampleIndex} is outside the range [0..${profile.sampleType.length - 1}]`);
  if (cfg.divideBy === 0) throw new ReportError("zero divisor specified");
  const index = ctx.sampleIndex;
  const m0 = profile.mapping[0];
  return {
    kind,
    cumSort: cfg.sort === "cum",
    callTree: cfg.callTree,
    dropNegative: cfg.dropNegative,
    compactLabels: cfg.compactLabels,
    ratio: 1 / cfg.divideBy,
    title: m0 && m0.file !== "" ? baseName(m0.file) : "",
    activeFilters: activeFilters(cfg),
    numLabelUnits: ctx.numLabelUnits ?? numLabelUnits(profile),
    nodeCount: cfg.nodeCount,
    nodeFraction: cfg.nodeFraction,
    edgeFraction: cfg.edgeFraction,
    granularity: cfg.granularity,
    noInlines: cfg.noInlines,
    sampleValue: (v) => v[index] ?? 0,
    sampleMeanDivisor: cfg.mean ? (v) => v[0] ?? 0 : undefined,
    sampleType: (cfg.mean ? "mean_" : "") + st.type,
    sampleUnit: st.unit,
    outputUnit: cfg.unit,
    symbol: ctx.symbol,
    sourcePath: cfg.sourcePath,
    trimPath: cfg.trimPath,
  };
}

/** True for samples of the base profile in a -diff_base comparison. */
export function isDiffBaseSample(s: Sample): boolean {
  return s.label["pprof::base"]?.includes("true") ?? false;
}

/**
 * The report total: the sum of |value| (of diff-base samples only, if any),
 * divided by the sum of sample counts for -mean.
 */
export function computeTotal(profile: ProfileData, sampleIndex: number, mean = false): number {
  // A profile just decoded, with no label that can mark a diff-base sample,
  // is summed from the decoder's columns: its Sample objects need not be made.
  const d = decodedSamples(profile);
  if (d && !d.labelKeys.has("pprof::base") && sampleIndex < d.valuesPerSample) {
    const { values, valuesPerSample: k } = d;
    let total = 0;
    let div = 0;
    for (let i = 0; i < d.count; i++) {
      total += Math.abs(values[i * k + sampleIndex]!);
      if (mean) div += values[i * k]!;
    }
    return div !== 0 ? Math.trunc(total / div) : total;
  }
  let div = 0;
  let total = 0;
  let diffDiv = 0;
  let diffTotal = 0;
  for (const s of profile.sample) {
    const v = Math.abs(s.value[sampleIndex] ?? 0);
    const d = mean ? s.value[0] ?? 0 : 0;
    total += v;
    div += d;
    if (isDiffBaseSample(s)) {
      diffTotal += v;
      diffDiv += d;
    }
  }
  if (diffTotal > 0) {
    total = diffTotal;
    div = diffDiv;
  }
  return div !== 0 ? Math.trunc(total / div) : total;
}

/** Units of numeric labels: the first unit seen per key, else inferred from the key (as Profile.NumLabelUnits). */
export function numLabelUnits(profile: ProfileData): Record<string, string> {
  // A profile just decoded without numeric labels has none to find units for.
  if (decodedSamples(profile)?.numericLabelCount === 0) return {};
  const units: Record<string, string> = {};
  const keys = new Set<string>();
  for (const s of profile.sample) {
    for (const k of Object.keys(s.numLabel)) {
      keys.add(k);
      for (const u of s.numUnit[k] ?? []) {
        if (u !== "" && !(k in units)) units[k] = u;
      }
    }
  }
  for (const k of keys) {
    if (!units[k]) units[k] = k === "alignment" || k === "request" ? "bytes" : k;
  }
  return units;
}

/** A regexp as the user wrote it. */
export function regexpText(rx: NameRegexp): string {
  return rx.source;
}
