// `callgrind`: the graph in the callgrind format KCachegrind reads.

import { sortEdges } from "../graph/sort.js";
import type { Graph, GraphNode, NodeInfo } from "../graph/types.js";
import { scale } from "../measurement.js";
import type { Report } from "./report.js";

export function printCallgrind(rpt: Report): string {
  const o = rpt.options;
  o.nodeFraction = 0;
  o.edgeFraction = 0;
  o.nodeCount = 0;
  const { graph: g } = rpt.trimmedGraph();
  rpt.selectOutputUnit(g);
  const nodeNames = disambiguatedNames(g);
  const out: string[] = ["positions: instr line\n", `events: ${o.sampleType}(${o.outputUnit})\n`];
  const objfiles = new Map<string, number>();
  const files = new Map<string, number>();
  const names = new Map<string, number>();
  let prev: NodeInfo | undefined;
  for (const n of g.nodes) {
    if (!prev || n.info.objfile !== prev.objfile || n.info.file !== prev.file || n.info.name !== prev.name) {
      out.push("\n", `ob=${callgrindName(objfiles, n.info.objfile)}\n`, `fl=${callgrindName(files, n.info.file)}\n`, `fn=${callgrindName(names, n.info.name)}\n`);
    }
    const addr = callgrindAddress(prev, n.info.address);
    const [sv] = scale(n.flatValue(), o.sampleUnit, o.outputUnit);
    out.push(`${addr} ${n.info.lineno} ${Math.trunc(sv)}\n`);
    for (const e of sortEdges(n.out.values())) {
      const [c] = scale(e.weight, o.sampleUnit, o.outputUnit);
      const callee = e.dest;
      out.push(`cfl=${callgrindName(files, callee.info.file)}\n`, `cfn=${callgrindName(names, nodeNames.get(callee) ?? "")}\n`);
      out.push(`calls=0 ${callgrindAddress(prev, callee.info.address)} ${callee.info.lineno}\n`, `* * ${Math.trunc(c)}\n`);
    }
    prev = n.info;
  }
  return out.join("");
}

/** Function names, with " [i/n]" added where one file has several functions of that name. */
function disambiguatedNames(g: Graph): Map<GraphNode, string> {
  const index = new Map<string, Map<GraphNode, number>>();
  for (const n of g.nodes) {
    const key = `${n.info.file}\u0000${n.info.name}`;
    let p = index.get(key);
    if (!p) index.set(key, (p = new Map()));
    if (!p.has(n.function)) p.set(n.function, p.size);
  }
  const names = new Map<GraphNode, string>();
  for (const n of g.nodes) {
    const p = index.get(`${n.info.file}\u0000${n.info.name}`)!;
    names.set(n, p.size > 1 ? `${n.info.name} [${p.get(n.function)! + 1}/${p.size}]` : n.info.name);
  }
  return names;
}

function callgrindName(names: Map<string, number>, name: string): string {
  if (name === "") return "";
  const id = names.get(name);
  if (id !== undefined) return `(${id})`;
  const nid = names.size + 1;
  names.set(name, nid);
  return `(${nid}) ${name}`;
}

function callgrindAddress(prev: NodeInfo | undefined, curr: bigint): string {
  const abs = "0x" + curr.toString(16);
  if (!prev) return abs;
  if (prev.address === curr) return "*";
  const diff = BigInt.asIntN(64, curr - prev.address);
  const relative = (diff >= 0n ? "+" : "") + diff.toString();
  return relative.length < abs.length ? relative : abs;
}
