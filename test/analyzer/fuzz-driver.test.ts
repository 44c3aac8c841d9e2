// Fuzzed inputs to `tsprof pprof -top`: random bytes, truncated and
// bit-flipped real profiles (gzipped and not). Each must end with a report or
// one clean error line (no stack trace). A hang fails the test by its timeout;
// no input's time is asserted (that would fail on a loaded machine, not on a fault).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { runPprof } from "./driver-helpers.ts";
import { rng } from "../helpers/rng.ts";

const dir = join(import.meta.dirname, "../fixtures/analyzer/report-profiles");

function inputs(): [string, Uint8Array][] {
  const r = rng(6);
  const out: [string, Uint8Array][] = [];
  for (let i = 0; i < 30; i++) {
    const b = new Uint8Array(Math.floor(r() * 4096));
    for (let j = 0; j < b.length; j++) b[j] = Math.floor(r() * 256);
    out.push([`random ${i} (${b.length} bytes)`, b]);
  }
  for (const name of ["cpu", "heap", "goroutine"]) {
    const gz = readFileSync(join(dir, `${name}.pb.gz`));
    const raw = gunzipSync(gz);
    for (let i = 0; i < 15; i++) {
      const n = Math.floor(r() * raw.length);
      out.push([`${name} truncated at ${n}`, raw.subarray(0, n)]);
      out.push([`${name}.gz truncated`, gz.subarray(0, Math.floor(r() * gz.length))]);
    }
    for (let i = 0; i < 25; i++) {
      const flipped = Buffer.from(raw);
      const flips = 1 + Math.floor(r() * 8);
      for (let k = 0; k < flips; k++) flipped[Math.floor(r() * flipped.length)]! ^= 1 << Math.floor(r() * 8);
      out.push([`${name} with ${flips} bit flips (#${i})`, i % 2 === 0 ? flipped : gzipSync(flipped)]);
    }
  }
  out.push(["empty", new Uint8Array(0)], ["JSON garbage", Buffer.from('{"nodes": [1, 2], "startTime": 0}')], ["not JSON", Buffer.from("{ nope")]);
  return out;
}

test("fuzzed sources: a report or one clean error line", { timeout: 120_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), "tsprof-fuzz-"));
  try {
    const file = join(tmp, "input");
    for (const [label, data] of inputs()) {
      writeFileSync(file, data);
      const r = await runPprof(["-top", file]);
      if (r.code !== 0) {
        const lines = r.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, `${label}: ${r.stderr}`);
        assert.match(lines[0]!, /^tsprof pprof: \S/, label);
        assert.doesNotMatch(r.stderr, /\n\s+at /, label);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
