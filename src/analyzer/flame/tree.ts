// The flame graph's data: every distinct call path, root first, with the
// value of the samples through it (cum) and ending in it (self), at the
// configured granularity. Node names are the ones the text reports print.
// In a -diff_base comparison, `base` holds what the base profile contributed
// (as a positive amount), so a view can shade growth and shrinkage.

import type { Line, Location, ProfileData, ProfileFunction } from "../../profile/model.js";
import type { Config } from "../config.js";
import { aggregatedLines, aggregationFor, nodeInfo, type Aggregation } from "../graph/nodeinfo.js";
import { nameComponents } from "../graph/types.js";
import { isDiffBaseSample } from "../report/index.js";
import { scaledLabel } from "../measurement.js";
import { sampleIndexByName } from "../filter/index.js";

export interface FlameNode {
  name: string;
  /** Sum of the samples whose stack passes through this call path. */
  value: number;
  /** Sum of their absolute values: the drawn width (equals value unless a base was subtracted). */
  weight: number;
  /** Sum of the samples whose stack ends here. */
  self: number;
  /** The base profile's share of `value` (diff_base only; positive). */
  base: number;
  /** The frame was inlined into its caller. */
  inline: boolean;
  children: FlameNode[];
}

export interface FlameTree {
  root: FlameNode;
  /** Sum of |value| over samples (the root's weight): what widths are relative to. */
  total: number;
  sampleType: string;
  unit: string;
  /** The value as the text reports print it ("1.20s", "512kB"). */
  format: (v: number) => string;
  /** Some samples are negative (a base was subtracted): views shade growth red and shrinkage green. */
  hasBase: boolean;
  /** Call paths merged into their parent because they were too narrow to draw. */
  pruned: number;
}

export interface FlameOptions {
  /** Overrides config.sampleIndex with a resolved index. */
  sampleIndex?: number;
  /** Call paths narrower than this share of the total are folded into their parent (default 0: keep all). */
  minFraction?: number;
}

/**
 * Builds the tree in flat arrays (a node is an index; children found through
 * one map keyed by parent and frame ids), since a large profile has millions
 * of frames to walk; FlameNode objects are made once at the end.
 */
export function flameTree(profile: ProfileData, config: Config, o: FlameOptions = {}): FlameTree {
  const si = o.sampleIndex ?? sampleIndexByName(profile, config.sampleIndex);
  const st = profile.sampleType[si]!;
  const frames = new FrameTable(profile, aggregationFor(config.granularity, config.noInlines));
  const hasBase = profile.sample.some((s) => (s.value[si] ?? 0) < 0);

  const dense = frames.idLimit;
  const nodes = new NodeArrays(hasBase);
  const child = new Map<number, number>();
  let total = 0;
  for (const s of profile.sample) {
    const v = s.value[si] ?? 0;
    if (v === 0) continue;
    const base = hasBase && isDiffBaseSample(s) ? -v : 0;
    total += Math.abs(v);
    let node = 0;
    nodes.add(0, v, base);
    const locs = s.location;
    for (let i = locs.length - 1; i >= 0; i--) {
      const l = locs[i]!;
      const id = l.id;
      // A location is nearly always reached from the same call path: the memo saves the child lookup.
      if (id < dense && frames.lastParent[id] === node) {
        node = frames.lastNode[id]!;
        nodes.add(node, v, base);
        continue;
      }
      const slot = frames.slotOf(l);
      if (frames.lastParent[slot] === node) {
        node = frames.lastNode[slot]!;
        nodes.add(node, v, base);
        continue;
      }
      const ids = frames.frames[slot]!;
      for (let k = 0; k < ids.length; k++) {
        const f = ids[k]!;
        const key = node * 67108864 + f; // 2^26 frame ids per node; exact below 2^53
        let c = child.get(key);
        if (c === undefined) {
          c = nodes.create(node, f);
          child.set(key, c);
        }
        nodes.add(c, v, base);
        if (ids.length === 1) {
          // Only single-frame locations are memoized (the memo holds one node).
          frames.lastParent[slot] = node;
          frames.lastNode[slot] = c;
        }
        node = c;
      }
    }
    nodes.self[node]! += v;
  }
  const { root, pruned } = nodes.toTree(frames.names, frames.inline, (o.minFraction ?? 0) * total);
  sortChildren(root);
  const unit = st.unit;
  const outUnit = config.unit === "minimum" ? "auto" : config.unit;
  return { root, total, sampleType: st.type, unit, format: (v) => scaledLabel(v, unit, outUnit), hasBase, pruned };
}

/**
 * The frames of each location as frame ids (one per distinct name and inline
 * flag), root first, and per location a memo of the tree node it was last
 * entered from and led to. A location's slot is its id when ids are dense
 * (as in every profile we read), else one given on first sight; everything
 * the walk touches per frame is in typed arrays.
 */
class FrameTable {
  readonly names: string[] = [];
  readonly inline: boolean[] = [];
  readonly frames: (Int32Array | undefined)[] = [];
  lastParent: Int32Array;
  lastNode: Int32Array;
  /** Locations with an id under this (and over 0) have the id as slot. */
  readonly idLimit: number;
  private readonly sparse = new Map<Location, number>();
  private nextSparse: number;
  private readonly ids = new Map<string, number>();
  /** Frame ids per function, when a frame's name depends on its function alone (function granularity). */
  private readonly byFunction = new Map<ProfileFunction, number>();
  private readonly byFunctionInline = new Map<ProfileFunction, number>();
  private readonly nameOnly: boolean;

