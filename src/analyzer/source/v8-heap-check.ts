// A .heapprofile (node --heap-prof) as read from a file, checked field by
// field without recursion (a deep tree overflowed the JavaScript stack), its
// depth and size bounded. (Its tree nests objects: JSON cannot make a cycle.)

import type { V8ProfileNode } from "../../collect/cpu-convert.js";
import { SourceError } from "./errors.js";
import { checkCallFrame, MAX_STACK_FRAMES, MAX_V8_DEPTH, MAX_V8_NODES } from "./v8-check.js";

export interface HeapNode {
  callFrame: V8ProfileNode["callFrame"];
  selfSize: number;
  id: number;
  children: HeapNode[];
}

export interface HeapProfileDoc {
  head: HeapNode;
  samples: { size: number; nodeId: number }[];
}

const kind = ".heapprofile";

function fail(what: string): never {
  throw new SourceError(`parsing ${kind}: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

export function checkHeapProfile(doc: Record<string, unknown>): HeapProfileDoc {
  let nodes = 0;
  const checkNode = (v: unknown, where: string): HeapNode => {
    if (!isObject(v)) fail(`${where} is not an object`);
    if (++nodes > MAX_V8_NODES) fail(`more than ${MAX_V8_NODES.toLocaleString("en-US")} nodes (tsprof's limit)`);
    if (!Number.isSafeInteger(v.id)) fail(`${where}.id is not an integer`);
    const selfSize = v.selfSize ?? 0;
    if (!isFiniteNumber(selfSize)) fail(`${where}.selfSize is not a number`);
    const children = v.children ?? [];
    if (!Array.isArray(children)) fail(`${where}.children is not an array`);
    return { callFrame: checkCallFrame(kind, where, v.callFrame), selfSize, id: v.id as number, children: children as HeapNode[] };
  };
  // Checked copies replace each children array.
  const head = checkNode(doc.head, "head");
  const todo: { node: HeapNode; depth: number }[] = [{ node: head, depth: 0 }];
  let frames = 0;
  for (let item = todo.pop(); item; item = todo.pop()) {
    const { node, depth } = item;
    // Each node may be a sample's leaf, with a stack of its depth.
    frames += depth + 1;
    if (frames > MAX_STACK_FRAMES) fail(`the stacks of its nodes hold more than ${MAX_STACK_FRAMES.toLocaleString("en-US")} frames (tsprof's limit)`);
    if (depth >= MAX_V8_DEPTH && node.children.length > 0) fail(`the node tree is deeper than ${MAX_V8_DEPTH.toLocaleString("en-US")} (tsprof's limit)`);
    node.children = node.children.map((c, i) => {
      const child = checkNode(c, `node ${node.id}.children[${i}]`);
      todo.push({ node: child, depth: depth + 1 });
      return child;
    });
  }
  const samplesIn = doc.samples ?? [];
  if (!Array.isArray(samplesIn)) fail("samples is not an array");
  const samples = samplesIn.map((s: unknown, i) => {
    if (!isObject(s) || !isFiniteNumber(s.size) || !Number.isSafeInteger(s.nodeId)) fail(`samples[${i}] is not {size, nodeId} with numbers`);
    return { size: s.size, nodeId: s.nodeId as number };
  });
  return { head, samples };
}
