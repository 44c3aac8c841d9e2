// Throughput of a loopback HTTP server with tsprof/http mounted while a CPU
// profile is taken through /debug/pprof/profile, against the same server
// unprofiled, and the same for peers, in the same run. Issue 5's target: at
// most 5% loss.
//
//   node scripts/build.mjs && node bench/http-profile-overhead.mjs
//   BENCH_WINDOW=2 BENCH_WINDOWS=3 BENCH_ROUNDS=2 BENCH_WORK=20 BENCH_PIN=1 \
//   BENCH_MODES=tsprof,inspector,datadog,none,waker node bench/http-profile-overhead.mjs
//
// Modes, all sampling at 100 Hz (every 10,000 µs), Go's rate, or BENCH_HZ:
//   tsprof     GET /debug/pprof/profile?seconds=N on the server
//   inspector  node:inspector's Profiler domain alone, in the server: what
//              tsprof drives, without its worker sampler, labels or encoding
//   datadog    @datadog/pprof's time profiler, in the server
//   none       the control: no profiler, the same schedule; how far its ratios
//              stray from 1 is the measurement's noise on this machine
//   waker      the second control: no profiler, but a thread of the server
//              waking at the profilers' rate and doing nothing. On a machine
//              where other jobs share the server's core, a periodic thread
//              alone changes how the kernel shares the core out (measured: it
//              made the server faster), and a profiler has such a thread; its
//              ratio shows that part apart from the profiler's work
//   cpu-prof   (not in the default set) a second server process started with
//              `node --cpu-prof --cpu-prof-interval 10000`, against the first
//              one unprofiled: two processes, so the noisiest
//
// How (the machine this was written on has 2 cores shared with other jobs,
// where single 10-second runs spread by ±20%, far more than the effect):
// one load test saturates the server (autocannon, 10 connections) for the
// whole round, and the server's own counters (requests answered, CPU time
// of each thread, its clock) are read at the edges of BENCH_WINDOW-second
// windows, which alternate unprofiled, profiled by one mode, unprofiled,
// profiled by the next mode, ... Each profiled window is compared with the
// mean of the two unprofiled windows around it, so a neighbour's load that
// comes and goes over seconds largely cancels; the median of those ratios is
// printed. A profile starts 0.4 s before its window and ends 0.6 s after it,
// so its start and stop (measured apart, below) fall outside the windows,
// as they are a negligible part of a 30-second profile.
//
// With BENCH_PIN=1 (the default when taskset exists and there are 2+ cores),
// the server runs on core 0 and this process (autocannon) on core 1: every
// thread of the server, V8's profiler thread too, competes for the server's
// one core, so what the profiler costs shows up as lost throughput rather
// than as noise in the load generator. The server runs with
// TSPROF_CPU_KEEPALIVE_MS=0, as by default tsprof's sampler lingers 15 s
// after a profile (so that a next one starts at once), which would make the
// unprofiled window after a profiled one a profiled one.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { request } from "node:http";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const windowS = Number(process.env.BENCH_WINDOW ?? 2);
const windowsPerMode = Number(process.env.BENCH_WINDOWS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const WORK = Number(process.env.BENCH_WORK ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const modes = (process.env.BENCH_MODES ?? "tsprof,inspector,datadog,none,waker").split(",").filter(Boolean);
/** Read before this process pins itself to one core. */
const cores = availableParallelism();
const canPin = cores >= 2 && spawnSync("taskset", ["-V"]).status === 0;
const pin = (process.env.BENCH_PIN ?? (canPin ? "1" : "0")) === "1";
const HZ = Number(process.env.BENCH_HZ ?? 100);
const INTERVAL_US = Math.round(1e6 / HZ);
const LEAD_MS = 400;
const GUARD_MS = 300;
const inProcessModes = modes.filter((m) => m !== "cpu-prof");

const { default: autocannon } = await import("autocannon");
const serverScript = fileURLToPath(new URL("./_http-profile-server.mjs", import.meta.url));
const requests = [{ path: "/checkout" }, { path: "/cart/12" }];

if (pin) spawnSync("taskset", ["-a", "-cp", "1", String(process.pid)], { stdio: "ignore" });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const get = (port, path) =>
  new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });

