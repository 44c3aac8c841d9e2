// The block profile: synchronous waits that blocked the event loop, with
// Go's rate semantics.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs, { readFileSync as namedReadFileSync } from "node:fs";
import zlib from "node:zlib";
import childProcess, { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { performance } from "node:perf_hooks";
import { lookup } from "../../src/registry/profile.ts";
import "../../src/registry/predefined.ts";
import { setBlockProfileRate, blockProfileRate } from "../../src/collect/block.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { needGo, goPprof, parseTop } from "../helpers/tools.ts";
import { collectBytes } from "../helpers/sink.ts";

const dir = mkdtempSync(join(tmpdir(), "tsprof-block-"));
const root = fileURLToPath(new URL("../..", import.meta.url));
const originalReadFileSync = fs.readFileSync;

function write(debug: number): Promise<Buffer> {
  return collectBytes((w) => lookup("block")!.writeTo(w, debug));
}

/** Samples whose stack holds `fn`, summed: [contentions, delay ns]. */
function under(p: ProfileData, fn: string): [number, number] {
  let count = 0, delay = 0;
  for (const s of p.sample) {
    if (s.location.some((l) => l.line[0]!.function.name === fn)) {
      count += s.value[0]!;
      delay += s.value[1]!;
    }
  }
  return [count, delay];
}

test("block: off by default, nothing wrapped; an idle profile loads", async (t) => {
  assert.equal(blockProfileRate(), 0);
  assert.equal(fs.readFileSync, originalReadFileSync);
  const p = decodeProfile(gunzipSync(await write(0)));
  assert.deepEqual(p.sampleType, [{ type: "contentions", unit: "count" }, { type: "delay", unit: "nanoseconds" }]);
  assert.deepEqual(p.periodType, { type: "contentions", unit: "count" });
  assert.equal(p.sample.length, 0);
  assert.equal((await write(1)).toString(), "--- contention:\ncycles/second=1000000000\n");
  if (!needGo(t)) return;
  writeFileSync(join(dir, "idle.pb.gz"), await write(0));
  assert.match(goPprof(["-top", join(dir, "idle.pb.gz")]), /Type: delay/);
});

test("block: ten readFileSync calls of a large file, total delay within 25% of their wall time", async (t) => {
  const big = join(dir, "big.bin");
  writeFileSync(big, Buffer.alloc(48 * 1024 * 1024, 7));
  setBlockProfileRate(1);
  try {
    assert.notEqual(fs.readFileSync, originalReadFileSync);
    // ESM named imports see the wrapper too.
    assert.equal(namedReadFileSync, fs.readFileSync);
    let wall = 0;
    function readBigFile(): void {
      for (let i = 0; i < 10; i++) {
        const start = performance.now();
        fs.readFileSync(big);
        wall += performance.now() - start;
      }
    }
    readBigFile();
    const p = decodeProfile(gunzipSync(await write(0)));
    const [count, delay] = under(p, "readBigFile");
    assert.equal(count, 10);
    const ratio = delay / 1e6 / wall;
    assert.ok(ratio > 0.75 && ratio < 1.25, `delay ${delay / 1e6} ms vs wall ${wall} ms`);
    const leaf = p.sample.find((s) => s.location.some((l) => l.line[0]!.function.name === "readBigFile"))!;
    assert.equal(leaf.location[0]!.line[0]!.function.name, "fs.readFileSync");
    assert.equal(leaf.location[0]!.line[0]!.function.filename, "node:fs");
    assert.ok(leaf.location[1]!.line[0]!.function.filename.endsWith("block.test.ts"));

    const text = (await write(1)).toString();
    assert.match(text, /^--- contention:\ncycles\/second=1000000000\n/);
    assert.match(text, new RegExp(`^${delay} 10 @( 0x[0-9a-f]+)+\\n#\\t0x[0-9a-f]+\\tfs\\.readFileSync\\+0x0\\t+node:fs:0\\n`, "m"));
    assert.match(text, /\treadBigFile\+0x0\t+.*block\.test\.ts:\d+$/m);
    // Go: any debug >= 1 is the same text.
    assert.match((await write(2)).toString(), /^--- contention:\ncycles\/second=1000000000\n\d+ \d+ @/);
    // Other code in this process (the test runner) may block too: at least these records.
    assert.ok(lookup("block")!.count() >= p.sample.length);

    if (!needGo(t)) return;
    writeFileSync(join(dir, "block.pb.gz"), await write(0));
    const top = parseTop(goPprof(["-top", "-nodecount=50", join(dir, "block.pb.gz")]));
    assert.equal(top[0]!.name, "fs.readFileSync");
    const contentions = parseTop(goPprof(["-top", "-sample_index=contentions", "-nodecount=50", join(dir, "block.pb.gz")]));
    assert.equal(contentions.find((r) => r.name === "readBigFile")?.cum, "10");
  } finally {
    setBlockProfileRate(0);
  }
  assert.equal(fs.readFileSync, originalReadFileSync);
});

test("block: Atomics.wait, zlib, child_process and crypto waits each under their call", async () => {
  setBlockProfileRate(1);
  try {
    function waitOnAtomics(): void {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);
    }
    function compress(): void {
      zlib.gzipSync(Buffer.alloc(1024 * 1024, 1));
    }
    function runChild(): void {
      childProcess.execFileSync(process.execPath, ["-e", "0"]);
    }
    waitOnAtomics();
    compress();
    runChild();
    const p = decodeProfile(gunzipSync(await write(0)));
    const leafOf = (fn: string) => p.sample.find((s) => s.location.some((l) => l.line[0]!.function.name === fn))?.location[0]!.line[0]!.function.name;
    assert.equal(leafOf("waitOnAtomics"), "Atomics.wait");
    assert.equal(leafOf("compress"), "zlib.gzipSync");
    assert.equal(leafOf("runChild"), "child_process.execFileSync");
    const [, waited] = under(p, "waitOnAtomics");
    assert.ok(waited >= 25e6 && waited < 300e6, `Atomics.wait 30 ms recorded as ${waited / 1e6} ms`);
  } finally {
    setBlockProfileRate(0);
  }
});

