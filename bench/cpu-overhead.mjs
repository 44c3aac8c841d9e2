// CPU profiling overhead at 100 Hz on a CPU-bound workload (issue 2,
// "Speed"): a fixed amount of work unprofiled, under tsprof, under
// @datadog/pprof's time profiler (same 10 ms interval) and under
// `node --cpu-prof` (10 ms interval), each run in a fresh process, rounds
// interleaved with the order rotated each round.
//
//   node scripts/build.mjs && node bench/cpu-overhead.mjs [rounds=5] [units=2000]
//
// Two figures per profiler: wall time of the work, and the process's CPU
// time (process.cpuUsage: every thread, V8's sampler thread included). On a
// shared machine wall time also measures the neighbours; CPU time is the
// steadier figure, and min (least disturbed run) steadier than median.
//
// tsprof is loaded as its CPU profiler module alone: the package entry also
// turns heap sampling on at load (Go's MemProfileRate), measured by its own bench.
//
// The workload mixes calls, recursion, closures, strings and small
// allocations, so stacks are deep and varied as in real programs.

import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";

const here = dirname(fileURLToPath(import.meta.url));
const mode = process.env.CPU_OVERHEAD_MODE;
const units = Number(process.argv[3] ?? process.env.CPU_OVERHEAD_UNITS ?? 2000);

if (!mode) {
  const rounds = Number(process.argv[2] ?? 5);
  const modes = ["none", "tsprof", "datadog", "cpu-prof"];
  const runs = Object.fromEntries(modes.map((m) => [m, []]));
  const profDir = mkdtempSync(join(tmpdir(), "tsprof-bench-cpuprof-"));
  const loadBefore = loadavg()[0];
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < modes.length; k++) {
      const m = modes[(k + r) % modes.length];
      const args = m === "cpu-prof" ? ["--cpu-prof", "--cpu-prof-interval", "10000", "--cpu-prof-dir", profDir] : [];
      const res = spawnSync(process.execPath, [...args, fileURLToPath(import.meta.url)], {
        env: { ...process.env, CPU_OVERHEAD_MODE: m, CPU_OVERHEAD_UNITS: String(units) },
        encoding: "utf8",
        timeout: 120_000,
      });
      if (res.status !== 0) throw new Error(`${m} failed: ${res.stderr}`);
      runs[m].push(JSON.parse(res.stdout.trim().split("\n").pop()));
    }
  }
  rmSync(profDir, { recursive: true, force: true });
  const stat = (m, key, f) => f(runs[m].map((x) => x[key]));
  const min = (xs) => Math.min(...xs);
  console.log(`CPU-bound workload (${units} units), ${rounds} rounds; 1-min load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (2 = both cores busy)`);
  console.log("profiler   wall med   wall min   cpu med    cpu min   x(cpu min)  x(cpu med)  x(wall min)  stop ms");
  for (const m of modes) {
    const row = [stat(m, "wall", median), stat(m, "wall", min), stat(m, "cpu", median), stat(m, "cpu", min)];
    const stop = m === "tsprof" || m === "datadog" ? stat(m, "stop", median).toFixed(1) : "-";
    console.log(
      `${m.padEnd(9)} ${row.map((x) => x.toFixed(0).padStart(8)).join("   ")}   ` +
        `x${(row[3] / stat("none", "cpu", min)).toFixed(3)}      x${(row[2] / stat("none", "cpu", median)).toFixed(3)}      x${(row[1] / stat("none", "wall", min)).toFixed(3)}      ${stop}`,
    );
  }
  const over = (m) => ((stat(m, "cpu", min) / stat("none", "cpu", min) - 1) * 100).toFixed(1);
  console.log(`overhead (cpu min): tsprof ${over("tsprof")}%, datadog ${over("datadog")}%, --cpu-prof ${over("cpu-prof")}%`);
  console.log(`tsprof / datadog (cpu min): x${(stat("tsprof", "cpu", min) / stat("datadog", "cpu", min)).toFixed(3)}; (cpu median): x${(stat("tsprof", "cpu", median) / stat("datadog", "cpu", median)).toFixed(3)}`);
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

function work(n) {
  let sink = 0;
  for (let i = 0; i < n; i++) sink += unit(i);
  return sink;
}

// ---- one measured run ---------------------------------------------------------

let sink = work(Math.ceil(units / 4)); // warm up: compile and optimize before measuring
let stop = async () => {};
if (mode === "tsprof") {
  const tsprof = await import(pathToFileURL(join(here, "../dist/esm/collect/cpu.js")).href);
  tsprof.startCPUProfile(new PassThrough().resume());
  stop = () => tsprof.stopCPUProfile();
} else if (mode === "datadog") {
  const { time, encode } = await import("@datadog/pprof");
  time.start({ intervalMicros: 10_000, durationMillis: 600_000 });
  stop = async () => void (await encode(time.stop(false)));
}
const c0 = process.cpuUsage();
const t0 = performance.now();
sink += work(units);
const wall = performance.now() - t0;
const c = process.cpuUsage(c0);
const s0 = performance.now();
await stop(); // tsprof: stop, convert, encode, gzip, write; datadog: stop and encode
const stopMs = performance.now() - s0;
if (sink === -1) console.error(sink);
console.log(JSON.stringify({ wall, cpu: (c.user + c.system) / 1000, stop: stopMs }));
