// Flame graphs: the tree's numbers agree with the top report, the HTML file
// stands alone, and a -diff_base comparison keeps the base's share.

import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultConfig } from "../../src/analyzer/config.ts";
import { flameGraphHTML, flameTree, type FlameNode } from "../../src/analyzer/flame/index.ts";
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
  const data = JSON.parse(json[1]!) as { names: string[]; nodes: number[]; labels: string[] };
  const tree = flameTree(p, defaultConfig());
  let count = 0;
  const walk = (n: FlameNode) => {
    count++;
    assert.ok(data.names.includes(n.name), n.name);
    n.children.forEach(walk);
  };
  walk(tree.root);
  assert.equal(data.nodes.length, 7 * count);
  assert.equal(data.labels[0], tree.format(tree.total));
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
