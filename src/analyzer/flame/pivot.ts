// A flame graph pivoted on a function, as google/pprof's stacks view: every
// call path through a frame matching the pivot regexp, its callers merged
// into an inverted tree (nearest caller first) and its callees into an
// ordinary one, both rooted at the pivot. A path through the pivot more than
// once (recursion) counts at its outermost match only, so nothing is counted
// twice. Built from the flame tree (each node's self value is the value of
// the call paths ending there), so it shares the flame graph's granularity,
// filters and cache.

import type { NameRegexp } from "../filter/regexp.js";
import type { FlameNode, FlameTree } from "./tree.js";

export interface PivotNode {
  name: string;
  /** Sum of the call paths through this node. */
  value: number;
  /** Sum of their absolute values: the drawn width. */
  weight: number;
  /** Callees: paths ending here. Callers: paths starting here (the outermost frame). */
  self: number;
  children: PivotNode[];
}

export interface Pivoted {
  /** The pivot: all matching frames merged (the whole profile's root when not pivoting). */
  pivot: PivotNode;
  /** The pivot's callers: children are direct callers, their children the callers' callers. */
  callers: PivotNode;
  /** The pivot's callees, as a flame graph below it. */
  callees: PivotNode;
  /** Distinct frame names that matched. */
  matched: string[];
}

/** Pivots `tree` on the frames whose name `pivot` matches; without a regexp, on the root (a plain flame graph). */
export function pivotTree(tree: FlameTree, pivot: NameRegexp | undefined): Pivoted {
  const name = pivot ? pivot.source : tree.root.name;
  const callers = newNode(name);
  const callees = newNode(name);
  const matched = new Set<string>();
  const tests = new Map<string, boolean>();
  const matches = (n: string) => {
    let m = tests.get(n);
    if (m === undefined) tests.set(n, (m = pivot !== undefined && pivot.test(n)));
    return m;
  };
  // Iterative walk: path[d] is the node at depth d, first[d] the outermost matching depth up to it (-1: none).
  const path: FlameNode[] = [];
  const first: number[] = [];
  const todo: [FlameNode, number][] = [[tree.root, 0]];
  while (todo.length > 0) {
    const [n, d] = todo.pop()!;
    path.length = d;
    first.length = d;
    path.push(n);
    const above = d > 0 ? first[d - 1]! : -1;
    first.push(above >= 0 ? above : !pivot ? 0 : d > 0 && matches(n.name) ? d : -1);
    const at = first[d]!;
    if (n.self !== 0 && at >= 0) {
      if (d > 0 && at > 0) matched.add(path[at]!.name);
      add(callees, n.self);
      let c = callees;
      for (let k = at + 1; k <= d; k++) add((c = child(c, path[k]!.name)), n.self);
      c.self += n.self;
      let p = callers;
      for (let k = at - 1; k >= 1; k--) add((p = child(p, path[k]!.name)), n.self);
      p.self += n.self;
    }
    for (let i = n.children.length - 1; i >= 0; i--) todo.push([n.children[i]!, d + 1]);
  }
  callers.self = 0;
  sortByWeight(callers);
  sortByWeight(callees);
  // One function matched: the pivot is named after it; several: after the regexp.
  const shown = matched.size === 1 ? [...matched][0]! : name;
  callers.name = callees.name = shown;
  const pivotNode: PivotNode = { name: shown, value: callees.value, weight: callees.weight, self: callees.self, children: [] };
  return { pivot: pivotNode, callers, callees, matched: [...matched].sort() };
}

function newNode(name: string): PivotNode {
  return { name, value: 0, weight: 0, self: 0, children: [] };
}

function add(n: PivotNode, v: number): void {
  n.value += v;
  n.weight += Math.abs(v);
}

// Children are found by name through a map kept beside each node while building.
const childMaps = new WeakMap<PivotNode, Map<string, PivotNode>>();

function child(n: PivotNode, name: string): PivotNode {
  let m = childMaps.get(n);
  if (!m) childMaps.set(n, (m = new Map()));
  let c = m.get(name);
  if (!c) {
    m.set(name, (c = newNode(name)));
    n.children.push(c);
  }
  return c;
}

/** Heaviest first (google/pprof's order: heavy functions are easy to spot), then by name for a stable layout. */
function sortByWeight(root: PivotNode): void {
  const todo = [root];
  while (todo.length > 0) {
    const n = todo.pop()!;
    n.children.sort((a, b) => b.weight - a.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of n.children) todo.push(c);
  }
}
