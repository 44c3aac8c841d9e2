// `tsprof pprof` command-line flags, with go tool pprof's names and meaning:
// Go's flag syntax (-name, --name, -name=value, -name value; booleans take
// only -name or -name=bool), the config options, the report formats, the
// source options and the legacy sample-index shortcuts.

import { defaultConfig, type Config, type Granularity } from "../config.js";

export class UsageError extends Error {
  override name = "UsageError";
}

/** Report formats taking no argument; `flamegraph` is tsprof's own. */
export const boolCommands = [
  "top", "text", "traces", "tags", "tree", "raw", "dot", "svg", "gif", "pdf", "png", "ps", "proto", "topproto", "callgrind",
  "comments", "flamegraph", "web", "eog", "evince", "gv", "kcachegrind",
] as const;
/** Report formats taking a regexp. */
export const paramCommands = ["peek", "list", "weblist"] as const;
/** go tool pprof formats tsprof does not produce, with what to use instead. */
const unsupportedCommands: Record<string, string> = {
  disasm: "JavaScript has no machine code to disassemble; use -list",
};

export type CommandName = (typeof boolCommands)[number] | (typeof paramCommands)[number];

/** A report request: the format and its regexp argument, if any. */
export interface Command {
  name: CommandName;
  arg?: string;
}

export interface Invocation {
  config: Config;
  command: Command | undefined;
  sources: string[];
  base: string[];
  diffBase: boolean;
  seconds: number;
  timeout: number;
  http: string;
  noBrowser: boolean;
  addComment: string;
  help: boolean;
  /** Warnings google/pprof prints (e.g. "Multiple value selections, ignoring -x"). */
  warnings: string[];
}

export type Kind = "bool" | "int" | "float" | "string";

/** Config options: flag name → [kind, field]. */
export const configFlags: Record<string, [Kind, keyof Config]> = {
  output: ["string", "output"],
  call_tree: ["bool", "callTree"],
  relative_percentages: ["bool", "relativePercentages"],
  unit: ["string", "unit"],
  compact_labels: ["bool", "compactLabels"],
  source_path: ["string", "sourcePath"],
  trim_path: ["string", "trimPath"],
  intel_syntax: ["bool", "intelSyntax"],
  mean: ["bool", "mean"],
  sample_index: ["string", "sampleIndex"],
  divide_by: ["float", "divideBy"],
  normalize: ["bool", "normalize"],
  tagroot: ["string", "tagRoot"],
  tagleaf: ["string", "tagLeaf"],
  drop_negative: ["bool", "dropNegative"],
  nodecount: ["int", "nodeCount"],
  nodefraction: ["float", "nodeFraction"],
  edgefraction: ["float", "edgeFraction"],
  trim: ["bool", "trim"],
  focus: ["string", "focus"],
  ignore: ["string", "ignore"],
  prune_from: ["string", "pruneFrom"],
  hide: ["string", "hide"],
  show: ["string", "show"],
  show_from: ["string", "showFrom"],
  tagfocus: ["string", "tagFocus"],
  tagignore: ["string", "tagIgnore"],
  tagshow: ["string", "tagShow"],
  taghide: ["string", "tagHide"],
  noinlines: ["bool", "noInlines"],
  showcolumns: ["bool", "showColumns"],
  tag_percentages: ["bool", "tagPercentages"],
};

export const sortChoices = ["cum", "flat"] as const;
export const granularityChoices: Granularity[] = ["functions", "filefunctions", "files", "lines", "addresses"];

/** Legacy shortcuts, in the order google/pprof applies them: flag → sample type. */
const legacySampleFlags: [string, string][] = [
  ["total_delay", "delay"], ["mean_delay", "delay"], ["contentions", "contentions"],
  ["inuse_space", "inuse_space"], ["inuse_objects", "inuse_objects"], ["alloc_space", "alloc_space"], ["alloc_objects", "alloc_objects"],
];

const sourceStringFlags = ["diff_base", "base", "symbolize", "buildid", "add_comment", "http", "tools"];
const sourceIntFlags = ["seconds", "timeout"];
const otherBoolFlags = ["no_browser", "help", "h"];

/** Go's strconv.ParseBool. */
export function parseBool(v: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  return undefined;
}

/** Go's strconv.ParseInt(v, 0, 64) for the values flags take: decimal, 0x…, 0o…/0…, 0b…. */
export function parseIntGo(v: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|\d+)$/.exec(v);
  if (!m) return undefined;
  const body = m[2]!;
  const n = /^0[0-7]+$/.test(body) ? parseInt(body, 8) : /^0[oO]/.test(body) ? parseInt(body.slice(2), 8) : Number(body);
  if (!Number.isSafeInteger(n)) return undefined;
  return m[1] === "-" ? -n : n;
}

export function parseFloatGo(v: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|[Ii]nf(inity)?|NaN)$/.test(v)) return undefined;
  return Number(v.replace(/^([+-]?)[Ii]nf(inity)?$/, "$1Infinity"));
}

