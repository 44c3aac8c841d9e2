// The call graph: nodes (a function, file, line or address, depending on the
// granularity) with flat and cumulative weights, joined by weighted edges from
// caller to callee. Built from a profile by build.ts; reports and the web UI
// read it. Weights are sample values (numbers) of the chosen sample index.

/** What a node stands for. Two nodes with equal infos are the same node (except in call trees). */
export interface NodeInfo {
  name: string;
  /** The function's system (e.g. mangled) name, only when asked for. */
  origName: string;
  address: bigint;
  file: string;
  startLine: number;
  lineno: number;
  /** Column of lineno (-showcolumns); absent or 0 when not shown. */
  columnno?: number;
  /** The mapping's file, kept when the node has no name or when asked for. */
  objfile: string;
}

export class GraphNode {
  /** The node of the function this node belongs to (itself for function-level nodes). */
  function: GraphNode;
  flat = 0;
  /** Sum of the mean divisor (sample count) for -mean; 0 when unused. */
  flatDiv = 0;
  cum = 0;
  cumDiv = 0;
  /** Callers: source node → edge. */
  readonly in = new Map<GraphNode, Edge>();
  /** Callees: destination node → edge. */
  readonly out = new Map<GraphNode, Edge>();
  /** Sample label sets ("key:value" joined by "\n") → tag. */
  labelTags = new Map<string, Tag>();
  /** Per label set: numeric tag name → tag. */
  numericTags = new Map<string, Map<string, Tag>>();
  /** Internal: the last sample that counted this node (dedups recursion). */
  seen = -1;
  private printable: string | undefined;

  constructor(readonly info: NodeInfo, fn?: GraphNode) {
    this.function = fn ?? this;
  }

  /** Flat value, divided by the mean divisor when there is one. */
  flatValue(): number {
    return this.flatDiv === 0 ? this.flat : Math.trunc(this.flat / this.flatDiv);
  }

  cumValue(): number {
    return this.cumDiv === 0 ? this.cum : Math.trunc(this.cum / this.cumDiv);
  }

  /** The name printed in reports: address, function and file:line, space-separated. */
  printableName(): string {
    if (this.printable === undefined) this.printable = nameComponents(this.info).join(" ");
    return this.printable;
  }
}

export interface Edge {
  src: GraphNode;
  dest: GraphNode;
  weight: number;
  weightDiv: number;
  /** Some frames between src and dest were dropped: drawn dotted. */
  residual: boolean;
  /** The call was inlined into the caller. */
  inline: boolean;
  /** Internal: the last sample that counted this edge. */
  seen: number;
}

export function edgeWeightValue(e: Edge): number {
  return e.weightDiv === 0 ? e.weight : Math.trunc(e.weight / e.weightDiv);
}

export interface Tag {
  name: string;
  /** Unit of a numeric tag; "" for string labels. */
  unit: string;
  value: number;
  flat: number;
  flatDiv: number;
  cum: number;
  cumDiv: number;
}

export function tagFlatValue(t: Tag): number {
  return t.flatDiv === 0 ? t.flat : Math.trunc(t.flat / t.flatDiv);
}

export function tagCumValue(t: Tag): number {
  return t.cumDiv === 0 ? t.cum : Math.trunc(t.cum / t.cumDiv);
}

export interface Graph {
  nodes: GraphNode[];
}

/** Address (16 hex digits), function name, then file:line, file, [objfile] or <unknown>. */
export function nameComponents(i: NodeInfo): string[] {
  const name: string[] = [];
  if (i.address !== 0n) name.push(i.address.toString(16).padStart(16, "0"));
  if (i.name !== "") name.push(i.name);
  if (i.lineno !== 0) name.push(i.columnno ? `${i.file}:${i.lineno}:${i.columnno}` : `${i.file}:${i.lineno}`);
  else if (i.file !== "") name.push(i.file);
  else if (i.name !== "") { /* the name says it all */ }
  else if (i.objfile !== "") name.push("[" + baseName(i.objfile) + "]");
  else name.push("<unknown>");
  return name;
}

/** filepath.Base: the last element, trailing slashes removed ("." for ""). */
export function baseName(path: string): string {
  if (path === "") return ".";
  // A loop, not /\/+$/: that regexp takes quadratic time on a long run of slashes inside a hostile name.
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  if (end === 0) return "/";
  const p = path.slice(0, end);
  const i = p.lastIndexOf("/");
  return i >= 0 ? p.slice(i + 1) : p;
}

/** A key identifying a NodeInfo, for maps and kept-node sets. */
export function nodeKey(i: NodeInfo): string {
  return `${i.name}\u0000${i.origName}\u0000${i.address === 0n ? "0" : i.address.toString()}\u0000${i.file}\u0000${i.startLine}\u0000${i.lineno}\u0000${i.columnno ?? 0}\u0000${i.objfile}`;
}
