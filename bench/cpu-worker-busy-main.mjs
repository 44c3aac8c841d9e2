// Worker threads under a busy main thread: a worker spins for 1.5 s while
// the main thread runs a synchronous 1.5 s loop right after `new Worker`
// (after a 50 ms worker, as in the test's fixture); a main-thread CPU
// profile runs throughout. Prints the worker's sampled time against its own
// thread CPU time, median of fresh processes. With a second argument, the
// tsprof build under that directory is measured instead (to compare with an
// earlier build).
//
//   node scripts/build.mjs && node bench/cpu-worker-busy-main.mjs [runs=3] [root]

import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(process.argv[2] ?? 3);
const root = resolve(process.argv[3] ?? join(here, ".."));

// The test suite's fixture, run as a fresh process against the build under
// root (a file run directly: workers would inherit -e's --input-type).
const fixture = join(here, "../test/fixtures/cpu/worker-busy-main.mjs");
const entry = pathToFileURL(join(root, "dist/esm/index.js")).href;
const results = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync(process.execPath, [fixture, entry, "1500"], { encoding: "utf8", timeout: 60_000 });
  const line = r.stdout.trim().split("\n").at(-1);
  if (r.status !== 0 || !line) {
    console.log(`run ${i + 1}: failed (${r.signal ?? r.status}) ${r.stderr.trim().split("\n")[0] ?? ""}`);
    continue;
  }
  results.push(JSON.parse(line));
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
if (results.length === 0) process.exit(1);
const sampled = median(results.map((r) => r.sampledMs));
const cpu = median(results.map((r) => r.cpuMs));
console.log(`${process.version} ${root}: worker sampled ${sampled.toFixed(0)} ms, its thread CPU ${cpu.toFixed(0)} ms (medians of ${results.length}); sampled/CPU ${(sampled / cpu).toFixed(2)}`);
