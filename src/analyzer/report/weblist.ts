// `weblist REGEX`: the annotated source of `list` as a self-contained HTML
// page, each line shaded by its share of the hottest line's cumulative value.
// go tool pprof also interleaves machine code; JavaScript has none to show.

import { escapeHTML } from "../../util/html.js";
import { percentage } from "../measurement.js";
import { profileLabels } from "./labels.js";
import { sourceListings } from "./list.js";
import type { Report } from "./report.js";

const style = `
body { font-family: ui-sans-serif, system-ui, sans-serif; margin: 1em 2em; color: #222; }
.legend { font-size: 0.9em; color: #555; white-space: pre-line; }
h2 { font-size: 1.1em; margin: 1.6em 0 0.2em; font-family: ui-monospace, monospace; }
.filename { margin: 0 0 0.4em; color: #555; font-family: ui-monospace, monospace; }
table { border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 0.85em; }
td { padding: 0 0.6em; white-space: pre; }
td.num { text-align: right; color: #333; }
td.line { text-align: right; color: #999; }
tr.total td { font-weight: bold; padding-bottom: 0.3em; }
.error { color: #a00; }
`;

export function printWebSource(rpt: Report): string {
  const listings = sourceListings(rpt);
  const valueOrDot = (v: number) => (v === 0 ? "." : rpt.formatValue(v));
  const title = `Source listing: ${rpt.options.symbol?.source ?? ""}`;
  const out: string[] = [
    `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHTML(title)}</title><style>${style}</style></head><body>\n`,
    `<div class="legend">${escapeHTML(profileLabels(rpt).join("\n"))}\nTotal: ${escapeHTML(rpt.formatValue(rpt.total))}</div>\n`,
  ];
  for (const l of listings) {
    out.push(`<h2>${escapeHTML(l.name)}</h2>\n`);
    if (l.file === "") {
      out.push(`<p class="error">No source information for ${escapeHTML(l.name)}</p>\n`);
      continue;
    }
    out.push(`<p class="filename">${escapeHTML(l.file)}</p>\n<table>\n`);
    out.push(`<tr class="total"><td class="num">${escapeHTML(rpt.formatValue(l.flat))}</td><td class="num">${escapeHTML(rpt.formatValue(l.cum))}</td><td></td><td>(flat, cum) ${escapeHTML(percentage(l.cum, rpt.total).trim())} of Total</td></tr>\n`);
    if (l.error !== undefined) {
      out.push(`</table>\n<p class="error">Error: ${escapeHTML(l.error)}</p>\n`);
      continue;
    }
    const hottest = Math.max(1, ...l.rows.map((r) => Math.abs(r.cum)));
    for (const row of l.rows) {
      // Shade hot lines: alpha grows with the line's share of the hottest line.
      const heat = row.cum === 0 ? "" : ` style="background: rgba(255, 80, 0, ${(0.08 + 0.5 * (Math.abs(row.cum) / hottest)).toFixed(2)})"`;
      out.push(`<tr${heat}><td class="num">${escapeHTML(valueOrDot(row.flat))}</td><td class="num">${escapeHTML(valueOrDot(row.cum))}</td><td class="line">${row.lineno}</td><td>${escapeHTML(row.text)}</td></tr>\n`);
    }
    out.push(`</table>\n`);
  }
  out.push(`</body></html>\n`);
  return out.join("");
}