test("block: events are symbolized when read or in batches; 2,500 calls all counted under their caller", async () => {
  setBlockProfileRate(1);
  try {
    function statManyTimes(): void {
      for (let i = 0; i < 2500; i++) fs.statSync(dir);
    }
    statManyTimes();
    // Reading twice: what was folded in stays, nothing is counted twice.
    const first = under(decodeProfile(gunzipSync(await write(0))), "statManyTimes");
    const again = under(decodeProfile(gunzipSync(await write(0))), "statManyTimes");
    assert.equal(first[0], 2500);
    assert.deepEqual(again, first);
  } finally {
    setBlockProfileRate(0);
  }
});

test("block: Go's rate — events far shorter than the rate are (almost never) sampled; a bad rate is refused", () => {
  // An hour per sample: a microsecond stat is sampled with probability ~3e-10.
  setBlockProfileRate(3600e9);
  try {
    const before = lookup("block")!.count();
    function statOften(): void {
      for (let i = 0; i < 200; i++) fs.statSync(dir);
    }
    statOften();
    assert.equal(lookup("block")!.count(), before);
  } finally {
    setBlockProfileRate(0);
  }
  assert.throws(() => setBlockProfileRate(Number.NaN), /rate must be a number/);
});

test("block: a read-only function is skipped and named in the profile's comments; the others are recorded and put back exactly", (t) => {
  const out = join(dir, "read-only.pb.gz");
  const stdout = execFileSync(process.execPath, ["--import", "tsx", join(root, "test/fixtures/block/read-only.mts"), out], { cwd: root, encoding: "utf8", timeout: 60_000 });
  assert.deepEqual(JSON.parse(stdout), {
    wrapped: { inflateSync: true, readFileSync: true },
    restored: { readFileSync: true, deflateSync: true, inflateSync: true },
  });
  const p = decodeProfile(gunzipSync(readFileSync(out)));
  assert.deepEqual(p.comments, ["tsprof: zlib.deflateSync not wrapped (read-only)"]);
  const leafOf = (fn: string) => p.sample.filter((s) => s.location.some((l) => l.line[0]!.function.name === fn)).map((s) => s.location[0]!.line[0]!.function.name);
  assert.deepEqual(leafOf("compress"), []);
  assert.deepEqual(leafOf("decompress"), ["zlib.inflateSync"]);
  assert.deepEqual(leafOf("readSelf"), ["fs.readFileSync"]);
  assert.deepEqual(leafOf("waitOnAtomics"), ["Atomics.wait"]);
  assert.equal(under(p, "waitOnAtomics")[0], 1);
  if (!needGo(t)) return;
  assert.match(goPprof(["-comments", out]), /^tsprof: zlib\.deflateSync not wrapped \(read-only\)$/m);
});
