// CPU cost of allocation sampling (setAllocationSampling(true), issue 14:
// at most 1% over sampling off at 512 KiB) on an allocation-heavy workload
// that turns the event loop (so the drains after garbage collections run, as
// in a server). Each mode runs in a fresh process, rounds interleaved,
// medians printed with ratios against the same run's modes (bench/_heap-modes.mjs).
// Times are the process's CPU time (user + system, all threads). Then the
// same comparison in one process, modes switched between batches, in a random
// order each rotation.
//
//   node scripts/build.mjs && node bench/heap-allocs-overhead.mjs [rounds=7]

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PassThrough } from "node:stream";
import { workTurning as work } from "./_records-workload.mjs";
import { MODES, RATE, heapUrl, startHeapMode } from "./_heap-modes.mjs";

const mode = process.env.ALLOCS_OVERHEAD_MODE;

if (!mode) {
  const rounds = Number(process.argv[2] ?? 7);
  const times = Object.fromEntries(MODES.map((m) => [m, []]));
  const extra = [];
  for (let r = 0; r < rounds; r++) {
    for (const m of MODES) {
      const res = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
        env: { ...process.env, ALLOCS_OVERHEAD_MODE: m },
        encoding: "utf8",
        timeout: 300_000,
      });
      if (res.status !== 0) throw new Error(`${m} failed: ${res.stderr}`);
      const out = JSON.parse(res.stdout.trim().split("\n").pop());
      times[m].push(out.ms);
      if (out.drains !== undefined) extra.push(out);
    }
  }
  const med = Object.fromEntries(MODES.map((m) => [m, median(times[m])]));
  console.log(`Node ${process.version}; allocation-heavy workload, ${rounds} rounds, medians of process CPU time (ms); ratio = time / time with no profiler`);
  for (const m of MODES) {
    console.log(`${m.padEnd(8)} ${med[m].toFixed(0).padStart(6)} ms  x${(med[m] / med.none).toFixed(3)}   runs: ${times[m].map((t) => t.toFixed(0)).join(" ")}`);
  }
  const pct = (a, b) => `${((a / b - 1) * 100).toFixed(1)}%`;
  console.log(`allocs vs off: ${pct(med.allocs, med.off)}; inuse vs off: ${pct(med.inuse, med.off)}; datadog vs none: ${pct(med.datadog, med.none)}; allocs / datadog: x${(med.allocs / med.datadog).toFixed(3)}`);
  const e = extra[Math.floor(extra.length / 2)];
  console.log(`allocation sampling in one run: ${e.samples} samples, ${e.drains} drains (${e.byGC} after GCs, ${e.byGCMs.toFixed(1)} ms), largest drain ${e.maxSamples} samples; writing the allocs profile: ${e.writeMs.toFixed(1)} ms`);
  const ab = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, ALLOCS_OVERHEAD_MODE: "ab", ALLOCS_OVERHEAD_BATCHES: String(rounds * 4) },
    encoding: "utf8",
    timeout: 600_000,
  });
  if (ab.status !== 0) throw new Error(`in-process run failed: ${ab.stderr}`);
  const perBatch = JSON.parse(ab.stdout.trim().split("\n").pop());
  const sums = Object.fromEntries(Object.entries(perBatch).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0)]));
  console.log(`in one process, ${rounds * 4} batches per mode rotated, total CPU ms: ${Object.entries(sums).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}`);
  console.log(`  allocs vs off: ${pct(sums.allocs, sums.off)}, inuse vs off: ${pct(sums.inuse, sums.off)}, datadog vs off: ${pct(sums.datadog, sums.off)}, allocs / datadog: x${(sums.allocs / sums.datadog).toFixed(3)}`);
  // Each rotation ran every mode once, back to back: the ratio within a
  // rotation is free of the machine's slower drifts; its spread says how far
  // the totals above can be trusted.
  const within = (a, b) => {
    const r = perBatch[a].map((x, i) => x / perBatch[b][i] - 1);
    const mean = r.reduce((x, y) => x + y, 0) / r.length;
    const sd = Math.sqrt(r.reduce((x, y) => x + (y - mean) ** 2, 0) / (r.length - 1));
    return `${(mean * 100).toFixed(1)}% ± ${((1.96 * sd * 100) / Math.sqrt(r.length)).toFixed(1)}`;
  };
  console.log(`  per rotation, mean and 95% interval: allocs vs off ${within("allocs", "off")}, inuse vs off ${within("inuse", "off")}, datadog vs off ${within("datadog", "off")}`);
  process.exit(0);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ---- one measured run ----------------------------------------------------------

if (mode === "ab") {
  const tsprof = await import(heapUrl);
  const { heap } = await import("@datadog/pprof");
  const on = {
    off: () => tsprof.setMemProfileRate(0),
    inuse: () => (tsprof.setAllocationSampling(false), tsprof.setMemProfileRate(RATE)),
    allocs: () => (tsprof.setAllocationSampling(true), tsprof.setMemProfileRate(RATE)),
    datadog: () => (tsprof.setMemProfileRate(0), heap.start(RATE, 64)),
  };
  const off = { off() {}, inuse: () => tsprof.setMemProfileRate(0), allocs: () => tsprof.setMemProfileRate(0), datadog: () => heap.stop() };
  const names = Object.keys(on);
  const times = Object.fromEntries(names.map((m) => [m, []]));
  await work(); // warm-up
  const batches = Number(process.env.ALLOCS_OVERHEAD_BATCHES ?? 28);
  // Each rotation runs the modes in a fresh random order (seeded, so runs
  // repeat): a fixed cycle would always put the same mode after another's
  // teardown (a forced GC, a drain) and charge it for that.
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let b = 0; b < batches; b++) {
    const order = [...names];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const m of order) {
      on[m]();
      const c0 = process.cpuUsage();
      await work(100_000);
      const c = process.cpuUsage(c0);
      off[m]();
      times[m].push((c.user + c.system) / 1000);
    }
  }
  console.log(JSON.stringify(times));
  process.exit(0);
}

const tsprof = await startHeapMode(mode);

await work(); // warm-up: compile before timing
const c0 = process.cpuUsage();
const sink = await work(2_000_000);
const c = process.cpuUsage(c0);
const ms = (c.user + c.system) / 1000;
const out = { ms };
if (mode === "allocs") {
  const w = new PassThrough();
  w.resume();
  const t1 = process.hrtime.bigint();
  await tsprof.writeHeapProfile(w);
  out.writeMs = Number(process.hrtime.bigint() - t1) / 1e6;
  const s = tsprof.allocationDrainStats();
  Object.assign(out, s);
  const { heapRecords } = tsprof;
  out.samples = heapRecords().records.reduce((n, r) => n + r.seen, 0);
}
if (sink === -1) console.log(sink);
console.log(JSON.stringify(out));
