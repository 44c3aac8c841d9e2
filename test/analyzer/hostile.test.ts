// Hostile files never take down `tsprof pprof`: each ends in one clean error
// line naming what is wrong (or, for regexps, in go tool pprof's answer),
// run by the built bin in a child process whose heap is capped at the bound
// docs/pprof.md states (2 GB), so exceeding it fails the test. The timeout
// only catches hangs (these inputs ran for minutes or aborted V8 before).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { goPprof, needGo } from "../helpers/tools.ts";
import { runPprof } from "./driver-helpers.ts";
import { defaultConfig } from "../../src/analyzer/config.ts";
import { serveWebUI } from "../../src/analyzer/web/index.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import {
  backtrackingDropFrames, backtrackingName, cycleCpuProfile, deepCpuProfile, deepHeapProfile, emptySamples, emptyStrings,
  gzipBomb, longNames, manyLocationIds, profileOf, selfChildCpuProfile,
} from "./hostile-inputs.ts";

const bin = join(import.meta.dirname, "../../dist/esm/cli/main.js");
const tmp = mkdtempSync(join(tmpdir(), "tsprof-hostile-"));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const HEAP_BOUND_MB = 2048;

function file(name: string, data: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, data);
  return path;
}

/** `tsprof pprof ARGS` with the heap capped at the bound, killed after 120 s. */
function tsprof(args: string[], stdin = ""): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_BOUND_MB}`, bin, "pprof", ...args], { timeout: 120_000 });
    child.stdin.end(stdin);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("close", (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/** One line on stderr matching `message`, exit status 1. */
async function assertCleanError(args: string[], message: RegExp): Promise<void> {
  const r = await tsprof(args);
  assert.equal(r.signal, null, `killed (${r.signal}): ${r.stderr.slice(0, 500)}`);
  assert.equal(r.code, 1, r.stderr.slice(0, 2000));
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr.slice(0, 2000));
  assert.match(r.stderr, message);
}

test("a .cpuprofile node listing itself as a child: an error, not 2 GB and an abort", async () => {
  await assertCleanError(["-top", file("self.cpuprofile", selfChildCpuProfile())], /^tsprof pprof: .*: parsing \.cpuprofile: node 2 lists itself as a child \(a cycle\)$/m);
});

test("a .cpuprofile whose nodes are each other's parent: a cycle error", async () => {
  await assertCleanError(["-top", file("cycle.cpuprofile", cycleCpuProfile())], /parsing \.cpuprofile: the node tree has a cycle: node \d is its own ancestor$/m);
});

test("deep V8 trees: a limit named, not a stack overflow", async () => {
  await assertCleanError(["-top", file("deep.cpuprofile", deepCpuProfile(70_000))], /parsing \.cpuprofile: the node tree is deeper than 65,536 \(tsprof's limit\)$/m);
  // Within the depth limit, the sampled stacks' frames are bounded: 10,000 sampled nodes 5,000 deep on average.
  await assertCleanError(["-top", file("frames.cpuprofile", deepCpuProfile(10_000))], /parsing \.cpuprofile: the sampled stacks hold more than 16,777,216 frames \(tsprof's limit\)$/m);
  // Each node of a .heapprofile may be a leaf: a chain of 70,000 would make 2.4 billion frames.
  await assertCleanError(["-top", file("deep.heapprofile", deepHeapProfile(70_000))], /parsing \.heapprofile: the stacks of its nodes hold more than 16,777,216 frames \(tsprof's limit\)$/m);
});

test("a deep .heapprofile within the limit is read (no recursion)", async () => {
  const r = await tsprof(["-top", "-nodecount=1", "-sample_index=inuse_objects", file("deep-ok.heapprofile", deepHeapProfile(3_000))]);
  assert.equal(r.code, 0, r.stderr);
  // Every node has selfSize 8 and one object: 3,000 objects in all.
  assert.match(r.stdout, /Showing nodes accounting for \S+, \S+ of 3000 total/);
});

test("a gzip bomb of 500 million empty strings: the string-count limit, within the heap bound", async () => {
  await assertCleanError(["-top", file("strings.pb.gz", gzipBomb(emptyStrings(), 500))], /parsing profile: profile too large: more than 16,777,216 strings in the string table \(tsprof's limit\)$/m);
});

test("a gzip bomb past the inflated size limit", async () => {
  await assertCleanError(["-top", file("zeros.pb.gz", gzipBomb(Buffer.alloc(1 << 20), 600))], /decompressing profile: profile too large: more than 536,870,912 bytes inflated \(tsprof's limit\)$/m);
});

test("counts past the caps: samples, location ids", async () => {
  await assertCleanError(["-top", file("samples.pb.gz", gzipBomb(emptySamples(), 5))], /profile too large: more than 2,097,152 samples \(tsprof's limit\)$/m);
  await assertCleanError(["-top", file("ids.pb.gz", gzipSync(manyLocationIds(70_000_000)))], /profile too large: more than 67,108,864 location ids over all samples \(tsprof's limit\)$/m);
});

test("the profile's own drop_frames `(a+)+$` runs in linear time, with go tool pprof's answer", async (t) => {
  const f = file("drop.pb.gz", backtrackingDropFrames());
  const r = await tsprof(["-top", f]);
  assert.equal(r.code, 0, r.stderr);
  // drop_frames matches whole names: "aaaa" and "aaa" are dropped with what they call, the 40 a's and "!" stays.
  assert.match(r.stdout, new RegExp(`\\n +3 +20\\.00% +100% +3 20\\.00%  ${backtrackingName}\\n$`));
  if (needGo(t)) assert.equal(r.stdout, goPprof(["-top", f]));
});

test("every user regexp runs on RE2: -focus, -ignore, -hide, -show, -show_from, -prune_from, -tagfocus, -list", async (t) => {
  const f = file("names.pb.gz", profileOf([[[backtrackingName, "main"], 3], [["work", "main"], 5]]));
  const evil = "(a+)+$";
  for (const flag of ["-focus", "-ignore", "-hide", "-show", "-show_from", "-prune_from", "-tagfocus", "-tagignore"]) {
    const r = await tsprof(["-top", `${flag}=${evil}`, f]);
    assert.ok(r.code === 0 || r.code === 1, `${flag}: ${r.signal} ${r.stderr}`);
    if (needGo(t)) {
      const go = spawnSync("go", ["tool", "pprof", "-top", `${flag}=${evil}`, f], { encoding: "utf8", timeout: 120_000 });
      assert.equal(r.code, go.status, `${flag}: ${r.stderr} vs. ${go.stderr}`);
      assert.equal(r.stdout, go.stdout, flag);
    }
  }
  const list = await tsprof(["-list", evil, f]);
  assert.equal(list.stderr, "tsprof pprof: no matches found for regexp: (a+)+$\n");
});

test("regexps RE2 rejects (backreferences, lookaround) are Go's errors", async () => {
  const f = file("plain.pb.gz", profileOf([[["main"], 1]]));
  const cases: [string, string][] = [
    ["-focus=(a)\\1", "parsing focus regexp: error parsing regexp: invalid escape sequence: `\\1`"],
    ["-ignore=a(?=b)", "parsing ignore regexp: error parsing regexp: invalid or unsupported Perl syntax: `(?=`"],
    ["-hide=(?!x)", "parsing hide regexp: error parsing regexp: invalid or unsupported Perl syntax: `(?!`"],
    ["-show=a**", "parsing show regexp: error parsing regexp: invalid nested repetition operator: `**`"],
    ["-tagfocus=x{1001}", "parsing tagfocus regexp: error parsing regexp: invalid repeat count: `{1001}`"],
  ];
  for (const [flag, message] of cases) {
    const r = await runPprof(["-top", flag, f]);
    assert.equal(r.code, 1, flag);
    assert.equal(r.stderr, `tsprof pprof: ${message}\n`);
  }
  const peek = await runPprof(["-peek=(", f]);
  assert.equal(peek.stderr, "tsprof pprof: parsing argument regexp (: error parsing regexp: missing closing ): `(`\n");
});

test("RE2 syntax JavaScript lacks: (?i) flags, \\pL classes, \\Q…\\E", async () => {
  const f = file("case.pb.gz", profileOf([[["Main.Run"], 2], [["other"], 1]]));
  for (const focus of ["(?i)main\\.run", "\\p{Lu}ain", "\\QMain.Run\\E"]) {
    const r = await runPprof(["-top", `-focus=${focus}`, f]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Showing nodes accounting for 2, 66\.67% of 3 total/, focus);
  }
});

test("-svg and -dot with megabyte names: names elided, output small", async () => {
  const f = file("long-names.pb.gz", longNames(5, 1 << 20));
  for (const format of ["-dot", "-svg"]) {
    const out = join(tmp, `long${format}`);
    const r = await tsprof([format, `-output=${out}`, f]);
    assert.equal(r.code, 0, r.stderr);
    const { size } = await import("node:fs").then((fs) => fs.statSync(out));
    // Five names of 1 MB, each in a label and several tooltips: 1024 characters each instead.
    assert.ok(size < 1_000_000, `${format}: ${size} bytes`);
  }
  // Text reports keep every name whole, as go tool pprof does.
  const top = await tsprof(["-top", f]);
  assert.equal(top.code, 0, top.stderr);
  assert.ok(top.stdout.length > 5 << 20, `${top.stdout.length}`);
});

test("malformed V8 JSON: errors name the field, never a JavaScript internal", async () => {
  const node = (extra: object) => ({ id: 1, callFrame: { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 }, ...extra });
  const cpu = (nodes: unknown, extra: object = {}) => JSON.stringify({ nodes, startTime: 0, endTime: 1, samples: [1], timeDeltas: [1], ...extra });
  const cases: [string, RegExp][] = [
    [cpu([node({ children: 5 })]), /node 1\.children is not an array/],
    [cpu([node({ children: [7] })]), /node 1 lists a child that is not a node: 7/],
    [cpu([node({ callFrame: null })]), /node 1\.callFrame is not an object/],
    [cpu([node({ callFrame: { functionName: 5 } })]), /node 1\.callFrame\.functionName is not a string/],
    [cpu([node({ positionTicks: 5 })]), /node 1\.positionTicks is not an array/],
    [cpu([node({ positionTicks: [{ line: "x" }] })]), /node 1\.positionTicks\[0\] is not \{line, ticks\}/],
    [cpu([node({}), node({})]), /two nodes have id 1/],
    [cpu([node({ id: "x" })]), /nodes\[0\]\.id is not an integer/],
    [cpu([5]), /nodes\[0\] is not an object/],
    [cpu([node({})], { samples: "x" }), /samples is not an array/],
    [cpu([node({})], { samples: [null] }), /samples\[0\] is not an integer/],
    [cpu([node({})], { timeDeltas: [null] }), /timeDeltas\[0\] is not a number/],
    [cpu([node({})], { endTime: "soon" }), /endTime is not a number/],
    [JSON.stringify({ head: 5 }), /\.heapprofile: head is not an object/],
    [JSON.stringify({ head: node({ children: 5 }) }), /head\.children is not an array/],
    [JSON.stringify({ head: node({ children: [null] }) }), /node 1\.children\[0\] is not an object/],
    [JSON.stringify({ head: node({ selfSize: "big" }) }), /head\.selfSize is not a number/],
    [JSON.stringify({ head: node({}), samples: [{ size: 1 }] }), /samples\[0\] is not \{size, nodeId\}/],
  ];
  for (const [json, message] of cases) {
    const r = await runPprof(["-top", file("bad.json", Buffer.from(json))]);
    assert.equal(r.code, 1, json);
    assert.match(r.stderr, message, json);
    assert.doesNotMatch(r.stderr, /is not iterable|call stack|Cannot read|undefined|NaN|is not a function/, json);
  }
});

test("an HTTP source that never stops sending: an error at the size limit", async () => {
  const chunk = Buffer.alloc(1 << 20);
  // Bounded: at most 600 MB, and it stops when the client hangs up.
  const server = createServer((_req, res) => {
    let sent = 0;
    const more = () => {
      while (sent < 600 && !res.destroyed) {
        sent++;
        if (!res.write(chunk)) return void res.once("drain", more);
      }
      res.end();
    };
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const r = await tsprof(["-top", `http://127.0.0.1:${port}/debug/pprof/heap`]);
    assert.equal(r.code, 1, r.stderr);
    // go tool pprof's progress line, then the error.
    assert.match(r.stderr, /^Fetching profile over HTTP from \S+\ntsprof pprof: \S+: http fetch: response larger than 512 MB \(tsprof's limit\)\n$/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test("demangling a 400 kB name of \"()\" pairs: linear, not minutes", async () => {
  const f = file("parens.pb.gz", profileOf([[["<" + "()".repeat(200_000), "main"], 2]]));
  const r = await tsprof(["-top", f]);
  assert.equal(r.code, 0, r.stderr);
  // As go tool pprof demangles it: the () groups removed, the unmatched < kept.
  assert.match(r.stdout, /\n +2 +100% +100% +2 +100%  <\n/);
});

test("file names that make backtracking regexps quadratic: -dot and -flamegraph in moments", async () => {
  // A 1 MB mapping file without "/" (the flame graph's title) and a source file of 1 MB of slashes (graph labels).
  const f = file("paths.pb.gz", profileOf([[["leaf", "main"], 2]], "", { mapping: "x".repeat(1 << 20), source: "a" + "/".repeat(1 << 20) + "b" }));
  for (const format of ["-flamegraph", "-dot"]) {
    const out = join(tmp, `paths${format}`);
    const r = await tsprof([format, `-output=${out}`, f]);
    assert.equal(r.code, 0, `${format}: ${r.signal} ${r.stderr}`);
  }
});

test("the shell's and the web UI's regexps run on RE2 too", { timeout: 120_000 }, async () => {
  const data = profileOf([[[backtrackingName, "main"], 3], [["work", "main"], 5]]);
  const shell = await tsprof([file("shell.pb.gz", data)], "top (a+)+$\nfocus=(a)\\1\ntop\nquit\n");
  assert.equal(shell.code, 0, shell.stderr);
  // Focus on (a+)+$ matches no name (each ends with "!", "n" or "k"): an empty table.
  assert.match(shell.stdout, /Showing nodes accounting for 0, 0% of 8 total\n/);
  assert.match(shell.stderr, /parsing focus regexp: error parsing regexp: invalid escape sequence: `\\1`/);

  const ui = await serveWebUI({ profile: decodeProfile(data), config: defaultConfig() });
  try {
    for (const path of ["/ui/top?f=", "/ui/peek?f=", "/ui/source?f=", "/ui/flamegraph?f="]) {
      const r = await fetch(ui.url + path + encodeURIComponent("(a+)+$"));
      assert.ok(r.status === 200 || r.status === 400, `${path}: ${r.status}`);
      await r.text();
    }
    const bad = await fetch(ui.url + "/ui/top?f=" + encodeURIComponent("a(?=b)"));
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /parsing focus regexp: error parsing regexp: invalid or unsupported Perl syntax: `\(\?=`/);
  } finally {
    await ui.close();
  }
});