async function startServer(nodeFlags) {
  const args = [...nodeFlags, serverScript];
  const [cmd, argv] = pin ? ["taskset", ["-c", "0", process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, TSPROF_CPU_KEEPALIVE_MS: "0", BENCH_WORK: String(WORK), BENCH_HZ: String(HZ) } });
  const [chunk] = await once(child.stdout, "data");
  return { child, port: Number(String(chunk).trim()) };
}

async function stopServer(s) {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  s.child.kill("SIGTERM");
  await once(s.child, "exit");
}

/** A saturating load test until stop() (autocannon's callback form gives a stoppable instance). */
function saturate(port, duration = 3600) {
  let done;
  const finished = new Promise((resolve, reject) => {
    done = (err, result) => (err ? reject(err) : resolve(result));
  });
  const instance = autocannon({ url: `http://127.0.0.1:${port}`, connections, duration, requests }, (err, result) => done(err, result));
  return {
    finished,
    async stop() {
      instance.stop();
      const result = await finished;
      if (result.errors || result.non2xx) throw new Error(`load test: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
    },
  };
}

const counters = async (port) => JSON.parse(String((await get(port, "/__cpu")).body));

/** The server's counters over a window: requests per second, CPU µs per request (total, main thread, V8's profiler thread). */
function windowOf(a, b) {
  const n = b.requests - a.requests;
  let main = 0, profiler = 0;
  for (const [tid, t] of Object.entries(b.threads)) {
    const us = t.us - (a.threads[tid]?.us ?? 0); // a thread started within the window counts whole
    if (t.name === "main") main += us;
    else if (t.name === "v8:ProfEvntProc") profiler += us;
  }
  const ms = b.ms - a.ms;
  return { rate: (n * 1000) / ms, cpu: (b.cpu - a.cpu) / n, main: main / n, profiler: profiler / n, profilerShare: profiler / (ms * 1000) };
}

async function measure(port, ms) {
  const a = await counters(port);
  await sleep(ms);
  return windowOf(a, await counters(port));
}

function profilePath(mode, seconds) {
  return mode === "tsprof" ? `/debug/pprof/profile?seconds=${seconds}` : `/__profile?mode=${mode}&seconds=${seconds}`;
}

/** A window with a profile of `mode` running over it, and how long the profile's answer took beyond its seconds (start + stop + encoding). */
async function profiledWindow(mode, port) {
  const seconds = windowS + 1;
  const t0 = performance.now();
  const pending = get(port, profilePath(mode, seconds));
  await sleep(LEAD_MS);
  const w = await measure(port, windowS * 1000);
  const got = await pending;
  if (got.status !== 200 || got.body.length === 0) throw new Error(`${mode}: profile request answered ${got.status}: ${got.body}`);
  w.beyondMs = performance.now() - t0 - seconds * 1000;
  await sleep(GUARD_MS);
  return w;
}

const results = Object.fromEntries(modes.map((m) => [m, []]));
const load0 = loadavg();
const t0 = Date.now();
for (let r = 0; r < rounds; r++) {
  const cpuProfDir = mkdtempSync(join(tmpdir(), "tsprof-bench-"));
  const plain = await startServer([]);
  const cpuProf = modes.includes("cpu-prof") ? await startServer(["--cpu-prof", `--cpu-prof-interval=${INTERVAL_US}`, `--cpu-prof-dir=${cpuProfDir}`]) : undefined;
  try {
    if (inProcessModes.length > 0) {
      const load = saturate(plain.port);
      await sleep(3000); // warm-up
      let before = await measure(plain.port, windowS * 1000);
      for (let i = 0; i < windowsPerMode; i++) {
        for (let k = 0; k < inProcessModes.length; k++) {
          const mode = inProcessModes[(i + k + r) % inProcessModes.length];
          const profiled = await profiledWindow(mode, plain.port);
          const after = await measure(plain.port, windowS * 1000);
          results[mode].push({ profiled, plain: [before, after] });
          before = after;
        }
      }
      await load.stop();
    }
    if (cpuProf) {
      // Two processes: short alternating load tests, ABBA, each against the mean of its neighbours.
      const run = async (s) => {
        const load = saturate(s.port, windowS + 1);
        await sleep(700);
        const w = await measure(s.port, windowS * 1000);
        await load.finished;
        return w;
      };
      await run(cpuProf); // warm-up
      let before = await run(plain);
      for (let i = 0; i < windowsPerMode; i++) {
        const profiled = await run(cpuProf);
        const after = await run(plain);
        results["cpu-prof"].push({ profiled, plain: [before, after] });
        before = after;
      }
    }
  } finally {
    await stopServer(plain);
    if (cpuProf) await stopServer(cpuProf);
    rmSync(cpuProfDir, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const f = (x, d) => x.toFixed(d);
const ratios = (mode, key) => results[mode].map((p) => p.profiled[key] / ((p.plain[0][key] + p.plain[1][key]) / 2));

console.log(
  `BENCH_WORK=${WORK}: ${connections} connections saturating the server; ${windowS}-second windows, ${windowsPerMode} profiled per mode in each of ${rounds} server processes; ` +
    `${pin ? "server pinned to core 0, load generator to core 1" : "not pinned"}; profilers at ${HZ} Hz`,
);
console.log(`load average ${load0.map((x) => f(x, 2)).join(" ")} at start, ${loadavg().map((x) => f(x, 2)).join(" ")} at end; ${f((Date.now() - t0) / 1000, 0)} s`);
// At the start, before this benchmark's own load (which adds about 2).
if (load0[0] > cores / 2) {
  console.log(`note: a load average of ${f(load0[0], 1)} on ${cores} cores before the start means other jobs share the machine: see how far the controls (none, waker) stray from 1`);
}
console.log("profiled / unprofiled: median over the profiled windows of the ratio to the mean of the unprofiled windows around each (every ratio below the table)\n");
console.log("mode       | throughput | req/s unprof. → prof. | CPU/req | main thread CPU/req | profiler thread: % of a core, µs/req");
for (const mode of modes) {
  const rs = results[mode];
  console.log(
    `${mode.padEnd(10)} | ${f(median(ratios(mode, "rate")), 3)}`.padEnd(24) +
      ` | ${f(median(rs.flatMap((p) => p.plain.map((w) => w.rate))), 0)} → ${f(median(rs.map((p) => p.profiled.rate)), 0)}`.padEnd(24) +
      ` | ${f(median(ratios(mode, "cpu")), 3)}`.padEnd(10) +
      ` | ${f(median(ratios(mode, "main")), 3)}`.padEnd(22) +
      ` | ${f(100 * median(rs.map((p) => p.profiled.profilerShare)), 2)}%, ${f(median(rs.map((p) => p.profiled.profiler)), 2)}`,
  );
}
console.log("");
for (const mode of modes) {
  const list = (key) => ratios(mode, key).map((x) => f(x, 2)).join(" ");
  console.log(`${mode}: throughput ratios ${list("rate")}; CPU/req ratios ${list("cpu")}`);
}
for (const mode of inProcessModes) {
  console.log(`${mode}: a ${windowS + 1}-second profile answered ${f(median(results[mode].map((p) => p.profiled.beyondMs)), 0)} ms after its seconds (median; start, stop, encoding and the answer)`);
}
if (modes.includes("tsprof") && modes.length > 1) {
  const others = modes.filter((m) => m !== "tsprof");
  console.log(`tsprof's throughput ratio / each peer's: ${others.map((m) => `${m} ${f(median(ratios("tsprof", "rate")) / median(ratios(m, "rate")), 3)}`).join(", ")}`);
}
