// /debug/pprof/allocs?seconds=N under allocation sampling: the allocations of
// the next N seconds, short-lived garbage included (Go's delta profile), and
// none of those before the window.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { setImmediate as turn, setTimeout as sleep } from "node:timers/promises";
import { handler } from "../../src/http/index.ts";
import { setMemProfileRate, setAllocationSampling, allocationDrainStats } from "../../src/collect/heap.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { serve, get } from "./helpers.ts";

const MiB = 1024 * 1024;
setMemProfileRate(32 * 1024);
setAllocationSampling(true);
const plain = await serve(handler());
after(() => plain.close());

let sink: unknown;
/** new Array(100): a 32-byte JSArray and an 816-byte element store. */
function garbage(mib: number): void {
  for (let i = 0; i < (mib * MiB) / 848; i++) sink = new Array(100).fill(i);
}
function beforeWindow(): void {
  garbage(100);
}
function inWindow(): void {
  garbage(10);
}

function allocSpace(p: ProfileData, fn: string): number {
  const i = p.sampleType.findIndex((t) => t.type === "alloc_space");
  let sum = 0;
  for (const s of p.sample) if (s.location.some((l) => l.line.some((ln) => ln.function.name === fn))) sum += s.value[i]!;
  return sum;
}

test("allocs?seconds=5 holds the garbage allocated in the window, within 15%, and none from before", async () => {
  beforeWindow();
  const reads = () => allocationDrainStats().drains - allocationDrainStats().byGC;
  const before = reads();
  const pending = get(plain.port, "/debug/pprof/allocs?seconds=5");
  // Each collection drains the sampler: wait for the first, then allocate 60 MiB in slices
  // (well under a second; the window is 5).
  while (reads() === before) await sleep(10);
  for (let i = 0; i < 6; i++) {
    inWindow();
    await turn();
  }
  const windowOpen = reads() === before + 1;
  const r = await pending;
  assert.equal(r.status, 200, r.text);
  const p = decodeProfile(gunzipSync(r.body));
  assert.equal(p.defaultSampleType, "alloc_space");
  assert.ok(p.durationNanos >= 4e9, `duration ${p.durationNanos}`);
  assert.ok(windowOpen, "the 60 MiB took more than the 5 s window");
  const got = allocSpace(p, "inWindow");
  assert.ok(Math.abs(got - 60 * MiB) <= 0.15 * 60 * MiB, `alloc_space of inWindow: ${(got / MiB).toFixed(1)} MiB of 60`);
  assert.ok(Math.abs(allocSpace(p, "beforeWindow")) < 2 * MiB, `beforeWindow in the delta: ${allocSpace(p, "beforeWindow")}`);
  void sink;
});
