// The cost of the goroutine, block and mutex profiles on a loopback HTTP
// server, measured in the same run:
//  1. off (the default) against no tsprof at all: two server processes, in
//     alternating rounds;
//  2. on against off: one server process switched on and off every slice
//     (BENCH_SLICE_SECONDS), so both sides see the same JIT state and the
//     same drift in the machine's load.
//  3. the mutex profile on from the start (BENCH_MUTEX_FRACTION) against no
//     tsprof, in separate processes as in 1: a process that never turned a
//     hook on may keep faster promise paths than one that toggled them, which
//     2 cannot see.
// Figures: requests/s, and the server's CPU time per request (less sensitive
// to other load on a shared machine than throughput).
//
//   node bench/registry-overhead.mjs            (after `node scripts/build.mjs`)
//   BENCH_ROUNDS=5 BENCH_SECONDS=4 BENCH_SLICES=10 BENCH_SLICE_SECONDS=1 \
//   BENCH_MUTEX_FRACTION=100 BENCH_BLOCK_RATE=1 node bench/registry-overhead.mjs
// BENCH_ROUNDS=0 skips parts 1 and 3; BENCH_MODES=mutex,all-on limits part 2
// to those rows (goroutine, block, mutex, all-on; BENCH_MODES=none skips it).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createServer } from "node:http";

const MUTEX_FRACTION = Number(process.env.BENCH_MUTEX_FRACTION ?? 100);
const BLOCK_RATE = Number(process.env.BENCH_BLOCK_RATE ?? 1);

if (process.argv[2] === "--server") {
  await serve(process.argv[3]);
} else {
  await main();
}

