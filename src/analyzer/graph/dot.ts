// The DOT text of a graph, as `go tool pprof -dot` writes it: a legend box,
// one box per node sized by flat weight and coloured by cum share, tag
// "nodelets", and edges with weight, width and colour from their share.
// Names longer than MAX_GRAPH_NAME are elided (a hostile profile's megabyte
// names would take Graphviz minutes); shorter ones are as Go writes them.

import { label as measurementLabel, percentage, scale } from "../measurement.js";
import { elideName, shortenFunctionName } from "./shorten.js";
import { sortEdges, sortTags } from "./sort.js";
import { maxNodelets } from "./trim.js";
import { baseName, edgeWeightValue, GraphNode, nameComponents, tagCumValue, tagFlatValue, type Edge, type Graph, type NodeInfo, type Tag } from "./types.js";

export interface DotNodeAttributes {
  shape?: string;
  bold?: boolean;
  peripheries?: number;
  url?: string;
  formatter?: (info: NodeInfo) => string;
}

export interface DotAttributes {
  nodes?: Map<GraphNode, DotNodeAttributes>;
}

export interface DotConfig {
  title: string;
  legendUrl?: string;
  /** Legend lines (report header). */
  labels: string[];
  formatValue: (v: number) => string;
  /** Total used for percentages and colours. */
  total: number;
}

export function composeDot(g: Graph, a: DotAttributes, c: DotConfig): string {
  const out: string[] = [];
  out.push(`digraph "${c.title !== "" ? c.title : "unnamed"}" {\n`);
  out.push(`node [style=filled fillcolor="#f8f8f8"]\n`);
  addLegend(out, c);
  if (g.nodes.length > 0) {
    const ids = new Map<GraphNode, number>();
    const hasNodelets = new Map<GraphNode, boolean>();
    let maxFlat = Math.abs(g.nodes[0]!.flatValue());
    g.nodes.forEach((n, i) => {
      ids.set(n, i + 1);
      maxFlat = Math.max(maxFlat, Math.abs(n.flatValue()));
    });
    const edges: Edge[] = [];
    for (const n of g.nodes) {
      out.push(nodeLine(n, ids.get(n)!, maxFlat, a, c));
      const nodelets = nodeletLines(n, ids.get(n)!, c);
      out.push(nodelets);
      hasNodelets.set(n, nodelets !== "");
      for (const e of n.out.values()) edges.push(e);
    }
    for (const e of sortEdges(edges)) out.push(edgeLine(e, ids.get(e.src) ?? 0, ids.get(e.dest) ?? 0, hasNodelets.get(e.src) ?? false, c));
  }
  out.push("}\n");
  return out.join("");
}

function addLegend(out: string[], c: DotConfig): void {
  if (c.labels.length === 0) return;
  const labels = c.labels.map((l) => escapeForDot(elideName(l)));
  let s = `subgraph cluster_L { "${labels[0]!}" [shape=box fontsize=16`;
  s += ` label="${labels.join("\\l")}\\l"`;
  if (c.legendUrl) s += ` URL="${c.legendUrl}" target="_blank"`;
  if (c.title !== "") s += ` tooltip="${c.title}"`;
  out.push(s + "] }\n");
}

