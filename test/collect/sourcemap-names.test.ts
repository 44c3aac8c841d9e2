// Source-mapped function names: code bundled and minified by esbuild (a .map
// file next to it, or an inline data: map) is profiled in a plain node
// process with the built library, and the CPU, heap and custom profiles name
// its functions as the source does (escapeHtmlEntities, not `i`;
// #tokenizeInlines, not `#t`). Also marked, a real package shipped minified
// with a source map. Under the tsx loader V8 would run tsx's transform of the
// bundle instead, hence the child processes.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { symbolizeFunction } from "../../src/collect/frames.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const fixture = join(root, "test/fixtures/minified");
const source = join(fixture, "app.ts");
const library = pathToFileURL(join(root, "dist/esm/index.js")).href;
const require = createRequire(import.meta.url);
const esbuild = require("esbuild") as typeof import("esbuild");

/** Bundles and minifies the fixture with a linked (.map file) or inline map; returns the bundle's path. */
function bundle(sourcemap: "linked" | "inline"): string {
  const outfile = join(mkdtempSync(join(tmpdir(), `tsprof-min-${sourcemap}-`)), "app.js");
  esbuild.buildSync({ entryPoints: [source], bundle: true, minify: true, format: "esm", platform: "node", target: "es2022", sourcemap, outfile, logLevel: "silent" });
  return outfile;
}

/** Names of the functions samples reach whose file is `file`. */
function namesIn(p: ProfileData, file: string): Set<string> {
  const out = new Set<string>();
  for (const s of p.sample) for (const l of s.location) for (const ln of l.line) if (ln.function.filename === file) out.add(ln.function.name);
  return out;
}

function decode(path: string): ProfileData {
  return decodeProfile(gunzipSync(readFileSync(path)));
}

