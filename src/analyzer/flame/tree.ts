// The flame graph's data: every distinct call path, root first, with the
// value of the samples through it (cum) and ending in it (self), at the
// configured granularity. Node names are the ones the text reports print.
// In a -diff_base comparison, `base` holds what the base profile contributed
// (as a positive amount), so a view can shade growth and shrinkage.

import { decodedSamples, type DecodedSamples } from "../../profile/decode.js";
import type { Line, Location, ProfileData, ProfileFunction } from "../../profile/model.js";
import type { Config } from "../config.js";
import { aggregatedLines, aggregationFor, nodeInfo, type Aggregation } from "../graph/nodeinfo.js";
import { nameComponents } from "../graph/types.js";
import { isDiffBaseSample } from "../totals.js";
import { scaledLabel } from "../measurement.js";
import { sampleIndexByName } from "../filter/sample-index.js";

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
 * one hash table keyed by parent and frame ids), since a large profile has
 * millions of frames to walk; FlameNode objects are made once at the end.
 * A profile just decoded is read from the decoder's columns, without making
 * its Sample objects (see decodedSamples).
 */
export function flameTree(profile: ProfileData, config: Config, o: FlameOptions = {}): FlameTree {
  const si = o.sampleIndex ?? sampleIndexByName(profile, config.sampleIndex);
  const st = profile.sampleType[si]!;
  const frames = new FrameTable(profile, aggregationFor(config.granularity, config.noInlines, config.showColumns));
  const decoded = decodedSamples(profile);
  const walked = decoded && !hasNegative(decoded, si) ? walkDecoded(decoded, si, frames) : undefined;
  const { nodes, total, hasBase } = walked ?? walkSamples(profile, si, frames);
  const { root, pruned } = nodes.toTree(frames.names, frames.inline, (o.minFraction ?? 0) * total);
  sortChildren(root);
  const unit = st.unit;
  const outUnit = config.unit === "minimum" ? "auto" : config.unit;
  return { root, total, sampleType: st.type, unit, format: (v) => scaledLabel(v, unit, outUnit), hasBase, pruned };
}

interface Walked {
  nodes: NodeArrays;
  total: number;
  hasBase: boolean;
}

/** The tree of `profile.sample`, adding each sample's value to every node on its path. */
function walkSamples(profile: ProfileData, si: number, frames: FrameTable): Walked {
  const hasBase = profile.sample.some((s) => (s.value[si] ?? 0) < 0);
  const dense = frames.idLimit;
  const nodes = new NodeArrays(hasBase);
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
      if (id < dense && frames.memo[2 * id] === node) {
        node = frames.memo[2 * id + 1]!;
        nodes.add(node, v, base);
        continue;
      }
      node = frames.descend(node, l, nodes, v, base);
    }
    nodes.self[node]! += v;
  }
  return { nodes, total, hasBase };
}

function hasNegative(d: DecodedSamples, si: number): boolean {
  for (let i = 0, n = d.count, k = d.valuesPerSample; i < n; i++) if (d.values[i * k + si]! < 0) return true;
  return false;
}

/**
 * The same tree from a profile's decoded columns (no negative values): each
 * sample's value goes to the self of the node its stack ends at, and values
 * are summed up the tree at the end (a child is always made after its
 * parent), so the walk down a stack only follows the memo.
 */
