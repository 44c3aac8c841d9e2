// Fuzz target for the analyzer's decoders and regexps, on generated hostile
// inputs: V8 JSON node trees with cycles, duplicate and unknown ids, wrong
// field types; protobuf profiles with huge counts and lengths, gzipped or
// not; regexps that backtrack. Every input must end in a profile or a
// SourceError whose one line says what is wrong (no JavaScript internal),
// and every regexp must compile with Go's error or give the answer a
// backtracking engine gives on inputs short enough for it.
//
// CI runs a fixed seed set in a few seconds; a longer run:
//   TSPROF_FUZZ_ITERATIONS=100000 TSPROF_FUZZ_SEED=7 node --import tsx --test test/analyzer/fuzz-hostile.test.ts

import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import { parseProfileBytes, SourceError } from "../../src/analyzer/source/index.ts";
import { compileRegexp, FilterError } from "../../src/analyzer/filter/index.ts";
import { profileOf } from "./hostile-inputs.ts";
import { rng, type Rand } from "../helpers/rng.ts";

const iterations = Number(process.env.TSPROF_FUZZ_ITERATIONS ?? 400);
const seed = Number(process.env.TSPROF_FUZZ_SEED ?? 1);

const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

/** Values that break code trusting a field's type. */
const oddValues: unknown[] = [null, 5, -1, 2 ** 31, 2 ** 53 + 2, 1e308, "x", "", [], [5], {}, { id: 1 }, true, [null], [[1]]];

/** Replaces one value somewhere in `doc` (objects and arrays, at random depth) with an odd one. */
function corrupt(r: Rand, doc: unknown): void {
  let at = doc as Record<string, unknown>;
  for (let depth = 0; depth < 6; depth++) {
    const keys = Object.keys(at);
    if (keys.length === 0) return;
    const k = pick(r, keys);
    const v = at[k];
    if (typeof v === "object" && v !== null && r() < 0.6) {
      at = v as Record<string, unknown>;
      continue;
    }
    at[k] = structuredClone(pick(r, oddValues));
    return;
  }
}

function callFrame(r: Rand, i: number) {
  return { functionName: r() < 0.1 ? "(root)" : `f${i}`, scriptId: String(int(r, 3)), url: r() < 0.5 ? "" : `file:///app/m${int(r, 3)}.js`, lineNumber: int(r, 50) - 1, columnNumber: int(r, 50) - 1 };
}

/** A .cpuprofile with random ids and children: cycles, self-children, unknown and duplicate ids. */
function cpuProfile(r: Rand): unknown {
  const n = 1 + int(r, 40);
  const ids = Array.from({ length: n }, (_, i) => (r() < 0.05 ? pick(r, [0, -3, 2 ** 31, i]) : i + 1));
  const nodes = ids.map((id, i) => {
    const children: number[] = [];
    for (let c = i + 1; c < n; c++) if (r() < 2 / n) children.push(ids[c]!);
    // Now and then a back edge: a cycle, a node its own child, a child that is no node.
    if (r() < 0.05) children.push(ids[int(r, i + 1)]!);
    if (r() < 0.03) children.push(1000 + int(r, 10));
    const node: Record<string, unknown> = { id, callFrame: callFrame(r, i), hitCount: int(r, 5), children };
    if (r() < 0.3) node.positionTicks = [{ line: 1 + int(r, 9), ticks: int(r, 4) }];
    return node;
  });
  const samples = Array.from({ length: int(r, 200) }, () => (r() < 0.02 ? 9999 : pick(r, ids)));
  return { nodes, startTime: 0, endTime: 1000 + int(r, 1e6), samples, timeDeltas: samples.map(() => int(r, 2000) - 100) };
}

/** A .heapprofile tree, some of it deep. */
function heapProfile(r: Rand): unknown {
  let id = 1;
  const node = (depth: number): Record<string, unknown> => {
    const children = depth < 8 || r() < 0.97 ? Array.from({ length: depth > 8 ? 1 : int(r, 4) }, () => node(depth + 1)) : [];
    return { callFrame: callFrame(r, id), selfSize: int(r, 100), id: id++, children: depth > 300 ? [] : children };
  };
  const head = node(0);
  const samples = Array.from({ length: int(r, 50) }, () => ({ size: int(r, 4096), nodeId: 1 + int(r, id), ordinal: 0 }));
  return { head, samples };
}

function varint(n: number): number[] {
  const out: number[] = [];
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 128) { out.push(v); return out; }
    out.push((v % 128) | 0x80);
  }
}

