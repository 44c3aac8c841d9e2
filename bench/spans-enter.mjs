// What span profiles add to entering a span's context, without I/O: CPU time
// per request (a span started, its context entered five times) with
// OpenTelemetry alone and with tsprof/otel's span profiles, in alternating
// processes of the same run; CPU-profiled at 100 Hz, then not profiled.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const worker = fileURLToPath(new URL("./_spans-enter.mjs", import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const profile of ["1", "0"]) {
  const runs = { otel: [], "otel-spans": [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of Object.keys(runs)) {
      runs[mode].push(Number(execFileSync(process.execPath, [worker, mode], { env: { ...process.env, PROFILE: profile }, encoding: "utf8" })));
    }
  }
  const [a, b] = [median(runs.otel), median(runs["otel-spans"])];
  console.log(`${profile === "1" ? "CPU-profiled" : "not profiled"}: OpenTelemetry ${a.toFixed(2)} µs CPU/request, with span profiles ${b.toFixed(2)} (+${(b - a).toFixed(2)} µs, ×${(b / a).toFixed(2)})`);
}
