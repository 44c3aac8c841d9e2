// The call graph's arithmetic on small hand-made profiles: cum counted once
// per sample through recursion, residual edges across dropped frames, inline
// edges, granularity, -mean, call trees and tree trimming.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Location, Mapping, ProfileData, ProfileFunction } from "../../src/profile/model.ts";
import { emptyProfile, newSample } from "../../src/profile/model.ts";
import {
  aggregationFor, buildGraph, keySet, nodeKey, removeRedundantEdges, sortNodes, trimTree, type Graph, type GraphNode,
} from "../../src/analyzer/graph/index.ts";

function profile(stacks: { frames: string[][]; value: number[] }[]): ProfileData {
  // frames: leaf first; each entry is one location: ["fn:line", ...inline callers]
  const p = emptyProfile();
  p.sampleType = [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }];
  const m: Mapping = { id: 1, start: 0n, limit: 0n, offset: 0n, file: "/bin/app", buildId: "", hasFunctions: true, hasFilenames: true, hasLineNumbers: true, hasInlineFrames: true };
  p.mapping.push(m);
  const fns = new Map<string, ProfileFunction>();
  const locs = new Map<string, Location>();
  const fn = (name: string) => {
    let f = fns.get(name);
    if (!f) {
      f = { id: fns.size + 1, name, systemName: name, filename: `/src/${name}.ts`, startLine: 1 };
      fns.set(name, f);
      p.function.push(f);
    }
    return f;
  };
  const loc = (frames: string[]) => {
    const key = frames.join("|");
    let l = locs.get(key);
    if (!l) {
      l = { id: locs.size + 1, mapping: m, address: BigInt(0x1000 + locs.size), isFolded: false, line: frames.map((fr) => {
        const [name, line] = fr.split(":");
        return { function: fn(name!), line: Number(line ?? 1), column: 0 };
      }) };
      locs.set(key, l);
      p.location.push(l);
    }
    return l;
  };
  for (const s of stacks) p.sample.push(newSample(s.frames.map(loc), s.value));
  return p;
}

const byName = (g: Graph) => new Map(g.nodes.map((n) => [n.printableName(), n] as [string, GraphNode]));
const value = (v: number[]) => v[1]!;

test("recursion counts cum once per sample and flat at the leaf", () => {
  const p = profile([
    { frames: [["c"], ["a"], ["b"], ["a"], ["main"]], value: [1, 10] },
    { frames: [["b"], ["main"]], value: [1, 5] },
  ]);
  const g = buildGraph(p, { sampleValue: value, aggregation: aggregationFor("functions", false) });
  const n = byName(g);
  assert.equal(n.get("a")!.cum, 10);
  assert.equal(n.get("b")!.cum, 15);
  assert.equal(n.get("b")!.flat, 5);
  assert.equal(n.get("c")!.flat, 10);
  assert.equal(n.get("main")!.cum, 15);
  assert.equal(n.get("a")!.out.get(n.get("b")!)!.weight, 10);
  assert.equal(n.get("b")!.out.get(n.get("a")!)!.weight, 10);
  assert.equal(n.get("main")!.out.get(n.get("b")!)!.weight, 5);
});

test("frames outside keptNodes make residual edges and withhold flat", () => {
  const p = profile([{ frames: [["leaf"], ["mid"], ["top"]], value: [1, 7] }]);
  const full = buildGraph(p, { sampleValue: value, aggregation: aggregationFor("functions", false) });
  const kept = keySet(full.nodes.filter((n) => n.info.name !== "mid" && n.info.name !== "leaf"));
  const g = buildGraph(p, { sampleValue: value, aggregation: aggregationFor("functions", false), keptNodes: kept });
  assert.deepEqual(g.nodes.map((n) => n.info.name), ["top"]);
  assert.equal(g.nodes[0]!.flat, 0, "a dropped leaf gives its flat to no one");
  const kept2 = keySet(full.nodes.filter((n) => n.info.name !== "mid"));
  const g2 = byName(buildGraph(p, { sampleValue: value, aggregation: aggregationFor("functions", false), keptNodes: kept2 }));
  const e = g2.get("top")!.out.get(g2.get("leaf")!)!;
  assert.equal(e.residual, true);
  assert.equal(e.weight, 7);
});

test("inlined frames give inline edges; -noinlines keeps only the physical frame", () => {
  const p = profile([{ frames: [["inner:5", "outer:9"], ["main:2"]], value: [1, 3] }]);
  const g = byName(buildGraph(p, { sampleValue: value, aggregation: aggregationFor("functions", false) }));
  assert.equal(g.get("outer")!.out.get(g.get("inner")!)!.inline, true);
  assert.equal(g.get("main")!.out.get(g.get("outer")!)!.inline, false);
  const noinl = buildGraph(p, { sampleValue: value, aggregation: aggregationFor("functions", true) });
  assert.deepEqual(noinl.nodes.map((n) => n.info.name).sort(), ["main", "outer"]);
  assert.equal(byName(noinl).get("outer")!.flat, 3);
});

test("granularity decides what a node is", () => {
  const p = profile([
    { frames: [["f:10"], ["main:1"]], value: [1, 1] },
    { frames: [["f:20"], ["main:1"]], value: [1, 2] },
  ]);
  const names = (g: string) => buildGraph(p, { sampleValue: value, aggregation: aggregationFor(g as "lines", false) }).nodes.map((n) => n.printableName()).sort();
  assert.deepEqual(names("functions"), ["f", "main"]);
  assert.deepEqual(names("lines"), ["f /src/f.ts:10", "f /src/f.ts:20", "main /src/main.ts:1"]);
  assert.deepEqual(names("filefunctions"), ["f /src/f.ts", "main /src/main.ts"]);
  assert.deepEqual(names("files"), ["/src/f.ts", "/src/main.ts"]);
  assert.equal(names("addresses").length, 3);
  assert.match(names("addresses")[0]!, /^0000000000001000 f \/src\/f.ts:10$/);
});

