// The server of bench/http-profile-overhead.mjs: a loopback HTTP server doing
// a little CPU work per request, with tsprof/http mounted, which can also be
// profiled by the peers in the same process. Prints its port.
//
//   GET /debug/pprof/...            tsprof/http
//   GET /__profile?mode=M&seconds=N a CPU profile of N seconds by a peer:
//                                   M = datadog (@datadog/pprof's time profiler)
//                                   or inspector (node:inspector's Profiler domain alone),
//                                   or none (waits N seconds: the control), or waker (no
//                                   profiler, a thread waking at the profilers' rate: how
//                                   much a periodic thread alone changes the scheduling);
//                                   answers with the profile's size
//   GET /__cpu                      the requests answered so far, the time (ms), and this
//                                   process's CPU time (µs), in total and per thread
import { createServer } from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Session } from "node:inspector";

// JSON serializations per request: 20 is a trivial handler (~0.1 ms), 200 a modest one (~1 ms).
const WORK = Number(process.env.BENCH_WORK ?? 20);
/** The sampling rate every profiler is given: Go's (and tsprof's) default, 100 Hz, unless BENCH_HZ says otherwise. */
const HZ = Number(process.env.BENCH_HZ ?? 100);
const INTERVAL_US = Math.round(1e6 / HZ);

const { handler } = await import("../dist/esm/http/index.js");
if (HZ !== 100) (await import("../dist/esm/index.js")).setCPUProfileRate(HZ);
const pprof = handler();

function work(url) {
  let acc = 0;
  const obj = { url, items: Array.from({ length: 20 }, (_, i) => ({ i, name: `item${i}` })) };
  for (let i = 0; i < WORK; i++) acc += JSON.stringify(obj).length;
  return String(acc);
}

let answered = 0;

/**
 * Requests answered, the time (ms), and the CPU time (µs) of the whole
 * process and of each thread (by id, with its name), from
 * /proc/self/task/TID/schedstat (ns on CPU), so V8's profiler thread
 * (v8:ProfEvntProc) is told apart from the main thread.
 */
function counters() {
  const { user, system } = process.cpuUsage();
  const threads = {};
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      try {
        const name = tid === String(process.pid) ? "main" : readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
        const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]);
        threads[tid] = { name, us: ns / 1000 };
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    // no /proc: totals only
  }
  return { requests: answered, ms: performance.now(), cpu: user + system, threads };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const peers = {
  async none(seconds) {
    await sleep(seconds * 1000);
    return 1;
  },
  async datadog(seconds) {
    const dd = createRequire(import.meta.url)("@datadog/pprof");
    dd.time.start({ intervalMicros: INTERVAL_US, durationMillis: seconds * 1000 });
    await sleep(seconds * 1000);
    return (await dd.encode(dd.time.stop())).length;
  },
  async waker(seconds) {
    const { Worker } = await import("node:worker_threads");
    const worker = new Worker(`setInterval(() => {}, ${Math.max(1, INTERVAL_US / 1000)})`, { eval: true });
    await sleep(seconds * 1000);
    await worker.terminate();
    return 1;
  },
  async inspector(seconds) {
    const session = new Session();
    session.connect();
    const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: INTERVAL_US });
    await post("Profiler.start");
    await sleep(seconds * 1000);
    const { profile } = await post("Profiler.stop");
    await post("Profiler.disable");
    session.disconnect();
    return JSON.stringify(profile).length;
  },
};

const server = createServer((req, res) => {
  if (req.url.startsWith("/debug/pprof")) return pprof(req, res);
  if (req.url === "/__cpu") return res.end(JSON.stringify(counters()));
  if (req.url.startsWith("/__profile?")) {
    const q = new URL(req.url, "http://x").searchParams;
    const peer = peers[q.get("mode")];
    if (!peer) return res.writeHead(404).end();
    peer(Number(q.get("seconds"))).then(
      (size) => res.end(String(size)),
      (err) => res.writeHead(500).end(String(err?.stack ?? err)),
    );
    return;
  }
  answered++;
  res.end(work(req.url));
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
// exit() so that --cpu-prof writes its profile.
process.on("SIGTERM", () => process.exit(0));
