// Flame graphs: the tree's numbers agree with the top report, the HTML file
// stands alone, and a -diff_base comparison keeps the base's share.

import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultConfig } from "../../src/analyzer/config.ts";
import { readFileSync } from "node:fs";
import { flameData, flameGraphHTML, flameTree, type FlameData, type FlameNode } from "../../src/analyzer/flame/index.ts";
import { pivotTree, type PivotNode } from "../../src/analyzer/flame/pivot.ts";
import { decodeProfile, decodedSamples } from "../../src/profile/decode.ts";
import { combineSources } from "../../src/analyzer/filter/index.ts";
import { computeTotal, Report, textItems } from "../../src/analyzer/report/index.ts";
import { mergeProfiles } from "../../src/profile/merge.ts";
import { loadProfile, sampleIndexOf } from "./report-helpers.ts";

const fixture = "test/fixtures/analyzer/report-profiles/cpu.pb.gz";

/** A function's cum as the flame graph implies it: the paths through its outermost frames. */
function cumOf(root: FlameNode, name: string): number {
  let sum = 0;
  const walk = (n: FlameNode) => {
    if (n.name === name) {
      sum += n.value;
      return;
    }
    n.children.forEach(walk);
  };
  walk(root);
  return sum;
}

function selfOf(root: FlameNode, name: string): number {
  let sum = 0;
  const walk = (n: FlameNode) => {
    if (n.name === name) sum += n.self;
    n.children.forEach(walk);
  };
  walk(root);
  return sum;
}

for (const sampleIndex of ["", "samples"]) {
  test(`flameTree (sample_index=${sampleIndex || "default"}): totals, flat and cum per function equal the top report's`, () => {
    const p = loadProfile(fixture);
    const config = { ...defaultConfig(), sampleIndex };
    const si = sampleIndexOf(p, sampleIndex || undefined);
    const tree = flameTree(p, config);
    assert.equal(tree.total, computeTotal(p, si));
    assert.equal(tree.root.value, tree.total);
    assert.equal(tree.sampleType, p.sampleType[si]!.type);
    const { items } = textItems(new Report("top", p, config, { sampleIndex: si }));
    assert.ok(items.length >= 3);
    for (const it of items) {
      const name = it.name;
      assert.equal(cumOf(tree.root, name), it.cum, `cum of ${name}`);
      assert.equal(selfOf(tree.root, name), it.flat, `flat of ${name}`);
    }
    // Children are drawn widest first and never wider than their caller.
    const check = (n: FlameNode) => {
      let sum = 0;
      for (let i = 0; i < n.children.length; i++) {
        sum += n.children[i]!.weight;
        if (i > 0) assert.ok(n.children[i - 1]!.weight >= n.children[i]!.weight);
        check(n.children[i]!);
      }
      assert.equal(sum + Math.abs(n.self), n.weight);
    };
    check(tree.root);
  });
}

