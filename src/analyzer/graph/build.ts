// Builds the call graph from a profile's samples, as google/pprof's graph.New:
// each sample adds its value once to every distinct node on its stack (cum),
// once to each distinct caller→callee edge, and to its leaf node (flat).
// Linear in the total stack depth: node infos are made once per location
// frame, and per-sample dedup uses stamps instead of clearing sets.

import type { Line, Location, ProfileData, Sample } from "../../profile/model.js";
import type { SampleWeights, StackColumns } from "./columns.js";
import { stackTrie, type StackTrie } from "./trie.js";
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
  /**
   * The profile's stacks and sample weights in typed arrays (see sampleColumns,
   * sampleWeights): read instead of the Sample objects when no tags are
   * collected and no call tree is built.
   */
  columns?: { stacks: StackColumns; weights: SampleWeights; trie?: StackTrie | null };
}

/** A frame slot of a location: its node info, computed once. */
export interface FrameInfo {
  info: NodeInfo;
  key: string;
  /** The node last found for this frame, and the NodeMap it was found in (a memo: builds look up each frame once). */
  node?: GraphNode | null;
  nodeMap?: NodeMap;
}

/** frameInfos' result with one FrameInfo per key in each cache, so that the node memo serves every location of a frame. */
const internedFrames = new WeakMap<FrameCache, Map<string, FrameInfo>>();

/** The node of frame `f` in `nm` (findOrInsert, remembered on the frame). */
function frameNode(nm: NodeMap, f: FrameInfo): GraphNode | null {
  if (f.nodeMap === nm) return f.node!;
  const n = nm.findOrInsert(f.info, f.key);
  f.nodeMap = nm;
  f.node = n;
  return n;
}

