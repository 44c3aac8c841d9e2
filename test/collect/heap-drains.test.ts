// The allocation sampler's drain schedule: garbage collections counted
// without paying Node's cost of a `gc` entry for each one while the program
// runs (sampled windows), every one when a drain needs few, and nothing
// running while the program is idle.

import { test } from "node:test";
import assert from "node:assert/strict";
import { PerformanceObserver } from "node:perf_hooks";
import { setImmediate as turn, setTimeout as sleep } from "node:timers/promises";
import { DrainSchedule } from "../../src/collect/heap-drains.ts";

let sink: unknown;
/** Allocates short-lived garbage for `ms`, turning the event loop as a server does. */
async function garbageFor(ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    for (let i = 0; i < 20_000; i++) sink = { i, s: sink === undefined };
    await turn();
  }
}

/** Allocates until the schedule has seen a collection and left idleness (a loaded machine allocates slowly). */
async function garbageUntilRunning(s: DrainSchedule): Promise<void> {
  for (const end = Date.now() + 10_000; s.mode() === "idle" && Date.now() < end; ) await garbageFor(20);
}

/** Waits until the schedule's mode is `want` (the ticks run on the event loop; a loaded machine delays them). */
async function until(s: DrainSchedule, want: string, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end && s.mode() !== want; ) await sleep(50);
  assert.equal(s.mode(), want);
}

test("idle until the first collection; collections sampled in windows while the program allocates; idle again when it stops", async () => {
  const s = new DrainSchedule();
  let drains = 0;
  s.start(4 * 1024 * 1024, () => {
    drains++;
    s.drained(0);
  });
  try {
    assert.equal(s.mode(), "idle");
    // 4 MiB: a young generation holds at most 16 samples, so a drain waits for hundreds of collections.
    assert.ok(s.gcBudget() >= 100, String(s.gcBudget()));
    await garbageUntilRunning(s);
    assert.equal(s.mode(), "sampled");
    await garbageFor(2500);
    assert.equal(s.mode(), "sampled");
    assert.ok(s.gcsCounted() > 0 || drains > 0, "collections were counted");
    // Idle: the next tick (1 s) finds no CPU used and stops the timer.
    await until(s, "idle", 10_000);
  } finally {
    s.stop();
  }
  assert.equal(s.mode(), "stopped");
});

test("when a drain needs few collections (a fine rate), every collection is counted", async () => {
  const s = new DrainSchedule();
  let drains = 0;
  let countedAtFirstDrain = -1;
  // 4 KiB: a young generation can hold 8,192 samples, so a drain comes after a handful of collections.
  s.start(4096, () => {
    if (drains++ === 0) countedAtFirstDrain = s.gcsCounted();
  });
  let counted = 0;
  const all = new PerformanceObserver((list) => (counted += list.getEntries().length));
  all.observe({ entryTypes: ["gc"] });
  try {
    assert.ok(s.gcBudget() < 100, String(s.gcBudget()));
    await garbageUntilRunning(s);
    assert.equal(s.mode(), "every");
    await garbageFor(1500);
    await sleep(50); // both observers get their last entries
    // Without drained() the count runs on: each collection after the budget asks for a drain.
    assert.ok(counted > s.gcBudget(), `${counted} collections`);
    assert.ok(Math.abs(s.gcsCounted() - counted) <= 2, `counted ${s.gcsCounted()}, the test's own observer ${counted}`);
    assert.ok(countedAtFirstDrain > 0, "a drain was asked for");
    // Without drained() the budget stays spent: every later delivery of entries asks again.
    const after = s.gcsCounted() - countedAtFirstDrain;
    assert.ok(drains >= Math.min(after, 2) && drains <= after + 1, `${drains} drains, the first after ${countedAtFirstDrain} of ${s.gcsCounted()} collections`);
  } finally {
    all.disconnect();
    s.stop();
  }
});

test("a costly drain waits until it takes a small share of the time, while the samples held stay under a cap that grows with the heap", async () => {
  for (const heapInUse of [64 * 2 ** 30, 0]) {
    const s = new DrainSchedule(() => heapInUse);
    let drains = 0;
    // Each drain takes a second (a full GC of a large heap on Node 20-24): the next is due in 200 s by time.
    s.start(4096, () => {
      drains++;
      s.drained(16_667, 1000);
    });
    try {
      await garbageUntilRunning(s);
      await garbageFor(1500);
      await sleep(50);
    } finally {
      s.stop();
    }
    if (heapInUse > 0) {
      // A 64 GiB heap may hold 5% of itself in samples: the drain waits, past its budget.
      assert.equal(drains, 1, `${drains} drains`);
      assert.ok(s.gcsCounted() > s.gcBudget(), `${s.gcsCounted()} collections since the drain, budget ${s.gcBudget()}`);
    } else {
      // A small heap's cap is MAX_KEPT_SAMPLES: each spent budget drains, costly or not.
      assert.ok(drains >= 2, `${drains} drains`);
    }
  }
});
