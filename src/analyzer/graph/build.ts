// Builds the call graph from a profile's samples, as google/pprof's graph.New:
// each sample adds its value once to every distinct node on its stack (cum),
// once to each distinct caller→callee edge, and to its leaf node (flat).
// Linear in the total stack depth: node infos are made once per location
// frame, and per-sample dedup uses stamps instead of clearing sets.

import type { Line, Location, ProfileData, Sample } from "../../profile/model.js";
import { aggregatedLines, keepAll, nodeInfo, type Aggregation } from "./nodeinfo.js";
import { GraphNode, nodeKey, type Edge, type Graph, type NodeInfo, type Tag } from "./types.js";

export interface GraphOptions {
  /** The value of a sample (usually `v => v[sampleIndex]`). */
  sampleValue: (values: number[]) => number;
  /** For -mean: the divisor of a sample (usually `v => v[0]`). */
  sampleMeanDivisor?: (values: number[]) => number;
  /** Formats a numeric tag value with its unit (default: the plain integer). */
  formatTag?: (value: number, unit: string) => string;
  /** Granularity, as google/pprof's Profile.Aggregate (default: keep everything). */
  aggregation?: Aggregation;
  /** Keep mapping file and function start line in node infos. */
  objNames?: boolean;
  origFnNames?: boolean;
  /** Rewrites function file names (trim_path) before they are cleaned. */
  mapFile?: (file: string) => string;
  /** Build a tree (one node per distinct call path) instead of a graph. */
  callTree?: boolean;
  /** Drop nodes whose values are negative overall. */
  dropNegative?: boolean;
  /** If set, only nodes whose nodeKey() is in the set are created; frames outside it make edges residual. */
  keptNodes?: ReadonlySet<string>;
  /** Collect label and numeric tags on nodes (DOT nodelets). Default true. */
  collectTags?: boolean;
  /**
   * Numeric labels used for tags: key → unit. Default: every numeric label,
   * with its own unit or its key as unit.
   */
  numericTagUnits?: Readonly<Record<string, string>>;
  /** Reuse node infos between builds of one profile with the same aggregation, objNames, origFnNames and mapFile. */
  frameCache?: FrameCache;
  /** String label keys left out of tags (reports drop "pprof::base"). */
  ignoredLabelKeys?: readonly string[];
}

/** A frame slot of a location: its node info, computed once. */
export interface FrameInfo {
  info: NodeInfo;
  key: string;
}

/** Builds the graph (or tree) of a profile. */
export function buildGraph(profile: ProfileData, o: GraphOptions): Graph {
  return o.callTree ? buildTree(profile, o) : buildNodeGraph(profile, o);
}

export class NodeMap {
  readonly byKey = new Map<string, GraphNode>();

  constructor(private readonly kept: ReadonlySet<string> | undefined) {}

  findOrInsert(info: NodeInfo, key: string, useKept = true): GraphNode | null {
    if (useKept && this.kept && !this.kept.has(key)) return null;
    const existing = this.byKey.get(key);
    if (existing) return existing;
    let fn: GraphNode | undefined;
    if (info.address !== 0n || info.lineno !== 0) {
      const fi = { ...info, address: 0n, lineno: 0 };
      fn = this.findOrInsert(fi, nodeKey(fi), false) ?? undefined;
    }
    const n = new GraphNode(info, fn);
    this.byKey.set(key, n);
    return n;
  }
}

/** Node infos of each location's frames, reusable across builds with the same aggregation options. */
export type FrameCache = Map<Location, FrameInfo[]>;

function frameInfos(l: Location, o: GraphOptions): FrameInfo[] {
  const cached = o.frameCache?.get(l);
  if (cached) return cached;
  const opts = { aggregation: o.aggregation ?? keepAll, objNames: !!o.objNames, origFnNames: !!o.origFnNames, mapFile: o.mapFile };
  const infos = aggregatedLines(l, opts.aggregation).map((line: Line | undefined) => {
    const info = nodeInfo(l, line, opts);
    return { info, key: nodeKey(info) };
  });
  o.frameCache?.set(l, infos);
  return infos;
}

/**
 * The nodes of each location's frames (innermost first; null for frames
 * outside keptNodes), made on first use. Indexed by location id when ids are
 * dense, which keeps the per-frame lookup of graph building cheap.
 */
