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
  return o.callTree ? buildTree(profile, o) : buildNodeGraph(profile, o).graph;
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

function buildNodeGraph(profile: ProfileData, o: GraphOptions): { graph: Graph; locationNodes: LocationNodes } {
  const { nodeMap, locationNodes } = createNodes(profile, o);
  const tags = new TagCollector(o);
  const samples = profile.sample;
  for (let si = 0; si < samples.length; si++) {
    const sample = samples[si]!;
    const w = o.sampleValue(sample.value);
    const dw = o.sampleMeanDivisor ? o.sampleMeanDivisor(sample.value) : 0;
    if (dw === 0 && w === 0) continue;
    let parent: GraphNode | null = null;
    let residual = false;
    const labels = tags.enabled ? joinLabels(sample, o.ignoredLabelKeys) : "";
    const locs = sample.location;
    for (let i = locs.length - 1; i >= 0; i--) {
      const frame = locationNodes.get(locs[i]!);
      const locNodes = frame.nodes;
      for (let ni = locNodes.length - 1; ni >= 0; ni--) {
        const n = locNodes[ni]!;
        if (n === null) {
          residual = true;
          continue;
        }
        if (n.seen !== si) {
          n.seen = si;
          n.cum += w;
          n.cumDiv += dw;
          if (tags.enabled) tags.add(n, sample, labels, dw, w, false);
        }
        if (parent !== null && n !== parent) {
          let e = frame.edges[ni]!;
          if (frame.callers[ni] !== parent || e === null) {
            e = edgeBetween(parent, n);
            frame.callers[ni] = parent;
            frame.edges[ni] = e;
          }
          if (e.seen !== si) {
            e.seen = si;
            addToEdge(e, dw, w, residual, ni !== locNodes.length - 1);
          }
        }
        parent = n;
        residual = false;
      }
    }
    if (parent !== null && !residual) {
      parent.flat += w;
      parent.flatDiv += dw;
      if (tags.enabled) tags.add(parent, sample, labels, dw, w, true);
    }
  }
  return { graph: selectNodesForGraph([...nodeMap.byKey.values()], !!o.dropNegative), locationNodes };
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
