// What continuous pushing costs a busy HTTP server: CPU per request of a
// loopback server (bench/_http-server.mjs) pushing with tsprof/push at its
// defaults (CPU and heap profiles, every 15 s), against the same server
// unprofiled and against @pyroscope/nodejs (wall and heap) at the same
// period, all pushing to a loopback receiver in this process, measured in the
// same run, the modes interleaved round by round; push-cpu is tsprof/push
// with the CPU profile alone (each heap window costs a full garbage
// collection on Node.js before 26: V8's inspector forces one before it
// reports the sampled heap).
//
//   node scripts/build.mjs && node bench/push-overhead.mjs
//   BENCH_SECONDS=31 BENCH_ROUNDS=3 BENCH_MODES=none,push,push-cpu,pyroscope BENCH_PUSH_PERIOD_MS=15000 node bench/push-overhead.mjs
//
// Each measurement is a saturating load test (autocannon, 10 connections) of
// BENCH_SECONDS (default 31: two uploads of each profile fall inside), after
// a warm-up; the server's own CPU time (process.cpuUsage) over it, divided
// by the requests answered, is the figure. The median of the rounds is
// printed with each mode's ratio to `none`. With BENCH_PIN=1 (the default
// when taskset exists and there are 2+ cores) the server runs on core 0 and
// this process on core 1.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const serverScript = fileURLToPath(new URL("./_http-server.mjs", import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 31);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const modes = (process.env.BENCH_MODES ?? "none,push,push-cpu,pyroscope").split(",").filter(Boolean);
const period = Number(process.env.BENCH_PUSH_PERIOD_MS ?? 15_000);
const canPin = availableParallelism() >= 2 && spawnSync("taskset", ["-V"]).status === 0;
const pin = (process.env.BENCH_PIN ?? (canPin ? "1" : "0")) === "1";
if (pin) spawnSync("taskset", ["-a", "-cp", "1", String(process.pid)], { stdio: "ignore" });

// The receiver: counts uploads and bytes per mode (by the app name's runtime tags, all "bench": so per server run).
let uploads = 0, bytes = 0;
const receiver = createServer((req, res) => {
  req.on("data", (c) => (bytes += c.length));
  req.on("end", () => {
    uploads++;
    res.end();
  });
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const pushUrl = `http://127.0.0.1:${receiver.address().port}`;

async function cpuMicros(url) {
  return Number(await (await fetch(`${url}/__cpu`)).text());
}

async function measure(mode) {
  const args = [serverScript, mode === "none" ? "plain" : mode];
  const [cmd, argv] = pin ? ["taskset", ["-c", "0", process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, BENCH_PUSH_URL: pushUrl, BENCH_PUSH_PERIOD_MS: String(period) } });
  const [chunk] = await once(child.stdout, "data");
  const url = `http://127.0.0.1:${Number(String(chunk).trim())}`;
  const requests = [{ path: "/checkout" }, { path: "/cart/12" }];
  await autocannon({ url, connections: 10, duration: 2, requests }); // warm-up
  const [u0, b0] = [uploads, bytes];
  const cpuBefore = await cpuMicros(url);
  const result = await autocannon({ url, connections: 10, duration: seconds, requests });
  const cpuAfter = await cpuMicros(url);
  const [u1, b1] = [uploads, bytes];
  child.kill("SIGTERM");
  await once(child, "exit");
  if (result.errors || result.non2xx) throw new Error(`${mode}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  return { rps: result.requests.average, cpu: (cpuAfter - cpuBefore) / result.requests.total, uploads: u1 - u0, kb: (b1 - b0) / 1024 };
}

const results = Object.fromEntries(modes.map((m) => [m, []]));
const load0 = loadavg()[0];
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < modes.length; k++) {
    const mode = modes[(k + r) % modes.length];
    results[mode].push(await measure(mode));
  }
}
receiver.close();
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = results.none ? median(results.none.map((x) => x.cpu)) : undefined;
console.log(`push-overhead: ${rounds} rounds of ${seconds} s per mode, period ${period / 1000} s, Node.js ${process.version}, pinned=${pin}, load ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
for (const mode of modes) {
  const cpu = median(results[mode].map((x) => x.cpu));
  const rps = median(results[mode].map((x) => x.rps));
  const runs = results[mode].map((x) => x.cpu.toFixed(1)).join(", ");
  const ratio = base ? ` ${(cpu / base).toFixed(3)}× none` : "";
  const sent = results[mode].map((x) => `${x.uploads} uploads ${x.kb.toFixed(0)} KiB`).join("; ");
  console.log(`${mode.padEnd(10)} ${cpu.toFixed(1).padStart(7)} µs CPU/request${ratio}  (runs: ${runs})  ${rps.toFixed(0)} req/s  [${sent}]`);
}
