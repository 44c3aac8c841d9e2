// Memory of allocation sampling in a long run (issue 14): steady allocation
// at the default 512 KiB for MINUTES (default 10) in two processes side by
// side running the same workload with tsprof loaded, one with allocation
// sampling, one with in-use sampling (the default). Every 30 s each reads its
// heap profile (as a scrape would), runs a full GC and reports its RSS and V8
// heap; the allocation sampler also reports its drains, the most samples V8
// held at a drain (about 94 bytes each), the time its drains after GCs took
// (their share of the run is what draining costs) and tsprof's records. Memory
// attributable to allocation sampling = RSS(allocs) - RSS(inuse).
//
//   node scripts/build.mjs && node bench/heap-allocs-memory.mjs [minutes=10]

import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { setImmediate as turn } from "node:timers/promises";
import { getHeapStatistics } from "node:v8";
import { ring, makeRecord } from "./_records-workload.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const mode = process.env.ALLOCS_MEMORY_MODE;
const minutes = Number(process.argv[2] ?? 10);
const INTERVAL_MS = 30_000;

if (!mode) {
  const runs = {};
  await Promise.all(
    ["allocs", "inuse"].map(
      (m) =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), String(minutes)], { env: { ...process.env, ALLOCS_MEMORY_MODE: m } });
          let out = "";
          child.stdout.on("data", (d) => (out += d));
          child.stderr.pipe(process.stderr);
          child.on("error", reject);
          child.on("close", (code) => (code === 0 ? resolve((runs[m] = out.trim().split("\n").map((l) => JSON.parse(l)))) : reject(new Error(`${m} exited ${code}`))));
        }),
    ),
  );
  const MB = (b) => (b / 1e6).toFixed(1);
  console.log(`Node ${process.version}, ${minutes} min of steady allocation at 512 KiB; MB`);
  console.log("t(s)   rss allocs  rss inuse  diff   heapUsed allocs/inuse   drains(byGC)  maxSamples  V8 kept max  records  allocated GB");
  let maxDiff = -Infinity;
  for (let i = 0; i < Math.min(runs.allocs.length, runs.inuse.length); i++) {
    const a = runs.allocs[i], o = runs.inuse[i];
    const diff = a.rss - o.rss;
    maxDiff = Math.max(maxDiff, diff);
    console.log(
      `${String(Math.round(a.t)).padStart(4)}  ${MB(a.rss).padStart(9)}  ${MB(o.rss).padStart(7)}  ${MB(diff).padStart(5)}   ${MB(a.heapUsed).padStart(6)}/${MB(o.heapUsed).padEnd(6)}   ${String(a.drains).padStart(5)}(${a.byGC})  ${String(a.maxSamples).padStart(10)}  ${MB(a.maxSamples * 94).padStart(11)}  ${String(a.records).padStart(7)}  ${(a.allocated / 1e9).toFixed(0).padStart(6)}`,
    );
  }
  const last = runs.allocs.at(-1);
  console.log(`largest RSS difference: ${MB(maxDiff)} MB; the bound: V8 holds at most MAX_KEPT_SAMPLES (50,000) x 94 B = 4.7 MB between drains`);
  console.log(`allocation sampler: ${last.drains} drains (${last.byGC} after GCs), largest ${last.maxSamples} samples; about ${(last.allocated / 1e9).toFixed(0)} GB allocated`);
  console.log(`drains after GCs took ${last.byGCMs.toFixed(0)} ms in all, ${(last.byGCMs / last.byGC).toFixed(1)} ms each: ${((last.byGCMs / (last.t * 1000)) * 100).toFixed(2)}% of the ${last.t.toFixed(0)} s run`);
  process.exit(0);
}

// ---- the workload: records built, serialized and parsed; a ring keeps some ----

// Distinct allocation sites, so the profile has many records.
const sites = Array.from({ length: 64 }, (_, k) => new Function("i", `return { k: ${k}, v: new Array(${8 + k}).fill(i) };`));

const tsprof = await import(pathToFileURL(join(here, "../dist/esm/collect/heap.js")).href);
if (mode === "allocs") tsprof.setAllocationSampling(true);

const t0 = performance.now();
let next = INTERVAL_MS;
let i = 0;
let allocated = 0;
while (performance.now() - t0 < minutes * 60_000) {
  for (let j = 0; j < 8192; j++, i++) {
    const back = JSON.parse(JSON.stringify(makeRecord(i)));
    const s = sites[i & 63](i);
    if ((i & 63) === 0) ring[(i >> 6) & 4095] = back;
    allocated += 400 + 8 * (s.v.length + 6);
  }
  await turn();
  const t = performance.now() - t0;
  if (t >= next) {
    next += INTERVAL_MS;
    const records = tsprof.heapRecords().records.length;
    globalThis.gc();
    const m = process.memoryUsage();
    const row = { t: t / 1000, rss: m.rss, heapUsed: m.heapUsed, external: m.external, allocated, mallocedMemory: getHeapStatistics().malloced_memory, records };
    Object.assign(row, tsprof.allocationDrainStats());
    console.log(JSON.stringify(row));
  }
}
