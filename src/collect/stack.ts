// Capturing the current JavaScript stack as symbolized frames (for custom
// profiles' add(), and creation stacks of resources and threads).

import type { Frame } from "../profile/builder.js";
import { fileFromUrl, symbolizeFunction } from "./frames.js";
import { originalPosition } from "./sourcemap.js";

const MAX_DEPTH = 64;

function callSites(skip: number, depth: number): NodeJS.CallSite[] {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  try {
    Error.prepareStackTrace = (_err, sites) => sites;
    Error.stackTraceLimit = depth + skip;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, callSites);
    return (holder.stack ?? []).slice(skip);
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

function siteName(site: NodeJS.CallSite): string {
  const fn = site.getFunctionName();
  const type = site.isToplevel() ? null : safe(() => site.getTypeName());
  const method = safe(() => site.getMethodName());
  if (fn) {
    if (type && type !== "Object" && type !== "global" && !fn.includes(".")) return `${type}.${fn}`;
    return fn;
  }
  if (type && method && type !== "Object") return `${type}.${method}`;
  return method ?? "";
}

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

/** The current stack, leaf first; skip=0 starts at the function calling captureStack. */
export function captureStack(skip = 0, depth = MAX_DEPTH): Frame[] {
  // +1 for captureStack itself (callSites' own frame is hidden by captureStackTrace).
  return framesFromCallSites(callSites(skip + 1, depth));
}

/** Symbolizes call sites (leaf first) as captureStack does; for stacks captured earlier and resolved later. */
export function framesFromCallSites(sites: readonly NodeJS.CallSite[]): Frame[] {
  const frames: Frame[] = [];
  for (const site of sites) {
    const url = site.getScriptNameOrSourceURL() ?? site.getFileName() ?? "";
    const line = site.getLineNumber() ?? 0;
    const column = site.getColumnNumber() ?? 0;
    // The function, named and placed as the CPU profile places it (same
    // naming, same source maps), from where its code starts.
    const fn = symbolizeFunction(siteName(site), url, safe(() => site.getEnclosingLineNumber()) ?? 0, safe(() => site.getEnclosingColumnNumber()) ?? 0);
    const file = fileFromUrl(url);
    const orig = file ? originalPosition(file, line, column) : undefined;
    frames.push(
      orig
        ? { name: fn.name, file: orig.file, line: orig.line, column: orig.column, startLine: orig.file === fn.file ? fn.startLine : 0 }
        : { name: fn.name, file, line, column, startLine: fn.file === file ? fn.startLine : 0 },
    );
  }
  return frames;
}