export { sampleColumns, sampleWeights, type SampleWeights, type StackColumns } from "./columns.js";

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
      const fi: NodeInfo = { ...info, address: 0n, lineno: 0 };
      delete fi.columnno;
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
  let interned: Map<string, FrameInfo> | undefined;
  if (o.frameCache) {
    interned = internedFrames.get(o.frameCache);
    if (!interned) internedFrames.set(o.frameCache, (interned = new Map()));
  }
  const infos = aggregatedLines(l, opts.aggregation).map((line: Line | undefined): FrameInfo => {
    const info = nodeInfo(l, line, opts);
    const key = nodeKey(info);
    const same = interned?.get(key);
    if (same) return same;
    const f: FrameInfo = { info, key };
    interned?.set(key, f);
    return f;
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
  const slots = new FrameSlots(profile, (l) => frameInfos(l, o).map((f) => frameNode(nm, f)));
  const tags = new TagCollector(o);
  if (o.columns && !tags.enabled) {
    const edges = new EdgeTable(slots);
    const c = o.columns;
    // The trie is made on the first build (null: it does not apply) and walked by the others too.
    if (c.trie === undefined) c.trie = stackTrie(c.stacks, c.weights, slots.idLimit) ?? null;
    if (c.trie) addTrie(slots, edges, c.trie, c.stacks);
    else addColumns(slots, edges, c.stacks, c.weights);
    slots.writeNodes();
    edges.writeEdges();
    return selectNodesForGraph([...nm.byKey.values()], !!o.dropNegative);
  }
  const samples = profile.sample;
  const edges = new EdgeTable(slots);
  // The hot loop reads packed typed arrays (see FrameSlots): memory traffic
  // per frame is the location, one slot, and a node and edge record.
  for (let si = 0; si < samples.length; si++) {
    const sample = samples[si]!;
    const w = o.sampleValue(sample.value);
    const dw = o.sampleMeanDivisor ? o.sampleMeanDivisor(sample.value) : 0;
    if (dw === 0 && w === 0) continue;
    let parent = -1;
    let residual = false;
    if (tags.enabled) tags.beginSample(sample);
    const locs = sample.location;
    for (let i = locs.length - 1; i >= 0; i--) {
      let s = slots.locate(locs[i]!);
      const t = slots.slots;
      const nodeData = slots.nodeData;
      let outer = true;
      for (; s >= 0; s = t[4 * s + 3]!, outer = false) {
        const n = t[4 * s]!;
        if (n < 0) {
          residual = true;
          continue;
        }
        const nd = 5 * n;
        if (nodeData[nd] !== si) {
          nodeData[nd] = si;
          nodeData[nd + 3] += w;
          nodeData[nd + 4] += dw;
          if (tags.enabled) tags.addIndexed(n, slots.nodes[n]!, dw, w, false);
        }
        if (parent >= 0 && n !== parent) {
          const e = edges.fromSlot(s, parent, n);
          edges.add(e, si, dw, w, residual, !outer);
        }
        parent = n;
        residual = false;
      }
    }
    if (parent >= 0 && !residual) {
      slots.nodeData[5 * parent + 1] += w;
      slots.nodeData[5 * parent + 2] += dw;
      if (tags.enabled) tags.addIndexed(parent, slots.nodes[parent]!, dw, w, true);
    }
  }
  slots.writeNodes();
  if (tags.enabled) tags.writeLabelTags(slots.nodes);
  edges.writeEdges();
  return selectNodesForGraph([...nm.byKey.values()], !!o.dropNegative);
}

/** buildNodeGraph's loop without tags, over typed arrays only. */
function addColumns(slots: FrameSlots, edges: EdgeTable, stacks: StackColumns, weights: SampleWeights): void {
  const { start, ids } = stacks;
  const { w: ws, dw: dws } = weights;
  const idLimit = slots.idLimit;
  for (let si = 0; si < stacks.count; si++) {
    const w = ws[si]!;
    const dw = dws[si]!;
    if (dw === 0 && w === 0) continue;
    let parent = -1;
    let residual = false;
    for (let k = start[si + 1]! - 1, first = start[si]!; k >= first; k--) {
      const id = ids[k]!;
      let t = slots.slots;
      let s: number;
      if (id > 0 && id < idLimit && t[4 * id] !== unmade) s = id;
      else {
        s = slots.locate(stacks.locationAt(k));
        t = slots.slots;
      }
      const nodeData = slots.nodeData;
      let outer = true;
      for (; s >= 0; s = t[4 * s + 3]!, outer = false) {
        const n = t[4 * s]!;
        if (n < 0) {
          residual = true;
          continue;
        }
        const nd = 5 * n;
        if (nodeData[nd] !== si) {
          nodeData[nd] = si;
          nodeData[nd + 3] += w;
          nodeData[nd + 4] += dw;
        }
        if (parent >= 0 && n !== parent) {
          const e = edges.fromSlot(s, parent, n);
          edges.add(e, si, dw, w, residual, !outer);
        }
        parent = n;
        residual = false;
      }
    }
    if (parent >= 0 && !residual) {
      slots.nodeData[5 * parent + 1] += w;
      slots.nodeData[5 * parent + 2] += dw;
    }
  }
}

/**
 * addColumns' sums from a StackTrie: nodes and edges are made walking the
 * trie nodes in the order they were made (the order the samples first meet
 * them), then a depth-first walk adds each trie node's weights once per
 * distinct node and edge on its path (as each sample adds once per stack).
 */
function addTrie(slots: FrameSlots, edges: EdgeTable, trie: StackTrie, stacks: StackColumns): void {
  const { count, parent: up, id, frame, firstChild, nextSibling, selfW, selfDW, subW, subDW } = trie;
  // The last kept node on the path to each trie node, and whether frames not kept follow it.
  const exitNode = new Int32Array(count);
  const exitResidual = new Uint8Array(count);
  exitNode[0] = -1;
  for (let T = 1; T < count; T++) {
    let parent = exitNode[up[T]!]!;
    let residual = exitResidual[up[T]!] === 1;
    const l = id[T]!;
    if (slots.slots[4 * l] === unmade) slots.locate(stacks.locationAt(frame[T]!));
    const t = slots.slots;
    for (let s = l; s >= 0; s = t[4 * s + 3]!) {
      const n = t[4 * s]!;
      if (n < 0) {
        residual = true;
        continue;
      }
      if (parent >= 0 && n !== parent) edges.fromSlot(s, parent, n);
      parent = n;
      residual = false;
    }
    exitNode[T] = parent;
    exitResidual[T] = residual ? 1 : 0;
  }
  const t = slots.slots;
  const nodeData = slots.nodeData;
  const onPath = new Uint8Array(slots.nodes.length);
  const edgeOnPath = new Uint8Array(edges.size);
  /** Nodes (n) and edges (~e) marked on the current path, to unmark on the way back. */
  const undo: number[] = [];
  const marks = new Int32Array(count);
  let T = firstChild[0]!;
  while (T > 0) {
    marks[T] = undo.length;
    let parent = exitNode[up[T]!]!;
    let residual = exitResidual[up[T]!] === 1;
    const w = subW[T]!, dw = subDW[T]!;
    let outer = true;
    for (let s = id[T]!; s >= 0; s = t[4 * s + 3]!, outer = false) {
      const n = t[4 * s]!;
      if (n < 0) {
        residual = true;
        continue;
      }
      if (onPath[n] === 0) {
        onPath[n] = 1;
        undo.push(n);
        nodeData[5 * n + 3] += w;
        nodeData[5 * n + 4] += dw;
      }
      if (parent >= 0 && n !== parent) {
        const e = edges.fromSlot(s, parent, n);
        if (edgeOnPath[e] === 0) {
          edgeOnPath[e] = 1;
          undo.push(~e);
          edges.addAll(e, dw, w, residual, !outer);
        }
      }
      parent = n;
      residual = false;
    }
    if (parent >= 0 && !residual) {
      nodeData[5 * parent + 1] += selfW[T]!;
      nodeData[5 * parent + 2] += selfDW[T]!;
    }
    if (firstChild[T]! >= 0) {
      T = firstChild[T]!;
      continue;
    }
    for (;;) {
      for (let u = undo.length - 1; u >= marks[T]!; u--) {
        const x = undo[u]!;
        if (x >= 0) onPath[x] = 0;
        else edgeOnPath[~x] = 0;
      }
      undo.length = marks[T]!;
      if (nextSibling[T]! >= 0) {
        T = nextSibling[T]!;
        break;
      }
      T = up[T]!;
      if (T <= 0) {
        T = -1;
        break;
      }
    }
  }
}

/** Marks a location slot whose frames have not been made yet. */
const unmade = -2;

/**
 * Slots: one per frame of each location, 4 ints each: [node index (-1: not
 * kept), caller node last seen there, edge from it (a memo: stacks repeat),
 * next inner frame's slot (-1: none)]. A location's outermost frame is at
 * slot `id` (google/pprof finds locations by id too); inline frames and
 * locations with ids out of range get slots after those. Node weights live
 * in nodeData, 5 numbers per node: [last sample seen, flat, flatDiv, cum, cumDiv].
 */
class FrameSlots {
  slots: Int32Array;
  private slotLen: number;
  readonly idLimit: number;
  private readonly byLoc = new Map<Location, number>();
  readonly nodes: GraphNode[] = [];
  private readonly nodeIndex = new Map<GraphNode, number>();
  nodeData: Float64Array;

  constructor(profile: ProfileData, private readonly makeNodes: (l: Location) => (GraphNode | null)[]) {
    let maxId = 0;
    let frames = 16;
    for (const l of profile.location) {
      if (l.id > maxId) maxId = l.id;
      frames += Math.max(1, l.line.length);
    }
    this.idLimit = Math.min(maxId, 4 * profile.location.length + 1024) + 1;
    this.slotLen = this.idLimit;
    this.slots = new Int32Array(4 * (this.idLimit + frames));
    for (let i = 0; i < this.idLimit; i++) this.slots[4 * i] = unmade;
    this.nodeData = new Float64Array(5 * 64);
  }

  /** The slot of the location's outermost frame, its slots made on first use. */
  locate(l: Location): number {
    const id = l.id;
    if (id > 0 && id < this.idLimit) {
      if (this.slots[4 * id] === unmade) this.makeSlots(l, id);
      return id;
    }
    let s = this.byLoc.get(l);
    if (s === undefined) {
      s = this.newSlot();
      this.makeSlots(l, s);
      this.byLoc.set(l, s);
    }
    return s;
  }

  private newSlot(): number {
    if (4 * (this.slotLen + 1) > this.slots.length) this.slots = grow(this.slots, 8 * (this.slotLen + 1));
    return this.slotLen++;
  }

  private makeSlots(l: Location, outerSlot: number): void {
    const nodes = this.makeNodes(l);
    let s = outerSlot;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i]!;
      const next = i > 0 ? this.newSlot() : -1;
      const t = this.slots;
      t[4 * s] = n === null ? -1 : this.indexOf(n);
      t[4 * s + 1] = -1;
      t[4 * s + 2] = -1;
      t[4 * s + 3] = next;
      s = next;
    }
  }

  private indexOf(n: GraphNode): number {
    let i = this.nodeIndex.get(n);
    if (i === undefined) {
      i = this.nodes.length;
      this.nodes.push(n);
      this.nodeIndex.set(n, i);
      if (5 * (i + 1) > this.nodeData.length) this.nodeData = grow(this.nodeData, 10 * (i + 1));
      this.nodeData[5 * i] = -1;
    }
    return i;
  }

  /** Adds the accumulated weights to the nodes. */
  writeNodes(): void {
    const d = this.nodeData;
    for (let i = 0; i < this.nodes.length; i++) {
      const n = this.nodes[i]!;
      n.flat += d[5 * i + 1]!;
      n.flatDiv += d[5 * i + 2]!;
      n.cum += d[5 * i + 3]!;
      n.cumDiv += d[5 * i + 4]!;
    }
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * Edge weights by edge index, 4 numbers per edge: [last sample seen,
 * weight, weightDiv, flags (1: residual, 2: some non-inline call)]. Edges
 * are found by (caller, callee) node indices in an open-addressing hash
 * table; the Edge objects are made once per node pair.
 */
class EdgeTable {
  private readonly list: Edge[] = [];
  private data = new Float64Array(4 * 256);
  /** Hash table: per bucket, src, dest and edge index (-1: empty). */
  private buckets = new Int32Array(3 * 1024).fill(-1);
  private mask = 1023;

  constructor(private readonly slots: FrameSlots) {}

  /**
   * The edge parent → n of the frame in slot s. A frame is mostly reached
   * from the same caller, so the slot caches its last caller node and edge.
   */
  fromSlot(s: number, parent: number, n: number): number {
    const t = this.slots.slots;
    let e = t[4 * s + 2]!;
    if (t[4 * s + 1] !== parent || e < 0) {
      e = this.between(parent, n);
      t[4 * s + 1] = parent;
      t[4 * s + 2] = e;
    }
    return e;
  }

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
    if (4 * (i + 1) > this.data.length) this.data = grow(this.data, 8 * (i + 1));
    this.data[4 * i] = -1;
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

  get size(): number {
    return this.list.length;
  }

  /** Adds the weight of many samples at once (each adding once), with their flags. */
  addAll(e: number, dw: number, w: number, residual: boolean, inline: boolean): void {
    const d = this.data;
    const at = 4 * e;
    d[at + 1] += w;
    d[at + 2] += dw;
    if (residual || !inline) d[at + 3] = d[at + 3]! | (residual ? 1 : 0) | (inline ? 0 : 2);
  }

  add(e: number, sample: number, dw: number, w: number, residual: boolean, inline: boolean): void {
    const d = this.data;
    const at = 4 * e;
    if (d[at] === sample) return;
    d[at] = sample;
    d[at + 1] += w;
    d[at + 2] += dw;
    if (residual || !inline) d[at + 3] = d[at + 3]! | (residual ? 1 : 0) | (inline ? 0 : 2);
  }

  writeEdges(): void {
    const d = this.data;
    for (let i = 0; i < this.list.length; i++) {
      const flags = d[4 * i + 3]!;
      addToEdge(this.list[i]!, d[4 * i + 2]!, d[4 * i + 1]!, (flags & 1) !== 0, (flags & 2) === 0);
    }
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
    if (tags.enabled) tags.beginSample(sample);
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
        if (tags.enabled) tags.add(n, dw, w, false);
        if (parent !== null) addToEdge(edgeBetween(parent, n), dw, w, false, li !== frames.length - 1);
        parent = n;
      }
    }
    if (parent !== null) {
      parent.flat += w;
      parent.flatDiv += dw;
      if (tags.enabled) tags.add(parent, dw, w, true);
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

/**
 * Label and numeric tags of nodes (DOT nodelets). What a sample contributes
 * is worked out once per sample (beginSample); string label sets are then
 * summed per (node index, label set) in a typed hash table and turned into
 * Tag objects at the end (writeLabelTags).
 */
class TagCollector {
  readonly enabled: boolean;
  private readonly format: (v: number, unit: string) => string;
  /** The current sample's label set ("" for none), its id, and its numeric tags. */
  private labels = "";
  private labelId = -1;
  private numeric: { name: string; unit: string; value: number }[] = [];
  private readonly labelIds = new Map<string, number>();
  private readonly labelNames: string[] = [];
  private table = new Int32Array(3 * 1024).fill(-1);
  private mask = 1023;
  private count = 0;
  private data = new Float64Array(4 * 256);

  constructor(private readonly o: GraphOptions) {
    this.enabled = o.collectTags !== false;
    this.format = o.formatTag ?? ((v) => String(v));
  }

  beginSample(s: Sample): void {
    this.labels = joinLabels(s, this.o.ignoredLabelKeys);
    if (this.labels === "") this.labelId = -1;
    else {
      let id = this.labelIds.get(this.labels);
      if (id === undefined) {
        id = this.labelNames.length;
        this.labelIds.set(this.labels, id);
        this.labelNames.push(this.labels);
      }
      this.labelId = id;
    }
    this.numeric = [];
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
        this.numeric.push({ name: this.format(v, unit), unit, value: v });
      }
    }
  }

  /** Adds the current sample to node `n` (index `ni` in the label table). */
  addIndexed(ni: number, n: GraphNode, dw: number, w: number, flat: boolean): void {
    if (this.labelId >= 0) {
      const at = 4 * this.slot(ni, this.labelId) + (flat ? 0 : 2);
      this.data[at] += w;
      this.data[at + 1] += dw;
    }
    if (this.numeric.length > 0) this.addNumeric(n, dw, w, flat);
  }

  /** Adds the current sample to node `n` directly (call trees). */
  add(n: GraphNode, dw: number, w: number, flat: boolean): void {
    if (this.labels !== "") bump(findOrAddTag(n.labelTags, this.labels, "", 0), dw, w, flat);
    if (this.numeric.length > 0) this.addNumeric(n, dw, w, flat);
  }

  private addNumeric(n: GraphNode, dw: number, w: number, flat: boolean): void {
    let m = n.numericTags.get(this.labels);
    if (!m) n.numericTags.set(this.labels, (m = new Map()));
    for (const t of this.numeric) bump(findOrAddTag(m, t.name, t.unit, t.value), dw, w, flat);
  }

  /** The data index of (node, label set), added if new. */
  private slot(node: number, label: number): number {
    const t = this.table;
    let b = hashPair(node, label) & this.mask;
    for (;;) {
      const i = t[3 * b + 2]!;
      if (i < 0) break;
      if (t[3 * b] === node && t[3 * b + 1] === label) return i;
      b = (b + 1) & this.mask;
    }
    const i = this.count++;
    t[3 * b] = node;
    t[3 * b + 1] = label;
    t[3 * b + 2] = i;
    if (4 * this.count > this.data.length) this.data = grow(this.data, 8 * this.count);
    if (2 * this.count > this.mask) {
      const old = t;
      this.mask = 2 * this.mask + 1;
      this.table = new Int32Array(3 * (this.mask + 1)).fill(-1);
      for (let ob = 0; ob < old.length; ob += 3) {
        if (old[ob + 2]! < 0) continue;
        let nb = hashPair(old[ob]!, old[ob + 1]!) & this.mask;
        while (this.table[3 * nb + 2]! >= 0) nb = (nb + 1) & this.mask;
        this.table.set(old.subarray(ob, ob + 3), 3 * nb);
      }
    }
    return i;
  }

  /** Turns the summed label tags into Tag objects on the nodes. */
  writeLabelTags(nodes: readonly GraphNode[]): void {
    const t = this.table;
    for (let b = 0; b < t.length; b += 3) {
      const i = t[b + 2]!;
      if (i < 0) continue;
      const tag = findOrAddTag(nodes[t[b]!]!.labelTags, this.labelNames[t[b + 1]!]!, "", 0);
      tag.flat += this.data[4 * i]!;
      tag.flatDiv += this.data[4 * i + 1]!;
      tag.cum += this.data[4 * i + 2]!;
      tag.cumDiv += this.data[4 * i + 3]!;
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
