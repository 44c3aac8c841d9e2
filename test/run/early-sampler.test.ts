// The preload's early CPU sampler (register.ts → startEarlyThreadProfile):
// it counts as a running profile until the preload's CPU profile takes it
// over, with the samples taken before, or it is released.

import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { gunzipSync } from "node:zlib";
import { startEarlyThreadProfile, releaseEarlyThreadProfile, earlyThreadProfile } from "../../src/collect/cpu-session.ts";
import { startCPUProfile, takeOverCPUProfile, stopCPUProfile, cpuProfileRate } from "../../src/collect/cpu.ts";
import { decodeProfile } from "../../src/profile/decode.ts";

function spinBeforeTakeOver(ms: number): number {
  let x = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

function collect(): { w: PassThrough; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  const w = new PassThrough();
  w.on("data", (c: Buffer) => chunks.push(c));
  return { w, bytes: () => Buffer.concat(chunks) };
}

test("an early sampler is in use until taken over, and its samples are the profile's", async () => {
  startEarlyThreadProfile(500);
  assert.deepEqual(earlyThreadProfile()?.hz, 500);
  assert.throws(() => startCPUProfile(new PassThrough()), /^Error: cpu profiling already in use$/);
  spinBeforeTakeOver(300);
  const out = collect();
  takeOverCPUProfile(out.w);
  assert.equal(earlyThreadProfile(), undefined);
  assert.equal(cpuProfileRate(), 500, "the profile runs at the early sampler's rate");
  await stopCPUProfile();
  const p = decodeProfile(gunzipSync(out.bytes()));
  assert.equal(p.period, 2_000_000, "500 Hz is a 2 ms period");
  const names = new Set(p.sample.flatMap((s) => s.location.flatMap((l) => l.line.map((ln) => ln.function.name))));
  assert.ok(names.has("spinBeforeTakeOver"), "samples from before the take-over are in the profile");
  assert.ok(p.durationNanos >= 300_000_000, `the profile lasts from the early start (${p.durationNanos} ns)`);
});

test("a released early sampler leaves the profiler free", async () => {
  startEarlyThreadProfile(100);
  releaseEarlyThreadProfile();
  assert.equal(earlyThreadProfile(), undefined);
  const out = collect();
  startCPUProfile(out.w);
  await stopCPUProfile();
  assert.ok(out.bytes().length > 0);
});