function nodeLine(node: GraphNode, id: number, maxFlat: number, a: DotAttributes, c: DotConfig): string {
  const flat = node.flatValue();
  const cum = node.cumValue();
  const attrs = a.nodes?.get(node);
  let label = attrs?.formatter ? attrs.formatter(node.info) : multilinePrintableName(node.info);
  const flatValue = c.formatValue(flat);
  label += flat !== 0 ? `${flatValue} (${percentage(flat, c.total).trim()})` : "0";
  let cumValue = flatValue;
  if (cum !== flat) {
    label += flat !== 0 ? "\\n" : " ";
    cumValue = c.formatValue(cum);
    label += `of ${cumValue} (${percentage(cum, c.total).trim()})`;
  }
  let fontSize = 8;
  if (maxFlat !== 0 && flat !== 0 && Math.abs(flat) <= maxFlat) fontSize += Math.ceil(16 * Math.sqrt(Math.abs(flat) / maxFlat));
  const shape = attrs?.shape ? attrs.shape : "box";
  const share = node.cumValue() / Math.abs(c.total);
  let attr = `label="${label}" id="node${id}" fontsize=${fontSize} shape=${shape} tooltip="${escapeForDot(elideName(node.printableName()))} (${cumValue})" color="${dotColor(share, false)}" fillcolor="${dotColor(share, true)}"`;
  if (attrs) {
    if (attrs.bold) attr += ` style="bold,filled"`;
    if (attrs.peripheries) attr += ` peripheries=${attrs.peripheries}`;
    if (attrs.url) attr += ` URL="${attrs.url}" target="_blank"`;
  }
  return `N${id} [${attr}]\n`;
}

function nodeletLines(node: GraphNode, id: number, c: DotConfig): string {
  let nodelets = "";
  const ts = [...node.labelTags.values()];
  const lnts = new Map<string, Tag[]>();
  for (const [l, m] of node.numericTags) for (const t of m.values()) {
    let list = lnts.get(l);
    if (!list) lnts.set(l, (list = []));
    list.push(t);
  }
  const flatTags = node.out.size > 0;
  sortTags(ts, flatTags);
  ts.slice(0, maxNodelets).forEach((t, i) => {
    const w = flatTags ? tagFlatValue(t) : tagCumValue(t);
    if (w === 0) return;
    const weight = c.formatValue(w);
    nodelets += `N${id}_${i} [label = "${elideName(t.name)}" id="N${id}_${i}" fontsize=8 shape=box3d tooltip="${weight}"]\n`;
    nodelets += `N${id} -> N${id}_${i} [label=" ${weight}" weight=100 tooltip="${weight}" labeltooltip="${weight}"]\n`;
    const nts = lnts.get(t.name);
    if (nts) nodelets += numericNodelets(nts, maxNodelets, flatTags, `N${id}_${i}`, c);
  });
  const plain = lnts.get("");
  if (plain) nodelets += numericNodelets(plain, maxNodelets, flatTags, `N${id}`, c);
  return nodelets;
}

function numericNodelets(nts: Tag[], max: number, flatTags: boolean, source: string, c: DotConfig): string {
  let nodelets = "";
  collapsedTags(nts, max, flatTags).forEach((t, j) => {
    let w = tagCumValue(t);
    let attr = ` style="dotted"`;
    if (flatTags || tagFlatValue(t) === tagCumValue(t)) {
      w = tagFlatValue(t);
      attr = "";
    }
    if (w === 0) return;
    const weight = c.formatValue(w);
    nodelets += `N${source}_${j} [label = "${t.name}" id="N${source}_${j}" fontsize=8 shape=box3d tooltip="${weight}"]\n`;
    nodelets += `${source} -> N${source}_${j} [label=" ${weight}" weight=100 tooltip="${weight}" labeltooltip="${weight}"${attr}]\n`;
  });
  return nodelets;
}

function edgeLine(edge: Edge, from: number, to: number, hasNodelets: boolean, c: DotConfig): string {
  const inline = edge.inline ? "\\n (inline)" : "";
  const wv = edgeWeightValue(edge);
  const w = c.formatValue(wv);
  let attr = `label=" ${w}${inline}"`;
  if (c.total !== 0) {
    const weight = 1 + Math.min(Math.abs(Math.trunc((wv * 100) / c.total)), 100);
    if (weight > 1) attr += ` weight=${weight}`;
    const width = 1 + Math.min(Math.abs(Math.trunc((wv * 5) / c.total)), 5);
    if (width > 1) attr += ` penwidth=${width}`;
    attr += ` color="${dotColor(wv / Math.abs(c.total), false)}"`;
  }
  const arrow = edge.residual ? "..." : "->";
  const tooltip = `"${escapeForDot(elideName(edge.src.printableName()))} ${arrow} ${escapeForDot(elideName(edge.dest.printableName()))} (${w})"`;
  attr += ` tooltip=${tooltip} labeltooltip=${tooltip}`;
  if (edge.residual) attr += ` style="dotted"`;
  if (hasNodelets) attr += " minlen=2";
  return `N${from} -> N${to} [${attr}]\n`;
}

