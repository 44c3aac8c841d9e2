// Flame graphs of a profile as self-contained files: an interactive HTML page
// (no external scripts, styles or fonts) and a static SVG image. The web UI
// reuses the same tree, data and script.

import type { ProfileData } from "../../profile/model.js";
import type { Config } from "../config.js";
import { FLAME_CSS, flameBody } from "./client.js";
import { escapeHTML, scriptJSON } from "../../util/html.js";
import { flameData } from "./data.js";
import { flameTree, type FlameTree } from "./tree.js";
import { renderFlameSVG } from "./svg.js";

export { flameTree } from "./tree.js";
export type { FlameNode, FlameTree, FlameOptions } from "./tree.js";
export { flameData } from "./data.js";
export type { FlameData, FlameDataOptions } from "./data.js";
export { FLAME_CSS, FLAME_JS, flameBody } from "./client.js";

/** Call paths narrower than this share of the total are folded into their caller in files (invisible at any sane zoom). */
const fileMinFraction = 1e-5;

/** An interactive flame graph page: click a frame to zoom, search by regexp, hover for values. */
export function flameGraphHTML(profile: ProfileData, config: Config): string {
  const tree = flameTree(profile, config, { minFraction: fileMinFraction });
  const title = flameTitle(profile, tree);
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHTML(title)}</title>` +
    `<style>body { font: 14px sans-serif; margin: 8px 12px; } h1 { font-size: 16px; margin: 4px 0; }${FLAME_CSS}</style></head>` +
    `<body><h1>${escapeHTML(title)}</h1>` + flameBody(scriptJSON(flameData(tree)!), prunedNote(tree)) + `</body></html>\n`;
}

/** A static flame graph image (1200 px wide); each frame's full name and value are in its <title>. */
export function flameGraphSVG(profile: ProfileData, config: Config): string {
  const tree = flameTree(profile, config, { minFraction: fileMinFraction });
  return renderFlameSVG(tree, flameTitle(profile, tree));
}

/**
 * What `file.replace(/.*\//, "")` leaves (the first line with a "/" loses
 * all up to its last "/"), in one pass: the regexp took 30 s on a 100 kB
 * mapping file name without a "/".
 */
function withoutDirectory(file: string): string {
  let lineStart = 0;
  let lastSlash = -1;
  for (let i = 0; i <= file.length; i++) {
    const c = i < file.length ? file.charCodeAt(i) : 0x0a;
    if (c === 0x2f) lastSlash = i;
    else if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) {
      if (lastSlash >= lineStart) return file.slice(0, lineStart) + file.slice(lastSlash + 1);
      lineStart = i + 1;
    }
  }
  return file;
}

export function flameTitle(profile: ProfileData, tree: FlameTree): string {
  const m0 = profile.mapping[0];
  const file = m0 && m0.file !== "" ? withoutDirectory(m0.file) + " " : "";
  if (tree.hasBase) {
    const from = tree.root.base !== 0 ? ` from base ${tree.format(tree.root.base)}` : "";
    return `${file}${tree.sampleType}: change ${tree.format(tree.root.value)}${from} (red: grew, green: shrank)`;
  }
  return `${file}${tree.sampleType}: total ${tree.format(tree.total)}`;
}

function prunedNote(tree: FlameTree): string {
  return tree.pruned > 0 ? `<p class="note">${tree.pruned} call paths under ${fileMinFraction * 100}% of the total are folded into their callers.</p>` : "";
}
