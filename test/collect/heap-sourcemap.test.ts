// Heap profile frames of tsc output with .map files name the .ts source:
// the file, the function's original first line. The compiled code runs in a
// plain node process with the built heap module: under the tsx loader V8
// would run tsx's transform of the .js file, not tsc's output.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

const source = `// A fixture compiled by tsc: types and blank lines move the generated lines.
interface Row {
  id: number;
  payload: number[];
}

type Rows = Row[];

export const kept: Rows = [];

export function fillRows(count: number): number {
  for (let i = 0; i < count; i++) kept.push({ id: i, payload: new Array<number>(1000).fill(i) });
  return kept.length;
}
`;

test("heap frames of tsc output with .map files name the .ts file and the function's line", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tsprof-heap-map-"));
  const ts = join(dir, "rows.ts");
  writeFileSync(ts, source);
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "--sourceMap", "--target", "es2022", "--module", "es2022", "--outDir", join(dir, "out"), ts], { stdio: "pipe", cwd: dir });
  const js = join(dir, "out/rows.js");
  const tsLine = source.split("\n").findIndex((l) => l.startsWith("export function fillRows")) + 1;
  const jsLine = readFileSync(js, "utf8").split("\n").findIndex((l) => l.startsWith("export function fillRows")) + 1;
  assert.notEqual(jsLine, tsLine, "the fixture's generated and original lines differ");
  const heap = pathToFileURL(join(root, "dist/esm/collect/heap.js")).href;
  const script = `
    const heap = await import(${JSON.stringify(heap)});
    heap.setMemProfileRate(64 * 1024);
    const mod = await import(${JSON.stringify(pathToFileURL(js).href)});
    mod.fillRows(1500); // ~12 MB
    const p = heap.heapProfileData();
    const fn = p.function.find((f) => f.name === "fillRows");
    const inuse = p.sample.filter((s) => s.location.some((l) => l.line[0].function === fn)).reduce((a, s) => a + s.value[3], 0);
    console.log(JSON.stringify({ fn: fn && { filename: fn.filename, startLine: fn.startLine }, inuse }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  const { fn, inuse } = JSON.parse(out.trim().split("\n").pop()!) as { fn?: { filename: string; startLine: number }; inuse: number };
  assert.ok(fn, "fillRows is in the profile");
  assert.equal(fn.filename, ts);
  assert.equal(fn.startLine, tsLine);
  assert.ok(inuse > 8e6, `fillRows in use: ${inuse}`);
});
