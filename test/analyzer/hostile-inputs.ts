// Hostile inputs for the analyzer's decoders, made small on disk and large
// when read: node trees with cycles, gzip bombs, counts past the decoder's
// caps, deep nesting, megabyte names, profiles whose own regexps backtrack.

import { gzipSync } from "node:zlib";
import { ProfileBuilder, type Frame } from "../../src/profile/builder.ts";
import { encodeProfileGzipSync } from "../../src/profile/encode.ts";

const frame = (name: string, file = "x.go"): Frame => ({ name, file, line: 1, column: 0, startLine: 1 });

/** A V8 call frame (functionName at 0-based line 1). */
export function callFrame(functionName: string): { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number } {
  return { functionName, scriptId: "1", url: "", lineNumber: 1, columnNumber: 1 };
}

/** A .cpuprofile with `nodes` as given (ids, children), every non-root node sampled. */
export function cpuProfileJSON(nodes: { id: number; children?: number[] }[]): Buffer {
  const full = nodes.map((n, i) => ({ ...n, callFrame: callFrame(i === 0 ? "(root)" : `f${n.id}`) }));
  const samples = [nodes[0]!.id, ...nodes.slice(1).map((n) => n.id), ...nodes.slice(1).map((n) => n.id)];
  return Buffer.from(JSON.stringify({ nodes: full, startTime: 0, endTime: 1000, samples, timeDeltas: samples.map(() => 10) }));
}

/** The 223-byte kind: a node that lists itself as its child. */
export const selfChildCpuProfile = (): Buffer => cpuProfileJSON([{ id: 1, children: [2] }, { id: 2, children: [2] }]);

/** Two nodes each other's parent, neither under the root. */
export const cycleCpuProfile = (): Buffer => cpuProfileJSON([{ id: 1 }, { id: 2, children: [3] }, { id: 3, children: [2] }]);

/** A .heapprofile whose tree is `depth` deep. */
export function deepHeapProfile(depth: number): Buffer {
  const open = (i: number) => `{"callFrame":${JSON.stringify(callFrame(`f${i}`))},"selfSize":8,"id":${i},"children":[`;
  return Buffer.from(`{"head":` + Array.from({ length: depth }, (_, i) => open(i + 1)).join("") + "]}".repeat(depth) + `,"samples":[]}`);
}

/** A .cpuprofile chain `depth` deep (each node the only child of the one before). */
export function deepCpuProfile(depth: number): Buffer {
  return cpuProfileJSON(Array.from({ length: depth }, (_, i) => (i < depth - 1 ? { id: i + 1, children: [i + 2] } : { id: i + 1 })));
}

/**
 * Gzip members of `chunk` concatenated (gunzip reads them as one stream):
 * `members` MB inflated from about a kilobyte each.
 */
export function gzipBomb(chunk: Buffer, members: number): Buffer {
  const member = gzipSync(chunk, { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => member));
}

/** 1 MB of empty string-table entries (field 6, length 0). */
export function emptyStrings(): Buffer {
  const b = Buffer.alloc(1 << 20);
  for (let i = 0; i < b.length; i += 2) b[i] = 0x32;
  return b;
}

/** 1 MB of empty samples (field 2, length 0). */
export function emptySamples(): Buffer {
  const b = Buffer.alloc(1 << 20);
  for (let i = 0; i < b.length; i += 2) b[i] = 0x12;
  return b;
}

/** One sample whose packed location ids (all 1) take `n` bytes: n ids. */
export function manyLocationIds(n: number): Buffer {
  const ids = Buffer.alloc(n, 1);
  const len: number[] = [];
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 128) { len.push(v); break; }
    len.push((v & 0x7f) | 0x80);
  }
  const inner = Buffer.concat([Buffer.from([0x0a]), Buffer.from(len), ids]);
  const outerLen: number[] = [];
  for (let v = inner.length; ; v = Math.floor(v / 128)) {
    if (v < 128) { outerLen.push(v); break; }
    outerLen.push((v & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([0x12]), Buffer.from(outerLen), inner]);
}

/** A CPU-like profile: [leaf, …, root] stacks and their counts. */
export function profileOf(stacks: [string[], number][], dropFrames = "", files: { mapping?: string; source?: string } = {}): Uint8Array {
  const b = new ProfileBuilder({
    sampleType: [{ type: "samples", unit: "count" }], periodType: { type: "cpu", unit: "nanoseconds" }, period: 1, timeNanos: 0n,
    ...(files.mapping !== undefined ? { mappingFile: files.mapping } : {}),
  });
  for (const [names, n] of stacks) b.addSample(names.map((s) => frame(s, files.source)), [n]);
  const p = b.build();
  p.dropFrames = dropFrames;
  return encodeProfileGzipSync(p);
}

/** Names that make backtracking regexps such as `(a+)+$` take exponential time. */
export const backtrackingName = "a".repeat(40) + "!";

/** A profile whose drop_frames is `(a+)+$`, with a function named backtrackingName. */
export function backtrackingDropFrames(): Uint8Array {
  return profileOf([[[backtrackingName, "main"], 3], [["aaaa", "main"], 5], [["leaf", "aaa", "main"], 7]], "(a+)+$");
}

/** `count` functions with names (and files) `length` characters long, each called by the next. */
export function longNames(count: number, length: number): Uint8Array {
  const names = Array.from({ length: count }, (_, i) => `f${i}.` + "a.b::".repeat(Math.ceil(length / 5)));
  return profileOf(names.map((_, i) => [names.slice(i), i + 1] as [string[], number]));
}

