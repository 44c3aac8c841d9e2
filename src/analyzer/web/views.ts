// The web UI's views, each from the same report code as the text reports, so
// the page and `tsprof pprof -top` print the same numbers.

import { escapeHTML, scriptJSON } from "../../util/html.js";
import { flameBody, flameData, flameTree, FLAME_CSS } from "../flame/index.js";
import { percentage } from "../measurement.js";
import { generateReport, Report, textItems, ReportError } from "../report/index.js";
import { renderGraphSVG, svgElement } from "../svg/index.js";
import { compileRegexpOption, type NameRegexp } from "../filter/index.js";
import { reportContext, type View, type WebState } from "./state.js";
import { stacksView as pivotedStacks } from "./stacks.js";

export interface ViewContent {
  body: string;
  legend?: string[];
  extraCSS?: string;
}

/** Rows in the top table when -nodecount is not given (as google/pprof's web UI). */
const webTopNodes = 500;
/** Flame graph call paths narrower than this share of the total are folded into their caller. */
const webFlameMinFraction = 1e-4;

const pct = (v: number, total: number) => percentage(v, total).trim();

export function topView(view: View): ViewContent {
  const config = { ...view.config, nodeCount: view.config.nodeCount === -1 ? webTopNodes : view.config.nodeCount };
  const rpt = new Report("top", view.profile, config, reportContext(view));
  const { items, labels } = textItems(rpt);
  const rows: string[] = [];
  let sum = 0;
  for (const it of items) {
    sum += it.flat;
    rows.push(`<tr class="row" data-name="${escapeHTML(it.name)}"><td data-v="${it.flat}">${escapeHTML(it.flatFormat)}</td><td data-v="${it.flat}">${pct(it.flat, rpt.total)}</td>` +
      `<td data-v="${sum}">${pct(sum, rpt.total)}</td><td data-v="${it.cum}">${escapeHTML(it.cumFormat)}</td><td data-v="${it.cum}">${pct(it.cum, rpt.total)}</td>` +
      `<td class="name" data-v="${escapeHTML(it.name)}">${escapeHTML(it.name)}</td><td class="name" data-v="${it.inlineLabel}">${escapeHTML(it.inlineLabel)}</td></tr>`);
  }
  const th = (label: string, col: number, key: string, cls = "") => `<th data-sort="${col}" data-key="${key}"${cls ? ` class="${cls}"` : ""}>${label}</th>`;
  const body = `<table class="top" id="top-table"><thead><tr>${th("Flat", 0, "num")}${th("Flat%", 1, "num")}${th("Sum%", 2, "num")}` +
    `${th("Cum", 3, "num")}${th("Cum%", 4, "num")}${th("Name", 5, "text", "name")}${th("Inlined?", 6, "text", "name")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
  return { body, legend: labels };
}

export async function graphView(view: View): Promise<ViewContent> {
  const dot = generateReport("dot", view.profile, view.config, reportContext(view));
  const svg = svgElement(await renderGraphSVG(dot));
  const zoom = `<div><button type="button" data-zoom="in">Zoom in</button><button type="button" data-zoom="out">Zoom out</button>` +
    `<button type="button" data-zoom="reset">Actual size</button> <span class="note">Click nodes to select them, then Focus/Ignore/Hide/Show.</span></div>`;
  return { body: `${zoom}<div id="graph">${svg}</div>` };
}

/**
 * The page draws call paths at least this share of the zoomed frame (a pixel
 * of a graph 2,000 pixels wide); zooming into a frame with narrower callees
 * asks /ui/flamedata for them.
 */
const webFlameSendFraction = 1 / 2000;

export function flameView(view: View, state: WebState): ViewContent {
  const tree = state.flameTree(view, () => flameTree(view.profile, view.config, { sampleIndex: view.sampleIndex, minFraction: webFlameMinFraction }));
  const note = tree.pruned > 0 ? `<p class="note">${tree.pruned} call paths under ${webFlameMinFraction * 100}% of the total are folded into their callers; focus to see them.</p>` : "";
  const what = tree.hasBase
    ? `change ${tree.format(tree.root.value)}${tree.root.base !== 0 ? ` from the base's ${tree.format(tree.root.base)}` : ""} (red: grew, green: shrank; widths: base + new)`
    : `total ${tree.format(tree.total)}`;
  const header = `<p class="note">${escapeHTML(tree.sampleType)}: ${escapeHTML(what)}. Click a frame to zoom; the links that appear act on its function.</p>`;
  return { body: header + flameBody(scriptJSON(flameData(tree, { minFraction: webFlameSendFraction })!), note), extraCSS: FLAME_CSS };
}

/** /ui/stacks?p=regexp: the callers and callees of the matching frames (see stacks.ts), from the flame graph's tree. */
export function stacksView(view: View, state: WebState): ViewContent {
  return pivotedStacks(view, state, webFlameMinFraction);
}

/** /ui/flamedata?node=N (and the page's options): the callees of flame graph node N, for a zoom; undefined if there is no such node. */
export function flameNodeData(view: View, state: WebState, node: number): string | undefined {
  const tree = state.flameTree(view, () => flameTree(view.profile, view.config, { sampleIndex: view.sampleIndex, minFraction: webFlameMinFraction }));
  const data = flameData(tree, { node, minFraction: webFlameSendFraction });
  return data && JSON.stringify(data);
}

function symbolOf(view: View, what: string): NameRegexp | undefined {
  return compileRegexpOption(what, view.query.get("f") ?? "");
}

const askForRegexp = (what: string) => `<p>Type a regexp in the box (or select functions in Top or Graph) and press Enter to ${what}.</p>`;

export function peekView(view: View): ViewContent {
  const symbol = symbolOf(view, "peek");
  if (!symbol) return { body: askForRegexp("see the callers and callees of matching functions") };
  const text = generateReport("peek", view.profile, view.config, reportContext(view, symbol));
  return { body: `<pre class="report" id="peek">${escapeHTML(text)}</pre>` };
}

export function sourceView(view: View): ViewContent {
  const symbol = symbolOf(view, "list");
  if (!symbol) return { body: askForRegexp("list the source of matching functions") };
  const text = generateReport("list", view.profile, view.config, reportContext(view, symbol));
  return { body: `<pre class="report" id="source">${escapeHTML(text)}</pre>` };
}

/** Per function: the base's and the new profile's flat and cum, and the change, largest change first. */
export function diffView(view: View, state: WebState): ViewContent {
  const parts = state.parts(view);
  if (!parts) throw new ReportError("no base profile: start with -base or -diff_base");
  const all = { ...view.config, nodeCount: 0, nodeFraction: 0, edgeFraction: 0 };
  const ctx = { sampleIndex: view.sampleIndex };
  const newRpt = new Report("top", parts.source, all, ctx);
  const baseRpt = new Report("top", parts.base, all, ctx);
  const rows = new Map<string, { name: string; bf: number; bc: number; nf: number; nc: number }>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (!r) rows.set(name, (r = { name, bf: 0, bc: 0, nf: 0, nc: 0 }));
    return r;
  };
  for (const it of textItems(newRpt).items) Object.assign(row(it.name), { nf: it.flat, nc: it.cum });
  for (const it of textItems(baseRpt).items) Object.assign(row(it.name), { bf: it.flat, bc: it.cum });
  const sorted = [...rows.values()].sort((a, b) => Math.abs(b.nc - b.bc) - Math.abs(a.nc - a.bc) || Math.abs(b.nf - b.bf) - Math.abs(a.nf - a.bf) || (a.name < b.name ? -1 : 1));
  const f = (v: number) => escapeHTML(newRpt.formatValue(v));
  const signed = (v: number) => `<td class="${v > 0 ? "pos" : v < 0 ? "neg" : ""}" data-v="${v}">${v > 0 ? "+" : ""}${f(v)}</td>`;
  const change = (n: number, b: number) => (b !== 0 ? `${n >= b ? "+" : ""}${((100 * (n - b)) / Math.abs(b)).toFixed(1)}%` : n !== 0 ? "new" : "");
  const body = `<p class="note">Base total ${f(baseRpt.total)}, new total ${f(newRpt.total)} (${change(newRpt.total, baseRpt.total)}). Largest changes in cumulative value first.</p>` +
    `<table class="top" id="diff-table"><thead><tr><th data-sort="0" data-key="num">Base flat</th><th data-sort="1" data-key="num">New flat</th><th data-sort="2" data-key="num">Δ flat</th>` +
    `<th data-sort="3" data-key="num">Base cum</th><th data-sort="4" data-key="num">New cum</th><th data-sort="5" data-key="num">Δ cum</th><th>Δ cum %</th><th class="name" data-sort="7" data-key="text">Name</th></tr></thead><tbody>` +
    sorted.slice(0, webTopNodes).map((r) => `<tr class="row" data-name="${escapeHTML(r.name)}"><td data-v="${r.bf}">${f(r.bf)}</td><td data-v="${r.nf}">${f(r.nf)}</td>${signed(r.nf - r.bf)}` +
      `<td data-v="${r.bc}">${f(r.bc)}</td><td data-v="${r.nc}">${f(r.nc)}</td>${signed(r.nc - r.bc)}<td>${change(r.nc, r.bc)}</td><td class="name" data-v="${escapeHTML(r.name)}">${escapeHTML(r.name)}</td></tr>`).join("") +
    `</tbody></table>`;
  return { body };
}
