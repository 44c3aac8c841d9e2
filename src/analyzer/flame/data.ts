// The flame tree as compact JSON for the page's script: node names in a
// table, and one array per field with an entry per node (preorder, so a
// node's parent is the last node before it one level up), plus each value as
// the reports print it. Nodes are numbered in preorder over the whole tree; a
// page can be sent a subtree, leaving out nodes narrower than a share of it
// (`more` marks where), and ask for the rest of a node's subtree on zoom.

import type { FlameNode, FlameTree } from "./tree.js";

export interface FlameData {
  names: string[];
  /** Per node, preorder: its number in the whole tree. */
  id: number[];
  /** Index into names. */
  name: number[];
  /** Depth below the first node sent. */
  depth: number[];
  value: number[];
  self: number[];
  /** 1 when the frame was inlined into its caller. */
  inline: number[];
  /** 1 when some of the node's callees were left out (too narrow): the page asks for them on zoom. */
  more: number[];
  /** Only with a base (diff): drawn widths (|base| + |new|) and the base's share. */
  weight?: number[];
  base?: number[];
  /** Per node: value and self as printed ("" for a zero self), and (with a base) the base value. */
  valueLabel: string[];
  selfLabel: string[];
  baseLabel?: string[];
  total: string;
  sampleType: string;
  diff: boolean;
  pruned: number;
}

export interface FlameDataOptions {
  /** The number of the node whose subtree to send (default 0: the root). */
  node?: number;
  /** Leave out nodes lighter than this share of that node's weight (default 0: send all). */
  minFraction?: number;
}

/** The tree in preorder, with each node's depth and subtree size (made once per tree). */
interface Numbered {
  nodes: FlameNode[];
  depth: number[];
  size: number[];
}

const numberedTrees = new WeakMap<FlameTree, Numbered>();

function numbered(tree: FlameTree): Numbered {
  let out = numberedTrees.get(tree);
  if (out) return out;
  out = { nodes: [], depth: [], size: [] };
  const { nodes, depth, size } = out;
  const visit = (root: FlameNode): void => {
    // Iterative preorder; sizes filled when a node's subtree is done.
    const stack: [FlameNode, number, boolean][] = [[root, 0, false]];
    const open: number[] = [];
    while (stack.length > 0) {
      const [n, d, done] = stack.pop()!;
      if (done) {
        const i = open.pop()!;
        size[i] = nodes.length - i;
        continue;
      }
      open.push(nodes.length);
      nodes.push(n);
      depth.push(d);
      size.push(1);
      stack.push([n, d, true]);
      for (let c = n.children.length - 1; c >= 0; c--) stack.push([n.children[c]!, d + 1, false]);
    }
  };
  visit(tree.root);
  numberedTrees.set(tree, out);
  return out;
}

/** The data of the subtree of one node (the root by default); undefined if there is no such node. */
export function flameData(tree: FlameTree, opts: FlameDataOptions = {}): FlameData | undefined {
  const { nodes, depth, size } = numbered(tree);
  const from = opts.node ?? 0;
  if (!Number.isInteger(from) || from < 0 || from >= nodes.length) return undefined;
  const minWeight = (opts.minFraction ?? 0) * nodes[from]!.weight;
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const diff = tree.hasBase;
  const d: FlameData = {
    names, id: [], name: [], depth: [], value: [], self: [], inline: [], more: [], valueLabel: [], selfLabel: [],
    total: tree.format(tree.total), sampleType: tree.sampleType, diff, pruned: tree.pruned,
  };
  const weight: number[] = [], base: number[] = [], baseLabel: string[] = [];
  // Values repeat (counts above all): each is formatted once.
  const labels = new Map<number, string>();
  const label = (v: number) => {
    let l = labels.get(v);
    if (l === undefined) labels.set(v, (l = tree.format(v)));
    return l;
  };
  const sent: number[] = []; // positions in d of the nodes on the current path, by depth
  for (let i = from, end = from + size[from]!; i < end; i++) {
    const n = nodes[i]!;
    const dep = depth[i]! - depth[from]!;
    if (i > from && n.weight < minWeight) {
      d.more[sent[dep - 1]!] = 1;
      i += size[i]! - 1;
      continue;
    }
    let ni = nameIndex.get(n.name);
    if (ni === undefined) {
      ni = names.length;
      names.push(n.name);
      nameIndex.set(n.name, ni);
    }
    sent[dep] = d.id.length;
    d.id.push(i);
    d.name.push(ni);
    d.depth.push(dep);
    d.value.push(n.value);
    d.self.push(n.self);
    d.inline.push(n.inline ? 1 : 0);
    d.more.push(0);
    d.valueLabel.push(label(n.value));
    d.selfLabel.push(n.self !== 0 ? label(n.self) : "");
    if (diff) {
      weight.push(n.weight);
      base.push(n.base);
      baseLabel.push(label(n.base));
    }
  }
  if (diff) Object.assign(d, { weight, base, baseLabel });
  return d;
}