/** A small valid profile with fields inserted: huge lengths, floods of strings and samples, ids past int32. */
function protoProfile(r: Rand): Uint8Array {
  const base = profileOf([[["leaf", "mid", "main"], 3], [["other", "main"], 2]], r() < 0.2 ? pick(r, ["(a+)+$", "(", "mid", ".*"]) : "");
  const raw = gunzipSync(base);
  const extra: number[] = [];
  const kind = int(r, 7);
  if (kind === 0) for (let i = 0, n = int(r, 100_000); i < n; i++) extra.push(0x32, 0); // empty strings
  if (kind === 1) for (let i = 0, n = int(r, 50_000); i < n; i++) extra.push(0x12, 2, 0x10, 1); // one-value samples
  if (kind === 2) extra.push(pick(r, [0x12, 0x1a, 0x22, 0x2a, 0x32]), ...varint(pick(r, [2 ** 31, 2 ** 40, 2 ** 28, raw.length]))); // a length past the end
  if (kind === 3) extra.push(0x12, 12, 0x0a, 10, ...varint(2 ** 35).concat(Array(10).fill(0)).slice(0, 10)); // an id past int32
  if (kind === 4) extra.push(0x22, 4, 0x08, ...varint(int(r, 5)), 0x20, 0); // a location without lines
  if (kind === 5) for (let i = 0, n = int(r, 1000); i < n; i++) extra.push(0x0a, 0); // many sample types
  if (kind === 6) for (let i = 0, n = int(r, 20); i < n; i++) extra.push(int(r, 256)); // garbage
  const at = r() < 0.5 ? raw.length : int(r, raw.length);
  const bytes = Buffer.concat([raw.subarray(0, at), Buffer.from(extra), raw.subarray(at)]);
  return r() < 0.5 ? gzipSync(bytes) : bytes;
}

const internals = /is not iterable|call stack|Cannot read|Cannot set|Cannot convert|is not a function|undefined|NaN|Invalid array length|Invalid string length|allocation failed|out of memory|\[object /;

function checkDecode(label: string, data: Uint8Array): void {
  try {
    parseProfileBytes(data);
  } catch (err) {
    assert.ok(err instanceof SourceError, `${label}: ${(err as Error).stack}`);
    assert.doesNotMatch(err.message, internals, label);
    assert.doesNotMatch(err.message, /\n/, label);
  }
}

test("fuzzed V8 JSON and protobuf profiles: a profile or a clean SourceError", () => {
  const r = rng(seed);
  for (let i = 0; i < iterations; i++) {
    const label = `seed ${seed}, iteration ${i}`;
    const which = int(r, 3);
    if (which === 2) {
      checkDecode(`${label} (protobuf)`, protoProfile(r));
      continue;
    }
    const doc = which === 0 ? cpuProfile(r) : heapProfile(r);
    for (let k = int(r, 3); k > 0; k--) corrupt(r, doc);
    checkDecode(`${label} (${which === 0 ? ".cpuprofile" : ".heapprofile"}): ${JSON.stringify(doc).slice(0, 300)}`, Buffer.from(JSON.stringify(doc)));
  }
});

/** Regexps over a small alphabet on which RE2 and JavaScript agree (no classes, escapes or anchors). */
function pattern(r: Rand): string {
  let s = "";
  for (let n = 1 + int(r, 12); n > 0; n--) s += pick(r, ["a", "a", "b", "(", ")", "+", "*", "?", "|", "(a+)", "(a|aa)"]);
  return s;
}

test("fuzzed regexps: Go's error or the backtracking engine's answer, in linear time", () => {
  const r = rng(seed + 1);
  const long = "a".repeat(5000) + "!";
  for (let i = 0; i < iterations; i++) {
    const p = pattern(r);
    let re;
    try {
      re = compileRegexp("focus", p);
    } catch (err) {
      assert.ok(err instanceof FilterError, p);
      assert.match(err.message, /^parsing focus regexp: error parsing regexp: /, p);
      continue;
    }
    let js: RegExp | undefined;
    try {
      js = new RegExp(p);
    } catch {
      js = undefined; // e.g. "a**": RE2 rejects it too (checked above), or JavaScript rejects what RE2 takes
    }
    for (let k = 0; k < 4; k++) {
      const text = Array.from({ length: int(r, 10) }, () => pick(r, ["a", "b", "!"])).join("");
      if (js) assert.equal(re.test(text), js.test(text), `/${p}/ on ${JSON.stringify(text)}`);
    }
    // A text that makes backtracking patterns take years: answered all the same.
    re.test(long);
  }
});
