// The Stacks view (google/pprof's newer flame graph): a function's callers
// and callees at once. With ?p=regexp, the frames matching it are merged
// into one full-width pivot row; their callers are stacked above it (nearest
// caller first, merged as an inverted tree) and their callees below, as a
// flame graph. Without p it is the plain flame graph from the root. Every
// frame links to the same view pivoted on it. Drawn as positioned boxes in
// the HTML itself (no script): the numbers are in each box's attributes.

import { escapeHTML } from "../../util/html.js";
import { compileRegexpOption } from "../filter/index.js";
import { flameTree } from "../flame/index.js";
import { pivotTree, type PivotNode } from "../flame/pivot.js";
import type { FlameTree } from "../flame/index.js";
import { link } from "./page.js";
import type { View, WebState } from "./state.js";

/** Frames narrower than this share of the pivot are left out (with their subtrees). */
const minBoxFraction = 1 / 2000;
/** At most this many boxes per page: a huge profile still makes a page a browser can lay out. */
const maxBoxes = 5000;
const ROW = 18;

export const STACKS_CSS = `
#stacks { position: relative; width: 100%; font: 12px monospace; margin-top: 6px; }
#stacks .stk { position: absolute; height: ${ROW - 1}px; line-height: ${ROW - 1}px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; box-sizing: border-box; padding: 0 3px; border-right: 1px solid #fff; }
#stacks .stk a { color: #000; text-decoration: none; }
#stacks .stk.pivot { background: #bbb; font-weight: bold; }
#stacks .stk.caller { border-bottom: 1px solid #fff; }
#pivot-form input[name=p] { font: 13px monospace; width: 30em; }
`;

interface Box { node: PivotNode; kind: "caller" | "pivot" | "callee"; x: number; w: number; row: number }

/** The boxes of a pivoted tree: x and w as shares of the pivot's width; row < 0 above the pivot. */
function layout(pivot: PivotNode, callers: PivotNode, callees: PivotNode): Box[] {
  const boxes: Box[] = [{ node: pivot, kind: "pivot", x: 0, w: 1, row: 0 }];
  const total = pivot.weight;
  if (total <= 0) return boxes;
  const place = (root: PivotNode, kind: "caller" | "callee", dir: number) => {
    const todo: [PivotNode, number, number][] = [[root, 0, 0]];
    while (todo.length > 0 && boxes.length < maxBoxes) {
      const [n, x, row] = todo.pop()!;
      if (row !== 0) boxes.push({ node: n, kind, x, w: n.weight / total, row });
      let cx = x;
      const next: [PivotNode, number, number][] = [];
      for (const c of n.children) {
        const w = c.weight / total;
        if (w >= minBoxFraction) next.push([c, cx, row + dir]);
        cx += w;
      }
      for (let i = next.length - 1; i >= 0; i--) todo.push(next[i]!);
    }
  };
  place(callees, "callee", 1);
  place(callers, "caller", -1);
  return boxes;
}

/** A regexp matching exactly `name` (Go's regexp.QuoteMeta, anchored). */
export function exactly(name: string): string {
  return "^" + name.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&") + "$";
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/** Warm colours below the pivot (as the flame graph), cool ones above it; diffs red (grew) or green (shrank). */
function color(b: Box, diff: boolean): string {
  const n = b.node;
  if (diff) {
    const r = n.weight > 0 ? n.value / n.weight : 0;
    if (r > 0.02) return `hsl(0,${Math.round(40 + 50 * r)}%,${Math.round(80 - 25 * r)}%)`;
    if (r < -0.02) return `hsl(120,${Math.round(40 - 40 * r)}%,${Math.round(80 + 25 * r)}%)`;
    return "#ddd";
  }
  const m = /^(.*?)[.:/ ]/.exec(n.name);
  const h = hash(m ? m[1]! : n.name);
  return b.kind === "caller" ? `hsl(${200 + (h % 40)},${45 + ((h >> 6) % 25)}%,${75 + ((h >> 3) % 12)}%)` : `hsl(${h % 50},${60 + ((h >> 6) % 30)}%,${68 + ((h >> 3) % 14)}%)`;
}

/** The view's content (views.ts's ViewContent, which imports this file). */
export function stacksView(view: View, state: WebState, minFraction: number): { body: string; extraCSS: string } {
  const pivotRx = compileRegexpOption("pivot", view.pivot);
  const tree: FlameTree = state.flameTree(view, () => flameTree(view.profile, view.config, { sampleIndex: view.sampleIndex, minFraction }));
  const { pivot, callers, callees, matched } = pivotTree(tree, pivotRx);
  const pct = (v: number) => (tree.total > 0 ? ((100 * Math.abs(v)) / tree.total).toFixed(2) : "0.00") + "%";
  const describe = (n: PivotNode, kind: Box["kind"]) =>
    `${n.name} — ${tree.format(n.value)} (${pct(n.value)})` + (kind !== "caller" && n.self !== 0 ? `, self ${tree.format(n.self)}` : "");
  const boxes = layout(pivot, callers, callees);
  const minRow = Math.min(0, ...boxes.map((b) => b.row));
  const maxRow = Math.max(0, ...boxes.map((b) => b.row));
  const html = boxes.map((b) => {
    // A frame pivots on itself; the pivot row goes back to the whole profile.
    const q = new URLSearchParams(view.query);
    if (b.kind !== "pivot") q.set("p", exactly(b.node.name));
    const style = `left:${(b.x * 100).toFixed(4)}%;width:${(b.w * 100).toFixed(4)}%;top:${(b.row - minRow) * ROW}px;background:${b.kind === "pivot" ? "#bbb" : color(b, tree.hasBase)}`;
    return `<div class="stk ${b.kind}" style="${style}" data-name="${escapeHTML(b.node.name)}" data-value="${b.node.value}" data-self="${b.kind === "caller" ? 0 : b.node.self}" data-row="${b.row}" title="${escapeHTML(describe(b.node, b.kind))}">` +
      `<a href="${link("./stacks", q)}">${escapeHTML(b.node.name)}</a></div>`;
  });
  const hidden = [...view.query].map(([k, v]) => `<input type="hidden" name="${escapeHTML(k)}" value="${escapeHTML(v)}">`).join("");
  const form = `<form id="pivot-form" method="get" action="./stacks">${hidden}<label>Pivot on <input name="p" type="text" placeholder="regexp of frames" value="${escapeHTML(view.pivot)}" autocomplete="off"></label> <button type="submit">Pivot</button>` +
    (pivotRx ? ` <a id="unpivot" href="${link("./stacks", view.query)}">Whole profile</a>` : "") + `</form>`;
  let note: string;
  if (!pivotRx) note = `${tree.sampleType}: total ${tree.format(tree.total)}. Click a frame to pivot on it: its callers are shown above it and its callees below.`;
  else if (matched.length === 0) note = `No frame matches ${view.pivot}.`;
  else note = `${tree.sampleType}: ${matched.length === 1 ? matched[0]! : `${matched.length} frames matching ${view.pivot}`}: ${tree.format(pivot.value)} (${pct(pivot.value)}) of ${tree.format(tree.total)}. Callers above (nearest first), callees below.`;
  const body = `${form}<p class="note" id="stacks-note">${escapeHTML(note)}</p>` +
    `<div id="stacks" style="height:${(maxRow - minRow + 1) * ROW}px">${html.join("")}</div>`;
  return { body, extraCSS: STACKS_CSS };
}
