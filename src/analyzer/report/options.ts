// Report options: what a report kind changes in the user's Config (as
// google/pprof's applyCommandOverrides), the sample value extractors, the
// active-filter legend. The report total is in ../totals.ts.

import type { ProfileData } from "../../profile/model.js";
import type { Config, Granularity } from "../config.js";
import { baseName } from "../graph/types.js";
import type { NameRegexp } from "../filter/regexp.js";
import { numLabelUnits } from "../totals.js";

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
  /** Column numbers in line-level node names (-showcolumns). */
  showColumns: boolean;
  /** tags: shares of the whole profile, as newer google/pprof (-tag_percentages). */
  tagPercentages: boolean;
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
    showColumns: cfg.showColumns,
    tagPercentages: cfg.tagPercentages,
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

/** A regexp as the user wrote it. */
export function regexpText(rx: NameRegexp): string {
  return rx.source;
}
