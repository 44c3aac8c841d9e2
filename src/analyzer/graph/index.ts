// The analyzer's call graph, independent of any output format.
//
//   buildGraph(profile, options)  nodes with flat/cum weights and caller→callee
//                                 edges, at a granularity (options.aggregation,
//                                 see aggregationFor(granularity, noInlines)).
//   sortNodes / sortEdges         google/pprof's orders (flat, cum, entropy for DOT…).
//   trim*                         cutoffs applied by reports (nodefraction, nodecount…).
//   composeDot(graph, config)     the DOT text of `go tool pprof -dot`.
//
// Most callers want the report layer's trimmedGraph(), which applies the
// -nodecount/-nodefraction/-edgefraction rules of `go tool pprof` exactly.

export { GraphNode, nameComponents, nodeKey, baseName, edgeWeightValue, tagFlatValue, tagCumValue } from "./types.js";
export type { Graph, Edge, NodeInfo, Tag } from "./types.js";
export { buildGraph, createNodes, joinLabels } from "./build.js";
export type { GraphOptions } from "./build.js";
export { aggregationFor, keepAll, nodeInfo, cleanPath } from "./nodeinfo.js";
export type { Aggregation } from "./nodeinfo.js";
export { sortNodes, sortEdges, sortTags, sumNodes } from "./sort.js";
export type { NodeOrder } from "./sort.js";
export {
  maxNodelets, nodesAboveCutoff, nodePtrsAboveCutoff, keySet, selectTopNodes,
  trimLowFrequencyEdges, trimLowFrequencyTags, trimTree, removeRedundantEdges,
} from "./trim.js";
export { shortenFunctionName } from "./shorten.js";
export { composeDot, dotColor } from "./dot.js";
export type { DotConfig, DotAttributes, DotNodeAttributes } from "./dot.js";
