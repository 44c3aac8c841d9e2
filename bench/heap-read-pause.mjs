// How long writeHeapProfile blocks the thread on a large heap, and whether it
// collects garbage (issue 13). Retains about 1 GB of small and medium arrays
// (a heap with many objects, as a long-running server's), then writes a heap
// profile three times and prints each pause, with heapUsed before and after
// and the major GCs that ran during the write (perf_hooks 'gc' entries).
// Run it with each Node version:
//
//   node scripts/build.mjs
//   node --max-old-space-size=4096 bench/heap-read-pause.mjs [GB=1]

import { PerformanceObserver, constants } from "node:perf_hooks";
import { Writable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const heap = await import(pathToFileURL(join(here, "../dist/esm/collect/heap.js")).href);
const GB = Number(process.argv[2] ?? 1);

const keep = [];
function retain(bytes) {
  // 1 KiB and 16 KiB element stores, in equal bytes.
  for (let done = 0; done < bytes; ) {
    const len = keep.length % 17 === 0 ? 2046 : 126;
    keep.push(new Array(len).fill(keep.length));
    done += 48 + 8 * len;
  }
}
retain(GB * 1024 ** 3);

const majors = [];
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e.detail?.kind ?? e.kind) === constants.NODE_PERFORMANCE_GC_MAJOR) majors.push(e.duration);
});
obs.observe({ entryTypes: ["gc"] });

const sink = () => new Writable({ write(_c, _e, cb) { cb(); } });
const mib = (b) => (b / 1024 ** 2).toFixed(0);
for (let i = 0; i < 3; i++) {
  // Some garbage, as a program has between two scrapes.
  for (let j = 0; j < 20000; j++) void new Array(126).fill(j);
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  await heap.writeHeapProfile(sink());
  const ms = performance.now() - t0;
  const after = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 50)); // let the gc entries arrive
  console.log(`${process.version} retained ${GB} GB (${keep.length} arrays): writeHeapProfile ${ms.toFixed(0)} ms, heapUsed ${mib(before)} -> ${mib(after)} MiB, major GCs during: ${majors.length ? majors.map((d) => d.toFixed(0) + " ms").join(", ") : "none"}`);
  majors.length = 0;
}
obs.disconnect();
