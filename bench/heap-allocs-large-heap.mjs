// Drains of allocation sampling in a process with a large live heap (issue
// 14). On Node 20-24 a drain goes through the inspector, which runs a full
// GC: its time grows with the live heap, so there drains are spaced out to
// at most 0.5% of the time, holding more samples (up to 5% of the heap).
// Retains MB of small objects, then runs the records workload of the other
// heap benchmarks for SECONDS with allocation sampling at 512 KiB, and prints
// the drains after collections, their time and share of the run, and the
// most samples V8 held at a drain.
//
//   node scripts/build.mjs && node bench/heap-allocs-large-heap.mjs [MB=600] [seconds=60]

import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { workTurning } from "./_records-workload.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const mb = Number(process.argv[2] ?? 600);
const seconds = Number(process.argv[3] ?? 60);

const tsprof = await import(pathToFileURL(join(here, "../dist/esm/collect/heap.js")).href);
const retained = [];
for (let i = 0; i < (mb * 1024 * 1024) / 80; i++) retained.push({ i, tags: [i] });
tsprof.setAllocationSampling(true);

const t0 = performance.now();
while (performance.now() - t0 < seconds * 1000) await workTurning(200_000);
const runMs = performance.now() - t0;
const s = tsprof.allocationDrainStats();
const heapMB = process.memoryUsage().heapUsed / 1e6;
console.log(`Node ${process.version}; ${retained.length} objects retained, heap in use ${heapMB.toFixed(0)} MB; ${(runMs / 1000).toFixed(0)} s of the records workload, allocation sampling at 512 KiB`);
console.log(`drains after collections: ${s.byGC}, ${s.byGC ? (s.byGCMs / s.byGC).toFixed(0) : 0} ms each, ${s.byGCMs.toFixed(0)} ms in all: ${((s.byGCMs / runMs) * 100).toFixed(2)}% of the run`);
console.log(`most samples V8 held at a drain: ${s.maxSamples} (${((s.maxSamples * 94) / 1e6).toFixed(1)} MB at 94 B each, ${(((s.maxSamples * 94) / 1e6 / heapMB) * 100).toFixed(2)}% of the heap)`);
