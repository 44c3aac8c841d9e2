// Throughput of a loopback HTTP server CPU-profiled at 100 Hz, with and
// without per-request labels, against @datadog/pprof's wall profiler with and
// without its context support, measured in the same run.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const server = fileURLToPath(new URL("./_http-server.mjs", import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const modes = (process.env.BENCH_MODES ?? "plain,tsprof,tsprof-labels,dd,dd-labels").split(",");

async function measure(mode) {
  const child = spawn(process.execPath, [server, mode], { stdio: ["ignore", "pipe", "inherit"] });
  const [chunk] = await once(child.stdout, "data");
  const port = Number(String(chunk).trim());
  const url = `http://127.0.0.1:${port}`;
  await autocannon({ url, connections: 10, duration: 1 }); // warm-up
  const cpuBefore = await cpuMicros(url);
  const result = await autocannon({ url, connections: 10, duration: seconds, requests: [{ path: "/checkout" }, { path: "/cart/12" }] });
  const cpuAfter = await cpuMicros(url);
  child.kill("SIGTERM");
  await once(child, "exit");
  return { rps: result.requests.average, cpuPerRequest: (cpuAfter - cpuBefore) / result.requests.total };
}

async function cpuMicros(url) {
  return Number(await (await fetch(`${url}/__cpu`)).text());
}

const results = Object.fromEntries(modes.map((m) => [m, []]));
for (let r = 0; r < rounds; r++) for (const mode of modes) results[mode].push(await measure(mode));
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rps = Object.fromEntries(modes.map((k) => [k, median(results[k].map((x) => x.rps))]));
const cpu = Object.fromEntries(modes.map((k) => [k, median(results[k].map((x) => x.cpuPerRequest))]));
for (const mode of modes) {
  const runs = results[mode].map((x) => x.rps.toFixed(0)).join(", ");
  console.log(`${mode.padEnd(14)} ${rps[mode].toFixed(0).padStart(8)} req/s (runs: ${runs})  ${cpu[mode].toFixed(1).padStart(7)} µs CPU/request`);
}
const ratio = (a, b) => (a in rps && b in rps ? `throughput ${(rps[a] / rps[b]).toFixed(3)}, CPU/request ${(cpu[a] / cpu[b]).toFixed(3)}` : "not measured");
console.log(`tsprof labelled / tsprof unlabelled: ${ratio("tsprof-labels", "tsprof")}`);
console.log(`@datadog/pprof with contexts / without: ${ratio("dd-labels", "dd")}`);
console.log(`tsprof profiled / unprofiled: ${ratio("tsprof", "plain")}`);
console.log(`@datadog/pprof profiled / unprofiled: ${ratio("dd", "plain")}`);