async function serve(kind) {
  const pprof = kind === "plain" ? undefined : await import("../dist/esm/index.js");
  /** Turns the named profiles on (or all off). */
  function setMode(mode) {
    const on = (name) => mode === name || mode === "all-on";
    pprof.setGoroutineTracking(on("goroutine"));
    pprof.setBlockProfileRate(on("block") ? BLOCK_RATE : 0);
    pprof.setMutexProfileFraction(on("mutex") ? MUTEX_FRACTION : 0);
  }
  if (kind === "mutex") setMode("mutex");
  // A small JSON handler with one await, as request handlers usually have.
  const obj = { items: Array.from({ length: 20 }, (_, i) => ({ i, name: `item${i}` })) };
  let served = 0;
  const server = createServer(async (req, res) => {
    // The harness's control paths: CPU time so far, and switching profiles.
    if (req.url === "/__cpu") {
      const u = process.cpuUsage();
      res.end(JSON.stringify({ cpuMicros: u.user + u.system, served }));
      return;
    }
    if (req.url.startsWith("/__mode/")) {
      setMode(req.url.slice("/__mode/".length));
      res.end("ok");
      return;
    }
    served++;
    await null;
    let acc = 0;
    for (let i = 0; i < 20; i++) acc += JSON.stringify(obj).length;
    res.end(String(acc));
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
  process.on("SIGTERM", () => {
    server.close();
    process.exit(0);
  });
}

async function main() {
  const { default: autocannon } = await import("autocannon");
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const seconds = Number(process.env.BENCH_SECONDS ?? 4);
  const slices = Number(process.env.BENCH_SLICES ?? 10);
  const sliceSeconds = Number(process.env.BENCH_SLICE_SECONDS ?? 1);
  const modes = (process.env.BENCH_MODES ?? "goroutine,block,mutex,all-on").split(",").filter((m) => m && m !== "none");
  const self = fileURLToPath(import.meta.url);
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  async function start(kind) {
    const child = spawn(process.execPath, [self, "--server", kind], { stdio: ["ignore", "pipe", "inherit"] });
    const [chunk] = await once(child.stdout, "data");
    const url = `http://127.0.0.1:${Number(String(chunk).trim())}`;
    await autocannon({ url, connections: 10, duration: 2 }); // warm-up (JIT)
    return { child, url };
  }
  async function stop({ child }) {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
  /** Load for `duration` s: requests/s and the server's CPU µs per request. */
  async function load(url, duration) {
    const before = await (await fetch(`${url}/__cpu`)).json();
    const result = await autocannon({ url, connections: 10, duration });
    const after = await (await fetch(`${url}/__cpu`)).json();
    return { rps: result.requests.average, cpuMicros: after.cpuMicros - before.cpuMicros, served: after.served - before.served };
  }

  console.log(`loopback HTTP server, 10 connections; machine load while measuring: ${(await import("node:os")).loadavg()[0].toFixed(1)}`);
  if (rounds > 0) await defaultVsPlain();
  async function defaultVsPlain() {
    // 1. The default: tsprof loaded, everything off, against no tsprof.
    const plainVsOff = { plain: [], off: [], mutex: [] };
    for (let r = 0; r < rounds; r++) {
      for (const kind of ["plain", "off", "mutex"]) {
        const server = await start(kind);
        const m = await load(server.url, seconds);
        plainVsOff[kind].push({ rps: m.rps, cpu: m.cpuMicros / m.served });
        await stop(server);
      }
    }
    const row = (xs) => ({ rps: median(xs.map((x) => x.rps)), cpu: median(xs.map((x) => x.cpu)) });
    const plain = row(plainVsOff.plain), off = row(plainVsOff.off), mutex = row(plainVsOff.mutex);
    console.log(`\n1. all off (default) vs no tsprof: separate processes, ${rounds} alternating rounds of ${seconds} s, medians`);
    console.log(`   no tsprof   ${plain.rps.toFixed(0).padStart(7)} req/s  ${plain.cpu.toFixed(1).padStart(6)} us CPU/request`);
    console.log(`   tsprof off  ${off.rps.toFixed(0).padStart(7)} req/s  ${off.cpu.toFixed(1).padStart(6)} us CPU/request`);
    console.log(`   ratio off/plain: throughput ${(off.rps / plain.rps).toFixed(3)}, CPU per request ${(off.cpu / plain.cpu).toFixed(3)}`);
    console.log(`\n3. mutex fraction ${MUTEX_FRACTION} on from the start vs no tsprof: same rounds as 1`);
    console.log(`   mutex on    ${mutex.rps.toFixed(0).padStart(7)} req/s  ${mutex.cpu.toFixed(1).padStart(6)} us CPU/request`);
    console.log(`   ratio mutex/plain: throughput ${(mutex.rps / plain.rps).toFixed(3)}, CPU per request ${(mutex.cpu / plain.cpu).toFixed(3)}`);
  }

  // 2. Each profile on vs off, switched in one server process.
  if (modes.length === 0) return;
  console.log(`\n2. on vs off in one process, ${slices} alternating slices of ${sliceSeconds} s each (mutex fraction ${MUTEX_FRACTION}, block rate ${BLOCK_RATE}, goroutine tracking on)`);
  const server = await start("tsprof");
  try {
    for (const mode of modes) {
      const sums = { off: { rps: [], cpu: 0, served: 0 }, on: { rps: [], cpu: 0, served: 0 } };
      for (let s = 0; s < slices; s++) {
        // Alternate which side goes first, so neither always follows the other.
        const order = s % 2 === 0 ? ["off", "on"] : ["on", "off"];
        for (const side of order) {
          await fetch(`${server.url}/__mode/${side === "on" ? mode : "off"}`);
          const m = await load(server.url, sliceSeconds);
          sums[side].rps.push(m.rps);
          sums[side].cpu += m.cpuMicros;
          sums[side].served += m.served;
        }
      }
      await fetch(`${server.url}/__mode/off`);
      const cpuOff = sums.off.cpu / sums.off.served, cpuOn = sums.on.cpu / sums.on.served;
      const rpsOff = median(sums.off.rps), rpsOn = median(sums.on.rps);
      console.log(
        `   ${mode.padEnd(9)} off ${rpsOff.toFixed(0).padStart(6)} req/s ${cpuOff.toFixed(1).padStart(6)} us/req | on ${rpsOn.toFixed(0).padStart(6)} req/s ${cpuOn.toFixed(1).padStart(6)} us/req | on/off: throughput ${(rpsOn / rpsOff).toFixed(3)}, CPU per request ${(cpuOn / cpuOff).toFixed(3)}`,
      );
    }
  } finally {
    await stop(server);
  }
}
