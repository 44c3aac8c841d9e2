// The flame graph's data: every distinct call path, root first, with the
// value of the samples through it (cum) and ending in it (self), at the
// configured granularity. Node names are the ones the text reports print.
// In a -diff_base comparison, `base` holds what the base profile contributed
// (as a positive amount), so a view can shade growth and shrinkage.

import type { Location, ProfileData } from "../../profile/model.js";
import type { Config } from "../config.js";
import { aggregatedLines, aggregationFor, nodeInfo } from "../graph/nodeinfo.js";
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
  const aggregation = aggregationFor(config.granularity, config.noInlines);
  const infoOpts = { aggregation, objNames: false, origFnNames: false };

  // Frame ids: one per distinct (name, inline) pair. Per location (a "slot",
  // found by location id), its frame ids root first and a memo of the tree
  // node it was last entered from and led to, in typed arrays: the walk below
  // touches them millions of times.
  const frameIds = new Map<string, number>();
  const frameNames: string[] = [];
  const frameInline: boolean[] = [];
  const slotById = new Int32Array(idLimit(profile)); // slot + 1; 0 = none yet
  const slotByLoc = new Map<Location, number>();
  const slots = new LocationSlots(profile.location.length + 1);
  const slotOf = (l: Location): number => {
    const id = l.id;
    const known = id > 0 && id < slotById.length ? slotById[id]! - 1 : (slotByLoc.get(l) ?? -1);
    if (known >= 0) return known;
    const lines = aggregatedLines(l, aggregation);
    const ids = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      // Root first: the physical caller (last line) before what it inlined.
      const inline = i < lines.length - 1;
      const name = nameComponents(nodeInfo(l, lines[i], infoOpts)).join(" ");
      const key = (inline ? "1" : "0") + name;
      let fid = frameIds.get(key);
      if (fid === undefined) {
        fid = frameNames.length;
        frameIds.set(key, fid);
        frameNames.push(name);
        frameInline.push(inline);
      }
      ids[lines.length - 1 - i] = fid;
    }
    const slot = slots.add(ids);
    if (id > 0 && id < slotById.length) slotById[id] = slot + 1;
    else slotByLoc.set(l, slot);
    return slot;
  };

  const nodes = new NodeArrays();
  const child = new Map<number, number>();
  let total = 0;
  let hasBase = false;
  for (const s of profile.sample) {
    const v = s.value[si] ?? 0;
    if (v === 0) continue;
    const base = isDiffBaseSample(s) ? -v : 0;
    if (v < 0) hasBase = true;
    const w = Math.abs(v);
    total += w;
    let node = 0;
    nodes.add(0, v, w, base);
    const locs = s.location;
    for (let i = locs.length - 1; i >= 0; i--) {
      const l = locs[i]!;
      const id = l.id;
      let slot = id > 0 && id < slotById.length ? slotById[id]! - 1 : -1;
      if (slot < 0) slot = slotOf(l);
      // A location is nearly always reached from the same call path: the memo saves the child lookup.
      if (slots.lastParent[slot] === node) {
        node = slots.lastNode[slot]!;
        nodes.add(node, v, w, base);
        continue;
      }
      const ids = slots.frames[slot]!;
      for (let k = 0; k < ids.length; k++) {
        const f = ids[k]!;
        const key = node * 67108864 + f; // 2^26 frame ids per node; exact below 2^53
        let c = child.get(key);
        if (c === undefined) {
          c = nodes.create(node, f);
          child.set(key, c);
        }
        nodes.add(c, v, w, base);
        if (k === 0 && ids.length === 1) {
          // Only single-frame locations are memoized (the memo holds one node).
          slots.lastParent[slot] = node;
          slots.lastNode[slot] = c;
        }
        node = c;
      }
    }
    nodes.self[node]! += v;
  }
  const { root, pruned } = nodes.toTree(frameNames, frameInline, (o.minFraction ?? 0) * total);
  sortChildren(root);
  const unit = st.unit;
  const outUnit = config.unit === "minimum" ? "auto" : config.unit;
  return { root, total, sampleType: st.type, unit, format: (v) => scaledLabel(v, unit, outUnit), hasBase, pruned };
}

/** Location ids below this are looked up in an array (dense ids, as profiles have); others in a map. */
function idLimit(profile: ProfileData): number {
  let max = 0;
  for (const l of profile.location) if (l.id > max) max = l.id;
  return Math.min(max + 1, 4 * profile.location.length + 1024);
}

/** Per location seen: its frame ids (root first), and the memo of the last call path through it. */
class LocationSlots {
  length = 0;
  frames: Int32Array[] = [];
  lastParent: Int32Array;
  lastNode: Int32Array;

  constructor(capacity: number) {
    this.lastParent = new Int32Array(capacity).fill(-1);
    this.lastNode = new Int32Array(capacity);
  }

  add(ids: Int32Array): number {
    if (this.length === this.lastParent.length) {
      const parent = new Int32Array(this.length * 2).fill(-1);
      parent.set(this.lastParent);
      const node = new Int32Array(this.length * 2);
      node.set(this.lastNode);
      this.lastParent = parent;
      this.lastNode = node;
    }
    this.frames.push(ids);
    return this.length++;
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

  constructor() {
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

  add(n: number, v: number, w: number, base: number): void {
    this.value[n]! += v;
    this.weight[n]! += w;
    if (base !== 0) this.base[n]! += base;
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
    for (let n = 0; n < this.length; n++) {
      const f = this.frame[n]!;
      if (n > 0 && cutoff > 0 && this.weight[n]! < cutoff) {
        const parent = out[this.parent[n]!];
        if (parent) {
          parent.self += this.value[n]!;
          pruned++;
        }
        continue;
      }
      const node: FlameNode = {
        name: f < 0 ? "root" : names[f]!, value: this.value[n]!, weight: this.weight[n]!, self: this.self[n]!,
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
