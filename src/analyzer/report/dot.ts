// `dot`: the trimmed graph with the full header as its legend.

import { composeDot, type DotConfig } from "../graph/dot.js";
import type { Graph } from "../graph/types.js";
import { reportLabels } from "./labels.js";
import type { Report } from "./report.js";

/** The graph and DOT settings of a report (the web UI renders these as SVG). */
export function dotGraph(rpt: Report): { graph: Graph; config: DotConfig } {
  const { graph, origCount, droppedNodes, droppedEdges } = rpt.trimmedGraph();
  rpt.selectOutputUnit(graph);
  const labels = reportLabels(rpt, graph, origCount, droppedNodes, droppedEdges, true);
  return {
    graph,
    config: { title: rpt.options.title, labels, formatValue: (v) => rpt.formatValue(v), total: rpt.total },
  };
}

export function printDot(rpt: Report): string {
  const { graph, config } = dotGraph(rpt);
  return composeDot(graph, {}, config);
}
