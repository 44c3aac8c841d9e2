// The mutex profile: callbacks that held the event loop, under the stack
// that scheduled them, with Go's fraction semantics.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { lookup } from "../../src/registry/profile.ts";
import "../../src/registry/predefined.ts";
import { setMutexProfileFraction } from "../../src/collect/mutex.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData, Sample } from "../../src/profile/model.ts";
import { needGo, goPprof, parseTop } from "../helpers/tools.ts";
import { collectBytes } from "../helpers/sink.ts";

const dir = mkdtempSync(join(tmpdir(), "tsprof-mutex-"));

function write(debug: number): Promise<Buffer> {
  return collectBytes((w) => lookup("mutex")!.writeTo(w, debug));
}

function spinFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function samplesUnder(p: ProfileData, fn: string): Sample[] {
  return p.sample.filter((s) => s.location.some((l) => l.line[0]!.function.name === fn));
}

test("mutex: off by default; an idle profile loads with Go's types", async (t) => {
  assert.equal(setMutexProfileFraction(-1), 0);
  const p = decodeProfile(gunzipSync(await write(0)));
  assert.deepEqual(p.sampleType, [{ type: "contentions", unit: "count" }, { type: "delay", unit: "nanoseconds" }]);
  assert.deepEqual(p.periodType, { type: "contentions", unit: "count" });
  assert.equal(p.sample.length, 0);
  assert.equal((await write(1)).toString(), "--- mutex:\ncycles/second=1000000000\nsampling period=0\n");
  if (!needGo(t)) return;
  writeFileSync(join(dir, "idle.pb.gz"), await write(0));
  assert.match(goPprof(["-top", join(dir, "idle.pb.gz")]), /Type: delay/);
});

test("mutex: a timer callback busy for 200 ms shows with about 200 ms of delay, under the code that scheduled it", async (t) => {
  assert.equal(setMutexProfileFraction(1), 0);
  try {
    function scheduleSpin(): void {
      setTimeout(function spin() {
        spinFor(200);
      }, 1);
    }
    scheduleSpin();
    await sleep(300);
    const p = decodeProfile(gunzipSync(await write(0)));
    const held = samplesUnder(p, "scheduleSpin");
    assert.equal(held.length, 1);
    const [count, delay] = held[0]!.value as [number, number];
    assert.equal(count, 1);
    // At least the 200 ms it spun; a loaded machine can stretch the last slice.
    assert.ok(delay >= 200e6 && delay < 300e6, `delay ${delay / 1e6} ms`);
    const names = held[0]!.location.map((l) => l.line[0]!.function.name);
    assert.equal(names[0], "spin");
    assert.equal(names[1], "setTimeout");
    assert.equal(names[2], "scheduleSpin");

    const text = (await write(1)).toString();
    assert.match(text, /^--- mutex:\ncycles\/second=1000000000\nsampling period=1\n/);
    assert.match((await write(2)).toString(), /^--- mutex:\ncycles\/second=1000000000\nsampling period=1\n\d+ 1 @/);
    assert.match(text, new RegExp(`^${delay} 1 @( 0x[0-9a-f]+)+\\n#\\t0x[0-9a-f]+\\tspin\\+0x0\\t+:0\\n`, "m"));

    if (!needGo(t)) return;
    writeFileSync(join(dir, "mutex.pb.gz"), await write(0));
    const top = parseTop(goPprof(["-top", "-nodecount=50", join(dir, "mutex.pb.gz")]));
    const spin = top.find((r) => r.name === "spin");
    assert.ok(spin && /^2\d\d(\.\d+)?ms$/.test(spin.flat), JSON.stringify(spin));
  } finally {
    setMutexProfileFraction(0);
  }
});

test("mutex: short callbacks are not contentions; a fraction scales what it samples", async () => {
  setMutexProfileFraction(2);
  try {
    assert.equal(setMutexProfileFraction(-1), 2);
    function quickTimers(): void {
      for (let i = 0; i < 20; i++) setTimeout(() => {}, 1);
    }
    function heldTimers(): void {
      for (let i = 0; i < 20; i++) setTimeout(() => spinFor(5), 1);
    }
    quickTimers();
    heldTimers();
    await sleep(200);
    const p = decodeProfile(gunzipSync(await write(0)));
    assert.equal(samplesUnder(p, "quickTimers").length, 0);
    const held = samplesUnder(p, "heldTimers");
    // Each sampled event counts 2 (1 in 2 sampled); 20 events, so ~20 in all.
    const count = held.reduce((n, s) => n + s.value[0]!, 0);
    assert.ok(count > 0 && count % 2 === 0 && count <= 40, `count ${count}`);
    for (const s of held) {
      const perEvent = s.value[1]! / s.value[0]!;
      assert.ok(perEvent >= 5e6 && perEvent < 50e6, `${perEvent / 1e6} ms per event`);
    }
  } finally {
    assert.equal(setMutexProfileFraction(0), 2);
  }
  assert.throws(() => setMutexProfileFraction(Number.NaN), /rate must be a number/);
});

test("mutex: sampling in time windows (fraction >= 5) finds a long-holding callback with its count and delay scaled back", async () => {
  // A chain of immediates, each holding the loop 1.5 ms, for about 2 s: a
  // window covers 1 in 5 of the time, so ~1/5 of the events are sampled and
  // each counts 5. Hundreds of events over ~20 windows: the scaled totals
  // land within a few percent of the truth; the bounds allow far more.
  const rate = 5;
  let events = 0;
  let heldNanos = 0;
  setMutexProfileFraction(rate);
  try {
    await new Promise<void>((resolve) => {
      const end = performance.now() + 2000;
      setImmediate(function holdStep() {
        const t = performance.now();
        spinFor(1.5);
        heldNanos += (performance.now() - t) * 1e6;
        events++;
        if (performance.now() < end) setImmediate(holdStep);
        else resolve();
      });
    });
  } finally {
    assert.equal(setMutexProfileFraction(0), rate);
  }
  const p = decodeProfile(gunzipSync(await write(0)));
  const held = p.sample.filter((s) => s.location[0]!.line[0]!.function.name === "holdStep");
  const count = held.reduce((n, s) => n + s.value[0]!, 0);
  const delay = held.reduce((n, s) => n + s.value[1]!, 0);
  for (const s of held) assert.equal(s.value[0]! % rate, 0, "each sampled event counts `rate`");
  assert.ok(Math.abs(count - events) <= 0.3 * events, `scaled count ${count}, true ${events}`);
  assert.ok(Math.abs(delay - heldNanos) <= 0.3 * heldNanos, `scaled delay ${delay / 1e6} ms, true ${heldNanos / 1e6} ms`);
  // Immediates scheduled while the hook was on keep their scheduling stack.
  assert.ok(held.some((s) => s.location.length > 1 && s.location.slice(1).some((l) => /\bholdStep$/.test(l.line[0]!.function.name))));
});