  constructor(profile: ProfileData, private readonly aggregation: Aggregation) {
    let max = 0;
    for (const l of profile.location) if (l.id > max) max = l.id;
    this.idLimit = Math.min(max + 1, 4 * profile.location.length + 1024);
    this.nextSparse = this.idLimit;
    this.lastParent = new Int32Array(this.idLimit + 64).fill(-1);
    this.lastNode = new Int32Array(this.idLimit + 64);
    this.nameOnly = aggregation.function && !aggregation.filename && !aggregation.linenumber && !aggregation.address;
  }

  slotOf(l: Location): number {
    const id = l.id;
    if (id > 0 && id < this.idLimit) {
      if (this.frames[id] === undefined) this.frames[id] = this.frameIds(l);
      return id;
    }
    let slot = this.sparse.get(l);
    if (slot === undefined) {
      slot = this.nextSparse++;
      if (slot >= this.lastParent.length) this.grow();
      this.sparse.set(l, slot);
      this.frames[slot] = this.frameIds(l);
    }
    return slot;
  }

  private frameIds(l: Location): Int32Array {
    const lines = aggregatedLines(l, this.aggregation);
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      // Root first: the physical caller (last line) before what it inlined.
      out[lines.length - 1 - i] = this.frameId(l, lines[i], i < lines.length - 1);
    }
    return out;
  }

  private frameId(l: Location, line: Line | undefined, inline: boolean): number {
    const fn = line?.function;
    const cache = inline ? this.byFunctionInline : this.byFunction;
    const cacheable = this.nameOnly && fn !== undefined && fn.name !== "";
    if (cacheable) {
      const known = cache.get(fn);
      if (known !== undefined) return known;
    }
    const name = nameComponents(nodeInfo(l, line, { aggregation: this.aggregation, objNames: false, origFnNames: false })).join(" ");
    const key = (inline ? "1" : "0") + name;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(key, id);
      this.names.push(name);
      this.inline.push(inline);
    }
    if (cacheable) cache.set(fn, id);
    return id;
  }

  private grow(): void {
    const parent = new Int32Array(this.lastParent.length * 2).fill(-1);
    parent.set(this.lastParent);
    const node = new Int32Array(this.lastNode.length * 2);
    node.set(this.lastNode);
    this.lastParent = parent;
    this.lastNode = node;
  }
}

/** Growable columns of tree nodes; node 0 is the root. */
class NodeArrays {
  length = 1;
  parent = new Int32Array(1024);
  frame = new Int32Array(1024);
  value = new Float64Array(1024);
  weight = new Float64Array(1024);
  self = new Float64Array(1024);
  base = new Float64Array(1024);

  /** With negative values (a base subtracted), widths and base shares are tracked apart from values. */
  constructor(private readonly signed: boolean) {
    this.parent[0] = -1;
    this.frame[0] = -1;
  }

  create(parent: number, frame: number): number {
    if (this.length === this.parent.length) this.grow();
    const n = this.length++;
    this.parent[n] = parent;
    this.frame[n] = frame;
    return n;
  }

  add(n: number, v: number, base: number): void {
    this.value[n]! += v;
    if (this.signed) {
      this.weight[n]! += Math.abs(v);
      this.base[n]! += base;
    }
  }

  private grow(): void {
    const size = this.parent.length * 2;
    const g = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.parent = g(this.parent);
    this.frame = g(this.frame);
    this.value = g(this.value);
    this.weight = g(this.weight);
    this.self = g(this.self);
    this.base = g(this.base);
  }

  /**
   * The nodes as objects, leaving out those lighter than the cutoff: their
   * value goes to their caller's self (weights only shrink down a path, so a
   * kept node's caller is kept).
   */
  toTree(names: string[], inline: boolean[], cutoff: number): { root: FlameNode; pruned: number } {
    const out: (FlameNode | undefined)[] = new Array(this.length);
    let pruned = 0;
    // Without negative values, widths are the values.
    const weight = this.signed ? this.weight : this.value;
    for (let n = 0; n < this.length; n++) {
      const f = this.frame[n]!;
      if (n > 0 && cutoff > 0 && weight[n]! < cutoff) {
        const parent = out[this.parent[n]!];
        if (parent) {
          parent.self += this.value[n]!;
          pruned++;
        }
        continue;
      }
      const node: FlameNode = {
        name: f < 0 ? "root" : names[f]!, value: this.value[n]!, weight: weight[n]!, self: this.self[n]!,
        base: this.base[n]!, inline: f < 0 ? false : inline[f]!, children: [],
      };
      out[n] = node;
      if (n > 0) out[this.parent[n]!]!.children.push(node);
    }
    return { root: out[0]!, pruned };
  }
}

/** Children widest first, as pprof's flame graph draws them. */
function sortChildren(root: FlameNode): void {
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    n.children.sort((a, b) => b.weight - a.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of n.children) stack.push(c);
  }
}
