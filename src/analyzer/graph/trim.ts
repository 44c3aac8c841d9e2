// Trimming a graph to what a report shows: nodes under a cum cutoff, the top
// N nodes, edges under a weight cutoff, tags under a cutoff, and (for DOT)
// edges made redundant by longer paths.

import { sortEdges } from "./sort.js";
import { GraphNode, nodeKey, type Edge, type Graph } from "./types.js";

/** Max nodelets (tag boxes) per node in DOT. */
export const maxNodelets = 4;

/** Keys of the nodes whose |cum| is at least `cutoff` (for rebuilding with keptNodes). */
export function nodesAboveCutoff(g: Graph, cutoff: number): Set<string> {
  return keySet(g.nodes.filter((n) => Math.abs(n.cum) >= cutoff));
}

/** The nodes themselves whose |cum| is at least `cutoff` (for trimming call trees). */
export function nodePtrsAboveCutoff(g: Graph, cutoff: number): Set<GraphNode> {
  return new Set(g.nodes.filter((n) => Math.abs(n.cum) >= cutoff));
}

export function keySet(nodes: Iterable<GraphNode>): Set<string> {
  const s = new Set<string>();
  for (const n of nodes) s.add(nodeKey(n.info));
  return s;
}

/** The first `maxNodes` nodes of the (sorted) graph; in visual mode tag boxes count as nodes too. */
export function selectTopNodes(g: Graph, maxNodes: number, visualMode: boolean): GraphNode[] {
  if (maxNodes > 0 && visualMode) {
    let count = 0;
    for (let i = 0; i < g.nodes.length; i++) {
      const tags = Math.min(countTags(g.nodes[i]!), maxNodelets);
      count += tags + 1;
      if (count >= maxNodes) {
        maxNodes = i + 1;
        break;
      }
    }
  }
  if (maxNodes > g.nodes.length) maxNodes = g.nodes.length;
  return g.nodes.slice(0, Math.max(0, maxNodes));
}

function countTags(n: GraphNode): number {
  let count = 0;
  for (const t of n.labelTags.values()) if (t.flat !== 0) count++;
  for (const m of n.numericTags.values()) for (const t of m.values()) if (t.flat !== 0) count++;
  return count;
}

/** Removes edges lighter than `cutoff`; returns how many were removed. */
export function trimLowFrequencyEdges(g: Graph, cutoff: number): number {
  let dropped = 0;
  for (const n of g.nodes) {
    for (const [src, e] of n.in) {
      if (Math.abs(e.weight) < cutoff) {
        n.in.delete(src);
        src.out.delete(n);
        dropped++;
      }
    }
  }
  return dropped;
}

export function trimLowFrequencyTags(g: Graph, cutoff: number): void {
  for (const n of g.nodes) {
    n.labelTags = trimTags(n.labelTags, cutoff);
    for (const [k, m] of n.numericTags) n.numericTags.set(k, trimTags(m, cutoff));
  }
}

function trimTags<T extends { flat: number; cum: number }>(tags: Map<string, T>, min: number): Map<string, T> {
  const kept = new Map<string, T>();
  for (const [k, t] of tags) if (Math.abs(t.flat) >= min || Math.abs(t.cum) >= min) kept.set(k, t);
  return kept;
}

/** Removes tree nodes not in `kept`, joining their children to their parent with residual edges. */
export function trimTree(g: Graph, kept: Set<GraphNode>): void {
  const old = g.nodes;
  g.nodes = [];
  for (const cur of old) {
    if (cur.in.size > 1) throw new Error("trimTree only works on trees");
    if (kept.has(cur)) {
      g.nodes.push(cur);
      continue;
    }
    if (cur.in.size === 0) {
      for (const e of cur.out.values()) e.dest.in.delete(cur);
      continue;
    }
    const parent = cur.in.values().next().value!.src;
    const parentEdgeInline = parent.out.get(cur)!.inline;
    parent.out.delete(cur);
    for (const e of cur.out.values()) {
      const child = e.dest;
      child.in.delete(cur);
      child.in.set(parent, e);
      parent.out.set(child, e);
      e.src = parent;
      e.residual = true;
      e.inline = parentEdgeInline && e.inline;
    }
  }
  removeRedundantEdges(g);
}

/** Drops residual edges already implied by another path between the same nodes. */
export function removeRedundantEdges(g: Graph): void {
  for (let i = g.nodes.length; i > 0; i--) {
    const n = g.nodes[i - 1]!;
    const inEdges = sortEdges(n.in.values());
    for (let j = inEdges.length; j > 0; j--) {
      const e = inEdges[j - 1]!;
      if (!e.residual) break;
      if (isRedundantEdge(e)) {
        e.src.out.delete(e.dest);
        e.dest.in.delete(e.src);
      }
    }
  }
}

function isRedundantEdge(e: Edge): boolean {
  const src = e.src;
  const seen = new Set<GraphNode>([e.dest]);
  const queue: GraphNode[] = [e.dest];
  for (let qi = 0; qi < queue.length; qi++) {
    const n = queue[qi]!;
    for (const ie of n.in.values()) {
      if (ie === e || seen.has(ie.src)) continue;
      if (ie.src === src) return true;
      seen.add(ie.src);
      queue.push(ie.src);
    }
  }
  return false;
}
