// CPU profiling overhead at 100 Hz on a CPU-bound workload (issue 2,
// "Speed"): the time a fixed amount of work takes unprofiled, under tsprof,
// under @datadog/pprof's time profiler and under `node --cpu-prof`, each in
// a fresh process, rounds interleaved, medians printed with ratios.
//
//   node scripts/build.mjs && node bench/cpu-overhead.mjs [rounds=7]
//
// The workload mixes calls, recursion, closures, strings and small
// allocations, so stacks are deep and varied as in real programs.

import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";

const here = dirname(fileURLToPath(import.meta.url));
const mode = process.env.CPU_OVERHEAD_MODE;

if (!mode) {
  const rounds = Number(process.argv[2] ?? 7);
  const modes = ["none", "tsprof", "datadog", "cpu-prof"];
  const times = Object.fromEntries(modes.map((m) => [m, []]));
  const profDir = mkdtempSync(join(tmpdir(), "tsprof-bench-cpuprof-"));
  for (let r = 0; r < rounds; r++) {
    for (const m of modes) {
      const args = m === "cpu-prof" ? ["--cpu-prof", "--cpu-prof-interval", "10000", "--cpu-prof-dir", profDir] : [];
      const res = spawnSync(process.execPath, [...args, fileURLToPath(import.meta.url)], {
        env: { ...process.env, CPU_OVERHEAD_MODE: m },
        encoding: "utf8",
        timeout: 120_000,
      });
      if (res.status !== 0) throw new Error(`${m} failed: ${res.stderr}`);
      times[m].push(Number(res.stdout.trim().split("\n").pop()));
    }
  }
  rmSync(profDir, { recursive: true, force: true });
  const med = Object.fromEntries(modes.map((m) => [m, median(times[m])]));
  console.log(`CPU-bound workload, ${rounds} rounds, medians (ms); ratio = time / unprofiled time`);
  for (const m of modes) {
    console.log(`${m.padEnd(9)} ${med[m].toFixed(0).padStart(6)} ms  x${(med[m] / med.none).toFixed(3)}   runs: ${times[m].map((t) => t.toFixed(0)).join(" ")}`);
  }
  console.log(`overhead tsprof: ${((med.tsprof / med.none - 1) * 100).toFixed(1)}%, datadog: ${((med.datadog / med.none - 1) * 100).toFixed(1)}%, --cpu-prof: ${((med["cpu-prof"] / med.none - 1) * 100).toFixed(1)}%`);
  console.log(`tsprof / datadog: x${(med.tsprof / med.datadog).toFixed(3)}`);
  process.exit(0);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ---- the workload -----------------------------------------------------------

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function wordsOf(i) {
  return `item-${i % 97}-${(i * 31) % 1013}`.split("-");
}

function sortChunk(seed) {
  const a = [];
  for (let i = 0; i < 2000; i++) a.push((seed * 7919 + i * 104729) % 10007);
  return a.sort((x, y) => x - y)[1000];
}

function mapReduce(n) {
  const xs = Array.from({ length: n }, (_, i) => i);
  return xs.map((x) => x * 3).filter((x) => x % 2 === 0).reduce((s, x) => s + x, 0);
}

function unit(i) {
  return fib(18) + wordsOf(i).length + sortChunk(i) + mapReduce(500);
}

function work() {
  let sink = 0;
  for (let i = 0; i < 4000; i++) sink += unit(i);
  return sink;
}

// ---- one measured run ---------------------------------------------------------

work(); // warm up: compile and optimize before measuring
let stop = async () => {};
if (mode === "tsprof") {
  const tsprof = await import(pathToFileURL(join(here, "../dist/esm/index.js")).href);
  tsprof.startCPUProfile(new PassThrough().resume());
  stop = () => tsprof.stopCPUProfile();
} else if (mode === "datadog") {
  const { time } = await import("@datadog/pprof");
  time.start({ intervalMicros: 10_000, durationMillis: 600_000 });
  stop = async () => void time.stop(false);
}
const t0 = performance.now();
const sink = work();
const elapsed = performance.now() - t0;
await stop();
if (sink === -1) console.error(sink);
console.log(elapsed);