/** A colour from grey (0) to red (1) or green (-1); lighter for backgrounds. */
export function dotColor(score: number, isBackground: boolean): string {
  const shift = 0.7;
  let saturation = isBackground ? 0.1 : 1.0;
  const value = isBackground ? 0.93 : 0.7;
  score = Math.max(-1, Math.min(1, score));
  if (Math.abs(score) < 0.2) saturation *= Math.abs(score) / 0.2;
  if (score > 0) score = Math.pow(score, 1 - shift);
  if (score < 0) score = -Math.pow(-score, 1 - shift);
  let r: number;
  let g: number;
  if (score < 0) {
    g = value;
    r = value * (1 + saturation * score);
  } else {
    r = value;
    g = value * (1 - saturation * score);
  }
  const b = value * (1 - saturation);
  const hex = (x: number) => (Math.trunc(x * 255) & 0xff).toString(16).padStart(2, "0");
  return `#${hex(r)}${hex(g)}${hex(b)}`;
}

function multilinePrintableName(info: NodeInfo): string {
  let name = escapeForDot(shortenFunctionName(elideName(info.name)));
  name = name.replaceAll("::", "\\n").replaceAll("[...]", "[…]").replaceAll(".", "\\n");
  const copy: NodeInfo = { ...info, name, file: info.file !== "" ? elideName(baseName(info.file)) : "" };
  return nameComponents(copy).join("\\n") + "\\n";
}

function collapsedTags(ts: Tag[], count: number, flatTags: boolean): Tag[] {
  ts = sortTags([...ts], flatTags);
  if (ts.length <= count) return ts;
  const groups: Tag[][] = ts.slice(0, count).map((t) => [t]);
  for (const t of ts.slice(count)) {
    let g = 0;
    let d = tagDistance(t, groups[0]![0]!);
    for (let i = 1; i < count; i++) {
      const nd = tagDistance(t, groups[i]![0]!);
      if (nd < d) {
        g = i;
        d = nd;
      }
    }
    groups[g]!.push(t);
  }
  return sortTags(groups.map((g) => {
    const [label, flat, cum] = tagGroupLabel(g);
    return { name: label, unit: "", value: 0, flat, flatDiv: 0, cum, cumDiv: 0 };
  }), flatTags);
}

function tagDistance(t: Tag, u: Tag): number {
  const [v] = scale(u.value, u.unit, t.unit);
  return v < t.value ? t.value - v : v - t.value;
}

function tagGroupLabel(g: Tag[]): [string, number, number] {
  if (g.length === 1) {
    const t = g[0]!;
    return [measurementLabel(t.value, t.unit), tagFlatValue(t), tagCumValue(t)];
  }
  let min = g[0]!;
  let max = g[0]!;
  let df = min.flatDiv;
  let f = min.flat;
  let dc = min.cumDiv;
  let c = min.cum;
  for (const t of g.slice(1)) {
    if (Math.trunc(scale(t.value, t.unit, min.unit)[0]) < min.value) min = t;
    if (Math.trunc(scale(t.value, t.unit, max.unit)[0]) > max.value) max = t;
    f += t.flat;
    df += t.flatDiv;
    c += t.cum;
    dc += t.cumDiv;
  }
  if (df !== 0) f = Math.trunc(f / df);
  if (dc !== 0) c = Math.trunc(c / dc);
  return [measurementLabel(min.value, min.unit) + ".." + measurementLabel(max.value, max.unit), f, c];
}

function escapeForDot(s: string): string {
  return s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\l");
}
