// `list REGEX`: each matching function's source lines, annotated with the
// flat and cum values of the samples at each line.

import { sortNodes, sumNodes } from "../graph/sort.js";
import type { GraphNode } from "../graph/types.js";
import { percentage } from "../measurement.js";
import { regexpText, ReportError } from "./options.js";
import type { Report } from "./report.js";
import { DiskSourceReader, embeddedSourcesNear } from "./source.js";

const margin = 5; // lines shown before the first and after the last sampled line
/** With -showcolumns, longer lines (a minified bundle's one line) are cut to this many characters; their hot columns follow. */
const longLine = 100;
/** Characters of the line shown from each hot column. */
const columnExcerpt = 60;

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
        listings.push({ name, file, flat, cum, rows: sourceRows(fns, reader.lines(file), o.showColumns) });
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
      const text = row.columns && row.text.length > longLine ? `${row.text.slice(0, longLine)}… (${row.text.length} characters)` : row.text;
      out.push(`${valueOrDot(row.flat).padStart(10)} ${valueOrDot(row.cum).padStart(10)} ${String(row.lineno).padStart(6)}:${text}\n`);
      // -showcolumns: each sampled column of the line, with the code from there.
      for (const c of row.columns ?? []) {
        const at = `${row.lineno}:${c.column !== 0 ? c.column : "?"}`.padStart(6);
        out.push(`${valueOrDot(c.flat).padStart(10)} ${valueOrDot(c.cum).padStart(10)} ${at}:  ${c.column !== 0 ? columnText(row.text, c.column) : "(samples without a column)"}\n`);
      }
    }
  }
  return out.join("");
}

export interface SourceRow {
  lineno: number;
  text: string;
  flat: number;
  cum: number;
  /** -showcolumns: the line's samples by column, when they have columns. */
  columns?: { column: number; flat: number; cum: number }[];
}

/** The code of a line from a 1-based column, cut to columnExcerpt characters ("…" where cut). */
function columnText(line: string, column: number): string {
  const from = Math.max(0, column - 1);
  const text = line.slice(from, from + columnExcerpt);
  return (from > 0 ? "…" : "") + text + (from + columnExcerpt < line.length ? "…" : "");
}

/**
 * The lines to show: from the function's start (or 5 before the first sample)
 * to 5 after the last; with `columns` (-showcolumns), each line's samples also
 * by column, so a minified bundle's one line shows where in it time goes.
 */
function sourceRows(fns: GraphNode[], lines: string[], columns = false): SourceRow[] {
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
    const nodes = byLine.get(lineno) ?? [];
    const { flat, cum } = sumNodes(nodes);
    const row: SourceRow = { lineno, text: lines[lineno - 1]!, flat, cum };
    if (columns) {
      const byColumn = byColumns(nodes);
      if (byColumn.length > 0) row.columns = byColumn;
    }
    rows.push(row);
  }
  return rows;
}

/** The nodes of one line summed by column, in column order; none when no node has a column. */
function byColumns(nodes: GraphNode[]): { column: number; flat: number; cum: number }[] {
  const cols = new Map<number, GraphNode[]>();
  for (const n of nodes) {
    const c = n.info.columnno ?? 0;
    let list = cols.get(c);
    if (!list) cols.set(c, (list = []));
    list.push(n);
  }
  if (cols.size === 1 && cols.has(0)) return [];
  return [...cols.keys()].sort((a, b) => a - b).map((column) => ({ column, ...sumNodes(cols.get(column)!) }));
}
