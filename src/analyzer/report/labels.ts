// The header lines of reports: File, Build ID, comments, Type, Time,
// Duration; then "Active filters", "Showing nodes accounting for …",
// "Dropped …" and "Showing top N nodes out of M".

import { baseName } from "../graph/types.js";
import type { Graph } from "../graph/types.js";
import { label as measurementLabel, percentage, scale } from "../measurement.js";
import { formatHeaderTime } from "./gotime.js";
import type { Report } from "./report.js";

/** The profile's description lines (the legend of every report). */
export function profileLabels(rpt: Report): string[] {
  const out: string[] = [];
  const prof = rpt.profile;
  const o = rpt.options;
  const m0 = prof.mapping[0];
  if (m0) {
    if (m0.file !== "") out.push("File: " + baseName(m0.file));
    if (m0.buildId !== "") out.push("Build ID: " + m0.buildId);
  }
  for (const c of prof.comments) if (!c.startsWith("#")) out.push(c);
  if (o.sampleType !== "") out.push("Type: " + o.sampleType);
  if (prof.timeNanos !== 0n) out.push("Time: " + formatHeaderTime(prof.timeNanos));
  if (prof.durationNanos !== 0) {
    const duration = measurementLabel(prof.durationNanos, "nanoseconds");
    const [totalNanos, totalUnit] = scale(rpt.total, o.sampleUnit, "nanoseconds");
    let ratio = "";
    if (totalUnit === "ns" && totalNanos !== 0) ratio = "(" + percentage(Math.trunc(totalNanos), prof.durationNanos) + ")";
    out.push(`Duration: ${duration}, Total samples = ${rpt.formatValue(rpt.total)} ${ratio}`);
  }
  return out;
}

/** The full header of graph reports (top, tree, peek, dot). */
export function reportLabels(rpt: Report, g: Graph, origCount: number, droppedNodes: number, droppedEdges: number, fullHeaders: boolean): string[] {
  const o = rpt.options;
  const out: string[] = [];
  if (fullHeaders || !o.compactLabels) out.push(...profileLabels(rpt));
  let flatSum = 0;
  for (const n of g.nodes) flatSum += n.flatValue();
  if (o.activeFilters.length > 0) {
    out.push("Active filters:");
    for (let s of o.activeFilters) {
      if (Buffer.byteLength(s) > 80) s = Buffer.from(s).subarray(0, 80).toString() + "…";
      out.push("   " + s);
    }
  }
  out.push(`Showing nodes accounting for ${rpt.formatValue(flatSum)}, ${percentage(flatSum, rpt.total).trim()} of ${rpt.formatValue(rpt.total)} total`);
  if (rpt.total !== 0) {
    if (droppedNodes > 0) out.push(dropped(droppedNodes, "node", "cum", rpt.formatValue(Math.abs(Math.trunc(rpt.total * o.nodeFraction)))));
    if (droppedEdges > 0) out.push(dropped(droppedEdges, "edge", "freq", rpt.formatValue(Math.abs(Math.trunc(rpt.total * o.edgeFraction)))));
    const nodeCount = g.nodes.length;
    if (nodeCount > 0 && nodeCount < origCount) out.push(`Showing top ${nodeCount} nodes out of ${origCount}`);
  }
  if (fullHeaders) out.push("\nSee https://git.io/JfYMW for how to read the graph");
  return out;
}

function dropped(d: number, n: string, l: string, f: string): string {
  return `Dropped ${d} ${d > 1 ? n + "s" : n} (${l} <= ${f})`;
}