export interface FrameNodes {
  /** One per frame, innermost first; null for a frame outside keptNodes. */
  nodes: (GraphNode | null)[];
  /** Per frame: the caller node last seen and the edge from it (a memo: stacks repeat). */
  callers: (GraphNode | null)[];
  edges: (Edge | null)[];
}

export class LocationNodes {
  private readonly limit: number;
  private readonly owners: (Location | undefined)[] = [];
  private readonly byId: FrameNodes[] = [];
  private readonly byLoc = new Map<Location, FrameNodes>();

  constructor(locationCount: number, private readonly makeNodes: (l: Location) => (GraphNode | null)[]) {
    this.limit = 4 * locationCount + 1024;
  }

  private make(l: Location): FrameNodes {
    const nodes = this.makeNodes(l);
    return { nodes, callers: nodes.map(() => null), edges: nodes.map(() => null) };
  }

  get(l: Location): FrameNodes {
    const id = l.id;
    if (id > 0 && id < this.limit) {
      const owner = this.owners[id];
      if (owner === l) return this.byId[id]!;
      if (owner === undefined) {
        const r = this.make(l);
        this.owners[id] = l;
        this.byId[id] = r;
        return r;
      }
    }
    let r = this.byLoc.get(l);
    if (!r) this.byLoc.set(l, (r = this.make(l)));
    return r;
  }
}

/** Nodes for the profile's location frames, as graph.CreateNodes (made lazily, see LocationNodes). */
export function createNodes(profile: ProfileData, o: GraphOptions): { nodeMap: NodeMap; locationNodes: LocationNodes } {
  const nm = new NodeMap(o.keptNodes);
  const locationNodes = new LocationNodes(profile.location.length, (l) => frameInfos(l, o).map((f) => nm.findOrInsert(f.info, f.key)));
  return { nodeMap: nm, locationNodes };
}

function buildNodeGraph(profile: ProfileData, o: GraphOptions): Graph {
  const nm = new NodeMap(o.keptNodes);
  const slots = new FrameSlots(profile, (l) => frameInfos(l, o).map((f) => nm.findOrInsert(f.info, f.key)));
  const tags = new TagCollector(o);
  const samples = profile.sample;
  const edges = new EdgeTable(slots);
  // The hot loop reads typed arrays: a location's slots, then per slot its
  // node, the caller last seen there and the edge from it (a memo: stacks
  // repeat). Nodes and edges are few and stay in cache.
  for (let si = 0; si < samples.length; si++) {
    const sample = samples[si]!;
    const w = o.sampleValue(sample.value);
    const dw = o.sampleMeanDivisor ? o.sampleMeanDivisor(sample.value) : 0;
    if (dw === 0 && w === 0) continue;
    let parent = -1;
    let residual = false;
    const labels = tags.enabled ? joinLabels(sample, o.ignoredLabelKeys) : "";
    const locs = sample.location;
    for (let i = locs.length - 1; i >= 0; i--) {
      const at = slots.locate(locs[i]!);
      const loc = slots.locTable;
      const first = loc[at]!;
      const outer = first + loc[at + 1]! - 1;
      const slot = slots.slotTable;
      for (let s = outer; s >= first; s--) {
        const n = slot[3 * s]!;
        if (n < 0) {
          residual = true;
          continue;
        }
        if (slots.nodeSeen[n] !== si) {
          slots.nodeSeen[n] = si;
          slots.cum[n] += w;
          slots.cumDiv[n] += dw;
          if (tags.enabled) tags.add(slots.nodes[n]!, sample, labels, dw, w, false);
        }
        if (parent >= 0 && n !== parent) {
          let e = slot[3 * s + 2]!;
          if (slot[3 * s + 1] !== parent || e < 0) {
            e = edges.between(parent, n);
            slot[3 * s + 1] = parent;
            slot[3 * s + 2] = e;
          }
          edges.add(e, si, dw, w, residual, s !== outer);
        }
        parent = n;
        residual = false;
      }
    }
    if (parent >= 0 && !residual) {
      slots.flat[parent] += w;
      slots.flatDiv[parent] += dw;
      if (tags.enabled) tags.add(slots.nodes[parent]!, sample, labels, dw, w, true);
    }
  }
  slots.writeNodes();
  edges.writeEdges();
  return selectNodesForGraph([...nm.byKey.values()], !!o.dropNegative);
}

