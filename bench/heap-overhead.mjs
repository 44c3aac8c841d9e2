// Heap sampling overhead on an allocation-heavy workload (issue 2, "Speed":
// at most 1% at the default rate). Each mode runs in a fresh process, rounds
// interleaved, medians printed with ratios against the same run's baseline:
//   none     no profiler loaded
//   off      tsprof's heap module loaded, setMemProfileRate(0)
//   tsprof   tsprof's heap module loaded, sampling at the default 512 KiB (as at load)
//   datadog  @datadog/pprof's heap profiler at 512 KiB, stack depth 64
// Times are the process's CPU time (user + system, all threads) over the
// workload, steadier than wall time on a shared machine. Also prints how long
// writing one heap profile takes at the end of a run.
//
//   node scripts/build.mjs && node bench/heap-overhead.mjs [rounds=7]

import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { work } from "./_records-workload.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const mode = process.env.HEAP_OVERHEAD_MODE;
const RATE = 512 * 1024;

if (!mode) {
  const rounds = Number(process.argv[2] ?? 7);
  const modes = ["none", "off", "tsprof", "datadog"];
  const times = Object.fromEntries(modes.map((m) => [m, []]));
  const writes = [];
  for (let r = 0; r < rounds; r++) {
    for (const m of modes) {
      const res = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
        env: { ...process.env, HEAP_OVERHEAD_MODE: m },
        encoding: "utf8",
        timeout: 180_000,
      });
      if (res.status !== 0) throw new Error(`${m} failed: ${res.stderr}`);
      const out = JSON.parse(res.stdout.trim().split("\n").pop());
      times[m].push(out.ms);
      if (out.writeMs !== undefined) writes.push(out.writeMs);
    }
  }
  const med = Object.fromEntries(modes.map((m) => [m, median(times[m])]));
  console.log(`allocation-heavy workload, ${rounds} rounds, medians of process CPU time (ms); ratio = time / time with no profiler`);
  for (const m of modes) {
    console.log(`${m.padEnd(8)} ${med[m].toFixed(0).padStart(6)} ms  x${(med[m] / med.none).toFixed(3)}   runs: ${times[m].map((t) => t.toFixed(0)).join(" ")}`);
  }
  console.log(`overhead tsprof sampling: ${((med.tsprof / med.off - 1) * 100).toFixed(1)}% vs off, ${((med.tsprof / med.none - 1) * 100).toFixed(1)}% vs none; datadog: ${((med.datadog / med.none - 1) * 100).toFixed(1)}%`);
  console.log(`tsprof / datadog: x${(med.tsprof / med.datadog).toFixed(3)}`);
  console.log(`writeHeapProfile after the workload: median ${median(writes).toFixed(1)} ms`);
  // The same comparison inside one process, switching the sampler between
  // short batches: process-to-process variance (JIT, heap layout) drops out.
  const ab = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, HEAP_OVERHEAD_MODE: "ab", HEAP_OVERHEAD_BATCHES: String(rounds * 4) },
    encoding: "utf8",
    timeout: 300_000,
  });
  if (ab.status !== 0) throw new Error(`in-process run failed: ${ab.stderr}`);
  const sums = JSON.parse(ab.stdout.trim().split("\n").pop());
  console.log(`in one process, ${rounds * 4} batches per mode rotated, total CPU ms: off ${sums.off.toFixed(0)}, tsprof ${sums.tsprof.toFixed(0)}, datadog ${sums.datadog.toFixed(0)}`);
  console.log(`  tsprof vs off: ${((sums.tsprof / sums.off - 1) * 100).toFixed(1)}%, datadog vs off: ${((sums.datadog / sums.off - 1) * 100).toFixed(1)}%, tsprof / datadog: x${(sums.tsprof / sums.datadog).toFixed(3)}`);
  process.exit(0);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ---- one measured run ----------------------------------------------------------

if (mode === "ab") {
  const tsprof = await import(pathToFileURL(join(here, "../dist/esm/collect/heap.js")).href);
  const { heap } = await import("@datadog/pprof");
  const on = {
    off: () => tsprof.setMemProfileRate(0),
    tsprof: () => tsprof.setMemProfileRate(RATE),
    datadog: () => (tsprof.setMemProfileRate(0), heap.start(RATE, 64)),
  };
  const off = { off() {}, tsprof: () => tsprof.setMemProfileRate(0), datadog: () => heap.stop() };
  const names = Object.keys(on);
  const sums = { off: 0, tsprof: 0, datadog: 0 };
  work(); // warm-up
  const batches = Number(process.env.HEAP_OVERHEAD_BATCHES ?? 28);
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < names.length; k++) {
      const m = names[(b + k) % names.length];
      on[m]();
      const c0 = process.cpuUsage();
      work(100_000);
      const c = process.cpuUsage(c0);
      off[m]();
      sums[m] += (c.user + c.system) / 1000;
    }
  }
  console.log(JSON.stringify(sums));
  process.exit(0);
}

let tsprof;
if (mode === "off" || mode === "tsprof") {
  tsprof = await import(pathToFileURL(join(here, "../dist/esm/collect/heap.js")).href);
  if (mode === "off") tsprof.setMemProfileRate(0);
} else if (mode === "datadog") {
  const { heap } = await import("@datadog/pprof");
  heap.start(RATE, 64);
}

work(); // warm-up: compile before timing
// CPU time of the process (all its threads, GC helpers included): on a shared
// machine it varies far less than wall time.
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const sink = work();
const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
const c = process.cpuUsage(c0);
const ms = (c.user + c.system) / 1000;
let writeMs;
if (mode === "tsprof") {
  const w = new PassThrough();
  w.resume();
  const t1 = process.hrtime.bigint();
  await tsprof.writeHeapProfile(w);
  writeMs = Number(process.hrtime.bigint() - t1) / 1e6;
}
if (sink === -1) console.log(sink);
console.log(JSON.stringify({ ms, wallMs, writeMs }));
