// V8's JSON profiles converted on the fly: `.cpuprofile` (node --cpu-prof,
// Chrome DevTools) through the CPU collector's converter, and `.heapprofile`
// (node --heap-prof) to a heap profile of the sampled live allocations.

import { cpuProfileData, type V8CpuProfile, type V8ProfileNode } from "../../collect/cpu-convert.js";
import { symbolizeFunction } from "../../collect/frames.js";
import { ProfileBuilder, type Frame } from "../../profile/builder.js";
import type { ProfileData } from "../../profile/model.js";
import { SourceError } from "./errors.js";

/** True when the bytes look like a JSON document (after whitespace). */
export function looksLikeJSON(data: Uint8Array): boolean {
  for (const b of data) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x7b; // "{"
  }
  return false;
}

export function v8ProfileData(data: Uint8Array): ProfileData {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"));
  } catch (err) {
    throw new SourceError(`parsing profile: not a pprof profile, and not valid JSON: ${(err as Error).message}`);
  }
  if (isCpuProfile(doc)) return cpuProfile(doc);
  if (isHeapProfile(doc)) return heapProfile(doc);
  throw new SourceError("parsing profile: JSON that is neither a V8 .cpuprofile (nodes, samples) nor a .heapprofile (head)");
}

function isCpuProfile(d: unknown): d is V8CpuProfile {
  const o = d as V8CpuProfile;
  return typeof o === "object" && o !== null && Array.isArray(o.nodes) && typeof o.startTime === "number" &&
    o.nodes.every((n) => typeof n === "object" && n !== null && typeof n.id === "number" && typeof n.callFrame === "object" && n.callFrame !== null);
}

function cpuProfile(p: V8CpuProfile): ProfileData {
  const samples = p.samples?.length ?? 0;
  const durationMicros = Math.max(0, p.endTime - p.startTime);
  // The sampling interval is not recorded: the mean interval stands in for it.
  const periodNanos = samples > 0 ? Math.max(1, Math.round((durationMicros * 1000) / samples)) : 1_000_000;
  try {
    return cpuProfileData([{ thread: "main", profiles: [p] }], {
      periodNanos,
      timeNanos: 0n,
      durationNanos: Math.round(durationMicros * 1000),
    });
  } catch (err) {
    throw new SourceError(`converting .cpuprofile: ${(err as Error).message}`);
  }
}

interface HeapNode {
  callFrame: V8ProfileNode["callFrame"];
  selfSize: number;
  id: number;
  children?: HeapNode[];
}
interface HeapProfileDoc {
  head: HeapNode;
  samples?: { size: number; nodeId: number; ordinal?: number }[];
}

function isHeapProfile(d: unknown): d is HeapProfileDoc {
  const o = d as HeapProfileDoc;
  return typeof o === "object" && o !== null && typeof o.head === "object" && o.head !== null && typeof o.head.callFrame === "object";
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
  for (const s of doc.samples ?? []) {
    const e = perNode.get(s.nodeId) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += s.size;
    perNode.set(s.nodeId, e);
  }
  const useSamples = (doc.samples?.length ?? 0) > 0;
  const stack: Frame[] = [];
  const walk = (n: HeapNode, depth: number) => {
    if (depth > 10_000) throw new SourceError("converting .heapprofile: call tree too deep");
    const cf = n.callFrame;
    const isRoot = depth === 0 && cf.functionName === "(root)";
    if (!isRoot) stack.unshift(frameOf(cf));
    const v = useSamples ? perNode.get(n.id) : n.selfSize > 0 ? { count: 1, bytes: n.selfSize } : undefined;
    if (v && v.bytes !== 0 && stack.length > 0) b.addSample(stack, [v.count, v.bytes]);
    for (const c of n.children ?? []) walk(c, depth + 1);
    if (!isRoot) stack.shift();
  };
  walk(doc.head, 0);
  return b.build();
}

function frameOf(cf: V8ProfileNode["callFrame"]): Frame {
  const line = cf.lineNumber + 1, column = cf.columnNumber + 1;
  const sym = symbolizeFunction(cf.functionName, cf.url, line, column);
  return { name: sym.name, file: sym.file, line: sym.startLine, column: 0, startLine: sym.startLine };
}
