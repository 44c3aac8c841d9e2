// Instructions of allocation sampling (issue 14: at most 1% over sampling
// off at 512 KiB), counted by Valgrind (cachegrind, no cache simulation) on
// the allocation-heavy workload of bench/heap-allocs-overhead.mjs. CPU time
// on a shared 2-core VM drifts by 10% between identical runs, far more than
// the cost in question; instructions executed (every thread's) repeat within
// a few tenths of a percent, so they can resolve it. What they leave out:
// cache misses, and time-driven work (timers, the drain schedule's 1-s ticks
// and 100-ms windows) runs about 45 times as often per record as at full
// speed, since Valgrind slows the program and not the clock, so it weighs
// more here than in a real run.
//
// Each mode runs RUNS times at two lengths, SMALL and LARGE records; the
// difference of the medians is the work of LARGE - SMALL records, with
// process start, loading, compilation and exit cancelled out. Modes as in
// heap-allocs-overhead.mjs (bench/_heap-modes.mjs).
//
//   node scripts/build.mjs && node bench/heap-allocs-instructions.mjs [runs=3] [large=1200000] [small=200000]
// Needs valgrind (Debian: apt-get install valgrind). About 25 minutes with the defaults on 2 cores.

import { spawn, spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { workTurning as work } from "./_records-workload.mjs";
import { MODES, startHeapMode } from "./_heap-modes.mjs";

const mode = process.env.ALLOCS_INSTRUCTIONS_MODE;

if (!mode) {
  const runs = Number(process.argv[2] ?? 3);
  const large = Number(process.argv[3] ?? 1_200_000);
  const small = Number(process.argv[4] ?? 200_000);
  if (spawnSync("valgrind", ["--version"]).status !== 0) {
    console.error("valgrind is not installed (Debian: apt-get install valgrind)");
    process.exit(2);
  }
  // Interleaved: run r of every mode and length before run r+1 of any.
  const jobs = [];
  for (let r = 0; r < runs; r++) for (const m of MODES) for (const n of [small, large]) jobs.push({ m, n });
  const counts = Object.fromEntries(MODES.map((m) => [m, { [small]: [], [large]: [] }]));
  const drains = [];
  await pool(jobs, availableParallelism(), async ({ m, n }) => {
    const { instructions, out } = await underValgrind(m, n);
    counts[m][n].push(instructions);
    if (m === "allocs" && n === large) drains.push(out);
  });
  const G = (x) => (x / 1e9).toFixed(3);
  const work = Object.fromEntries(MODES.map((m) => [m, median(counts[m][large]) - median(counts[m][small])]));
  console.log(`Node ${process.version}; instructions (all threads, Valgrind) of ${large - small} records of the allocation-heavy workload (${large} - ${small}), medians of ${runs} runs each`);
  for (const m of MODES) {
    const spread = (xs) => `${G(Math.min(...xs))}-${G(Math.max(...xs))}`;
    console.log(`${m.padEnd(8)} ${G(work[m]).padStart(8)} G  x${(work[m] / work.none).toFixed(4)}   runs at ${large}: ${spread(counts[m][large])} G, at ${small}: ${spread(counts[m][small])} G`);
  }
  const pct = (a, b) => `${((work[a] / work[b] - 1) * 100).toFixed(2)}%`;
  console.log(`allocs vs off: ${pct("allocs", "off")}; inuse vs off: ${pct("inuse", "off")}; allocs vs inuse: ${pct("allocs", "inuse")}; datadog vs none: ${pct("datadog", "none")}; off vs none: ${pct("off", "none")}`);
  // How far identical runs differ: the noise the figures above carry.
  const noise = MODES.map((m) => {
    const xs = counts[m][large];
    return `${m} ${(((Math.max(...xs) - Math.min(...xs)) / work.none) * 100).toFixed(2)}%`;
  });
  console.log(`largest minus smallest of the runs at ${large}, over the work: ${noise.join(", ")}`);
  const d = drains.sort((a, b) => a.drains - b.drains)[Math.floor(drains.length / 2)];
  console.log(`allocation sampling at ${large}: ${d.drains} drains (${d.byGC} after GCs), largest ${d.maxSamples} samples`);
  process.exit(0);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function pool(jobs, width, run) {
  const queue = [...jobs];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let job; (job = queue.shift()); ) await run(job);
  }));
}

function underValgrind(m, n) {
  return new Promise((resolve, reject) => {
    const args = ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", process.execPath, fileURLToPath(import.meta.url)];
    const child = spawn("valgrind", args, { env: { ...process.env, ALLOCS_INSTRUCTIONS_MODE: m, ALLOCS_INSTRUCTIONS_RECORDS: String(n) } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
      if (code !== 0 || !refs) return reject(new Error(`${m} ${n} exited ${code}: ${stderr.slice(-2000)}`));
      resolve({ instructions: Number(refs[1].replaceAll(",", "")), out: JSON.parse(stdout.trim().split("\n").pop()) });
    });
  });
}

// ---- one counted run ----------------------------------------------------------

const tsprof = await startHeapMode(mode);
const sink = await work(Number(process.env.ALLOCS_INSTRUCTIONS_RECORDS));
if (sink === -1) console.log(sink);
console.log(JSON.stringify(mode === "allocs" ? tsprof.allocationDrainStats() : {}));