/** The bundle's minified function and private names: its export clause's local names, its #names. */
function minifiedNames(code: string): Set<string> {
  const out = new Set([...code.matchAll(/([\w$]+) as [\w$]+/g)].map((m) => m[1]!));
  for (const m of code.matchAll(/#[\w$]+/g)) out.add(m[0]);
  return out;
}

for (const variant of ["linked", "inline"] as const) {
  test(`a minified bundle with ${variant === "linked" ? "a .map file" : "an inline data: map"}: CPU, heap and custom profiles use the original function names`, () => {
    const js = bundle(variant);
    const code = readFileSync(js, "utf8");
    assert.ok(!code.includes("escapeHtmlEntities(") && !code.includes("#tokenizeInlines"), "the bundle is minified");
    const out = dirname(js);
    execFileSync(process.execPath, [join(fixture, "run.mjs"), library, pathToFileURL(js).href, out], { stdio: "pipe", timeout: 120_000 });
    const cpu = namesIn(decode(join(out, "cpu.pb.gz")), source);
    const heap = namesIn(decode(join(out, "heap.pb.gz")), source);
    const custom = namesIn(decode(join(out, "custom.pb.gz")), source);
    // spinCpu runs for the whole CPU profile, the rows are retained, the connection held.
    assert.ok(cpu.has("spinCpu"), `CPU profile names: ${[...cpu].join(", ")}`);
    assert.ok(heap.has("retainRowsForHeap"), `heap profile names: ${[...heap].join(", ")}`);
    assert.ok([...custom].some((n) => n.endsWith("openConnectionTracked")), `custom profile names: ${[...custom].join(", ")}`);
    const minified = minifiedNames(code);
    for (const n of [...cpu, ...heap, ...custom]) assert.ok(!minified.has(n.slice(n.lastIndexOf(".") + 1)), `${n} is not a minified name`);
  });
}

test("each function of the bundle, at the positions V8 gives (its parameters; its first token in stack traces; `class`), has its original name; anonymous ones stay anonymous", () => {
  const js = bundle("linked");
  const code = readFileSync(js, "utf8");
  /** The 1-based line and column of an index into the bundle. */
  const at = (i: number) => {
    const before = code.slice(0, i).split("\n");
    return { line: before.length, column: before.at(-1)!.length + 1 };
  };
  // The minified names, read back from the bundle's export clause.
  const minified = new Map([...code.matchAll(/([\w$]+) as ([\w$]+)/g)].map((m) => [m[2]!, m[1]!]));
  const url = pathToFileURL(js).href;
  for (const original of ["escapeHtmlEntities", "retainRowsForHeap", "spinCpu", "openConnectionTracked"]) {
    const name = minified.get(original)!;
    assert.ok(name && name !== original, `${original} is minified`);
    const decl = code.indexOf(`function ${name}(`);
    assert.ok(decl >= 0, `function ${name}( in the bundle`);
    const paren = at(decl + "function ".length + name.length);
    const fromProfile = symbolizeFunction(name, url, paren.line, paren.column);
    assert.deepEqual({ name: fromProfile.name, file: fromProfile.file }, { name: original, file: source });
    const fromStack = symbolizeFunction(`Module.${name}`, url, at(decl).line, at(decl).column);
    assert.equal(fromStack.name, `Module.${original}`);
  }
  const priv = /\}(#[\w$]+)\([\w$]+\)\{for\(/.exec(code)!;
  const privParen = at(priv.index + 1 + priv[1]!.length);
  assert.equal(symbolizeFunction(priv[1]!, url, privParen.line, privParen.column).name, "#tokenizeInlines");
  // Names V8 infers from a binding: the class (placed at `class`) and an arrow function (at its parameter).
  const cls = minified.get("InlineLexer")!;
  const classAt = at(code.indexOf(`${cls}=class{`) + cls.length + 1);
  assert.equal(symbolizeFunction(cls, url, classAt.line, classAt.column).name, "InlineLexer");
  const arrow = minified.get("formatCount")!;
  const arrowAt = at(code.indexOf(`${arrow}=`, code.indexOf("fixture/connections")) + arrow.length + 1);
  assert.equal(symbolizeFunction(arrow, url, arrowAt.line, arrowAt.column).name, "formatCount");
  // The anonymous callback `(value) => ...`, minified to `o=>...`: the map's
  // name at its start is its parameter's, which is not its name.
  const callback = /\]\.map\(([\w$]+)=>/.exec(code)!;
  const callbackAt = at(callback.index + "].map(".length);
  assert.match(symbolizeFunction("", url, callbackAt.line, callbackAt.column).name, /^\(anonymous app\.ts:\d+:\d+\)$/);
  // A name V8 inferred, which the code does not write there, stays V8's.
  const spin = minified.get("spinCpu")!;
  const declParen = at(code.indexOf(`function ${spin}(`) + "function ".length + spin.length);
  assert.equal(symbolizeFunction("inferredName", url, declParen.line, declParen.column).name, "inferredName");
});

test("marked, shipped minified with a source map: its functions are named as in its sources, in a CPU profile too", () => {
  const markedJs = join(root, "node_modules/marked/lib/marked.esm.js");
  const url = pathToFileURL(markedJs).href;
  const mapNames = new Set((JSON.parse(readFileSync(`${markedJs}.map`, "utf8")) as { names: string[] }).names);
  // Every function declaration and private method of the bundle, at the
  // position V8 gives it (its parameter list).
  const lines = readFileSync(markedJs, "utf8").split("\n");
  const named = new Map<string, string>();
  lines.forEach((text, i) => {
    for (const m of text.matchAll(/(?:function |[};])(#?[\w$]+)\(/g)) {
      const minified = m[1]!;
      const paren = m.index + m[0].length - 1;
      named.set(symbolizeFunction(minified, url, i + 1, paren + 1).name, minified);
    }
  });
  assert.equal(named.get("escapeHtmlEntities")?.length, 1, "escapeHtmlEntities, minified to one letter, is named");
  assert.ok(named.has("#tokenizeInlines"), "#tokenizeInlines is named");
  for (const [name, minified] of named) if (name.startsWith("#")) assert.ok(mapNames.has(name), `private method ${minified} named ${name}`);

  const out = join(mkdtempSync(join(tmpdir(), "tsprof-marked-")), "cpu.pb.gz");
  execFileSync(process.execPath, [join(fixture, "run-marked.mjs"), library, url, out], { stdio: "pipe", timeout: 120_000 });
  const inProfile = new Set(decode(out).function.filter((f) => /marked[\\/]src[\\/]/.test(f.filename)).map((f) => f.name));
  // The inline tokenizer does most of the parsing: it is on most stacks.
  assert.ok(inProfile.has("#tokenizeInlines"), `marked's functions in the profile: ${[...inProfile].join(", ")}`);
  for (const name of inProfile) if (name.startsWith("#")) assert.ok(mapNames.has(name), `${name} is an original private name`);
});
