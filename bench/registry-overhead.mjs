// Throughput of a loopback HTTP server with the goroutine, block and mutex
// profiles off (the default) and on, against the same server without tsprof,
// measured in the same run. Each mode is a fresh server process (this file
// run with `--server MODE`); autocannon drives it from this process.
//
//   node bench/registry-overhead.mjs            (after `node scripts/build.mjs`)
//   BENCH_SECONDS=5 BENCH_ROUNDS=3 BENCH_MUTEX_FRACTION=100 BENCH_BLOCK_RATE=1 node bench/registry-overhead.mjs
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

async function serve(mode) {
  if (mode !== "plain") {
    const pprof = await import("../dist/esm/index.js");
    if (mode === "goroutine" || mode === "all-on") pprof.setGoroutineTracking(true);
    if (mode === "block" || mode === "all-on") pprof.setBlockProfileRate(BLOCK_RATE);
    if (mode === "mutex" || mode === "all-on") pprof.setMutexProfileFraction(MUTEX_FRACTION);
  }
  // A small JSON handler with one await, as request handlers usually have.
  const obj = { items: Array.from({ length: 20 }, (_, i) => ({ i, name: `item${i}` })) };
  let served = 0;
  const server = createServer(async (req, res) => {
    // The harness reads this process's CPU time per request here.
    if (req.url === "/__cpu") {
      const u = process.cpuUsage();
      res.end(JSON.stringify({ cpuMicros: u.user + u.system, served }));
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
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const modes = (process.env.BENCH_MODES ?? "plain,off,goroutine,block,mutex,all-on").split(",");
  const self = fileURLToPath(import.meta.url);

  async function measure(mode) {
    const child = spawn(process.execPath, [self, "--server", mode], { stdio: ["ignore", "pipe", "inherit"] });
    const [chunk] = await once(child.stdout, "data");
    const url = `http://127.0.0.1:${Number(String(chunk).trim())}`;
    await autocannon({ url, connections: 10, duration: 2 }); // warm-up (JIT)
    const before = await (await fetch(`${url}/__cpu`)).json();
    const result = await autocannon({ url, connections: 10, duration: seconds });
    const after = await (await fetch(`${url}/__cpu`)).json();
    child.kill("SIGTERM");
    await once(child, "exit");
    return { rps: result.requests.average, cpuPerRequest: (after.cpuMicros - before.cpuMicros) / (after.served - before.served) };
  }

  // Rounds interleave the modes, so drift in the machine's load hits all alike.
  const runs = Object.fromEntries(modes.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) for (const mode of modes) runs[mode].push(await measure(mode));
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rps = Object.fromEntries(modes.map((k) => [k, median(runs[k].map((x) => x.rps))]));
  const cpu = Object.fromEntries(modes.map((k) => [k, median(runs[k].map((x) => x.cpuPerRequest))]));
  console.log(`loopback HTTP, 10 connections, ${seconds} s x ${rounds} rounds (median); mutex fraction ${MUTEX_FRACTION}, block rate ${BLOCK_RATE}`);
  console.log(`throughput is sensitive to other load on the machine; server CPU time per request less so`);
  for (const mode of modes) {
    const tr = rps.plain ? ` (${(rps[mode] / rps.plain).toFixed(3)} of plain)` : "";
    const cr = cpu.plain ? ` (${(cpu[mode] / cpu.plain).toFixed(3)} of plain)` : "";
    console.log(`${mode.padEnd(10)} ${rps[mode].toFixed(0).padStart(7)} req/s${tr}  ${cpu[mode].toFixed(1).padStart(6)} us CPU/request${cr}`);
  }
}
