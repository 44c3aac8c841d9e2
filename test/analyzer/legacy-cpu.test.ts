// gperftools' binary CPU profile, built here word by word in each of the
// four layouts (32/64-bit, little/big-endian): header, samples, end marker,
// then the text of /proc/self/maps. tsprof pprof reads it as go tool pprof
// does: types, period, stacks (the leaf unadjusted, a duplicated leaf and a
// signal handler's frame removed) and mappings.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProfileBytes } from "../../src/analyzer/source/fetch.ts";
import { goPprof, needGo } from "../helpers/tools.ts";
import { runPprof } from "./driver-helpers.ts";
import { assertRawLikeGo } from "./legacy-helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "tsprof-legacy-cpu-"));

type Layout = { bits: 32 | 64; littleEndian: boolean };
const layouts: Layout[] = [
  { bits: 32, littleEndian: true }, { bits: 32, littleEndian: false },
  { bits: 64, littleEndian: true }, { bits: 64, littleEndian: false },
];

function words(layout: Layout, values: number[]): Buffer {
  const size = layout.bits / 8;
  const b = Buffer.alloc(values.length * size);
  values.forEach((v, i) => {
    if (layout.bits === 32) {
      if (layout.littleEndian) b.writeUInt32LE(v, i * 4);
      else b.writeUInt32BE(v, i * 4);
    } else if (layout.littleEndian) b.writeBigUInt64LE(BigInt(v), i * 8);
    else b.writeBigUInt64BE(BigInt(v), i * 8);
  });
  return b;
}

const periodMicros = 10_000;
const maps = [
  "00400000-00452000 r-xp 00000000 08:02 173521      /nonexistent/bin/program",
  "00651000-00652000 rw-p 00051000 08:02 173521      /nonexistent/bin/program",
  "10000000-10010000 r-xp 00000000 08:02 1234        /nonexistent/lib/libc.so.6",
  "",
].join("\n");

/** Samples as (count, stack leaf first); the end marker and the map follow. */
function cpuProfile(layout: Layout, samples: [number, number[]][], mapsText = maps): Buffer {
  const w: number[] = [0, 3, 0, periodMicros, 0];
  for (const [count, stack] of samples) w.push(count, stack.length, ...stack);
  w.push(0, 1, 0);
  return Buffer.concat([words(layout, w), Buffer.from(mapsText)]);
}

const samples: [number, number[]][] = [
  [5, [0x400510, 0x400621, 0x400731]],
  [2, [0x400520, 0x400631]],
  // The leaf twice, once from unwinding: the copy goes.
  [1, [0x400540, 0x400540, 0x400651]],
  [3, [0x10000100, 0x400661]],
];

test("gperftools CPU profiles in every word layout: go tool pprof's types, period, stacks and mappings", async (t) => {
  if (!needGo(t)) return;
  for (const layout of layouts) {
    const file = join(tmp, `cpu-${layout.bits}${layout.littleEndian ? "le" : "be"}.prof`);
    writeFileSync(file, cpuProfile(layout, samples));
    const raw = await assertRawLikeGo(file);
    assert.deepEqual(raw.header, ["PeriodType: cpu nanoseconds", `Period: ${periodMicros * 1000}`, "samples/count cpu/nanoseconds"]);
    const mappings = (s: string) => s.slice(s.indexOf("\nMappings\n")).trim();
    const ours = await runPprof(["-raw", file]);
    assert.equal(mappings(ours.stdout), mappings(goPprof(["-raw", file])));
  }
});

test("gperftools CPU profile: values, the leaf as recorded, callers less one, the duplicated leaf removed", () => {
  for (const layout of layouts) {
    const p = parseProfileBytes(cpuProfile(layout, samples));
    assert.deepEqual(p.sampleType, [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }]);
    const stacks = p.sample.map((s) => `${s.value.join(",")}: ${s.location.map((l) => l.address.toString(16)).join(" ")}`);
    assert.deepEqual(stacks, [
      "5,50000000: 400510 400620 400730",
      "2,20000000: 400520 400630",
      "1,10000000: 400540 400650",
      "3,30000000: 10000100 400660",
    ], `${layout.bits} ${layout.littleEndian}`);
    // The main binary first, its two pieces merged? No: the second is not executable.
    assert.deepEqual(p.mapping.map((m) => `${m.file} ${m.start.toString(16)}-${m.limit.toString(16)}`),
      ["/nonexistent/bin/program 400000-452000", "/nonexistent/lib/libc.so.6 10000000-10010000"]);
    assert.equal(p.sample[3]!.location[0]!.mapping!.file, "/nonexistent/lib/libc.so.6");
  }
});