/**
 * Every frame of every location used so far gets a slot (innermost frame
 * first, consecutive per location): [node index, caller last seen, edge from
 * it] in slotTable. Locations are found by id, as google/pprof finds them
 * (locTable holds [first slot, slot count] per id), or by object for ids out
 * of range. Nodes get indices into the weight arrays.
 */
class FrameSlots {
  slotTable: Int32Array;
  private slotLen = 0;
  /** Per location id: first slot (-1: not made yet) and slot count. */
  readonly locTable: Int32Array;
  private readonly idLimit: number;
  private readonly byLoc = new Map<Location, number>();
  private extraLocs: Int32Array = new Int32Array(0);
  readonly nodes: GraphNode[] = [];
  private readonly nodeIndex = new Map<GraphNode, number>();
  nodeSeen: Int32Array;
  flat: Float64Array;
  flatDiv: Float64Array;
  cum: Float64Array;
  cumDiv: Float64Array;

  constructor(profile: ProfileData, private readonly makeNodes: (l: Location) => (GraphNode | null)[]) {
    let maxId = 0;
    let frames = 16;
    for (const l of profile.location) {
      if (l.id > maxId) maxId = l.id;
      frames += Math.max(1, l.line.length);
    }
    this.idLimit = Math.min(maxId, 4 * profile.location.length + 1024) + 1;
    this.locTable = new Int32Array(2 * this.idLimit).fill(-1);
    this.slotTable = new Int32Array(3 * frames);
    this.nodeSeen = new Int32Array(frames);
    this.flat = new Float64Array(frames);
    this.flatDiv = new Float64Array(frames);
    this.cum = new Float64Array(frames);
    this.cumDiv = new Float64Array(frames);
  }

  /** The offset of the location's [first slot, count] pair in locTable, its slots made on first use. */
  locate(l: Location): number {
    const id = l.id;
    if (id > 0 && id < this.idLimit) {
      const at = 2 * id;
      if (this.locTable[at]! < 0) this.makeSlots(l, this.locTable, at);
      return at;
    }
    return this.locateOutOfRange(l);
  }

  private locateOutOfRange(l: Location): number {
    // Such locations share a second table appended after locTable's range:
    // locate() callers read locTable, so copy the pair into a scratch pair.
    let at = this.byLoc.get(l);
    if (at === undefined) {
      at = this.extraLocs.length;
      const bigger = new Int32Array(at + 2);
      bigger.set(this.extraLocs);
      this.extraLocs = bigger;
      this.makeSlots(l, this.extraLocs, at);
      this.byLoc.set(l, at);
    }
    // Slot 0 of locTable (id 0 is reserved) is the scratch pair.
    this.locTable[0] = this.extraLocs[at]!;
    this.locTable[1] = this.extraLocs[at + 1]!;
    return 0;
  }

  private makeSlots(l: Location, table: Int32Array, at: number): void {
    const nodes = this.makeNodes(l);
    if (3 * (this.slotLen + nodes.length) > this.slotTable.length) this.slotTable = grow(this.slotTable, 6 * (this.slotLen + nodes.length));
    table[at] = this.slotLen;
    table[at + 1] = nodes.length;
    for (const n of nodes) {
      const s = 3 * this.slotLen++;
      this.slotTable[s] = n === null ? -1 : this.indexOf(n);
      this.slotTable[s + 1] = -1;
      this.slotTable[s + 2] = -1;
    }
  }

  private indexOf(n: GraphNode): number {
    let i = this.nodeIndex.get(n);
    if (i === undefined) {
      i = this.nodes.length;
      this.nodes.push(n);
      this.nodeIndex.set(n, i);
      if (i >= this.nodeSeen.length) this.growNodes();
      this.nodeSeen[i] = -1;
    }
    return i;
  }

  private growNodes(): void {
    const size = 2 * this.nodeSeen.length;
    this.nodeSeen = grow(this.nodeSeen, size);
    this.flat = grow(this.flat, size);
    this.flatDiv = grow(this.flatDiv, size);
    this.cum = grow(this.cum, size);
    this.cumDiv = grow(this.cumDiv, size);
  }

