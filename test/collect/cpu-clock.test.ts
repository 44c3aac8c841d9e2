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
const nowUs = () => Number(process.hrtime.bigint()) / 1000;

test("a worker busy for 250 ms of CPU, then asleep twice as long: the timeline has its CPU before it slept", { skip, timeout: 120_000 }, async () => {
  // The worker spins for an amount of its own CPU time (on a loaded machine
  // that takes longer), then sleeps twice the wall time it spun, so readings
  // at the start and end alone would put only a third of its CPU before the
  // sleep began.
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
     const { readlinkSync, readFileSync } = require("node:fs");
     const tid = Number(/\\/task\\/(\\d+)$/.exec(readlinkSync("/proc/thread-self"))[1]);
     const cpuMs = () => Number(readFileSync("/proc/self/task/" + tid + "/schedstat", "latin1").split(" ")[0]) / 1e6;
     const nowUs = () => Number(process.hrtime.bigint()) / 1000;
     parentPort.postMessage({ tid });
     parentPort.once("message", () => {
       const start = nowUs(), before = cpuMs(), giveUp = Date.now() + 20000;
       let x = 0, check = Date.now();
       for (;;) {
         x += Math.sqrt(x + 1);
         const now = Date.now();
         if (now === check) continue;
         check = now;
         if (cpuMs() - before >= 250 || now > giveUp) break;
       }
       const busyEndUs = nowUs();
       // Stays alive (its clock readable) until told to end.
       const alive = setInterval(() => {}, 1000);
       setTimeout(() => parentPort.postMessage({ busyEndUs, x }), Math.max(300, 2 * (busyEndUs - start) / 1000));
       parentPort.on("message", () => { clearInterval(alive); parentPort.close(); });
     });`,
    { eval: true },
  );
  const [{ tid }] = (await once(worker, "message")) as [{ tid: number }];
  const startUs = nowUs();
  const watch = ThreadClockWatch.watch(tid, [startUs, threadCpuNanos(tid)!]);
  assert.ok(watch, "watched");
  worker.postMessage("go");
  const [{ busyEndUs }] = (await once(worker, "message")) as [{ busyEndUs: number }];
  const endUs = nowUs();
  watch.addReading([endUs, threadCpuNanos(tid)!]);
  watch.close();
  // It ends by itself: the test does not depend on terminate().
  const exited = once(worker, "exit");
  worker.postMessage("end");
  await exited;

  const timeline = watch.timeline()!;
  const total = timeline.at(endUs) - timeline.at(startUs);
  const beforeSleep = timeline.at(busyEndUs) - timeline.at(startUs);
  assert.ok(total > 200e6, `the worker's CPU: ${total / 1e6} ms`);
  assert.ok(beforeSleep / total > 0.8, `before the sleep ${(beforeSleep / 1e6).toFixed(0)} ms of ${(total / 1e6).toFixed(0)} ms`);
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
  const t0 = nowUs();
  const watch = ThreadClockWatch.watch(tid, [t0, threadCpuNanos(tid) ?? 0])!;
  await exited;
  await new Promise((r) => setTimeout(r, 100));
  watch.close();
  watch.close();
  const timeline = watch.timeline();
  // The start reading, and the helper's while the thread lived (or none: it may have exited at once).
  if (timeline) assert.ok(timeline.at(t0 + 1e6) >= timeline.at(t0));
});
