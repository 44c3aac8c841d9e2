// Source-map lookup, in one place: a generated position → the original file,
// line and function name. Broken or missing maps fall back to the generated
// position; a lookup never throws.
//
// Where a map comes from, in order:
//  1. Node's own source-map cache (module.findSourceMap): filled when source
//     maps are enabled (--enable-source-maps, or loaders such as tsx, which
//     transform code in memory and register an inline map).
//  2. The generated file on disk: its last `//# sourceMappingURL=` comment,
//     an inline `data:` URL or a `.map` file next to it (tsc output).
// Maps are read lazily, the first time a profile needs a position in that
// file, and kept (with their lookups) for the life of the process.

import { readFileSync, statSync } from "node:fs";
import { findSourceMap } from "node:module";
import { basename, dirname, isAbsolute, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import type { TraceMap } from "@jridgewell/trace-mapping";

// Loaded on the first source map, not with the profiler: most of a preload's
// start-up time would otherwise go to it.
let traceMappingModule: typeof import("@jridgewell/trace-mapping") | undefined;
function traceMapping(): typeof import("@jridgewell/trace-mapping") {
  return (traceMappingModule ??= createRequire(import.meta.url)("@jridgewell/trace-mapping"));
}

export interface OriginalPosition {
  file: string;
  line: number;
  column: number;
  /** The original function name when the map has one. */
  name?: string;
}

/** Generated files larger than this are not scanned for a map comment. */
const MAX_GENERATED_BYTES = 64 * 1024 * 1024;

const maps = new Map<string, TraceMap | null>();

/**
 * tsprof's own files and those of the source-map library it loads, as paths
 * and as URLs: not mapped. Their maps point into sources that are not
 * installed, and decoding them was most of tsprof's share of a small
 * server's heap profile (about 1 MB of decoded mappings). tsprof's files
 * are its built dist/ folder (none when it runs from its sources).
 */
const unmapped: string[] = (() => {
  const dirs: string[] = [];
  try {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (basename(dir) !== "dist" && dirname(dir) !== dir) dir = dirname(dir);
    if (basename(dir) === "dist") dirs.push(dir);
  } catch {
    // no file of its own
  }
  try {
    // node_modules/@jridgewell/trace-mapping/dist/x.js → node_modules/@jridgewell (and its sibling packages)
    const library = createRequire(import.meta.url).resolve("@jridgewell/trace-mapping");
    const scope = library.lastIndexOf(`${sep}@jridgewell${sep}`);
    if (scope >= 0) dirs.push(library.slice(0, scope + `${sep}@jridgewell`.length));
  } catch {
    // not resolvable: nothing to leave out
  }
  return dirs.flatMap((d) => [d + sep, pathToFileURL(d).href + "/"]);
})();
const lookups = new Map<string, OriginalPosition | null>();

/**
 * Maps a generated (file, 1-based line, 1-based column); undefined when no
 * map applies. column 0 means "unknown": the first mapping on that line is
 * used (V8 reports the executing line of a sample, not its column).
 */
export function originalPosition(file: string, line: number, column: number): OriginalPosition | undefined {
  if (!file || line <= 0) return undefined;
  for (const prefix of unmapped) if (file.startsWith(prefix)) return undefined;
  // Most files have no map: answer those without building a lookup key.
  if (maps.get(file) === null) return undefined;
  const key = `${file}\0${line}\0${column}`;
  const cached = lookups.get(key);
  if (cached !== undefined) return cached ?? undefined;
  let result: OriginalPosition | null = null;
  try {
    const map = mapFor(file);
    if (map) result = lookup(map, line, column);
  } catch {
    result = null;
  }
  lookups.set(key, result);
  return result ?? undefined;
}

function lookup(map: TraceMap, line: number, column: number): OriginalPosition | null {
  const col0 = Math.max(0, column - 1);
  const { originalPositionFor, GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND } = traceMapping();
  let m = originalPositionFor(map, { line, column: col0, bias: column > 0 ? GREATEST_LOWER_BOUND : LEAST_UPPER_BOUND });
  if (m.source === null && column > 0) m = originalPositionFor(map, { line, column: col0, bias: LEAST_UPPER_BOUND });
  if (m.source === null || m.line === null) return null;
  const out: OriginalPosition = { file: sourceToFile(m.source), line: m.line, column: (m.column ?? 0) + 1 };
  if (m.name) out.name = m.name;
  return out;
}

function sourceToFile(source: string): string {
  if (source.startsWith("file://")) {
    try {
      return fileURLToPath(source);
    } catch {
      return source;
    }
  }
  return source;
}

/** The map of a generated file, loaded once; null when it has none or it is broken. */
function mapFor(file: string): TraceMap | null {

  let map = maps.get(file);
  if (map === undefined) {
    map = loadMap(file);
    maps.set(file, map);
  }
  return map;
}

function loadMap(file: string): TraceMap | null {
  if (!isAbsolute(file)) return null; // node:internal, eval code, wasm: nothing on disk
  const url = pathToFileURL(file).href;
  try {
    const fromNode = findSourceMap(file) ?? findSourceMap(url);
    if (fromNode?.payload) return new (traceMapping().TraceMap)(fromNode.payload as never, url);
  } catch {
    // fall through to the file on disk
  }
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > MAX_GENERATED_BYTES) return null;
    const ref = mapReference(readFileSync(file, "utf8"));
    if (!ref) return null;
    if (ref.startsWith("data:")) return new (traceMapping().TraceMap)(decodeDataUrl(ref), url);
    const mapPath = ref.startsWith("file://") ? fileURLToPath(ref) : resolve(dirname(file), decodeURIComponent(ref));
    return new (traceMapping().TraceMap)(readFileSync(mapPath, "utf8"), pathToFileURL(mapPath).href);
  } catch {
    return null;
  }
}