  /** Adds the accumulated weights to the nodes. */
  writeNodes(): void {
    for (let i = 0; i < this.nodes.length; i++) {
      const n = this.nodes[i]!;
      n.flat += this.flat[i]!;
      n.flatDiv += this.flatDiv[i]!;
      n.cum += this.cum[i]!;
      n.cumDiv += this.cumDiv[i]!;
    }
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * Edge weights by edge index. Edges are found by (caller, callee) node
 * indices in an open-addressing hash table; the Edge objects are made once
 * per node pair.
 */
class EdgeTable {
  private readonly list: Edge[] = [];
  private seen = new Int32Array(256);
  private weight = new Float64Array(256);
  private weightDiv = new Float64Array(256);
  /** Bit 1: residual; bit 2: some non-inline call. */
  private flags = new Uint8Array(256);
  /** Hash table: per bucket, src, dest and edge index (-1: empty). */
  private buckets = new Int32Array(3 * 1024).fill(-1);
  private mask = 1023;

  constructor(private readonly slots: FrameSlots) {}

  between(src: number, dest: number): number {
    let b = hashPair(src, dest) & this.mask;
    const t = this.buckets;
    for (;;) {
      const e = t[3 * b + 2]!;
      if (e < 0) break;
      if (t[3 * b] === src && t[3 * b + 1] === dest) return e;
      b = (b + 1) & this.mask;
    }
    const i = this.list.length;
    this.list.push(edgeBetween(this.slots.nodes[src]!, this.slots.nodes[dest]!));
    t[3 * b] = src;
    t[3 * b + 1] = dest;
    t[3 * b + 2] = i;
    if (i >= this.seen.length) {
      const size = 2 * this.seen.length;
      this.seen = grow(this.seen, size);
      this.weight = grow(this.weight, size);
      this.weightDiv = grow(this.weightDiv, size);
      const f = new Uint8Array(size);
      f.set(this.flags);
      this.flags = f;
    }
    this.seen[i] = -1;
    if (2 * this.list.length > this.mask) this.rehash();
    return i;
  }

  private rehash(): void {
    const old = this.buckets;
    this.mask = 2 * this.mask + 1;
    this.buckets = new Int32Array(3 * (this.mask + 1)).fill(-1);
    for (let b = 0; b < old.length; b += 3) {
      if (old[b + 2]! < 0) continue;
      let nb = hashPair(old[b]!, old[b + 1]!) & this.mask;
      while (this.buckets[3 * nb + 2]! >= 0) nb = (nb + 1) & this.mask;
      this.buckets[3 * nb] = old[b]!;
      this.buckets[3 * nb + 1] = old[b + 1]!;
      this.buckets[3 * nb + 2] = old[b + 2]!;
    }
  }

  add(e: number, sample: number, dw: number, w: number, residual: boolean, inline: boolean): void {
    if (this.seen[e] === sample) return;
    this.seen[e] = sample;
    this.weight[e] += w;
    this.weightDiv[e] += dw;
    if (residual) this.flags[e] |= 1;
    if (!inline) this.flags[e] |= 2;
  }

  writeEdges(): void {
    for (let i = 0; i < this.list.length; i++) addToEdge(this.list[i]!, this.weightDiv[i]!, this.weight[i]!, (this.flags[i]! & 1) !== 0, (this.flags[i]! & 2) === 0);
  }
}

function hashPair(a: number, b: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) >>> 7;
}

function buildTree(profile: ProfileData, o: GraphOptions): Graph {
  const infoCache = new Map<Location, FrameInfo[]>();
  const childMaps = new Map<GraphNode | null, Map<string, GraphNode>>();
  const tags = new TagCollector(o);
  const all: GraphNode[] = [];
  for (const sample of profile.sample) {
    const w = o.sampleValue(sample.value);
    const dw = o.sampleMeanDivisor ? o.sampleMeanDivisor(sample.value) : 0;
    if (dw === 0 && w === 0) continue;
    let parent: GraphNode | null = null;
    const labels = tags.enabled ? joinLabels(sample, o.ignoredLabelKeys) : "";
    const locs = sample.location;
    for (let i = locs.length - 1; i >= 0; i--) {
      const l = locs[i]!;
      let frames = infoCache.get(l);
      if (!frames) infoCache.set(l, (frames = frameInfos(l, o)));
      for (let li = frames.length - 1; li >= 0; li--) {
        const f = frames[li]!;
        if (o.keptNodes && !o.keptNodes.has(f.key)) continue;
        let children = childMaps.get(parent);
        if (!children) childMaps.set(parent, (children = new Map()));
        let n = children.get(f.key);
        if (!n) {
          n = new GraphNode(f.info);
          children.set(f.key, n);
          all.push(n);
        }
        n.cum += w;
        n.cumDiv += dw;
        if (tags.enabled) tags.add(n, sample, labels, dw, w, false);
        if (parent !== null) addToEdge(edgeBetween(parent, n), dw, w, false, li !== frames.length - 1);
        parent = n;
      }
    }
    if (parent !== null) {
      parent.flat += w;
      parent.flatDiv += dw;
      if (tags.enabled) tags.add(parent, sample, labels, dw, w, true);
    }
  }
  return selectNodesForGraph(all, !!o.dropNegative);
}

/** The edge src→dest, created (with zero weight, inline until a non-inline call is added) if missing. */
export function edgeBetween(src: GraphNode, dest: GraphNode): Edge {
  let e = src.out.get(dest);
  if (!e) {
    e = { src, dest, weight: 0, weightDiv: 0, residual: false, inline: true, seen: -1 };
    src.out.set(dest, e);
    dest.in.set(src, e);
  }
  return e;
}

export function addToEdge(e: Edge, dv: number, v: number, residual: boolean, inline: boolean): void {
  e.weightDiv += dv;
  e.weight += v;
  if (residual) e.residual = true;
  if (!inline) e.inline = false;
}

function selectNodesForGraph(nodes: GraphNode[], dropNegative: boolean): Graph {
  const out: GraphNode[] = [];
  for (const n of nodes) {
    if (n.cum === 0 && n.flat === 0) continue;
    if (dropNegative && isNegative(n)) continue;
    out.push(n);
  }
  return { nodes: out };
}

function isNegative(n: GraphNode): boolean {
  return n.flat < 0 || (n.flat === 0 && n.cum < 0);
}

/** A sample's string labels as sorted "key:value" pairs joined by a literal backslash-n. */
export function joinLabels(s: Sample, ignoredKeys?: readonly string[]): string {
  let keys = Object.keys(s.label);
  if (ignoredKeys) keys = keys.filter((k) => !ignoredKeys.includes(k));
  if (keys.length === 0) return "";
  const labels: string[] = [];
  for (const k of keys) for (const v of s.label[k]!) labels.push(k + ":" + v);
  labels.sort();
  return labels.join("\\n");
}

class TagCollector {
  readonly enabled: boolean;
  private readonly format: (v: number, unit: string) => string;

