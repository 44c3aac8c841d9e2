// Legacy Java profiles (Google's Java agents): heapz and contentionz texts
// and the binary CPU profile with a Java header, named by their own location
// lines, compared with go tool pprof's reading of the same files.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProfileBytes } from "../../src/analyzer/source/fetch.ts";
import { goPprof, needGo } from "../helpers/tools.ts";
import { runPprof } from "./driver-helpers.ts";
import { assertRawLikeGo } from "./legacy-helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "tsprof-legacy-java-"));

const heapz = [
  "--- heapz 1 ---", "format = java", "resolution = bytes",
  "  1048576   7 @ 0x00000003 0x00000004",
  "   204800 100 @ 0x00000005 0x00000004",
  "  99 1 @ 0x00000006",
  "      0x00000003 java.util.ArrayList.grow (ArrayList.java:237)",
  "      0x00000004 com.example.Main.run (Main.java:42)",
  "      0x00000005 com.example.Main.fill  (Main.java:-1)",
  "",
].join("\n");

const contentionz = [
  "--- contentionz 1 ---", "format = java", "resolution = microseconds", "sampling period = 100", "ms since reset = 6019923",
  "            1     1 @ 0x00000003 0x00000004",
  "           14     1 @ 0x00000003 0x00000005 0x00000006 0x7",
  "      0x00000003 java.lang.Object.wait (Native Method)",
  "      0x00000004 com.example.Pool.take (Pool.java:88)",
  "      0x00000005 generated stub/JIT",
  "   0x6 libc_func (/lib/x86_64/libc.so.6)",
  "0x7 GC", // the last line, without a newline, still names its address
].join("\n");

/** A Java agent's binary CPU profile (64-bit little-endian), then its location lines. */
function javaCPU(): Buffer {
  const w = [0, 3, 1, 10000, 0, 5, 2, 0x10, 0x11, 3, 3, 0x12, 0x10, 0x11, 1, 1, 0x13, 0, 1, 0];
  const b = Buffer.alloc(w.length * 8);
  w.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), i * 8));
  return Buffer.concat([b, Buffer.from("0x10 com.example.Loop.spin (Loop.java:12)\n0x11 com.example.Main.main (Main.java:5)\n0x12 java.lang.Math.sqrt (Native Method)\n")]);
}

const files: Record<string, string | Buffer> = { "heapz.txt": heapz, "contentionz.txt": contentionz, "java-cpu.prof": javaCPU() };

test("Java heapz, contentionz and CPU profiles: go tool pprof's types, values and names", async (t) => {
  if (!needGo(t)) return;
  // The Locations section, without the mapping go tool pprof adds to a profile that has none.
  const locations = (raw: string) => raw.slice(raw.indexOf("\nLocations\n"), raw.indexOf("\nMappings\n")).replace(/ M=\d+ /g, " ");
  for (const [name, data] of Object.entries(files)) {
    const file = join(tmp, name);
    writeFileSync(file, data);
    await assertRawLikeGo(file);
    const ours = await runPprof(["-raw", file]);
    assert.equal(locations(ours.stdout), locations(goPprof(["-raw", file])), name);
  }
});

test("Java profiles: unsampled heap records, contention times the period, names split into function, file and line", () => {
  const heap = parseProfileBytes(Buffer.from(heapz));
  assert.deepEqual(heap.sampleType, [{ type: "inuse_objects", unit: "count" }, { type: "inuse_space", unit: "bytes" }]);
  const scale = 1 / (1 - Math.exp(-(1048576 / 7) / 524288));
  assert.deepEqual(heap.sample[0]!.value, [Math.trunc(7 * scale), Math.trunc(1048576 * scale)]);
  assert.deepEqual(heap.sample[0]!.numLabel, { bytes: [Math.trunc(1048576 / 7)] });
  const frame = (l: (typeof heap.location)[number]) => `${l.line[0]?.function.name}|${l.line[0]?.function.filename}|${l.line[0]?.line}`;
  assert.deepEqual(heap.sample[1]!.location.map(frame), ["com.example.Main.fill |Main.java|0", "com.example.Main.run|Main.java|42"]);
  assert.ok(heap.location.every((l) => l.address === 0n), "addresses dropped, as Go aggregates Java locations");
  assert.match(heap.dropFrames, /^calloc\|/);
  const c = parseProfileBytes(Buffer.from(contentionz));
  assert.deepEqual(c.sampleType, [{ type: "contentions", unit: "count" }, { type: "delay", unit: "microseconds" }]);
  assert.equal(c.period, 100);
  assert.equal(c.durationNanos, 6019923e6);
  assert.deepEqual(c.sample.map((s) => s.value), [[100, 100], [100, 1400]]);
  assert.deepEqual(c.sample[1]!.location.map(frame), ["java.lang.Object.wait|Native Method|0", "STUB||0", "libc_func|libc.so.6|0", "GC||0"]);
  const cpu = parseProfileBytes(javaCPU());
  assert.equal(cpu.period, 10_000_000);
  // No adjustment of Java addresses: 0x10 is Loop.spin wherever it appears.
  assert.deepEqual(cpu.sample.map((s) => s.location.map((l) => l.line[0]?.function.name ?? "?").join(" < ")),
    ["com.example.Loop.spin < com.example.Main.main", "java.lang.Math.sqrt < com.example.Loop.spin < com.example.Main.main", "?"]);
});
