// Worker threads under a busy main thread (issue 12): a worker spins for
// 1.5 s while the main thread runs a synchronous 1.5 s loop right after
// `new Worker`; a main-thread CPU profile runs throughout. Prints the
// worker's sampled time against its own thread CPU time, median of fresh
// processes. With a second argument, the tsprof build under that directory
// is measured instead (to compare with an earlier build).
//
//   node scripts/build.mjs && node bench/cpu-worker-busy-main.mjs [runs=3] [root]

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(process.argv[2] ?? 3);
const root = resolve(process.argv[3] ?? join(here, ".."));

const child = `
import { Worker } from "node:worker_threads";
import { PassThrough } from "node:stream";
import { gunzipSync } from "node:zlib";
import { once } from "node:events";
const root = ${JSON.stringify(pathToFileURL(root).href)};
const { startCPUProfile, stopCPUProfile } = await import(root + "/dist/esm/index.js");
const { decodeProfile } = await import(root + "/dist/esm/profile/decode.js");
const out = new PassThrough(), chunks = [];
out.on("data", (c) => chunks.push(c));
startCPUProfile(out);
const worker = new Worker(new URL(${JSON.stringify(pathToFileURL(join(here, "../test/fixtures/cpu/worker-hot.mjs")).href)}), { workerData: { ms: 1500 } });
const id = worker.threadId;
const done = new Promise((r) => worker.on("message", (m) => m.done && r(m)));
const end = Date.now() + 1500;
while (Date.now() < end);
const { cpuMs } = await done;
await once(worker, "exit");
await stopCPUProfile();
let ms = 0;
for (const s of decodeProfile(gunzipSync(Buffer.concat(chunks))).sample) if (s.label.thread?.[0] === "worker " + id) ms += s.value[1] / 1e6;
console.log(JSON.stringify({ sampledMs: ms, cpuMs }));
process.exit(0);
`;

// A file, not -e: workers would inherit --input-type, which Node rejects for them.
const childFile = join(mkdtempSync(join(tmpdir(), "tsprof-bench-")), "busy-main.mjs");
writeFileSync(childFile, child);
const results = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync(process.execPath, [childFile], { encoding: "utf8", timeout: 60_000 });
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