  constructor(private readonly o: GraphOptions) {
    this.enabled = o.collectTags !== false;
    this.format = o.formatTag ?? ((v) => String(v));
  }

  add(n: GraphNode, s: Sample, labels: string, dw: number, w: number, flat: boolean): void {
    if (labels !== "") bump(findOrAddTag(n.labelTags, labels, "", 0), dw, w, flat);
    let numeric = n.numericTags.get(labels);
    if (!numeric) n.numericTags.set(labels, (numeric = new Map()));
    const units = this.o.numericTagUnits;
    for (const k of Object.keys(s.numLabel)) {
      const vals = s.numLabel[k]!;
      let keyUnits: (string | undefined)[] | undefined;
      if (units) {
        if (!(k in units)) continue;
        keyUnits = vals.map(() => units[k]);
      } else {
        keyUnits = s.numUnit[k];
      }
      for (let i = 0; i < vals.length; i++) {
        const v = vals[i]!;
        const unit = keyUnits && keyUnits.length > 0 ? keyUnits[i] ?? "" : k;
        bump(findOrAddTag(numeric, this.format(v, unit), unit, v), dw, w, flat);
      }
    }
  }
}

function findOrAddTag(m: Map<string, Tag>, name: string, unit: string, value: number): Tag {
  let t = m.get(name);
  if (!t) m.set(name, (t = { name, unit, value, flat: 0, flatDiv: 0, cum: 0, cumDiv: 0 }));
  return t;
}

function bump(t: Tag, dw: number, w: number, flat: boolean): void {
  if (flat) {
    t.flatDiv += dw;
    t.flat += w;
  } else {
    t.cumDiv += dw;
    t.cum += w;
  }
}
