// A report in the making: the profile, its total, the effective options and
// the value formatter; and the graph every graph-based report starts from,
// trimmed by -nodefraction/-nodecount/-edgefraction as google/pprof trims it.

import type { ProfileData } from "../../profile/model.js";
import { buildGraph, sampleColumns, sampleWeights, type FrameCache, type SampleWeights, type StackColumns } from "../graph/build.js";
import { aggregationFor } from "../graph/nodeinfo.js";
import { sortNodes } from "../graph/sort.js";
import {
  keySet, nodePtrsAboveCutoff, nodesAboveCutoff, removeRedundantEdges, selectTopNodes,
  trimLowFrequencyEdges, trimLowFrequencyTags, trimTree,
} from "../graph/trim.js";
import type { Graph } from "../graph/types.js";
import { scale, scaledLabel } from "../measurement.js";
import { computeTotal } from "../totals.js";
import { reportOptions, type ReportContext, type ReportKind, type ReportOptions } from "./options.js";
import { trimSourcePath } from "./source.js";
import type { Config } from "../config.js";

export class Report {
  readonly options: ReportOptions;
  readonly total: number;
  /** Node infos per location, shared by the (up to three) graph builds of one report. */
  private readonly frameCache: FrameCache = new Map();
  /** The samples' stacks and weights in typed arrays, shared by those builds too (made on first use). */
  private columns: { stacks: StackColumns; weights: SampleWeights } | undefined;

  constructor(readonly kind: ReportKind, readonly profile: ProfileData, config: Config, readonly ctx: ReportContext) {
    this.options = reportOptions(kind, profile, config, ctx);
    this.total = ctx.total ?? computeTotal(profile, ctx.sampleIndex, config.mean);
  }

  /** A sample value in the output unit, as printed ("1.50s", "512kB", "42"). */
  formatValue(v: number): string {
    const r = this.options.ratio;
    if (r > 0 && r !== 1) v = Math.trunc(v * r);
    return scaledLabel(v, this.options.sampleUnit, this.options.outputUnit);
  }

  /** The untrimmed graph of the profile at the report's granularity (keptNodes: rebuild with only these). */
  newGraph(keptNodes?: ReadonlySet<string>): Graph {
    const o = this.options;
    const bytesUnit = o.numLabelUnits["bytes"];
    const collectTags = o.kind === "dot";
    const callTree = this.callTree();
    // Tags and call trees need the Sample objects; anything else reads columns.
    if (!collectTags && !callTree && !this.columns) {
      this.columns = { stacks: sampleColumns(this.profile), weights: sampleWeights(this.profile, o.sampleValue, o.sampleMeanDivisor) };
    }
    return buildGraph(this.profile, {
      sampleValue: o.sampleValue,
      sampleMeanDivisor: o.sampleMeanDivisor,
      formatTag: (v, key) => scaledLabel(v, key, o.outputUnit),
      aggregation: aggregationFor(o.granularity, o.noInlines, o.showColumns),
      objNames: o.kind === "raw" || o.kind === "list" || o.kind === "callgrind",
      mapFile: (f) => trimSourcePath(f, o.trimPath, o.sourcePath),
      callTree,
      dropNegative: o.dropNegative,
      keptNodes,
      // google/pprof (as in Go 1.19) keeps only the "bytes" numeric label for graph tags.
      numericTagUnits: bytesUnit !== undefined ? { bytes: bytesUnit } : {},
      collectTags,
      ignoredLabelKeys: ["pprof::base"],
      frameCache: this.frameCache,
      columns: collectTags || callTree ? undefined : this.columns,
    });
  }

  private callTree(): boolean {
    return this.options.callTree && (this.options.kind === "dot" || this.options.kind === "callgrind");
  }

  /**
   * The graph a report shows: nodes under nodefraction×total dropped (the
   * graph rebuilt without them, so their callers' edges become residual),
   * sorted (flat, cum or — for DOT — entropy order), cut to nodecount,
   * edges under edgefraction×total dropped.
   */
  trimmedGraph(): TrimmedGraph {
    const o = this.options;
    const visualMode = o.kind === "dot";
    const callTree = this.callTree();
    let g = this.newGraph();
    let totalValue = 0;
    for (const n of g.nodes) totalValue += n.flat;
    const nodeCutoff = Math.abs(Math.trunc(totalValue * o.nodeFraction));
    const edgeCutoff = Math.abs(Math.trunc(totalValue * o.edgeFraction));
    let droppedNodes = 0;
    if (nodeCutoff > 0) {
      if (callTree) {
        const kept = nodePtrsAboveCutoff(g, nodeCutoff);
        if (kept.size !== g.nodes.length) {
          droppedNodes = g.nodes.length - kept.size;
          trimTree(g, kept);
        }
      } else {
        const kept = nodesAboveCutoff(g, nodeCutoff);
        if (kept.size !== g.nodes.length) {
          droppedNodes = g.nodes.length - kept.size;
          g = this.newGraph(kept);
        }
      }
    }
    const origCount = g.nodes.length;
    const order = visualMode ? "entropy" : o.cumSort ? "cum" : "flat";
    sortNodes(g.nodes, order);
    if (o.nodeCount > 0) {
      trimLowFrequencyTags(g, nodeCutoff);
      trimLowFrequencyEdges(g, edgeCutoff);
      const top = selectTopNodes(g, o.nodeCount, visualMode);
      if (callTree) {
        if (top.length !== g.nodes.length) {
          trimTree(g, new Set(top));
          sortNodes(g.nodes, order);
        }
      } else if (top.length !== g.nodes.length) {
        g = this.newGraph(keySet(top));
        sortNodes(g.nodes, order);
      }
    }
    trimLowFrequencyTags(g, nodeCutoff);
    const droppedEdges = trimLowFrequencyEdges(g, edgeCutoff);
    if (visualMode) removeRedundantEdges(g);
    return { graph: g, origCount, droppedNodes, droppedEdges };
  }

  /** With -unit=minimum, picks the unit values print in from the smallest and largest values shown. */
  selectOutputUnit(g: Graph): void {
    const o = this.options;
    if (o.outputUnit !== "minimum" || g.nodes.length === 0) return;
    let minValue = 0;
    for (const n of g.nodes) {
      let nodeMin = Math.abs(n.flatValue());
      if (nodeMin === 0) nodeMin = Math.abs(n.cumValue());
      if (nodeMin > 0 && (minValue === 0 || nodeMin < minValue)) minValue = nodeMin;
    }
    let maxValue = this.total;
    if (minValue === 0) minValue = maxValue;
    const r = o.ratio;
    if (r > 0 && r !== 1) {
      minValue = Math.trunc(minValue * r);
      maxValue = Math.trunc(maxValue * r);
    }
    const [, minUnit] = scale(minValue, o.sampleUnit, "minimum");
    const [, maxUnit] = scale(maxValue, o.sampleUnit, "minimum");
    let unit = minUnit;
    if (minUnit !== maxUnit && minValue * 100 < maxValue && o.kind !== "callgrind") {
      [, unit] = scale(100 * minValue, o.sampleUnit, "minimum");
    }
    o.outputUnit = unit !== "" ? unit : o.sampleUnit;
  }
}

export interface TrimmedGraph {
  graph: Graph;
  /** Nodes before nodecount trimming. */
  origCount: number;
  droppedNodes: number;
  droppedEdges: number;
}
