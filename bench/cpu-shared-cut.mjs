// What sharing the CPU sampler costs the profiled thread: a profile that
// opens or closes while another runs cuts the running one (this thread's V8
// profile is taken and a new one started, the sampler going on), where a
// profile alone starts on the kept-alive sampler and stops it. Measured in a
// program with many compiled functions, as bench/cpu-pause.mjs, in ms of
// event loop blocked (median of 7), and printed as ratios to the plain ones.
//
//   node scripts/build.mjs && node bench/cpu-shared-cut.mjs [functions=100000]

import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const functions = Number(process.argv[2] ?? 100_000);
const cpu = await import(pathToFileURL(join(here, "../dist/esm/collect/cpu.js")).href);
const { MemorySink } = await import(pathToFileURL(join(here, "../dist/esm/http/respond.js")).href);

const fns = [];
for (let i = 0; i < functions; i++) fns.push(new Function("x", `return x + ${i};`));
let sink = 0;
for (const f of fns) sink += f(1);

function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) for (let i = 0; i < 1000; i++) sink += fns[i](i);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timed(fn) {
  const t0 = performance.now();
  const r = fn();
  return [performance.now() - t0, r];
}

// The first profile pays V8's logging of every function: out of the way first.
cpu.startCPUProfile(new MemorySink());
busy(100);
await cpu.stopCPUProfile();

const plainStart = [], plainStop = [], joinCut = [], leaveCut = [], lastStop = [];
for (let round = 0; round < 7; round++) {
  // Alone: start on the kept-alive sampler, stop (the encode is asynchronous: the synchronous part is timed).
  const [start] = timed(() => cpu.startCPUProfile(new MemorySink()));
  plainStart.push(start);
  busy(200);
  const [stop, stopped] = timed(() => cpu.stopCPUProfile());
  plainStop.push(stop);
  await stopped;

  // Shared: a second profile joins (a cut), leaves (a cut), then the first stops.
  cpu.startCPUProfile(new MemorySink());
  busy(200);
  const [join, second] = timed(() => cpu.startSharedCPUProfile());
  joinCut.push(join);
  busy(200);
  const [leave, body] = timed(() => second.stop());
  leaveCut.push(leave);
  await body;
  busy(200);
  const [last, done] = timed(() => cpu.stopCPUProfile());
  lastStop.push(last);
  await done;
}
if (sink === -1) console.log(sink);

const p = (x) => x.toFixed(2).padStart(7);
console.log(`CPU profile pauses with ${functions} compiled functions (ms of event loop blocked, median of 7)`);
console.log(`alone:  start ${p(median(plainStart))}   stop ${p(median(plainStop))}`);
console.log(`shared: join  ${p(median(joinCut))}   leave ${p(median(leaveCut))}   last stop ${p(median(lastStop))}`);
console.log(`ratios: join/start ${(median(joinCut) / median(plainStart)).toFixed(2)}x, leave/stop ${(median(leaveCut) / median(plainStop)).toFixed(2)}x`);
