// Frame naming, in one place: how a V8 function name and script URL become the
// function name and file a user reads in every profile.

import { fileURLToPath } from "node:url";
import { basename } from "node:path";
import { originalName, originalPosition } from "./sourcemap.js";

/** A V8 script URL → a path for files on disk, `node:fs`-style names for built-ins. */
export function fileFromUrl(url: string): string {
  if (!url.startsWith("file://")) return url;
  let path = paths.get(url);
  if (path === undefined) {
    try {
      path = fileURLToPath(url);
    } catch {
      path = url;
    }
    paths.set(url, path);
  }
  return path;
}

/** URL → path, once per script (URL parsing dominates symbolizing large profiles). */
const paths = new Map<string, string>();

/**
 * The name users see: V8's name, or for an anonymous function one they can
 * find in their editor, `(anonymous file.js:12:5)`: basename, start line and
 * column (the column tells apart two arrow functions on one line).
 */
export function functionDisplayName(v8Name: string, file: string, startLine: number, startColumn: number): string {
  if (v8Name) return v8Name;
  if (!file) return "(anonymous)";
  return `(anonymous ${basename(file)}:${startLine}:${startColumn})`;
}

/** A function as profiles show it, after source maps. */
export interface FunctionSymbol {
  name: string;
  file: string;
  /** 1-based; 0 when unknown. */
  startLine: number;
  /** Column of startLine in `file`, 1-based; 0 when unknown (a minified bundle's functions share line 1). */
  startColumn: number;
  /** The generated file (what V8 ran), for mapping lines inside the function. */
  generatedFile: string;
  /** Where V8 says the function starts in the generated file (1-based). */
  generatedLine: number;
  generatedColumn: number;
  /** Whether file/startLine come from a source map. */
  mapped: boolean;
}

/**
 * Symbolizes a function from V8's name, script URL and 1-based start
 * position: a source-mapped file, line and original name when a map applies,
 * the generated position otherwise.
 */
export function symbolizeFunction(v8Name: string, url: string, startLine: number, startColumn: number): FunctionSymbol {
  const generatedFile = fileFromUrl(url);
  // V8's pseudo-frames ((program), (garbage collector)) and native code.
  if (!generatedFile) return symbol(v8Name || "(anonymous)", "", Math.max(0, startLine), 0, generatedFile, startLine, startColumn, false);
  // An ES module's top-level code has no function position; a CommonJS
  // module's is the anonymous wrapper Node compiles at the file's first character.
  if (startLine <= 0 || (!v8Name && startLine === 1 && startColumn === 1)) {
    const orig = originalPosition(generatedFile, 1, 0);
    const file = orig?.file ?? generatedFile;
    return symbol(v8Name || `(top level ${basename(file)})`, file, 1, 0, generatedFile, 1, 0, !!orig);
  }
  const orig = originalPosition(generatedFile, startLine, startColumn);
  if (orig) {
    // A minified name becomes the original one; an anonymous function stays
    // anonymous (the map's name at its start is a parameter's, not its own).
    const name = functionDisplayName(originalFunctionName(v8Name, generatedFile, startLine, startColumn), orig.file, orig.line, orig.column);
    return symbol(name, orig.file, orig.line, orig.column, generatedFile, startLine, startColumn, true);
  }
  return symbol(functionDisplayName(v8Name, generatedFile, startLine, startColumn), generatedFile, startLine, startColumn, generatedFile, startLine, startColumn, false);
}

/** V8's name with its own part (after a `Type.` qualifier) as the source map names it. */
function originalFunctionName(v8Name: string, file: string, line: number, column: number): string {
  const own = v8Name.lastIndexOf(".") + 1;
  const original = originalName(file, line, column, v8Name.slice(own));
  return original === undefined ? v8Name : v8Name.slice(0, own) + original;
}

// One literal shape for every symbol (object spread here cost more than the
// rest of a large profile's conversion).
function symbol(name: string, file: string, startLine: number, startColumn: number, generatedFile: string, generatedLine: number, generatedColumn: number, mapped: boolean): FunctionSymbol {
  return { name, file, startLine, startColumn, generatedFile, generatedLine, generatedColumn, mapped };
}

/**
 * The original line of a generated line inside a function (V8 reports lines
 * without columns): the first mapping on that line, or on the function's own
 * first line the function's position, so code squeezed onto one line (tsx
 * emits whole modules as one line) falls back to the function's start line.
 * A line mapped to another file than the function's gives its start line.
 */
export function originalLine(fn: FunctionSymbol, generatedLine: number): number {
  if (!fn.mapped) return generatedLine;
  const column = generatedLine === fn.generatedLine ? fn.generatedColumn : 0;
  const orig = originalPosition(fn.generatedFile, generatedLine, column);
  return orig && orig.file === fn.file ? orig.line : fn.startLine;
}
