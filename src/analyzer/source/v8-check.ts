// V8 JSON profiles as read from a file: every field the converters use is
// checked first, so that a malformed or hostile file ends in an error naming
// the field (never "number 5 is not iterable"), and the CPU profile's node
// tree is made sound: ids renumbered 1..n (an id of 2^31 would size arrays
// by it), every child listed once, no cycles (the converter follows parent
// links to the root), and the stacks of the sampled nodes bounded in total.

import type { V8CpuProfile, V8ProfileNode } from "../../collect/cpu-convert.js";
import { SourceError } from "./errors.js";

/** Stack frames over the stacks the converters build (a .cpuprofile's: one per sampled node and line; a .heapprofile's: one per node). */
export const MAX_STACK_FRAMES = 1 << 24;
/** Nodes of a .cpuprofile or .heapprofile. */
export const MAX_V8_NODES = 1 << 23;
/** Depth of a .heapprofile's tree, and of a .cpuprofile's. */
export const MAX_V8_DEPTH = 1 << 16;

type CallFrame = V8ProfileNode["callFrame"];

function fail(kind: string, what: string): never {
  throw new SourceError(`parsing ${kind}: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isInteger(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v);
}

function finite(kind: string, where: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(kind, `${where} is not a number`);
  return v;
}

function optionalArray(kind: string, where: string, v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(kind, `${where} is not an array`);
  return v;
}

export function checkCallFrame(kind: string, where: string, v: unknown): CallFrame {
  if (!isObject(v)) fail(kind, `${where}.callFrame is not an object`);
  const { functionName, scriptId, url, lineNumber, columnNumber } = v;
  if (typeof functionName !== "string") fail(kind, `${where}.callFrame.functionName is not a string`);
  if (typeof url !== "string") fail(kind, `${where}.callFrame.url is not a string`);
  if (!isInteger(lineNumber) || !isInteger(columnNumber)) fail(kind, `${where}.callFrame's lineNumber and columnNumber are not integers`);
  if (typeof scriptId !== "string" && !isInteger(scriptId)) fail(kind, `${where}.callFrame.scriptId is neither a string nor an integer`);
  return { functionName, scriptId: String(scriptId), url, lineNumber, columnNumber };
}

/** A .cpuprofile checked and renumbered (see above); SourceError "parsing .cpuprofile: …" when it is not sound. */
export function checkCpuProfile(doc: Record<string, unknown>): V8CpuProfile {
  const kind = ".cpuprofile";
  const nodesIn = optionalArray(kind, "nodes", doc.nodes);
  if (nodesIn.length > MAX_V8_NODES) fail(kind, `more than ${MAX_V8_NODES.toLocaleString("en-US")} nodes (tsprof's limit)`);
  const startTime = finite(kind, "startTime", doc.startTime);
  const endTime = finite(kind, "endTime", doc.endTime);
  // File id → index + 1 (the new id).
  const index = new Map<number, number>();
  nodesIn.forEach((n, i) => {
    if (!isObject(n)) fail(kind, `nodes[${i}] is not an object`);
    if (!isInteger(n.id)) fail(kind, `nodes[${i}].id is not an integer`);
    if (index.has(n.id)) fail(kind, `two nodes have id ${n.id}`);
    index.set(n.id, i + 1);
  });
  const parent = new Int32Array(nodesIn.length + 1);
  const nodes: V8ProfileNode[] = nodesIn.map((raw, i) => {
    const n = raw as Record<string, unknown>;
    const where = `node ${n.id as number}`;
    const node: V8ProfileNode = { id: i + 1, callFrame: checkCallFrame(kind, where, n.callFrame) };
    if (n.hitCount !== undefined) node.hitCount = finite(kind, `${where}.hitCount`, n.hitCount);
    const children = optionalArray(kind, `${where}.children`, n.children);
    if (children.length > 0) {
      node.children = children.map((c) => {
        const child = isInteger(c) ? index.get(c) : undefined;
        if (child === undefined) fail(kind, `${where} lists a child that is not a node: ${typeof c === "number" ? c : `a ${c === null ? "null" : typeof c}`}`);
        if (child === i + 1) fail(kind, `${where} lists itself as a child (a cycle)`);
        if (parent[child] !== 0) fail(kind, `node ${c as number} is listed as a child twice (of node ${(nodesIn[parent[child]! - 1] as { id: number }).id} and of ${where})`);
        parent[child] = i + 1;
        return child;
      });
    }
    const ticks = optionalArray(kind, `${where}.positionTicks`, n.positionTicks);
    if (ticks.length > 0) {
      node.positionTicks = ticks.map((t, k) => {
        if (!isObject(t) || !isInteger(t.line) || !isInteger(t.ticks) || t.ticks < 0) {
          fail(kind, `${where}.positionTicks[${k}] is not {line, ticks} with integers`);
        }
        return { line: t.line, ticks: t.ticks };
      });
    }
    return node;
  });
  const depth = nodeDepths(parent, (k) => (nodesIn[k - 1] as { id: number }).id);
  const samples = optionalArray(kind, "samples", doc.samples).map((id, i) => {
    if (!isInteger(id)) fail(kind, `samples[${i}] is not an integer`);
    return index.get(id) ?? 0; // an id V8 did not list: not counted, as before
  });
  const timeDeltas = optionalArray(kind, "timeDeltas", doc.timeDeltas).map((d, i) => finite(kind, `timeDeltas[${i}]`, d));
  checkStackFrames(kind, nodes, samples, depth);
  return { nodes, startTime, endTime, samples, timeDeltas };
}

/**
 * Each node's depth (1 for a root), following parent links; fails on a cycle
 * (a node its own ancestor) or a tree deeper than MAX_V8_DEPTH.
 * `fileId(k)` is node k's id in the file, for messages.
 */
function nodeDepths(parent: Int32Array, fileId: (k: number) => number): Int32Array {
  const depth = new Int32Array(parent.length); // 0: not known yet; -1: on the path being walked
  const path: number[] = [];
  for (let k = 1; k < parent.length; k++) {
    let at = k;
    while (at !== 0 && depth[at] === 0) {
      depth[at] = -1;
      path.push(at);
      at = parent[at]!;
    }
    if (at !== 0 && depth[at] === -1) {
      throw new SourceError(`parsing .cpuprofile: the node tree has a cycle: node ${fileId(at)} is its own ancestor`);
    }
    let d = at === 0 ? 0 : depth[at]!;
    for (let j = path.length - 1; j >= 0; j--) {
      d++;
      if (d > MAX_V8_DEPTH) throw new SourceError(`parsing .cpuprofile: the node tree is deeper than ${MAX_V8_DEPTH.toLocaleString("en-US")} (tsprof's limit)`);
      depth[path[j]!] = d;
    }
    path.length = 0;
  }
  return depth;
}

/** The converter builds a stack per sampled node and leaf line: their frames, bounded. */
function checkStackFrames(kind: string, nodes: V8ProfileNode[], samples: number[], depth: Int32Array): void {
  const sampled = new Uint8Array(nodes.length + 1);
  for (const id of samples) sampled[id] = 1;
  let frames = 0;
  for (let k = 1; k <= nodes.length; k++) {
    if (sampled[k] === 0) continue;
    frames += depth[k]! * Math.max(1, nodes[k - 1]!.positionTicks?.length ?? 0);
    if (frames > MAX_STACK_FRAMES) {
      fail(kind, `the sampled stacks hold more than ${MAX_STACK_FRAMES.toLocaleString("en-US")} frames (tsprof's limit)`);
    }
  }
}
