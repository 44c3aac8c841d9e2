// Orders of nodes, edges and tags, as google/pprof sorts them: by absolute
// weight, then by printable name, with a full tie-break so output is stable.

import { GraphNode, type Edge, type NodeInfo, type Tag } from "./types.js";

export type NodeOrder = "flat" | "flatCum" | "cum" | "name" | "file" | "address" | "entropy";

/** fmt.Sprint of a Go NodeInfo struct: the final tie-break between nodes. */
function sprintInfo(i: NodeInfo): string {
  // Go 1.19's struct has no column; newer ones print it after the line.
  const col = i.columnno ? ` ${i.columnno}` : "";
  return `{${i.name} ${i.origName} ${i.address} ${i.file} ${i.startLine} ${i.lineno}${col} ${i.objfile}}`;
}

function compareNodes(l: GraphNode, r: GraphNode): number {
  const a = sprintInfo(l.info);
  const b = sprintInfo(r.info);
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Descending by absolute value. */
function byAbsDesc(a: number, b: number): number {
  return Math.abs(b) - Math.abs(a);
}

export function sortNodes(nodes: GraphNode[], order: NodeOrder): void {
  let cmp: (l: GraphNode, r: GraphNode) => number;
  switch (order) {
    case "flat":
      cmp = (l, r) => (l.flat !== r.flat && byAbsDesc(l.flat, r.flat)) || cmpStr(l.printableName(), r.printableName()) || (l.cum !== r.cum && byAbsDesc(l.cum, r.cum)) || compareNodes(l, r);
      break;
    case "flatCum":
      cmp = (l, r) => (l.flat !== r.flat && byAbsDesc(l.flat, r.flat)) || (l.cum !== r.cum && byAbsDesc(l.cum, r.cum)) || cmpStr(l.printableName(), r.printableName()) || compareNodes(l, r);
      break;
    case "name":
      cmp = (l, r) => cmpStr(l.info.name, r.info.name) || compareNodes(l, r);
      break;
    case "file":
      cmp = (l, r) => cmpStr(l.info.file, r.info.file) || l.info.startLine - r.info.startLine || compareNodes(l, r);
      break;
    case "address":
      cmp = (l, r) => (l.info.address < r.info.address ? -1 : l.info.address > r.info.address ? 1 : 0) || compareNodes(l, r);
      break;
    case "cum":
    case "entropy": {
      // |score| per node; sorted descending.
      const absScore = new Map<GraphNode, number>();
      for (const n of nodes) absScore.set(n, order === "cum" ? Math.abs(n.cum) : absEntropyScore(n));
      cmp = (l, r) => {
        const a = absScore.get(l)!;
        const b = absScore.get(r)!;
        return b - a || cmpStr(l.printableName(), r.printableName()) || (l.flat !== r.flat && byAbsDesc(l.flat, r.flat)) || compareNodes(l, r);
      };
      break;
    }
  }
  nodes.sort(cmp);
}

/** The score DOT output sorts by: favours entry and leaf nodes and nodes with varied edges. */
function absEntropyScore(n: GraphNode): number {
  let score = 0;
  score += n.in.size === 0 ? 1 : edgeEntropyScore(n.in, 0);
  score += n.out.size === 0 ? 1 : edgeEntropyScore(n.out, n.flat);
  const v = score * n.cum;
  if (!Number.isFinite(v) || Math.abs(v) >= 2 ** 63) {
    // Go converts this (NaN when an edge weighs 0) to the minimum int64,
    // whose absolute value stays negative: the node sorts last, unless its
    // flat value moves it off that minimum, which makes it huge instead.
    return n.flat === 0 ? -1 : 2 ** 63 - Math.abs(n.flat);
  }
  return Math.abs(Math.trunc(v) + n.flat);
}

function edgeEntropyScore(edges: Map<GraphNode, Edge>, self: number): number {
  let score = 0;
  let total = self;
  for (const e of edges.values()) if (e.weight > 0) total += Math.abs(e.weight);
  if (total !== 0) {
    for (const e of edges.values()) {
      const frac = Math.abs(e.weight) / total;
      score += -frac * Math.log2(frac);
    }
    if (self > 0) {
      const frac = Math.abs(self) / total;
      score += -frac * Math.log2(frac);
    }
  }
  return score;
}

/** Edges by absolute weight, then source and destination names. */
export function sortEdges(edges: Iterable<Edge>): Edge[] {
  const list = [...edges];
  list.sort((a, b) => (a.weight !== b.weight && byAbsDesc(a.weight, b.weight)) || cmpStr(a.src.printableName(), b.src.printableName()) || cmpStr(a.dest.printableName(), b.dest.printableName()));
  return list;
}

/** Tags by absolute cum (unless `flat`), then flat, then name. */
export function sortTags(tags: Tag[], flat: boolean): Tag[] {
  tags.sort((a, b) => (!flat && a.cum !== b.cum && byAbsDesc(a.cum, b.cum)) || (a.flat !== b.flat && byAbsDesc(a.flat, b.flat)) || cmpStr(a.name, b.name));
  return tags;
}

export function sumNodes(nodes: Iterable<GraphNode>): { flat: number; cum: number } {
  let flat = 0;
  let cum = 0;
  for (const n of nodes) {
    flat += n.flat;
    cum += n.cum;
  }
  return { flat, cum };
}
