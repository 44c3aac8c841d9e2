// -svg without Graphviz installed: the DOT of `-dot` laid out by Graphviz
// compiled to WebAssembly gives a well-formed SVG with every node of the graph.

import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultConfig } from "../../src/analyzer/config.ts";
import { computeTotal, dotGraph, printDot, Report } from "../../src/analyzer/report/index.ts";
import { GraphRenderError, renderGraphSVG, svgElement } from "../../src/analyzer/svg/index.ts";
import { loadProfile, sampleIndexOf } from "./report-helpers.ts";

const fixture = "test/fixtures/analyzer/report-profiles/cpu.pb.gz";

/** Checks that every element is closed in order (the SVG parses as XML); returns the element names seen. */
function assertWellFormedXML(text: string): string[] {
  const body = text.replace(/<\?xml[^>]*\?>/, "").replace(/<!DOCTYPE[^>]*>/, "").replace(/<!--[\s\S]*?-->/g, "");
  const open: string[] = [];
  const seen: string[] = [];
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (closing) assert.equal(open.pop(), name, `</${name}> closes the wrong element`);
    else {
      seen.push(name!);
      if (!selfClosing) open.push(name!);
    }
  }
  assert.deepEqual(open, [], "unclosed elements");
  assert.doesNotMatch(body.replace(/<[^>]*>/g, ""), /<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/, "stray < or & in text");
  return seen;
}

test("renderGraphSVG: the call graph as a well-formed SVG with every node of the dot report", async () => {
  const p = loadProfile(fixture);
  const si = sampleIndexOf(p, undefined);
  const ctx = { sampleIndex: si, total: computeTotal(p, si) };
  const config = defaultConfig();
  const svg = await renderGraphSVG(printDot(new Report("dot", p, config, ctx)));
  const elements = assertWellFormedXML(svg);
  assert.equal(elements[0], "svg");
  assert.match(svg, /<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const { graph } = dotGraph(new Report("dot", p, config, ctx));
  assert.ok(graph.nodes.length >= 4);
  const titles = [...svg.matchAll(/xlink:title="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"'));
  for (const n of graph.nodes) {
    const name = n.printableName();
    assert.ok(titles.some((t) => t.startsWith(name + " (")), `node ${name} is in the SVG`);
  }
  // Nodes are boxes: one polygon each, plus the legend.
  assert.ok((svg.match(/class="node"/g) ?? []).length >= graph.nodes.length + 1);
  assert.ok(svgElement(svg).startsWith("<svg"));
});

test("renderGraphSVG: DOT that Graphviz cannot read is a clear error", async () => {
  await assert.rejects(renderGraphSVG("digraph { a -> "), (e: unknown) => e instanceof GraphRenderError && /could not lay out the call graph/.test((e as Error).message));
});

test("flameGraphSVG: a self-contained, well-formed SVG whose frames carry the profile's functions and values", async () => {
  const { flameGraphSVG, flameTree } = await import("../../src/analyzer/flame/index.ts");
  const p = loadProfile(fixture);
  const svg = flameGraphSVG(p, defaultConfig());
  const elements = assertWellFormedXML(svg);
  assert.equal(elements[0], "svg");
  assert.doesNotMatch(svg, /href=|url\(|<image|<script|@import/, "no external resources");
  const tree = flameTree(p, defaultConfig());
  const titles = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]!);
  // Every frame of the two hottest call paths appears, with its value as the reports print it.
  for (const top of tree.root.children.slice(0, 1)) {
    for (let n = top; n; n = n.children[0]!) {
      assert.ok(titles.some((t) => t.startsWith(`${n.name} — ${tree.format(n.value)} (`)), `frame ${n.name}`);
      if (n.children.length === 0) break;
    }
  }
  assert.ok(titles[0]!.startsWith(`root — ${tree.format(tree.total)} (100.00%)`));
});
