// The analyzer's options, as google/pprof's config: one object shared by the
// command line, the interactive shell and the web UI. The driver fills it;
// transforms and reports read it.

export type Granularity = "functions" | "filefunctions" | "files" | "lines" | "addresses";

export interface Config {
  /** Output file ("" = stdout). */
  output: string;

  // Display options.
  callTree: boolean;
  relativePercentages: boolean;
  /** "minimum" (default), "auto", or a unit such as "ms", "MB". */
  unit: string;
  compactLabels: boolean;
  sourcePath: string;
  trimPath: string;
  intelSyntax: boolean;
  mean: boolean;
  /** Sample type name or index as given by the user; "" = default. */
  sampleIndex: string;
  divideBy: number;
  normalize: boolean;
  sort: "flat" | "cum";

  // Label pseudo stack frames.
  tagRoot: string;
  tagLeaf: string;

  // Filtering options.
  dropNegative: boolean;
  /** -1: the report's default (80 for graphs, all for text). */
  nodeCount: number;
  nodeFraction: number;
  edgeFraction: number;
  trim: boolean;
  focus: string;
  ignore: string;
  pruneFrom: string;
  hide: string;
  show: string;
  showFrom: string;
  tagFocus: string;
  tagIgnore: string;
  tagShow: string;
  tagHide: string;
  noInlines: boolean;
  showColumns: boolean;
  /** `tags` as newer google/pprof prints them: shares of the profile's total. */
  tagPercentages: boolean;

  granularity: Granularity;
}

export function defaultConfig(): Config {
  return {
    output: "",
    callTree: false,
    relativePercentages: false,
    unit: "minimum",
    compactLabels: false,
    sourcePath: "",
    trimPath: "",
    intelSyntax: false,
    mean: false,
    sampleIndex: "",
    divideBy: 1,
    normalize: false,
    sort: "flat",
    tagRoot: "",
    tagLeaf: "",
    dropNegative: false,
    nodeCount: -1,
    nodeFraction: 0.005,
    edgeFraction: 0.001,
    trim: true,
    focus: "",
    ignore: "",
    pruneFrom: "",
    hide: "",
    show: "",
    showFrom: "",
    tagFocus: "",
    tagIgnore: "",
    tagShow: "",
    tagHide: "",
    noInlines: false,
    showColumns: false,
    tagPercentages: false,
    granularity: "functions",
  };
}