function walkDecoded(d: DecodedSamples, si: number, frames: FrameTable): Walked {
  const dense = frames.idLimit;
  const nodes = new NodeArrays(false);
  const { values, valuesPerSample, start, ids } = d;
  let memo = frames.memo;
  let total = 0;
  for (let i = 0; i < d.count; i++) {
    const v = values[i * valuesPerSample + si]!;
    if (v === 0) continue;
    total += v;
    let node = 0;
    for (let k = start[i + 1]! - 1, first = start[i]!; k >= first; k--) {
      const id = ids[k]!;
      if (id >= 0 && id < dense && memo[2 * id] === node) {
        node = memo[2 * id + 1]!;
        continue;
      }
      node = frames.descend(node, d.locationAt(k), nodes, 0, 0);
      memo = frames.memo; // (descend may have grown it)
    }
    nodes.self[node]! += v;
  }
  const { value, self, parent } = nodes;
  for (let n = nodes.length - 1; n > 0; n--) {
    value[n]! += self[n]!;
    value[parent[n]!]! += value[n]!;
  }
  value[0]! += self[0]!;
  return { nodes, total, hasBase: false };
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
  /** Per slot: the frame id of a location with one frame (nearly all); -1 not yet known; -2 see `multi`. */
  single: Int32Array;
  /** Per slot of a location with zero or several frames: their ids, root first. */
  private readonly multi: Int32Array[] = [];
  /** Per slot, the last step through it: the parent node (at 2 * slot, -1 for none) and the node it led to (at 2 * slot + 1), side by side for the cache. */
  memo: Int32Array;
  /** Locations with an id under this (and over 0) have the id as slot. */
  readonly idLimit: number;
  private readonly sparse = new Map<Location, number>();
  private nextSparse: number;
  private readonly ids = new Map<string, number>();
  /** Frame ids per function, when a frame's name depends on its function alone (function granularity). */
  private readonly byFunction = new Map<ProfileFunction, number>();
  private readonly byFunctionInline = new Map<ProfileFunction, number>();
  private readonly nameOnly: boolean;
  /** The frame of a function not inlined, by function id (for small ids), with the function it was made for. */
  private readonly idFunction: (ProfileFunction | undefined)[];
  private readonly idFrame: Int32Array;

  constructor(profile: ProfileData, private readonly aggregation: Aggregation) {
    let max = 0;
    for (const l of profile.location) if (l.id > max) max = l.id;
    this.idLimit = Math.min(max + 1, 4 * profile.location.length + 1024);
    this.nextSparse = this.idLimit;
    this.single = new Int32Array(this.idLimit + 64).fill(-1);
    this.memo = new Int32Array(2 * (this.idLimit + 64)).fill(-1);
    this.nameOnly = aggregation.function && !aggregation.filename && !aggregation.linenumber && !aggregation.address;
    let maxFn = 0;
    for (const f of profile.function) if (f.id > maxFn) maxFn = f.id;
    const fnIds = this.nameOnly ? Math.min(maxFn + 1, 4 * profile.function.length + 1024) : 0;
    this.idFunction = new Array<ProfileFunction | undefined>(fnIds).fill(undefined);
    this.idFrame = new Int32Array(fnIds);
  }

  slotOf(l: Location): number {
    const id = l.id;
    if (id > 0 && id < this.idLimit) {
      if (this.single[id] === -1) this.resolve(id, l);
      return id;
    }
    let slot = this.sparse.get(l);
    if (slot === undefined) {
      slot = this.nextSparse++;
      if (slot >= this.single.length) this.grow();
      this.sparse.set(l, slot);
      this.resolve(slot, l);
    }
    return slot;
  }

  /**
   * The node below `node` for location `l` (made if new; for an inlined
   * location, the node of its innermost frame), adding `v` to each node
   * stepped through, and memoizing the step for single-frame locations.
   */
  descend(node: number, l: Location, nodes: NodeArrays, v: number, base: number): number {
    const slot = this.slotOf(l);
    if (this.memo[2 * slot] === node) {
      node = this.memo[2 * slot + 1]!;
      nodes.add(node, v, base);
      return node;
    }
    const one = this.single[slot]!;
    if (one >= 0) {
      const c = nodes.child(node, one);
      nodes.add(c, v, base);
      // Only single-frame locations are memoized (the memo holds one node).
      this.memo[2 * slot] = node;
      this.memo[2 * slot + 1] = c;
      return c;
    }
    const ids = this.multi[slot]!;
    for (let k = 0; k < ids.length; k++) {
      node = nodes.child(node, ids[k]!);
      nodes.add(node, v, base);
    }
    return node;
  }

  /** Names the frames of the location in `slot`. */
  private resolve(slot: number, l: Location): void {
    const lines = aggregatedLines(l, this.aggregation);
    if (lines.length === 1) {
      this.single[slot] = this.frameId(l, lines[0], false);
      return;
    }
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      // Root first: the physical caller (last line) before what it inlined.
      out[lines.length - 1 - i] = this.frameId(l, lines[i], i < lines.length - 1);
    }
    this.single[slot] = -2;
    this.multi[slot] = out;
  }

  private frameId(l: Location, line: Line | undefined, inline: boolean): number {
    const fn = line?.function;
    const cache = inline ? this.byFunctionInline : this.byFunction;
    const cacheable = this.nameOnly && fn !== undefined && fn.name !== "";
    // First by the function's id (an array look-up, checked against the function itself), then by the function.
    const byId = cacheable && !inline && (fn.id | 0) === fn.id && fn.id >= 0 && fn.id < this.idFunction.length ? fn.id : -1;
    if (byId >= 0 && this.idFunction[byId] === fn) return this.idFrame[byId]!;
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
    if (byId >= 0 && this.idFunction[byId] === undefined) {
      this.idFunction[byId] = fn;
      this.idFrame[byId] = id;
    }
    return id;
  }

  private grow(): void {
    const size = this.single.length * 2;
    const memo = new Int32Array(2 * size).fill(-1);
    memo.set(this.memo);
    const single = new Int32Array(size).fill(-1);
    single.set(this.single);
    this.memo = memo;
    this.single = single;
  }
}

function slotHash(parent: number, frame: number): number {
  return (Math.imul(parent, 0x9e3779b1) ^ Math.imul(frame + 1, 0x85ebca77)) >>> 7;
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

  /**
   * Children by (parent, frame): an open-addressing hash table of node
   * numbers (0, the root, is no one's child: an empty slot), looked up
   * through the nodes' own parent and frame columns.
   */
  private table = new Int32Array(4096);
  private mask = 4095;

  /** The child of `parent` for `frame`, made if new. */
  child(parent: number, frame: number): number {
    const table = this.table, mask = this.mask;
    let h = slotHash(parent, frame) & mask;
    for (let n = table[h]!; n !== 0; n = table[h]!) {
      if (this.parent[n] === parent && this.frame[n] === frame) return n;
      h = (h + 1) & mask;
    }
    const c = this.create(parent, frame);
    table[h] = c;
    if (2 * this.length > mask) this.rehash();
    return c;
  }

  private rehash(): void {
    const size = 2 * (this.mask + 1);
    const table = new Int32Array(size);
    const mask = size - 1;
    for (let n = 1; n < this.length; n++) {
      let h = slotHash(this.parent[n]!, this.frame[n]!) & mask;
      while (table[h] !== 0) h = (h + 1) & mask;
      table[h] = n;
    }
    this.table = table;
    this.mask = mask;
  }

  private create(parent: number, frame: number): number {
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
