// Legacy text profiles written by Go's runtime/pprof (debug=1, as
// /debug/pprof/NAME?debug=1 serves them; made by test/fixtures/legacy/gen):
// tsprof reads each with go tool pprof's semantics (types, periods, per-stack
// values, the heap's unsampling, contention's cycles to nanoseconds), and
// names its frames from the text's comment lines.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parseProfileBytes } from "../../src/analyzer/source/fetch.ts";
import { goPprof, needGo } from "../helpers/tools.ts";
import { runPprof, runPprofBytes } from "./driver-helpers.ts";
import { assertRawLikeGo, readRaw, topTotal } from "./legacy-helpers.ts";

const dir = join(import.meta.dirname, "../fixtures/legacy");
const corpus: Record<string, string[]> = {
  "heap.txt": ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"],
  "allocs.txt": ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"],
  "block.txt": ["contentions", "delay"],
  "mutex.txt": ["contentions", "delay"],
  "goroutine.txt": ["goroutine"],
  "custom.txt": ["example.com/conns"],
};

const load = (name: string) => parseProfileBytes(readFileSync(join(dir, name)));

test("Go's debug=1 texts: types, period, every stack's values and each sample type's total as go tool pprof reads them", async (t) => {
  if (!needGo(t)) return;
  for (const [name, types] of Object.entries(corpus)) {
    const file = join(dir, name);
    await assertRawLikeGo(file);
    for (const type of types) {
      // In the type's smallest unit: the two show different nodes, so would scale totals differently.
      const unit = type.endsWith("space") ? ["-unit=B"] : type === "delay" ? ["-unit=ns"] : [];
      const args = ["-top", ...unit, `-sample_index=${type}`, file];
      const ours = await runPprof(args);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(topTotal(ours.stdout), topTotal(goPprof(args)), `${name} ${type}`);
    }
  }
});

test("the sample types, units and periods of each kind of text", () => {
  const heap = load("heap.txt");
  assert.deepEqual(heap.sampleType.map((s) => `${s.type}/${s.unit}`), ["alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"]);
  assert.deepEqual(heap.periodType, { type: "space", unit: "bytes" });
  // `@ heap/8192` is twice MemProfileRate (4096 in the generator).
  assert.match(readFileSync(join(dir, "heap.txt"), "utf8"), /@ heap\/8192\n/);
  assert.equal(heap.period, 4096);
  const block = load("block.txt");
  assert.deepEqual(block.sampleType.map((s) => `${s.type}/${s.unit}`), ["contentions/count", "delay/nanoseconds"]);
  assert.equal(block.period, 1);
  assert.equal(load("mutex.txt").period, 2, "the mutex text's sampling period");
  const g = load("goroutine.txt");
  assert.deepEqual(g.sampleType, [{ type: "goroutine", unit: "count" }]);
  assert.deepEqual(g.periodType, { type: "goroutine", unit: "count" });
  assert.equal(g.sample.reduce((a, s) => a + s.value[0]!, 0), 4, "the text's `total 4`");
  assert.deepEqual(load("custom.txt").sampleType, [{ type: "example.com/conns", unit: "count" }]);
});

test("mutex: counts times the sampling period, cycles to nanoseconds at the text's cycles/second", () => {
  const text = readFileSync(join(dir, "mutex.txt"), "utf8");
  const hz = Number(/cycles\/second=(\d+)/.exec(text)![1]);
  const rec = /^(\d+) (\d+) @/m.exec(text)!;
  const [cycles, count] = [Number(rec[1]), Number(rec[2])];
  const p = load("mutex.txt");
  assert.equal(p.sample.length, 1);
  assert.deepEqual(p.sample[0]!.value, [count * 2, Math.trunc((cycles * 2) / (hz / 1e9))]);
});