/** The URL of the last sourceMappingURL comment in a generated file. */
function mapReference(code: string): string | undefined {
  const re = /(?:\/\/[#@]\s*sourceMappingURL=([^\s'"]+)\s*$)|(?:\/\*[#@]\s*sourceMappingURL=([^\s*'"]+)\s*\*\/\s*$)/gm;
  let found: string | undefined;
  for (let m = re.exec(code); m; m = re.exec(code)) found = m[1] ?? m[2];
  return found;
}

function decodeDataUrl(url: string): string {
  const comma = url.indexOf(",");
  if (comma < 0) throw new Error("malformed data URL");
  const meta = url.slice(5, comma);
  const body = url.slice(comma + 1);
  return meta.endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
}

/**
 * The original name of a named function from V8's name and position for it
 * (1-based line and column): the map's `names` entry of the mapping that
 * starts where the generated code writes `generatedName`. A minifier renames
 * `escapeHtmlEntities` to `y` and records the old name there. V8 places a
 * function at its parameter list in CPU and heap profiles (just after the
 * name: `function y(`, `#e(`), at its first token in stack traces
 * (`function y(`, `async function y(`, or the method name), and a class at
 * `class`; a name V8 inferred from a binding is written just before
 * (`y=function(`, `y=()=>`, `y=class{`). Undefined otherwise: the name is
 * not written there (anonymous functions), the map names nothing there, or
 * no map applies.
 */
export function originalName(file: string, line: number, column: number, generatedName: string): string | undefined {
  if (!file || line <= 0 || column <= 0 || !generatedName) return undefined;
  if (maps.get(file) === null) return undefined;
  const key = `${file}\0${line}\0${column}\0${generatedName}`;
  let name = names.get(key);
  if (name === undefined) {
    try {
      name = nameAt(file, line, column - 1, generatedName) ?? null;
    } catch {
      name = null;
    }
    names.set(key, name);
  }
  return name ?? undefined;
}

const names = new Map<string, string | null>();
/** Generated files' lines, read for name lookups only (null: unreadable). */
const generatedLines = new Map<string, string[] | null>();

function nameAt(file: string, line: number, col0: number, generatedName: string): string | undefined {
  const map = mapFor(file);
  const text = map ? linesOf(file)?.[line - 1] : undefined;
  if (!map || !text) return undefined;
  const keyword = /^(?:async\s+)?function\s*\*?\s*/.exec(text.slice(col0, col0 + 32));
  // `y=function(`, `y=(a)=>`, `y=class{`: V8 names the function after the binding.
  const binding = /([$\p{ID_Start}][$\p{ID_Continue}\u200c\u200d]*)\s*[=:]\s*$/u.exec(text.slice(Math.max(0, col0 - 256), col0));
  const bindingStart = binding ? col0 - binding[0].length : -1;
  const starts = [col0 - generatedName.length, col0, ...(keyword ? [col0 + keyword[0].length] : []), bindingStart];
  const { traceSegment } = traceMapping();
  for (const start of starts) {
    if (start < 0 || !text.startsWith(generatedName, start) || isIdentifierPart(text[start + generatedName.length])) continue;
    const seg = traceSegment(map, line - 1, start);
    if (seg && seg[0] === start && seg.length === 5) return map.names[seg[4]];
  }
  return undefined;
}

function isIdentifierPart(c: string | undefined): boolean {
  return c !== undefined && /[\p{ID_Continue}$\u200c\u200d]/u.test(c);
}

function linesOf(file: string): string[] | null {
  let lines = generatedLines.get(file);
  if (lines === undefined) {
    try {
      lines = statSync(file).size <= MAX_GENERATED_BYTES ? readFileSync(file, "utf8").split("\n") : null;
    } catch {
      lines = null;
    }
    generatedLines.set(file, lines);
  }
  return lines;
}

/** Forgets every loaded map and lookup (files rebuilt while the process runs). */
export function clearSourceMapCache(): void {
  maps.clear();
  lookups.clear();
  names.clear();
  generatedLines.clear();
}