test("-mean divides by the sample count", () => {
  const p = profile([
    { frames: [["f"]], value: [2, 10] },
    { frames: [["f"]], value: [3, 20] },
  ]);
  const g = buildGraph(p, { sampleValue: value, sampleMeanDivisor: (v) => v[0]!, aggregation: aggregationFor("functions", false) });
  assert.equal(g.nodes[0]!.flatValue(), 6); // 30 / 5
});

test("call trees split a function by path, and trimming joins the survivors", () => {
  const p = profile([
    { frames: [["work"], ["a"], ["main"]], value: [1, 4] },
    { frames: [["work"], ["b"], ["main"]], value: [1, 6] },
  ]);
  const g = buildGraph(p, { sampleValue: value, aggregation: aggregationFor("functions", false), callTree: true });
  const work = g.nodes.filter((n) => n.info.name === "work");
  assert.deepEqual(work.map((n) => n.cum).sort(), [4, 6]);
  const main = g.nodes.find((n) => n.info.name === "main")!;
  trimTree(g, new Set(g.nodes.filter((n) => n.info.name !== "a" && n.info.name !== "b")));
  assert.equal(g.nodes.length, 3);
  assert.deepEqual([...main.out.values()].map((e) => [e.dest.cum, e.residual]).sort(), [[4, true], [6, true]]);
});

test("redundant residual edges are removed when a longer path explains them", () => {
  const p = profile([{ frames: [["c"], ["b"], ["a"]], value: [1, 2] }]);
  const g = buildGraph(p, { sampleValue: value, aggregation: aggregationFor("functions", false) });
  const n = byName(g);
  const e = { src: n.get("a")!, dest: n.get("c")!, weight: 1, weightDiv: 0, residual: true, inline: false, seen: -1 };
  n.get("a")!.out.set(n.get("c")!, e);
  n.get("c")!.in.set(n.get("a")!, e);
  sortNodes(g.nodes, "flat");
  removeRedundantEdges(g);
  assert.equal(n.get("a")!.out.has(n.get("c")!), false);
  assert.equal(n.get("a")!.out.has(n.get("b")!), true);
});

test("node keys tell nodes apart by every field", () => {
  const base = { name: "f", origName: "", address: 0n, file: "x", startLine: 1, lineno: 2, objfile: "" };
  assert.notEqual(nodeKey(base), nodeKey({ ...base, lineno: 3 }));
  assert.notEqual(nodeKey(base), nodeKey({ ...base, address: 1n }));
  assert.equal(nodeKey(base), nodeKey({ ...base }));
});

/** Every node's weights and every edge's weight and flags, as text. */
function describe(g: Graph): string[] {
  const out: string[] = [];
  for (const n of g.nodes) {
    out.push(`${n.printableName()} flat=${n.flat} cum=${n.cum}`);
    for (const e of n.out.values()) out.push(`  -> ${e.dest.printableName()} w=${e.weight} residual=${e.residual} inline=${e.inline}`);
    for (const t of n.labelTags.values()) out.push(`  tag ${t.name} flat=${t.flat} cum=${t.cum}`);
  }
  return out.sort();
}

test("location ids out of range (sparse, huge) give the same graph as dense ids", () => {
  const stacks = [
    { frames: [["c:3", "b:2"], ["a:1"], ["b:9"], ["a:1"], ["main:1"]], value: [1, 10] },
    { frames: [["b:2"], ["main:1"]], value: [1, 5] },
    { frames: [["d:4"], ["c:3", "b:2"], ["main:1"]], value: [2, 7] },
  ];
  const dense = profile(stacks);
  dense.sample.forEach((s, i) => (s.label = { job: [i % 2 === 0 ? "x" : "y"] }));
  const sparse = profile(stacks);
  sparse.sample.forEach((s, i) => (s.label = { job: [i % 2 === 0 ? "x" : "y"] }));
  sparse.location.forEach((l, i) => (l.id = 2 ** 31 - 10 + i * 3));
  for (const granularity of ["functions", "lines"] as const) {
    for (const noInlines of [false, true]) {
      const o = { sampleValue: value, aggregation: aggregationFor(granularity, noInlines) };
      const a = buildGraph(dense, o);
      const b = buildGraph(sparse, o);
      assert.deepEqual(describe(b), describe(a));
      // Rebuilt with a node left out, its callers' edges become residual in both.
      const kept = keySet(a.nodes.filter((n) => n.info.name !== "a"));
      assert.deepEqual(describe(buildGraph(sparse, { ...o, keptNodes: kept })), describe(buildGraph(dense, { ...o, keptNodes: kept })));
    }
  }
  const g = byName(buildGraph(dense, { sampleValue: value, aggregation: aggregationFor("functions", false) }));
  assert.equal(g.get("b")!.labelTags.get("job:x")!.cum, 17);
  assert.equal(g.get("b")!.labelTags.get("job:y")!.flat, 5);
  assert.equal(g.get("a")!.out.get(g.get("b")!)!.weight, 10);
  assert.equal(g.get("b")!.out.get(g.get("c")!)!.inline, true);
});