test("a frame under the leaf of every sample (the signal handler's) is removed", async (t) => {
  const handler = 0x400901;
  const withHandler: [number, number[]][] = [
    [4, [0x400510, handler, 0x400731]],
    [6, [0x400520, handler, 0x400741]],
    [1, [0x400530, handler]],
  ];
  const bytes = cpuProfile(layouts[0]!, withHandler);
  const p = parseProfileBytes(bytes);
  assert.deepEqual(p.sample.map((s) => s.location.map((l) => l.address.toString(16)).join(" ")), ["400510 400730", "400520 400740", "400530"]);
  if (!needGo(t)) return;
  const file = join(tmp, "cpu-handler.prof");
  writeFileSync(file, bytes);
  await assertRawLikeGo(file);
});

test("every report runs on a gperftools CPU profile (addresses only: it has no names, so -top is go tool pprof's own)", async (t) => {
  const file = join(tmp, "cpu-reports.prof");
  writeFileSync(file, cpuProfile(layouts[2]!, samples));
  for (const flags of [["-top"], ["-traces"], ["-tree"], ["-peek=."], ["-raw"], ["-dot"], ["-svg"], ["-proto"], ["-top", "-addresses"]]) {
    const r = await runPprof([...flags, file]);
    assert.equal(r.code, 0, `${flags.join(" ")}: ${r.stderr}`);
    assert.ok(r.stdout.length > 0, flags.join(" "));
  }
  const top = await runPprof(["-top", file]);
  assert.match(top.stdout, /Showing nodes accounting for 110ms, 100% of 110ms total/);
  if (!needGo(t)) return;
  assert.equal(top.stdout, goPprof(["-top", file]));
});

test("memory maps: a leading /anon_hugepage dropped, a split mapping's missing first piece, the brief form, addresses outside every mapping", async (t) => {
  if (!needGo(t)) return;
  const procMaps = [
    "00200000-00400000 r-xp 00000000 00:00 0           /anon_hugepage",
    "00400000-00452000 r-xp 00000000 08:02 173521      /nonexistent/bin/program",
    "10001000-10010000 r-xp 00001000 08:02 1234        /nonexistent/lib/libc.so.6",
    "",
  ].join("\n");
  const brief = [
    "0x400000-0x452000 /nonexistent/bin/program",
    "0x10001000-0x10010000 r-xp /nonexistent/lib/libx.so (@1000) 0123abcd",
    "0x30000000 0x30001000 /nonexistent/lib/liby.so",
    "",
  ].join("\n");
  const inside = [5, [0x400510, 0x400621]] as [number, number[]];
  const split = [2, [0x10000100, 0x400631]] as [number, number[]];
  const outside = [1, [0x20000000, 0x400641]] as [number, number[]];
  const cases: [string, [number, number[]][], string][] = [
    ["proc", [inside, split, outside], procMaps],
    // Outside first: the catch-all mapping then takes the split mapping's address too, as in Go.
    ["proc-outside-first", [outside, split, inside], procMaps],
    ["brief", [inside, split, outside, [1, [0x30000010]]], brief],
  ];
  for (const [name, samples, text] of cases) {
    const file = join(tmp, `cpu-maps-${name}.prof`);
    writeFileSync(file, cpuProfile(layouts[2]!, samples, text));
    await assertRawLikeGo(file);
    const tail = (s: string) => s.slice(s.indexOf("\nLocations\n")).trim();
    assert.equal(tail((await runPprof(["-raw", file])).stdout), tail(goPprof(["-raw", file])), name);
  }
});
