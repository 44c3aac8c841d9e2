// A size the heap records settled once stays settled for that stack: a drain
// of the allocation sampler holding a single sample of a 64 KiB array at a
// 32 KiB rate (which V8 reports exactly as it would two 32 KiB arrays) keeps
// the array's size, not the smallest candidate.

import { test } from "node:test";
import assert from "node:assert/strict";
import { HeapRecords } from "../../src/collect/heap-records.ts";
import type { V8HeapProfile } from "../../src/collect/heap-sampler.ts";
import { v8ScaledCount } from "../../src/collect/heap-sizes.ts";

const RATE = 32 * 1024;
const SIZE = 64_048; // new Array(8000): 8 * 8000 + 48 bytes

function drain(samples: number, firstOrdinal: number): V8HeapProfile {
  const root = { callFrame: { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 }, selfSize: 0, id: 1, children: [] as V8HeapProfile["head"][] };
  // V8's report: each sample is size * its rounded scale (1 here), and the node's selfSize is size * round(count * scale).
  const node = { callFrame: { functionName: "garbageLarge", scriptId: "7", url: "file:///app/large.js", lineNumber: 3, columnNumber: 0 }, selfSize: SIZE * v8ScaledCount(SIZE, samples, RATE), id: 2, children: [] };
  root.children.push(node);
  return { head: root, samples: Array.from({ length: samples }, (_, i) => ({ size: SIZE, nodeId: 2, ordinal: firstOrdinal + i })) };
}

test("a drain with one sample of a size settled earlier keeps that size", () => {
  const records = new HeapRecords();
  records.drained(drain(5, 1), RATE, false);
  records.drained(drain(1, 1), RATE, false);
  const sizes = records.all().map((r) => [r.size, r.seen]);
  assert.deepEqual(sizes, [[SIZE, 6]]);
});

test("alone, one sample stays ambiguous: the smallest candidate, as documented", () => {
  const records = new HeapRecords();
  records.drained(drain(1, 1), RATE, false);
  assert.deepEqual(records.all().map((r) => r.size), [SIZE / 2]);
});
