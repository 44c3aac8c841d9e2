// The flame tree as compact JSON for the page's script: node names in a
// table, and per node (preorder) [name, depth, value, weight, self, base,
// inline], plus each value as the reports print it.

import type { FlameNode, FlameTree } from "./tree.js";

export interface FlameData {
  names: string[];
  /** 7 numbers per node, preorder: name index, depth, value, weight, self, base, inline (0/1). */
  nodes: number[];
  /** Per node: value and self as printed, and (with a base) the base value. */
  labels: string[];
  total: string;
  sampleType: string;
  diff: boolean;
  pruned: number;
}

export function flameData(tree: FlameTree): FlameData {
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const nodes: number[] = [];
  const labels: string[] = [];
  const stack: [FlameNode, number][] = [[tree.root, 0]];
  while (stack.length > 0) {
    const [n, depth] = stack.pop()!;
    let ni = nameIndex.get(n.name);
    if (ni === undefined) {
      ni = names.length;
      names.push(n.name);
      nameIndex.set(n.name, ni);
    }
    nodes.push(ni, depth, n.value, n.weight, n.self, n.base, n.inline ? 1 : 0);
    labels.push(tree.format(n.value), tree.format(n.self), tree.hasBase ? tree.format(n.base) : "");
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i]!, depth + 1]);
  }
  return { names, nodes, labels, total: tree.format(tree.total), sampleType: tree.sampleType, diff: tree.hasBase, pruned: tree.pruned };
}

/** JSON safe to place inside a <script> element. */
export function scriptJSON(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Text safe inside HTML and XML (content and quoted attributes). */
export function escapeHTML(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
