// The source's shape: data flows one way, so no module imports itself back
// through others, and what a profiled process loads never reaches the analyzer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const src = join(import.meta.dirname, "../../src");

/** Each source file and the source files it imports (static, dynamic, and type-only imports alike). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) {
        const text = readFileSync(path, "utf8");
        const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"|\bimport\("(\.[^"]+)"\)/g)].map((m) => m[1] ?? m[2]!);
        graph.set(relative(src, path), specs.map((s) => relative(src, resolve(dirname(path), s.replace(/\.js$/, ".ts")))));
      }
    }
  };
  walk(src);
  return graph;
}

/** One cycle through `from`, as a path of files, if there is one. */
function cycleFrom(graph: Map<string, string[]>, from: string): string[] | undefined {
  const seen = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (file === from && path.length > 0) return [...path, file];
    if (seen.has(file)) return undefined;
    seen.add(file);
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    return undefined;
  };
  return visit(from);
}

test("no source file imports itself back through others", () => {
  const graph = importGraph();
  assert.ok(graph.size > 50, "the sources were read");
  for (const file of graph.keys()) {
    const cycle = cycleFrom(graph, file);
    assert.equal(cycle, undefined, `import cycle: ${cycle?.join(" → ")}`);
  }
});

test("the runtime (what a profiled process loads) imports nothing from the analyzer or the CLI", () => {
  const graph = importGraph();
  for (const [file, deps] of graph) {
    if (/^(analyzer|cli)\//.test(file)) continue;
    for (const dep of deps) assert.doesNotMatch(dep, /^(analyzer|cli)\//, `${file} imports ${dep}`);
  }
});
