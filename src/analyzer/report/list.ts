// `list REGEX`: each matching function's source lines, annotated with the
// flat and cum values of the samples at each line.

import { sortNodes, sumNodes } from "../graph/sort.js";
import type { GraphNode } from "../graph/types.js";
import { percentage } from "../measurement.js";
import { regexpText, ReportError } from "./options.js";
import type { Report } from "./report.js";
import { DiskSourceReader, embeddedSourcesNear } from "./source.js";

const margin = 5; // lines shown before the first and after the last sampled line

/** One matching function in one source file, or a function with no source information. */
export interface SourceListing {
  name: string;
  /** "" when the function has no source information. */
  file: string;
  flat: number;
  cum: number;
  rows: SourceRow[];
  /** Why the file could not be read. */
  error?: string;
}

/** The functions matching the report's regexp, by name then file, with their annotated source lines. */
export function sourceListings(rpt: Report): SourceListing[] {
  const o = rpt.options;
  const rx = o.symbol;
  if (!rx) throw new ReportError("list requires a regexp argument");
  const g = rpt.newGraph();
  const functions: GraphNode[] = [];
  const functionNodes = new Map<string, GraphNode[]>();
  for (const n of g.nodes) {
    if (!rx.test(n.info.name)) continue;
    let list = functionNodes.get(n.info.name);
    if (!list) {
      functions.push(n);
      functionNodes.set(n.info.name, (list = []));
    }
    list.push(n);
  }
  sortNodes(functions, "name");
  if (functionNodes.size === 0) throw new ReportError(`no matches found for regexp: ${regexpText(rx)}`);
  const searchPath = o.sourcePath !== "" ? o.sourcePath : rpt.ctx.cwd ?? process.cwd();
  const reader = rpt.ctx.source ?? new DiskSourceReader(searchPath, o.trimPath, () => embeddedSourcesNear(rpt.profile));
  const listings: SourceListing[] = [];
  for (const fn of functions) {
    const name = fn.info.name;
    const sourceFiles: GraphNode[] = [];
    const fileNodes = new Map<string, GraphNode[]>();
    for (const n of functionNodes.get(name)!) {
      if (n.info.file === "") continue;
      let list = fileNodes.get(n.info.file);
      if (!list) {
        sourceFiles.push(n);
        fileNodes.set(n.info.file, (list = []));
      }
      list.push(n);
    }
    if (sourceFiles.length === 0) {
      listings.push({ name, file: "", flat: 0, cum: 0, rows: [] });
      continue;
    }
    sortNodes(sourceFiles, "file");
    for (const fl of sourceFiles) {
      const file = fl.info.file;
      const fns = fileNodes.get(file)!;
      const { flat, cum } = sumNodes(fns);
      try {
        listings.push({ name, file, flat, cum, rows: sourceRows(fns, reader.lines(file)) });
      } catch (e) {
        listings.push({ name, file, flat, cum, rows: [], error: (e as Error).message });
      }
    }
  }
  return listings;
}

export function printSource(rpt: Report): string {
  const listings = sourceListings(rpt);
  const out: string[] = [`Total: ${rpt.formatValue(rpt.total)}\n`];
  const valueOrDot = (v: number) => (v === 0 ? "." : rpt.formatValue(v));
  for (const l of listings) {
    if (l.file === "") {
      out.push(`No source information for ${l.name}\n`);
      continue;
    }
    out.push(`ROUTINE ======================== ${l.name} in ${l.file}\n`);
    out.push(`${rpt.formatValue(l.flat).padStart(10)} ${rpt.formatValue(l.cum).padStart(10)} (flat, cum) ${percentage(l.cum, rpt.total)} of Total\n`);
    if (l.error !== undefined) {
      out.push(` Error: ${l.error}\n`);
      continue;
    }
    for (const row of l.rows) {
      out.push(`${valueOrDot(row.flat).padStart(10)} ${valueOrDot(row.cum).padStart(10)} ${String(row.lineno).padStart(6)}:${row.text}\n`);
    }
  }
  return out.join("");
}

export interface SourceRow {
  lineno: number;
  text: string;
  flat: number;
  cum: number;
}

/** The lines to show: from the function's start (or 5 before the first sample) to 5 after the last. */
function sourceRows(fns: GraphNode[], lines: string[]): SourceRow[] {
  const first = fns[0]!.info;
  let start = first.startLine !== 0 ? first.startLine : first.lineno - margin;
  let end = first.lineno + margin;
  const byLine = new Map<number, GraphNode[]>();
  for (const n of fns) {
    const lineno = n.info.lineno;
    const nodeStart = n.info.startLine !== 0 ? n.info.startLine : lineno - margin;
    const nodeEnd = lineno + margin;
    if (nodeStart < start) start = nodeStart;
    else if (nodeEnd > end) end = nodeEnd;
    let list = byLine.get(lineno);
    if (!list) byLine.set(lineno, (list = []));
    list.push(n);
  }
  if (start < 1) start = 1;
  const rows: SourceRow[] = [];
  for (let lineno = start; lineno <= end; lineno++) {
    if (lineno > lines.length) break;
    const { flat, cum } = sumNodes(byLine.get(lineno) ?? []);
    rows.push({ lineno, text: lines[lineno - 1]!, flat, cum });
  }
  return rows;
}
