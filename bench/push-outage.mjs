// A Pyroscope server that is down for a while, then back (issue 15's
// 2-minute outage): a program pushing every second (test/push/fixtures/
// pusher.mjs, CPU-busy and allocating) against a loopback receiver that drops
// every connection for BENCH_DOWN_S seconds, then answers for BENCH_UP_S.
// Prints the program's resident memory before, during and after the outage,
// the uploads dropped and sent, the warning lines, and how soon uploads resumed.
//
//   node scripts/build.mjs && node bench/push-outage.mjs
//   BENCH_DOWN_S=120 BENCH_UP_S=20 BENCH_PERIOD_MS=1000 node bench/push-outage.mjs
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const downS = Number(process.env.BENCH_DOWN_S ?? 120);
const upS = Number(process.env.BENCH_UP_S ?? 20);
const period = Number(process.env.BENCH_PERIOD_MS ?? 1000);
const leadS = 10;
const pusher = fileURLToPath(new URL("../test/push/fixtures/pusher.mjs", import.meta.url));

let down = false;
const received = [];
const server = createServer((req, res) => {
  if (down) return req.socket.destroy();
  req.resume();
  req.on("end", () => {
    received.push(Date.now());
    res.end();
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}`;

const settings = { serverAddress: url, appName: "outage", flushIntervalMs: period };
const totalMs = (leadS + downS + upS) * 1000;
const child = spawn(process.execPath, [pusher, JSON.stringify(settings), String(totalMs), "stop"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PUSHER_MEM: "1" } });
let stdout = "", stderr = "";
// The program's own memory figures, by phase.
const mem = { before: [], down: [], after: [] };
let pendingLine = "";
child.stdout.on("data", (d) => {
  stdout += d;
  const lines = (pendingLine + d).split("\n");
  pendingLine = lines.pop();
  for (const l of lines) if (l.startsWith("mem ")) mem[phase].push(JSON.parse(l.slice(4)));
});
child.stderr.on("data", (d) => (stderr += d));

const rssMiB = () => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))[1]) / 1024;
  } catch {
    return NaN;
  }
};
const phases = { before: [], down: [], after: [] };
let phase = "before";
const sampler = setInterval(() => phases[phase].push(rssMiB()), 1000);
const t0 = Date.now();
setTimeout(() => {
  down = true;
  phase = "down";
}, leadS * 1000);
let backAt;
setTimeout(() => {
  down = false;
  phase = "after";
  backAt = Date.now();
}, (leadS + downS) * 1000);
await new Promise((r) => child.on("close", r));
clearInterval(sampler);
server.close();

const out = JSON.parse(stdout.trim().split("\n").pop());
const memStat = (key) => Object.entries(mem).map(([p, xs]) => `${p} ${xs.length ? Math.max(...xs.map((m) => m[key] / 1048576)).toFixed(1) : "n/a"}`).join(", ");
const stat = (xs) => (xs.length ? `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} MiB` : "n/a");
const firstAfter = received.find((t) => t >= backAt);
console.log(`push-outage: period ${period} ms, ${leadS} s up, ${downS} s down, ${upS} s up again; Node.js ${process.version}; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`  RSS: before ${stat(phases.before)}, during the outage ${stat(phases.down)}, after ${stat(phases.after)}`);
console.log(`  V8 heap used (largest, MiB): ${memStat("heapUsed")}; external: ${memStat("external")}`);
console.log(`  largest queue ${out.maxQueued} uploads, ${(out.maxQueuedBytes / 1024).toFixed(0)} KiB`);
console.log(`  stats: ${JSON.stringify(out.stats)}`);
console.log(`  first upload ${firstAfter ? ((firstAfter - backAt) / 1000).toFixed(1) + " s" : "never"} after the server came back; ${received.filter((t) => t >= backAt).length} uploads after it`);
const warnings = stderr.split("\n").filter((l) => l.startsWith("tsprof:"));
console.log(`  warning lines: ${warnings.length}${warnings.length ? `: ${warnings[0].slice(0, 140)}…` : ""}`);
console.log(`  errors reaching the program: ${out.reached.length}`);
