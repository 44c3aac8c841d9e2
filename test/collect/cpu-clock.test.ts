// The helper thread that reads threads' CPU clocks (cpu-clock.ts): its
// readings place a thread's CPU time in time, where readings at a profile's
// start and end alone could only spread it evenly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { once } from "node:events";
import { ThreadClockWatch } from "../../src/collect/cpu-clock.ts";
import { currentThreadTid, threadCpuNanos } from "../../src/collect/thread-cpu-time.ts";

const skip = currentThreadTid() === undefined ? "no per-thread CPU clock on this platform (Linux /proc)" : false;

test("a worker busy for its first 300 ms and asleep for the next 300: the timeline has its CPU in the first half", { skip, timeout: 60_000 }, async () => {
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
     const { readlinkSync } = require("node:fs");
     parentPort.postMessage({ tid: Number(/\\/task\\/(\\d+)$/.exec(readlinkSync("/proc/thread-self"))[1]) });
     parentPort.once("message", () => {
       const end = Date.now() + 300; let x = 0;
       while (Date.now() < end) x += Math.sqrt(x + 1);
       // Stays alive (its clock readable) until told to end.
       const alive = setInterval(() => {}, 1000);
       setTimeout(() => parentPort.postMessage({ done: x }), 300);
       parentPort.on("message", () => { clearInterval(alive); parentPort.close(); });
     });`,
    { eval: true },
  );
  const [{ tid }] = (await once(worker, "message")) as [{ tid: number }];
  const nowUs = () => Number(process.hrtime.bigint()) / 1000;
  const startUs = nowUs();
  const watch = ThreadClockWatch.watch(tid, [startUs, threadCpuNanos(tid)!]);
  assert.ok(watch, "watched");
  worker.postMessage("go");
  await once(worker, "message");
  const endUs = nowUs();
  watch.addReading([endUs, threadCpuNanos(tid)!]);
  watch.close();
  // It ends by itself: the test does not depend on terminate().
  const exited = once(worker, "exit");
  worker.postMessage("end");
  await exited;

  const timeline = watch.timeline()!;
  const total = timeline.at(endUs) - timeline.at(startUs);
  const firstHalf = timeline.at(startUs + (endUs - startUs) / 2) - timeline.at(startUs);
  assert.ok(total > 150e6, `the worker's CPU: ${total / 1e6} ms`);
  // Two readings alone would say half; the helper's say nearly all.
  assert.ok(firstHalf / total > 0.8, `first half ${(firstHalf / 1e6).toFixed(0)} ms of ${(total / 1e6).toFixed(0)} ms`);
});

test("a watch of a thread that has exited keeps what it read; close is idempotent", { skip, timeout: 60_000 }, async () => {
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
     const { readlinkSync } = require("node:fs");
     parentPort.postMessage(Number(/\\/task\\/(\\d+)$/.exec(readlinkSync("/proc/thread-self"))[1]));`,
    { eval: true },
  );
  const exited = once(worker, "exit");
  const [tid] = (await once(worker, "message")) as [number];
  const t0 = Number(process.hrtime.bigint()) / 1000;
  const watch = ThreadClockWatch.watch(tid, [t0, threadCpuNanos(tid) ?? 0])!;
  await exited;
  await new Promise((r) => setTimeout(r, 100));
  watch.close();
  watch.close();
  const timeline = watch.timeline();
  // The start reading, and the helper's while the thread lived (or none: it may have exited at once).
  if (timeline) assert.ok(timeline.at(t0 + 1e6) >= timeline.at(t0));
});
