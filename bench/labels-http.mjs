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
  const result = await autocannon({ url, connections: 10, duration: seconds, requests: [{ path: "/checkout" }, { path: "/cart/12" }] });
  child.kill("SIGTERM");
  await once(child, "exit");
  return result.requests.average;
}

const results = Object.fromEntries(modes.map((m) => [m, []]));
for (let r = 0; r < rounds; r++) for (const mode of modes) results[mode].push(await measure(mode));
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = Object.fromEntries(modes.map((k) => [k, median(results[k])]));
for (const mode of modes) console.log(`${mode.padEnd(14)} ${m[mode].toFixed(0).padStart(8)} req/s (runs: ${results[mode].map((x) => x.toFixed(0)).join(", ")})`);
console.log(`tsprof labelled / tsprof unlabelled: ${(m["tsprof-labels"] / m.tsprof).toFixed(3)}`);
console.log(`@datadog/pprof with contexts / without: ${(m["dd-labels"] / m.dd).toFixed(3)}`);
console.log(`tsprof profiled / unprofiled: ${(m.tsprof / m.plain).toFixed(3)}; @datadog/pprof profiled / unprofiled: ${(m.dd / m.plain).toFixed(3)}`);