test("flameGraphHTML: one self-contained page with the data of every frame", () => {
  const p = loadProfile(fixture);
  const html = flameGraphHTML(p, defaultConfig());
  assert.match(html, /^<!DOCTYPE html>/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|@import|url\(|<img|<iframe/i, "no external scripts, styles or images");
  assert.doesNotMatch(html, /https?:\/\//, "no network references");
  const json = /<script type="application\/json" id="flame-data">(.*?)<\/script>/s.exec(html);
  assert.ok(json, "embedded data");
  const data = JSON.parse(json[1]!) as FlameData;
  const tree = flameTree(p, defaultConfig());
  let count = 0;
  const walk = (n: FlameNode) => {
    // Preorder: node `count` of the data is n.
    assert.equal(data.names[data.name[count]!], n.name);
    assert.equal(data.value[count], n.value);
    assert.equal(data.valueLabel[count], tree.format(n.value));
    count++;
    n.children.forEach(walk);
  };
  walk(tree.root);
  assert.equal(data.name.length, count);
  assert.ok(data.more.every((m) => m === 0), "the file has every frame: nothing to ask for");
  assert.equal(data.valueLabel[0], tree.format(tree.total));
});

test("flameData: a node's subtree, numbered as in the whole tree, without callees narrower than asked", () => {
  const tree = flameTree(loadProfile(fixture), defaultConfig());
  const whole = flameData(tree)!;
  // Parents from depths (preorder); the subtree asked for: the non-root node with the most callees.
  const parent: number[] = [];
  const path: number[] = [];
  whole.depth.forEach((d, i) => {
    path[d] = i;
    parent.push(d === 0 ? -1 : path[d - 1]!);
  });
  const kidsOf = (id: number) => parent.flatMap((p, j) => (p === id ? [j] : []));
  let node = 1;
  for (let i = 1; i < parent.length; i++) if (kidsOf(i).length > kidsOf(node).length) node = i;
  assert.ok(kidsOf(node).length >= 2, "a node with callees to choose from");
  const part = flameData(tree, { node, minFraction: 0.1 })!;
  assert.equal(part.id[0], node);
  assert.equal(part.depth[0], 0);
  const limit = 0.1 * whole.value[node]!;
  part.id.forEach((id, i) => {
    // Each node sent is the node of that number in the whole tree, at least 10% of the subtree.
    assert.equal(part.names[part.name[i]!], whole.names[whole.name[id]!]);
    assert.equal(part.value[i], whole.value[id]);
    assert.equal(part.depth[i], whole.depth[id]! - whole.depth[node]!);
    if (i > 0) assert.ok(part.value[i]! >= limit);
  });
  // A node marked `more` lost callees that the whole tree has; the others lost none.
  part.id.forEach((id, i) => {
    const kids = kidsOf(id);
    assert.equal(part.more[i] === 1, kids.some((k) => !part.id.includes(k)), `node ${id}`);
  });
  assert.ok(part.more.includes(1), "some callees were left out");
  assert.equal(flameData(tree, { node: whole.id.length }), undefined);
});

test("flameTree from a profile just decoded (its samples not yet made) equals the tree from its samples", () => {
  for (const file of ["cpu.pb.gz", "heap.pb.gz", "goroutine.pb.gz"]) {
    const bytes = readFileSync(`test/fixtures/analyzer/report-profiles/${file}`);
    for (const config of [defaultConfig(), { ...defaultConfig(), granularity: "lines" as const }, { ...defaultConfig(), sampleIndex: "0" }]) {
      const fresh = decodeProfile(bytes);
      assert.ok(decodedSamples(fresh), "columns before the samples are used");
      const fromColumns = flameTree(fresh, config);
      assert.ok(decodedSamples(fresh), "the flame tree did not make the samples");
      const used = decodeProfile(bytes);
      assert.ok(used.sample.length > 0);
      assert.equal(decodedSamples(used), undefined);
      const fromSamples = flameTree(used, config);
      assert.deepEqual(flameData(fromColumns), flameData(fromSamples), `${file} ${config.granularity} ${config.sampleIndex}`);
    }
  }
});

test("flameTree with -diff_base: widths cover both profiles, values are the change, base is the base's share", () => {
  const p = loadProfile(fixture);
  const base = mergeProfiles([p]);
  // The base had half the samples of each stack: every value doubled since.
  for (const s of base.sample) s.value = s.value.map((v) => Math.trunc(v / 2));
  const si = sampleIndexOf(p, undefined);
  const baseTotal = computeTotal(base, si);
  const combined = combineSources([p], { base: mergeProfiles([base]), diffBase: true });
  const tree = flameTree(combined, defaultConfig());
  assert.ok(tree.hasBase);
  assert.equal(tree.root.base, baseTotal);
  assert.equal(tree.root.value, computeTotal(p, si) - baseTotal);
  assert.equal(tree.root.weight, computeTotal(p, si) + baseTotal);
});

test("pivotTree: for every function, the pivot's value is its cum in the top report, split among its callers and callees", () => {
  const p = loadProfile(fixture);
  const config = defaultConfig();
  const si = sampleIndexOf(p, undefined);
  const tree = flameTree(p, config);
  const { items } = textItems(new Report("top", p, config, { sampleIndex: si }));
  const sum = (ns: PivotNode[]) => ns.reduce((s, n) => s + n.value, 0);
  for (const it of items) {
    const { pivot, callers, callees, matched } = pivotTree(tree, new RegExp(`^${it.name.replace(/[.*+?^$()|[\]{}\\]/g, "\\$&")}$`));
    assert.deepEqual(matched, [it.name]);
    assert.equal(pivot.name, it.name);
    assert.equal(pivot.value, it.cum, `cum of ${it.name}`);
    assert.equal(pivot.self, it.flat, `flat of ${it.name}`);
    // Callees plus the pivot's own samples make its cum; so do its direct callers (every frame here has a caller but the roots).
    assert.equal(sum(callees.children) + pivot.self, it.cum);
    const fromRoot = tree.root.children.filter((c) => c.name === it.name).reduce((s, c) => s + c.value, 0);
    assert.equal(sum(callers.children) + fromRoot, it.cum, `callers of ${it.name}`);
  }
  // No pivot: the flame graph itself.
  const whole = pivotTree(tree, undefined);
  assert.equal(whole.pivot.value, tree.total);
  assert.equal(whole.callers.children.length, 0);
  assert.deepEqual(whole.callees.children.map((c) => [c.name, c.value]), [...tree.root.children].sort((a, b) => b.weight - a.weight).map((c) => [c.name, c.value]));
});
