// The page every view shares: a header with the views, the sample index
// chooser and the refine box, the active filters, then the view's content.

import { escapeHTML } from "../../util/html.js";
import { PAGE_CSS, PAGE_JS } from "./client.js";

export type ViewName = "top" | "graph" | "flamegraph" | "stacks" | "peek" | "source" | "diff";

const viewTitles: Record<ViewName, string> = {
  top: "Top", graph: "Graph", flamegraph: "Flame Graph", stacks: "Stacks", peek: "Peek", source: "Source", diff: "Diff",
};

export interface PageParts {
  current: ViewName;
  /** Every sample type name, for the chooser. */
  sampleTypes: string[];
  sampleIndex: number;
  title: string;
  hasBase: boolean;
  query: URLSearchParams;
  /** Report header lines (File, Type, Showing nodes…). */
  legend?: string[];
  body: string;
  extraCSS?: string;
}

/** The refine parameters of a page's URL (as google/pprof's web UI names them) and the flag each stands for. */
const refineFlags: Record<string, string> = {
  f: "focus", i: "ignore", h: "hide", s: "show", tf: "tagfocus", ti: "tagignore", ts: "tagshow", th: "taghide",
};

const tagTitle = (what: string) => `${what} samples by label: key=regexp (or a regexp of any label's value), or a numeric range key=low:high, as -${what.toLowerCase().replace(" ", "")}`;

/** The refine buttons: action, label, tooltip. */
const refineButtons: [string, string, string][] = [
  ["focus", "Focus", ""], ["ignore", "Ignore", ""], ["hide", "Hide", ""], ["show", "Show", ""],
  ["tagfocus", "Tag focus", tagTitle("Tag focus")], ["tagignore", "Tag ignore", tagTitle("Tag ignore")],
  ["tagshow", "Tag show", "Keep only the labels whose key matches the regexp, as -tagshow"],
  ["taghide", "Tag hide", "Drop the labels whose key matches the regexp, as -taghide"],
  ["reset", "Reset", ""],
];

export function link(path: string, query: URLSearchParams): string {
  const q = query.toString();
  return escapeHTML(q === "" ? path : `${path}?${q}`);
}

export function page(p: PageParts): string {
  const views: ViewName[] = ["top", "graph", "flamegraph", "stacks", "peek", "source"];
  if (p.hasBase) views.push("diff");
  const nav = views.map((v) => `<a href="${link("./" + v, p.query)}" id="view-${v}"${v === p.current ? ' class="current"' : ""}>${viewTitles[v]}</a>`).join("");
  const chooser = p.sampleTypes.length > 1
    ? `<label>Sample <select id="sample-index">${p.sampleTypes.map((t, i) => `<option value="${escapeHTML(t)}"${i === p.sampleIndex ? " selected" : ""}>${escapeHTML(t)}</option>`).join("")}</select></label>`
    : "";
  const refine = `<input id="refine" type="text" placeholder="regexp (or select rows/nodes)" value="${escapeHTML(p.query.get("f") !== null && (p.current === "peek" || p.current === "source") ? p.query.get("f")! : "")}" autocomplete="off">` +
    refineButtons.map(([a, label, title]) => `<button type="button" data-refine="${a}"${title ? ` title="${escapeHTML(title)}"` : ""}>${label}</button>`).join("");
  const active = Object.entries(refineFlags).flatMap(([k, flag]) => {
    const v = p.query.get(k);
    return v !== null ? [`${flag}=${v}`] : [];
  });
  const filters = active.length > 0 ? `<div class="filters" id="active-filters">Active filters: ${escapeHTML(active.join("  "))}</div>` : "";
  const legend = p.legend && p.legend.length > 0 ? `<details class="legend"><summary>${escapeHTML(p.legend.find((l) => l.startsWith("Showing")) ?? "Details")}</summary><pre>${escapeHTML(p.legend.join("\n"))}</pre></details>` : "";
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHTML(p.title)} – ${viewTitles[p.current]}</title>` +
    `<style>${PAGE_CSS}${p.extraCSS ?? ""}</style></head><body>` +
    `<header><span class="title">${escapeHTML(p.title)}</span><nav>${nav}</nav>${chooser}<span>${refine}</span>` +
    `<a href="${link("./download", new URLSearchParams())}">Download</a></header>` +
    `<main>${filters}${legend}${p.body}</main><script>${PAGE_JS}</script></body></html>\n`;
}
