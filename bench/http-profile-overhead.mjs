// Throughput of a loopback HTTP server with tsprof/http mounted, while a CPU
// profile is being taken through /debug/pprof/profile and while none is, in
// the same server process. Issue 5's target: at most 5% loss.
//
//   npm run build && node bench/http-profile-overhead.mjs
//   BENCH_SECONDS=10 BENCH_PAIRS=2 BENCH_ROUNDS=2 BENCH_WORK=20 node bench/http-profile-overhead.mjs
//
// Each round starts a fresh server and warms it up, then measures pairs of
// runs, unprofiled and profiled, in ABBA order so that drift (JIT warm-up, a
// neighbour's load) cancels out; each pair gives a ratio, and the median
// ratio is printed, for throughput and for the server process's CPU time
// per request (which a shared, noisy machine disturbs far less). The server
// runs with TSPROF_CPU_KEEPALIVE_MS=0: by default the CPU sampler lingers
// 15 s after a profile (so that a next one starts at once), which would make
// the unprofiled run after a profile a profiled one.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, request } from "node:http";
import { fileURLToPath } from "node:url";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const pairs = Number(process.env.BENCH_PAIRS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
// JSON serializations per request: 20 is a trivial handler (~0.1 ms), 200 a modest one (~0.5 ms).
const WORK = Number(process.env.BENCH_WORK ?? 20);

if (process.argv[2] === "serve") {
  const { handler } = await import("../dist/esm/http/index.js");
  const pprof = handler();
  const work = (url) => {
    let acc = 0;
    const obj = { url, items: Array.from({ length: 20 }, (_, i) => ({ i, name: `item${i}` })) };
    for (let i = 0; i < WORK; i++) acc += JSON.stringify(obj).length;
    return String(acc);
  };
  const server = createServer((req, res) => {
    if (req.url.startsWith("/debug/pprof")) return pprof(req, res);
    if (req.url === "/__cpu") return res.end(JSON.stringify(process.cpuUsage()));
    res.end(work(req.url));
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
  process.on("SIGTERM", () => process.exit(0));
} else {
  const { default: autocannon } = await import("autocannon");
  const self = fileURLToPath(import.meta.url);

  const cpuOf = async (port) => {
    const { user, system } = await (await fetch(`http://127.0.0.1:${port}/__cpu`)).json();
    return user + system;
  };

  /**
   * Requests per second, and the server process's CPU time per request (µs):
   * the second is far less disturbed by other load on a shared machine.
   */
  const load = async (port, duration) => {
    const cpu0 = await cpuOf(port);
    const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections: 10, duration, requests: [{ path: "/checkout" }, { path: "/cart/12" }] });
    const cpu = (await cpuOf(port)) - cpu0;
    return { rate: result.requests.average, cpuPerRequest: cpu / result.requests.total };
  };

  /** GET /debug/pprof/profile?seconds=N; resolves with the status and the profile's size. */
  const profile = (port, n) =>
    new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: `/debug/pprof/profile?seconds=${n}`, agent: false }, (res) => {
        let size = 0;
        res.on("data", (c) => (size += c.length));
        res.on("end", () => resolve({ status: res.statusCode, size }));
      });
      req.on("error", reject);
      req.end();
    });

  async function round() {
    const child = spawn(process.execPath, [self, "serve"], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, TSPROF_CPU_KEEPALIVE_MS: "0" } });
    const [chunk] = await once(child.stdout, "data");
    const port = Number(String(chunk).trim());
    const profiledRun = async () => {
      const pending = profile(port, seconds + 1);
      await new Promise((r) => setTimeout(r, 300)); // the profile is running
      const measured = await load(port, seconds);
      const got = await pending;
      if (got.status !== 200) throw new Error(`profile request answered ${got.status}`);
      bytes.push(got.size);
      return measured;
    };
    const bytes = [];
    const results = [];
    try {
      await load(port, 3); // warm-up
      for (let i = 0; i < pairs; i++) {
        if (i % 2 === 0) {
          const plain = await load(port, seconds);
          results.push({ plain, profiled: await profiledRun() });
        } else {
          const profiled = await profiledRun();
          results.push({ plain: await load(port, seconds), profiled });
        }
      }
      return results.map((r) => ({ ...r, bytes }));
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }

  const results = [];
  for (let r = 0; r < rounds; r++) results.push(...(await round()));
  const median = (xs) => {
    const s = xs.slice().sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  };
  const show = (label, key, unit, digits) => {
    const plain = results.map((r) => r.plain[key]);
    const profiled = results.map((r) => r.profiled[key]);
    const ratios = results.map((r) => r.profiled[key] / r.plain[key]);
    console.log(`${label}: unprofiled ${median(plain).toFixed(digits)} ${unit} (runs: ${plain.map((x) => x.toFixed(digits)).join(", ")})`);
    console.log(`${label}: CPU profile running ${median(profiled).toFixed(digits)} ${unit} (runs: ${profiled.map((x) => x.toFixed(digits)).join(", ")})`);
    console.log(`${label}: profiled / unprofiled ${median(ratios).toFixed(3)} (median of the pairs' ratios: ${ratios.map((x) => x.toFixed(3)).join(", ")})`);
  };
  show("throughput", "rate", "req/s", 0);
  show("server CPU per request", "cpuPerRequest", "µs", 1);
  console.log(`${seconds} s per run, ${pairs} pairs in each of ${rounds} server processes, BENCH_WORK=${WORK}; profiles of ${results[0].bytes.join(", ")} bytes`);
}