function kindOf(name: string): Kind | undefined {
  if (name in configFlags) return configFlags[name]![0];
  if ((boolCommands as readonly string[]).includes(name)) return "bool";
  if ((paramCommands as readonly string[]).includes(name)) return "string";
  if ((sortChoices as readonly string[]).includes(name) || (granularityChoices as string[]).includes(name)) return "bool";
  if (legacySampleFlags.some(([f]) => f === name)) return "bool";
  if (sourceStringFlags.includes(name)) return "string";
  if (sourceIntFlags.includes(name)) return "int";
  if (otherBoolFlags.includes(name)) return "bool";
  if (name in unsupportedCommands) return "bool";
  return undefined;
}

/** Parses `tsprof pprof` arguments. Flags may also follow the sources; "--" ends flags. */
export function parseArgs(args: string[]): Invocation {
  const config = defaultConfig();
  const inv: Invocation = {
    config, command: undefined, sources: [], base: [], diffBase: false, seconds: -1, timeout: -1,
    http: "", noBrowser: false, addComment: "", help: false, warnings: [],
  };
  const bools = new Map<string, boolean>();
  const strings = new Map<string, string>();
  const diffBase: string[] = [];
  const base: string[] = [];
  const commands: Command[] = [];
  let flagsDone = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (flagsDone || a === "-" || !a.startsWith("-")) {
      inv.sources.push(a);
      continue;
    }
    if (a === "--") {
      flagsDone = true;
      continue;
    }
    const body = a.startsWith("--") ? a.slice(2) : a.slice(1);
    const eq = body.indexOf("=");
    const name = eq >= 0 ? body.slice(0, eq) : body;
    let value = eq >= 0 ? body.slice(eq + 1) : undefined;
    const kind = kindOf(name);
    if (!kind) throw new UsageError(`flag provided but not defined: -${name}`);
    if (name in unsupportedCommands) throw new UsageError(`-${name} is not supported by tsprof pprof: ${unsupportedCommands[name]}`);
    if (kind === "bool") {
      let b = true;
      if (value !== undefined) {
        const parsed = parseBool(value);
        if (parsed === undefined) throw new UsageError(`invalid boolean value "${value}" for -${name}: parse error`);
        b = parsed;
      }
      bools.set(name, b);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= args.length) throw new UsageError(`flag needs an argument: -${name}`);
      value = args[++i]!;
    }
    if (kind === "int") {
      if (parseIntGo(value) === undefined) throw new UsageError(`invalid value "${value}" for flag -${name}: parse error`);
    } else if (kind === "float") {
      if (parseFloatGo(value) === undefined) throw new UsageError(`invalid value "${value}" for flag -${name}: parse error`);
    }
    if (name === "diff_base") diffBase.push(value);
    else if (name === "base") base.push(value);
    else strings.set(name, value);
  }

  inv.help = bools.get("help") === true || bools.get("h") === true;
  for (const [name, [kind, field]] of Object.entries(configFlags)) {
    const c = config as unknown as Record<string, unknown>;
    if (kind === "bool" && bools.has(name)) c[field] = bools.get(name);
    else if (strings.has(name)) {
      const v = strings.get(name)!;
      c[field] = kind === "int" ? parseIntGo(v) : kind === "float" ? parseFloatGo(v) : v;
    }
  }
  const sorts = sortChoices.filter((s) => bools.get(s));
  if (sorts.length > 1) throw new UsageError(`conflicting options set: [${sorts.join(" ")}]`);
  if (sorts.length === 1) config.sort = sorts[0]!;
  const grans = granularityChoices.filter((g) => bools.get(g));
  if (grans.length > 1) throw new UsageError(`conflicting options set: [${grans.join(" ")}]`);
  if (grans.length === 1) config.granularity = grans[0]!;

  for (const name of boolCommands) if (bools.get(name)) commands.push({ name });
  for (const name of paramCommands) {
    const v = strings.get(name);
    if (v !== undefined && v !== "") commands.push({ name, arg: v });
  }
  if (commands.length > 1) throw new UsageError("must set at most one output format");
  inv.command = commands[0];
  inv.http = strings.get("http") ?? "";
  inv.noBrowser = bools.get("no_browser") === true;
  if (inv.command && inv.http !== "") throw new UsageError("-http is not compatible with an output format on the command line");
  if (inv.noBrowser && inv.http === "") throw new UsageError("-no_browser only makes sense with -http");

  let si = config.sampleIndex;
  for (const [flag, type] of legacySampleFlags) {
    if (!bools.get(flag)) continue;
    if (si === "") si = type;
    else inv.warnings.push(`Multiple value selections, ignoring -${flag}`);
  }
  config.sampleIndex = si;
  if (bools.get("mean_delay")) config.mean = true;

  const b = base.filter((s) => s !== "");
  const d = diffBase.filter((s) => s !== "");
  if (b.length > 0 && d.length > 0) throw new UsageError("-base and -diff_base flags cannot both be specified");
  inv.base = d.length > 0 ? d : b;
  inv.diffBase = d.length > 0;
  if (config.normalize && inv.base.length === 0) throw new UsageError("must have base profile to normalize by");
  inv.seconds = strings.has("seconds") ? parseIntGo(strings.get("seconds")!)! : -1;
  inv.timeout = strings.has("timeout") ? parseIntGo(strings.get("timeout")!)! : -1;
  inv.addComment = strings.get("add_comment") ?? "";
  if (!inv.help && inv.sources.length === 0) throw new UsageError("no profile source specified");
  return inv;
}
