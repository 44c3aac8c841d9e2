// A flame graph as a static SVG image: one <rect> and label per call path at
// least half a pixel wide, root at the top, with the full name and value in a
// <title> each (shown as a tooltip by viewers; names past MAX_GRAPH_NAME elided).

import { escapeHTML } from "../../util/html.js";
import { elideName } from "../graph/shorten.js";
import type { FlameNode, FlameTree } from "./tree.js";

const width = 1200;
const row = 18;
const top = 34;
const charWidth = 7;

export function renderFlameSVG(tree: FlameTree, title: string): string {
  const parts: string[] = [];
  let maxDepth = 0;
  const scale = tree.root.weight > 0 ? (width - 20) / tree.root.weight : 0;
  const todo: [FlameNode, number, number][] = [[tree.root, 10, 0]];
  while (todo.length > 0) {
    const [n, x, depth] = todo.pop()!;
    const w = n.weight * scale;
    if (w < 0.5) continue;
    if (depth > maxDepth) maxDepth = depth;
    const pct = tree.root.weight > 0 ? ((100 * Math.abs(n.value)) / tree.root.weight).toFixed(2) : "0";
    const tip = `${elideName(n.name)} — ${tree.format(n.value)} (${pct}%)${n.self !== 0 ? `, self ${tree.format(n.self)}` : ""}${tree.hasBase ? `, base ${tree.format(n.base)}` : ""}`;
    const y = top + depth * row;
    const chars = Math.floor((w - 6) / charWidth);
    const label = chars >= 3 ? (n.name.length <= chars ? n.name : n.name.slice(0, chars - 2) + "..") : "";
    parts.push(`<g><title>${escapeHTML(tip)}</title><rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${row - 1}" fill="${color(n, tree)}" rx="2"/>` +
      (label !== "" ? `<text x="${(x + 3).toFixed(2)}" y="${y + 12.5}">${escapeHTML(label)}</text>` : "") + `</g>`);
    let cx = x;
    for (const c of n.children) {
      todo.push([c, cx, depth + 1]);
      cx += c.weight * scale;
    }
  }
  const height = top + (maxDepth + 1) * row + 10;
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="12">\n` +
    `<rect width="100%" height="100%" fill="#fff"/>\n` +
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-family="sans-serif">${escapeHTML(title)}</text>\n` +
    parts.join("\n") + `\n</svg>\n`;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

function color(n: FlameNode, tree: FlameTree): string {
  if (tree.hasBase) {
    const r = n.weight > 0 ? n.value / n.weight : 0;
    if (r > 0.02) return `hsl(0,${Math.round(40 + 50 * r)}%,${Math.round(80 - 25 * r)}%)`;
    if (r < -0.02) return `hsl(120,${Math.round(40 - 40 * r)}%,${Math.round(80 + 25 * r)}%)`;
    return "#ddd";
  }
  if (n === tree.root) return "#bbb";
  const m = /^(.*?)[.:/ ]/.exec(n.name);
  const h = hash(m ? m[1]! : n.name);
  return `hsl(${h % 50},${60 + ((h >> 6) % 30)}%,${68 + ((h >> 3) % 14)}%)`;
}
