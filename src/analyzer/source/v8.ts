// V8's JSON profiles converted on the fly: `.cpuprofile` (node --cpu-prof,
// Chrome DevTools) through the CPU collector's converter, and `.heapprofile`
// (node --heap-prof) to a heap profile of the sampled live allocations. Both
// are checked first (v8-check.ts): a malformed file is an error naming the field.

import { cpuProfileData, type V8CpuProfile, type V8ProfileNode } from "../../collect/cpu-convert.js";
import { symbolizeFunction } from "../../collect/frames.js";
import { ProfileBuilder, type Frame } from "../../profile/builder.js";
import type { ProfileData } from "../../profile/model.js";
import { SourceError } from "./errors.js";
import { checkCpuProfile } from "./v8-check.js";
import { checkHeapProfile, type HeapNode, type HeapProfileDoc } from "./v8-heap-check.js";

/** JSON larger than this is not read (parsed, it takes several times its size). */
export const MAX_JSON_BYTES = 1 << 27;

/** True when the bytes look like a JSON document (after whitespace). */
export function looksLikeJSON(data: Uint8Array): boolean {
  for (const b of data) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x7b; // "{"
  }
  return false;
}

export function v8ProfileData(data: Uint8Array): ProfileData {
  if (data.byteLength > MAX_JSON_BYTES) {
    throw new SourceError(`parsing profile: not a pprof profile, and JSON larger than ${MAX_JSON_BYTES >> 20} MB (tsprof's limit for .cpuprofile and .heapprofile)`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"));
  } catch (err) {
    throw new SourceError(`parsing profile: not a pprof profile, and not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    if (Array.isArray(o.nodes)) return cpuProfile(checkCpuProfile(o));
    if (o.head !== undefined) return heapProfile(checkHeapProfile(o));
  }
  throw new SourceError("parsing profile: JSON that is neither a V8 .cpuprofile (nodes, samples) nor a .heapprofile (head)");
}

function cpuProfile(p: V8CpuProfile): ProfileData {
  const samples = p.samples?.length ?? 0;
  const durationMicros = Math.max(0, p.endTime - p.startTime);
  // The sampling interval is not recorded: the mean interval stands in for it.
  const periodNanos = samples > 0 ? Math.max(1, Math.round((durationMicros * 1000) / samples)) : 1_000_000;
  return cpuProfileData([{ thread: "main", profiles: [p] }], {
    periodNanos,
    timeNanos: 0n,
    durationNanos: Math.round(durationMicros * 1000),
  });
}

/**
 * Sample types inuse_objects/count and inuse_space/bytes: the allocations V8
 * sampled that were still live when the profile was written. Values are
 * V8's sampled figures as they are (no re-scaling).
 */
function heapProfile(doc: HeapProfileDoc): ProfileData {
  const b = new ProfileBuilder({
    sampleType: [{ type: "inuse_objects", unit: "count" }, { type: "inuse_space", unit: "bytes" }],
    periodType: { type: "space", unit: "bytes" },
    period: 524288,
    timeNanos: 0n,
  });
  // Per node: the number and bytes of its samples (or its selfSize without samples).
  const perNode = new Map<number, { count: number; bytes: number }>();
  for (const s of doc.samples) {
    const e = perNode.get(s.nodeId) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += s.size;
    perNode.set(s.nodeId, e);
  }
  const useSamples = doc.samples.length > 0;
  const pseudoRoot = doc.head.callFrame.functionName === "(root)";
  // Depth first in the file's order, without recursion: the checks bound the tree's depth, not the JavaScript stack.
  const callers: Frame[] = []; // root first
  const todo: { node: HeapNode; depth: number }[] = [{ node: doc.head, depth: 0 }];
  for (let item = todo.pop(); item; item = todo.pop()) {
    const { node: n, depth } = item;
    callers.length = pseudoRoot ? Math.max(0, depth - 1) : depth;
    if (!(pseudoRoot && depth === 0)) callers.push(frameOf(n.callFrame));
    const v = useSamples ? perNode.get(n.id) : n.selfSize > 0 ? { count: 1, bytes: n.selfSize } : undefined;
    if (v && v.bytes !== 0 && callers.length > 0) b.addSample(callers.slice().reverse(), [v.count, v.bytes]);
    for (let c = n.children.length - 1; c >= 0; c--) todo.push({ node: n.children[c]!, depth: depth + 1 });
  }
  return b.build();
}

function frameOf(cf: V8ProfileNode["callFrame"]): Frame {
  const line = cf.lineNumber + 1, column = cf.columnNumber + 1;
  const sym = symbolizeFunction(cf.functionName, cf.url, line, column);
  return { name: sym.name, file: sym.file, line: sym.startLine, column: 0, startLine: sym.startLine };
}
