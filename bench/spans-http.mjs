// The cost of span profiles (tsprof/otel) on a loopback HTTP server traced
// with the OpenTelemetry SDK and CPU-profiled at 100 Hz with per-request
// labels: the same server with span profiles on and off, and per-request
// labels without OpenTelemetry, measured in the same run.
// BENCH_WORK (JSON serializations per request), BENCH_SECONDS, BENCH_ROUNDS.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const server = fileURLToPath(new URL("./_http-server.mjs", import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const modes = ["tsprof-labels", "otel-labels", "otel-spans"];

async function measure(mode) {
  const child = spawn(process.execPath, [server, mode], { stdio: ["ignore", "pipe", "inherit"] });
  const [chunk] = await once(child.stdout, "data");
  const url = `http://127.0.0.1:${Number(String(chunk).trim())}`;
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
const ratio = (a, b) => `CPU/request ×${(cpu[a] / cpu[b]).toFixed(3)}, throughput ×${(rps[a] / rps[b]).toFixed(3)}`;
console.log(`OpenTelemetry with span profiles / without: ${ratio("otel-spans", "otel-labels")}`);
console.log(`OpenTelemetry with span profiles / labels without OpenTelemetry: ${ratio("otel-spans", "tsprof-labels")}`);
console.log(`OpenTelemetry without span profiles / labels without OpenTelemetry: ${ratio("otel-labels", "tsprof-labels")}`);
