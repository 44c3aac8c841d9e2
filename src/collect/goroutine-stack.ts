// Stacks captured cheaply now and symbolized only if a profile ever shows
// them: the creation stacks of async resources (goroutine, mutex) and the
// callers of blocking calls (block). V8 records the raw frames at
// Error.captureStackTrace and formats them on the first read of `.stack`, so
// a resource that dies before the next profile costs one capture, no
// symbolizing and no source-map lookup.

import { createRequire } from "node:module";
import type { Frame } from "../profile/builder.js";

// Loaded at the first symbolization, not when a collector starts: the stack
// module brings the frame and source-map code, milliseconds of every
// preloaded process's start-up.
let stackModule: typeof import("./stack.js") | undefined;
function framesFromCallSites(sites: NodeJS.CallSite[]): Frame[] {
  stackModule ??= createRequire(import.meta.url)("./stack.js") as typeof import("./stack.js");
  return stackModule.framesFromCallSites(sites);
}

const DEPTH = 32;

/** An unformatted stack: read it only through resolveStack. */
export interface LazyStack {
  stack?: unknown;
}

/**
 * Captures the stack of the code calling `above` (frames of `above` and
 * everything it called are left out).
 */
// eslint-disable-next-line @typescript-eslint/ban-types
export function captureLazyStack(above: Function): LazyStack {
  const holder: LazyStack = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = DEPTH;
  Error.captureStackTrace(holder, above);
  Error.stackTraceLimit = limit;
  return holder;
}

const resolved = new WeakMap<LazyStack, Frame[]>();

/**
 * The symbolized frames of a lazy stack, leaf first, without the leading
 * frames of Node's internals (async_hooks plumbing, internal constructors),
 * as Go hides leading runtime frames. Symbolized once per stack.
 */
export function resolveStack(holder: LazyStack): Frame[] {
  let frames = resolved.get(holder);
  if (frames) return frames;
  const sites = callSitesOf(holder);
  frames = sites.length > 0 ? dropInternalPrefix(framesFromCallSites(sites)) : [];
  resolved.set(holder, frames);
  return frames;
}

/** V8's call sites of a lazy stack (the first read keeps them as its `.stack`), unsymbolized. */
function callSitesOf(holder: LazyStack): NodeJS.CallSite[] {
  const saved = Error.prepareStackTrace;
  let sites: unknown;
  try {
    Error.prepareStackTrace = (_err, callSites) => callSites;
    sites = holder.stack;
  } finally {
    Error.prepareStackTrace = saved;
  }
  // A stack already formatted as text elsewhere (should not happen) has no sites.
  return Array.isArray(sites) ? (sites as NodeJS.CallSite[]) : [];
}

/**
 * A key that tells stacks apart by their code positions alone, without
 * symbolizing them (no source maps, no module loaded): the same call path,
 * the same key.
 */
export function rawStackKey(holder: LazyStack): string {
  let key = "";
  for (const site of callSitesOf(holder)) key += `${site.getFunctionName() ?? ""}@${site.getScriptNameOrSourceURL() ?? ""}:${site.getLineNumber() ?? 0}:${site.getColumnNumber() ?? 0}\n`;
  return key;
}

function dropInternalPrefix(frames: Frame[]): Frame[] {
  let i = 0;
  while (i < frames.length - 1 && frames[i]!.file.startsWith("node:internal/")) i++;
  return i === 0 ? frames : frames.slice(i);
}

/** A key that tells stacks apart without symbolizing them (same code position, same key). */
export function stackKey(holder: LazyStack): string {
  const frames = resolveStack(holder);
  let key = "";
  for (const f of frames) key += `${f.name}\0${f.file}\0${f.line}\0${f.column}\n`;
  return key;
}

/** A pseudo-frame naming what a sample is (a resource kind, a blocking call) without a source position. */
export function pseudoFrame(name: string, file = ""): Frame {
  return { name, file, line: 0, column: 0, startLine: 0 };
}
