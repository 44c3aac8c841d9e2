// How long starting, restarting and stopping a CPU profile blocks the event
// loop of a program with many compiled functions (issue 2, "Speed"), for
// tsprof, a plain inspector session (Profiler.start/stop each time) and
// @datadog/pprof's time profiler (native; stop(restart=true)).
//
//   node scripts/build.mjs && node bench/cpu-pause.mjs [functions=100000]
//
// Each profiler runs in a fresh process. "first start" is the first profile
// of the process; "restart" is a profile started right after the previous
// one stopped (median of 5); "stop" is the longest event-loop block while
// the stop runs (tsprof converts and encodes on the thread, gzip runs on the
// thread pool); "teardown" is tsprof's deferred release of the sampler
// (keep-alive expiry), which the others pay inside stop.

import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";

const here = dirname(fileURLToPath(import.meta.url));
const functions = Number(process.argv[2] ?? 100_000);
const mode = process.env.CPU_PAUSE_MODE;

if (!mode) {
  const results = {};
  for (const m of ["inspector", "datadog", "tsprof"]) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), String(functions)], {
      env: { ...process.env, CPU_PAUSE_MODE: m },
      encoding: "utf8",
      timeout: 120_000,
    });
    if (r.status !== 0) {
      console.log(`${m}: failed\n${r.stderr}`);
      continue;
    }
    results[m] = JSON.parse(r.stdout.trim().split("\n").pop());
  }
  console.log(`CPU profile pauses with ${functions} compiled functions (ms, event loop blocked)`);
  console.log("profiler     first start   restart   stop (each)   teardown");
  for (const [m, r] of Object.entries(results)) {
    console.log(`${m.padEnd(12)} ${fmt(r.firstStart).padStart(11)} ${fmt(r.restart).padStart(9)} ${fmt(r.stop).padStart(13)} ${(r.teardown === undefined ? "(in stop)" : fmt(r.teardown)).padStart(10)}`);
  }
  const t = results.tsprof, d = results.datadog, i = results.inspector;
  if (t && d) console.log(`restart ratio tsprof/datadog: ${(t.restart / d.restart).toFixed(2)}x; stop ratio: ${(t.stop / d.stop).toFixed(2)}x`);
  if (t && i) console.log(`restart ratio tsprof/inspector: ${(t.restart / i.restart).toFixed(3)}x; stop ratio: ${(t.stop / i.stop).toFixed(2)}x`);
  process.exit(0);
}

function fmt(x) {
  return x.toFixed(1);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// A program with `functions` compiled functions, each called once.
const fns = [];
for (let i = 0; i < functions; i++) fns.push(new Function("x", `return x + ${i};`));
let sink = 0;
for (const f of fns) sink += f(1);

function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) sink += Math.sqrt(sink % 1000);
}

/** Runs fn (maybe async) and returns the longest event-loop block (ms) while it ran. */
async function longestBlock(fn) {
  let last = performance.now();
  let longest = 0;
  let done = false;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (!done) setImmediate(tick);
  };
  const t0 = performance.now();
  const p = fn();
  longest = Math.max(longest, performance.now() - t0); // the synchronous part
  last = performance.now();
  setImmediate(tick);
  await p;
  done = true;
  longest = Math.max(longest, performance.now() - last);
  return longest;
}

function timeSync(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const out = { restart: 0, stop: 0 };
const restarts = [];
const stops = [];

if (mode === "inspector") {
  const { Session } = await import("node:inspector");
  const s = new Session();
  s.connect();
  const post = (m, p) => {
    let r;
    s.post(m, p ?? {}, (e, x) => {
      if (e) throw e;
      r = x;
    });
    return r;
  };
  post("Profiler.enable");
  post("Profiler.setSamplingInterval", { interval: 10_000 });
  out.firstStart = timeSync(() => post("Profiler.start"));
  for (let i = 0; i < 5; i++) {
    busy(200);
    stops.push(timeSync(() => post("Profiler.stop")));
    restarts.push(timeSync(() => post("Profiler.start")));
  }
  busy(200);
  stops.push(timeSync(() => post("Profiler.stop")));
} else if (mode === "datadog") {
  const { time } = await import("@datadog/pprof");
  out.firstStart = timeSync(() => time.start({ intervalMicros: 10_000, durationMillis: 60_000 }));
  for (let i = 0; i < 5; i++) {
    busy(200);
    // stop(restart=true) is the restart: the next profile starts inside it.
    restarts.push(timeSync(() => time.stop(true)));
  }
  busy(200);
  stops.push(timeSync(() => time.stop(false)));
  stops.push(...restarts); // a restart is also a stop of the previous profile
} else {
  const tsprof = await import(pathToFileURL(join(here, "../dist/esm/collect/cpu.js")).href);
  const session = await import(pathToFileURL(join(here, "../dist/esm/collect/cpu-session.js")).href);
  const sinkStream = () => new PassThrough().resume();
  out.firstStart = timeSync(() => tsprof.startCPUProfile(sinkStream()));
  for (let i = 0; i < 5; i++) {
    busy(200);
    stops.push(await longestBlock(() => tsprof.stopCPUProfile()));
    restarts.push(timeSync(() => tsprof.startCPUProfile(sinkStream())));
  }
  busy(200);
  stops.push(await longestBlock(() => tsprof.stopCPUProfile()));
  out.teardown = timeSync(() => session.releaseThreadProfiler());
}
out.restart = median(restarts);
out.stop = median(stops);
if (sink === -1) console.error(sink);
console.log(JSON.stringify(out));
