"use strict";
// Preloaded (--require) into each worker created while a main-thread CPU
// profile runs (cpu-worker-start.ts adds it): the worker samples itself from
// its first line, whatever the main thread is doing, and sends its profile to
// the main thread over a BroadcastChannel when it exits or when the profile
// stops. Plain CommonJS with no imports of its own, so it loads in any worker
// (eval workers and ES module workers alike) before the worker's own code.
// Nothing here may throw into the worker, or wait on another thread.

(function tsprofWorkerSampler() {
  const VAR = "TSPROF_CPU_WORKER_PROFILE";
  const config = process.env[VAR];
  // Not for the worker's code, nor for the processes it spawns.
  delete process.env[VAR];
  const m = /^(\d+):(.+)$/.exec(config || "");
  if (!m) return;
  let session, channel;
  // This thread's CPU clock (Linux): its id, and (µs, ns) readings at the
  // start and the end, with which the main thread weighs the samples
  // (cpu-clock.ts). Absent elsewhere.
  let tid;
  const clock = () => {
    try {
      const fs = require("node:fs");
      if (tid === undefined) tid = Number(/\/task\/(\d+)$/.exec(fs.readlinkSync("/proc/thread-self"))[1]);
      const ns = Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, "latin1").split(" ")[0]);
      return Number.isFinite(ns) ? [Number(process.hrtime.bigint()) / 1000, ns] : undefined;
    } catch {
      return undefined;
    }
  };
  try {
    const { Session } = require("node:inspector");
    const { BroadcastChannel, threadId } = require("node:worker_threads");
    session = new Session();
    session.connect();
    // A session on its own thread answers within post().
    session.post("Profiler.enable");
    session.post("Profiler.setSamplingInterval", { interval: Number(m[1]) });
    session.post("Profiler.start");
    channel = new BroadcastChannel(m[2]);
    // Neither keeps the worker alive.
    channel.unref();
    const startCpu = clock();
    if (startCpu) channel.postMessage({ threadId, tid, startCpu });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      process.off("exit", finish);
      let profile;
      try {
        session.post("Profiler.stop", (err, res) => {
          if (!err && res) profile = res.profile;
        });
        session.disconnect();
        if (profile) channel.postMessage({ threadId, profile, endCpu: clock() });
      } catch {
        // the profile is lost; the worker is not disturbed
      }
      channel.close();
    };
    channel.onmessage = (e) => {
      if (e.data === "stop") finish();
    };
    // Normal exits run this; worker.terminate() runs nothing, and loses the samples.
    process.on("exit", finish);
  } catch {
    try {
      if (session) session.disconnect();
      if (channel) channel.close();
    } catch {
      // nothing left to undo
    }
  }
})();