test("the heap's allocation counts are unsampled at the text's rate (Go's scaleHeapSample)", () => {
  const text = readFileSync(join(dir, "heap.txt"), "utf8");
  const p = load("heap.txt");
  // The 64-byte allocations of allocSmall: each recorded one stands for 1/(1-e^(-64/4096)) of them.
  const rec = [...text.matchAll(/^(\d+): (\d+) \[(\d+): (\d+)\] @ .*\n#\t\S+\tmain\.allocSmall\+/gm)].find((m) => Number(m[2]) === 64 * Number(m[1]))!;
  const [io, ib] = [Number(rec[1]), Number(rec[2])];
  const scale = 1 / (1 - Math.exp(-64 / 4096));
  const s = p.sample.find((x) => x.location[0]!.line[0]?.function.name === "main.allocSmall" && x.value[2] === Math.trunc(io * scale));
  assert.ok(s, "allocSmall's record, unsampled");
  assert.equal(s.value[3], Math.trunc(ib * scale));
  assert.deepEqual(s.numLabel, { bytes: [64] });
  assert.ok(s.value[2]! > io * 60, "about 64 times more objects than recorded");
});

test("frames are named from the comment lines; addresses without one stay unnamed", () => {
  for (const name of Object.keys(corpus)) {
    const text = readFileSync(join(dir, name), "utf8");
    const p = load(name);
    const byAddress = new Map(p.location.map((l) => [l.address, l]));
    let named = 0;
    for (const m of text.matchAll(/^#\t0x([0-9a-f]+)\t+(\S+)\+0x[0-9a-f]+\t+(\S+):(\d+)$/gm)) {
      const l = byAddress.get(BigInt("0x" + m[1]!));
      if (!l) continue; // the same address in another record
      assert.equal(l.line.length, 1, `${name} 0x${m[1]}`);
      assert.deepEqual([l.line[0]!.function.name, l.line[0]!.function.filename, l.line[0]!.line], [m[2], m[3], Number(m[4])]);
      named++;
    }
    assert.ok(named > 0, name);
    // runtime.goexit, at every goroutine's root, is never printed.
    const commented = new Set([...text.matchAll(/^#\t0x([0-9a-f]+)/gm)].map((m) => BigInt("0x" + m[1]!)));
    for (const l of p.location) if (!commented.has(l.address)) assert.equal(l.line.length, 0, `${name} 0x${l.address.toString(16)}`);
  }
});

test("an inlined call and its caller: two addresses, each named from its own comment", () => {
  const p = load("heap.txt");
  const fill = p.sample.find((s) => s.location[0]!.line[0]?.function.name === "main.fill");
  assert.ok(fill);
  assert.deepEqual(fill.location.slice(0, 2).map((l) => l.line.map((ln) => `${ln.function.name}:${ln.line}`)), [["main.fill:31"], ["main.allocLarge:36"]]);
  assert.equal(fill.location[1]!.address, fill.location[0]!.address + 1n);
});

test("every report runs on a legacy text; -list finds the source the comments name", async () => {
  const file = join(dir, "heap.txt");
  for (const flags of [["-top"], ["-traces"], ["-tree"], ["-peek=main\\."], ["-tags"], ["-raw"], ["-dot"], ["-svg"], ["-text", "-lines"], ["-top", "-sample_index=alloc_space"]]) {
    const r = await runPprof([...flags, file]);
    assert.equal(r.code, 0, `${flags.join(" ")}: ${r.stderr}`);
    assert.ok(r.stdout.length > 0, flags.join(" "));
  }
  const top = await runPprof(["-top", "-sample_index=inuse_space", file]);
  // fill's 100 retained 64 KiB slices: 6400kB.
  assert.match(top.stdout, /^\s+6400kB\s.*\smain\.fill$/m);
  const list = await runPprof(["-list=main.allocLarge", "-source_path=" + join(dir, "gen"), "-trim_path=tsprof.test/legacygen", file]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /6\.25MB\s+36:\t\tkeep = append\(keep, fill\(64<<10\)\)/);
  const block = await runPprof(["-traces", join(dir, "block.txt")]);
  assert.match(block.stdout, /sync\.\(\*Mutex\)\.Lock\n\s+main\.contend\n/);
});

test("-proto of a legacy text: go tool pprof reads the same samples from it", async (t) => {
  if (!needGo(t)) return;
  const tmp = mkdtempSync(join(tmpdir(), "tsprof-legacy-"));
  try {
    for (const name of ["heap.txt", "block.txt", "goroutine.txt"]) {
      const r = await runPprofBytes(["-proto", join(dir, name)]);
      assert.equal(r.code, 0, r.stderr);
      const out = join(tmp, name + ".pb.gz");
      writeFileSync(out, r.stdout);
      assert.deepEqual(readRaw(goPprof(["-raw", out])).samples, readRaw(goPprof(["-raw", join(dir, name)])).samples, name);
      assert.match(goPprof(["-top", out]), /main\./, "the names travel in the protobuf");
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("a gzipped text reads as the text does", async () => {
  const plain = load("block.txt");
  const gz = parseProfileBytes(gzipSync(readFileSync(join(dir, "block.txt"))));
  assert.deepEqual(gz.sample.map((s) => s.value), plain.sample.map((s) => s.value));
  assert.equal(gz.function.length, plain.function.length);
});

test("threadcreate's records without a stack: read as samples without frames (go tool pprof 1.19 rejects them)", () => {
  const text = readFileSync(join(dir, "threadcreate.txt"), "utf8");
  const total = Number(/^threadcreate profile: total (\d+)$/m.exec(text)![1]);
  const p = load("threadcreate.txt");
  assert.deepEqual(p.sampleType, [{ type: "threadcreate", unit: "count" }]);
  assert.equal(p.sample.reduce((a, s) => a + s.value[0]!, 0), total);
  assert.ok(p.sample.every((s) => s.location.length === 0));
});

test("the built tsprof reads a saved debug=1 page: `tsprof pprof -traces block.txt`", () => {
  const bin = join(import.meta.dirname, "../../dist/esm/cli/main.js");
  assert.ok(existsSync(bin), "tsprof is built (node scripts/build.mjs)");
  const r = spawnSync(process.execPath, [bin, "pprof", "-traces", join(dir, "block.txt")], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Type: delay\n/);
  assert.match(r.stdout, /sync\.\(\*Mutex\)\.Lock\n\s+main\.contend\n/);
});
