// `top`/`text` (one row per node) and `tree`/`peek` (each node with its
// callers above and callees below).

import { sortEdges } from "../graph/sort.js";
import { percentage } from "../measurement.js";
import { reportLabels } from "./labels.js";
import { regexpText, ReportError } from "./options.js";
import type { Report } from "./report.js";

/** One row of the top table, as the web UI shows it too. */
export interface TextItem {
  name: string;
  /** "", "(inline)" or "(partial-inline)". */
  inlineLabel: string;
  flat: number;
  cum: number;
  flatFormat: string;
  cumFormat: string;
}

/** The rows and header lines of `top`. */
export function textItems(rpt: Report): { items: TextItem[]; labels: string[] } {
  const { graph: g, origCount, droppedNodes } = rpt.trimmedGraph();
  rpt.selectOutputUnit(g);
  const labels = reportLabels(rpt, g, origCount, droppedNodes, 0, false);
  const items: TextItem[] = [];
  for (const n of g.nodes) {
    let inline = false;
    let noinline = false;
    for (const e of n.in.values()) {
      if (e.inline) inline = true;
      else noinline = true;
    }
    const flat = n.flatValue();
    const cum = n.cumValue();
    items.push({
      name: n.printableName(),
      inlineLabel: inline ? (noinline ? "(partial-inline)" : "(inline)") : "",
      flat,
      cum,
      flatFormat: rpt.formatValue(flat),
      cumFormat: rpt.formatValue(cum),
    });
  }
  return { items, labels };
}

export function printText(rpt: Report): string {
  const { items, labels } = textItems(rpt);
  const out: string[] = [labels.join("\n") + "\n"];
  out.push(`${"flat".padStart(10)} ${"flat".padStart(5)}% ${"sum".padStart(5)}% ${"cum".padStart(10)} ${"cum".padStart(5)}%\n`);
  let flatSum = 0;
  for (const item of items) {
    flatSum += item.flat;
    const inl = item.inlineLabel !== "" ? " " + item.inlineLabel : "";
    out.push(`${item.flatFormat.padStart(10)} ${percentage(item.flat, rpt.total)} ${percentage(flatSum, rpt.total)} ${item.cumFormat.padStart(10)} ${percentage(item.cum, rpt.total)}  ${item.name}${inl}\n`);
  }
  return out.join("");
}

const treeSeparator = "----------------------------------------------------------+-------------";
const treeLegend = "      flat  flat%   sum%        cum   cum%   calls calls% + context 	 	 ";

/** `tree`, and `peek REGEX` (the same with only nodes whose name matches). */
export function printTree(rpt: Report): string {
  const { graph: g, origCount, droppedNodes } = rpt.trimmedGraph();
  rpt.selectOutputUnit(g);
  const out: string[] = [reportLabels(rpt, g, origCount, droppedNodes, 0, false).join("\n") + "\n"];
  out.push(treeSeparator + "\n", treeLegend + "\n");
  const rx = rpt.options.symbol;
  let flatSum = 0;
  let matched = 0;
  for (const n of g.nodes) {
    const name = n.printableName();
    const flat = n.flatValue();
    const cum = n.cumValue();
    if (rx && !rx.test(name)) continue;
    matched++;
    out.push(treeSeparator + "\n");
    for (const e of sortEdges(n.in.values())) {
      out.push(`${rpt.formatValue(e.weight).padStart(50)} ${percentage(e.weight, cum)} |   ${e.src.printableName()}${e.inline ? " (inline)" : ""}\n`);
    }
    flatSum += flat;
    out.push(`${rpt.formatValue(flat).padStart(10)} ${percentage(flat, rpt.total)} ${percentage(flatSum, rpt.total)} ${rpt.formatValue(cum).padStart(10)} ${percentage(cum, rpt.total)}                | ${name}\n`);
    for (const e of sortEdges(n.out.values())) {
      out.push(`${rpt.formatValue(e.weight).padStart(50)} ${percentage(e.weight, cum)} |   ${e.dest.printableName()}${e.inline ? " (inline)" : ""}\n`);
    }
  }
  if (g.nodes.length > 0) out.push(treeSeparator + "\n");
  if (rx && matched === 0) throw new ReportError(`no matches found for regexp: ${regexpText(rx)}`);
  return out.join("");
}
