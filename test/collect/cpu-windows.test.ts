// Shared CPU profiles: one V8 sampler feeding overlapping profiles, each with
// exactly the samples of its own time range, labels included; the sampler
// stops with the last profile.

import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { startCPUProfile, startSharedCPUProfile, stopCPUProfile, cpuProfileRate, setCPUProfileRate } from "../../src/collect/cpu.ts";
import { openWindows } from "../../src/collect/cpu-windows.ts";
import { labels, runWithLabels } from "../../src/collect/labels.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { MemorySink } from "../../src/http/respond.ts";
import { turnOffInlining } from "../helpers/no-inlining.ts";

turnOffInlining();

function spin(ms: number, fn: () => number): void {
  const end = performance.now() + ms;
  let sink = 0;
  while (performance.now() < end) sink += fn();
  if (sink === -1) console.log(sink);
}
export function windowsFirst(): number {
  let acc = 0;
  for (let i = 0; i < 20_000; i++) acc += Math.sqrt(i);
  return acc;
}
export function windowsBoth(): number {
  let acc = 0;
  for (let i = 0; i < 20_000; i++) acc += Math.sqrt(i);
  return acc;
}
export function windowsSecond(): number {
  let acc = 0;
  for (let i = 0; i < 20_000; i++) acc += Math.sqrt(i);
  return acc;
}

function leafSamples(p: ProfileData, fn: string): number {
  return p.sample.filter((s) => s.location[0]?.line[0]?.function.name === fn).reduce((sum, s) => sum + s.value[0]!, 0);
}

function labelled(p: ProfileData, fn: string, key: string, value: string): number {
  return p.sample
    .filter((s) => s.location[0]?.line[0]?.function.name === fn && s.label[key]?.[0] === value)
    .reduce((sum, s) => sum + s.value[0]!, 0);
}

test("overlapping shared profiles: each holds the samples of its own time range and none of the other's", async () => {
  const a = startSharedCPUProfile();
  spin(300, windowsFirst);
  const b = startSharedCPUProfile();
  runWithLabels(labels("phase", "both"), () => spin(300, windowsBoth));
  const aBytes = await a.stop();
  assert.equal(openWindows(), 1, "b still runs");
  spin(300, windowsSecond);
  const bBytes = await b.stop();
  assert.equal(openWindows(), 0, "the sampler stopped with the last profile");
  const pa = decodeProfile(gunzipSync(aBytes));
  const pb = decodeProfile(gunzipSync(bBytes));
  assert.ok(leafSamples(pa, "windowsFirst") >= 1 && leafSamples(pa, "windowsBoth") >= 1, "a: before and during b");
  assert.equal(leafSamples(pa, "windowsSecond"), 0, "a: nothing after its end");
  assert.ok(leafSamples(pb, "windowsBoth") >= 1 && leafSamples(pb, "windowsSecond") >= 1, "b: during a and after");
  assert.equal(leafSamples(pb, "windowsFirst"), 0, "b: nothing before its start");
  // The overlap is in both, with its labels, counted once in each.
  assert.equal(labelled(pa, "windowsBoth", "phase", "both"), leafSamples(pa, "windowsBoth"));
  assert.equal(labelled(pb, "windowsBoth", "phase", "both"), leafSamples(pb, "windowsBoth"));
  assert.equal(leafSamples(pa, "windowsBoth"), leafSamples(pb, "windowsBoth"), "the same samples of the overlap in both");
  assert.ok(pb.timeNanos > pa.timeNanos && pb.timeNanos < pa.timeNanos + BigInt(pa.durationNanos), "b started inside a");
});

test("startCPUProfile joins shared profiles at their rate, and shared ones join it; a second startCPUProfile still throws", async () => {
  setCPUProfileRate(100);
  const shared = startSharedCPUProfile();
  const own = new MemorySink();
  startCPUProfile(own);
  assert.throws(() => startCPUProfile(new MemorySink()), /cpu profiling already in use/);
  spin(200, windowsBoth);
  const late = startSharedCPUProfile();
  spin(200, windowsSecond);
  await shared.stop();
  await stopCPUProfile();
  assert.equal(openWindows(), 1);
  assert.equal(cpuProfileRate(), 100);
  const lateProfile = decodeProfile(gunzipSync(await late.stop()));
  const ownProfile = decodeProfile(gunzipSync(own.contents()));
  assert.ok(leafSamples(ownProfile, "windowsBoth") >= 1 && leafSamples(ownProfile, "windowsSecond") >= 1);
  assert.equal(leafSamples(lateProfile, "windowsBoth"), 0);
  assert.equal(leafSamples(lateProfile, "windowsSecond"), leafSamples(ownProfile, "windowsSecond"));
});

test("a dropped shared profile lets the others go on, and a dropped last one stops the sampler", async () => {
  const a = startSharedCPUProfile();
  const b = startSharedCPUProfile();
  a.drop();
  spin(100, windowsSecond);
  assert.equal(openWindows(), 1);
  assert.ok(leafSamples(decodeProfile(gunzipSync(await b.stop())), "windowsSecond") >= 1);
  const c = startSharedCPUProfile();
  c.drop();
  assert.equal(openWindows(), 0);
  await assert.rejects(c.stop(), /not running/);
});
