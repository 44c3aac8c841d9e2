// Frame naming, in one place: how a V8 function name and script URL become the
// function name and file a user reads in every profile.

import { fileURLToPath } from "node:url";
import { basename } from "node:path";

/** A V8 script URL → a path for files on disk, `node:fs`-style names for built-ins. */
export function fileFromUrl(url: string): string {
  if (url.startsWith("file://")) {
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  }
  return url;
}

/**
 * The name users see: V8's name, or for an anonymous function one they can
 * find in their editor, `<anonymous> (file.js:12:5)` ... kept short: basename,
 * start line and column.
 */
export function functionDisplayName(v8Name: string, file: string, startLine: number, startColumn: number): string {
  if (v8Name) return v8Name;
  if (!file) return "(anonymous)";
  return `(anonymous ${basename(file)}:${startLine}:${startColumn})`;
}
