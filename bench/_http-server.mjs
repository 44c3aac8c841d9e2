// A loopback HTTP server doing a little CPU work per request, profiled in the
// way named by argv[2]; used by the HTTP benchmarks. Prints its port.
import { createServer } from "node:http";
import { createWriteStream } from "node:fs";
import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { tmpdir } from "node:os";
import { join } from "node:path";

const mode = process.argv[2] ?? "plain";
// JSON serializations per request: 20 is a trivial handler (~0.1 ms), 200 a modest one (~0.5 ms).
const WORK = Number(process.env.BENCH_WORK ?? 20);
const ROUTES = ["/checkout", "/cart", "/search", "/users/:id"];

function work(url) {
  let acc = 0;
  const obj = { url, items: Array.from({ length: 20 }, (_, i) => ({ i, name: `item${i}` })) };
  for (let i = 0; i < WORK; i++) acc += JSON.stringify(obj).length;
  return String(acc);
}

let handler = (req, res) => res.end(work(req.url));
let stop = async () => {};

if (mode === "labels-only") {
  const { withRequestLabels } = await import("../dist/esm/http/index.js");
  handler = withRequestLabels(handler, { route: (req) => ROUTES[req.url.length % ROUTES.length] });
} else if (mode.startsWith("tsprof")) {
  const pprof = await import("../dist/esm/index.js");
  const out = createWriteStream(join(tmpdir(), `bench-${process.pid}.pb.gz`));
  pprof.startCPUProfile(out);
  stop = () => pprof.stopCPUProfile();
  if (mode === "tsprof-labels") {
    const { withRequestLabels } = await import("../dist/esm/http/index.js");
    handler = withRequestLabels(handler, { route: (req) => ROUTES[req.url.length % ROUTES.length] });
  }
} else if (mode === "otel-labels" || mode === "otel-spans") {
  // An OpenTelemetry-traced server: a span per request made active around the
  // handler, the request and response emitters bound to its context (as
  // @opentelemetry/instrumentation-http does), spans batched to an exporter
  // that drops them; per-request labels as in tsprof-labels; span profiles on
  // in otel-spans.
  const pprof = await import("../dist/esm/index.js");
  const { withRequestLabels } = await import("../dist/esm/http/index.js");
  const { trace, context } = await import("@opentelemetry/api");
  const { AsyncLocalStorageContextManager } = await import("@opentelemetry/context-async-hooks");
  const { NodeTracerProvider } = await import("@opentelemetry/sdk-trace-node");
  const { BatchSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
  const dropAll = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  let contextManager = new AsyncLocalStorageContextManager();
  if (mode === "otel-spans") {
    const { spanProfiles } = await import("../dist/esm/otel/index.js");
    contextManager = spanProfiles(contextManager);
  }
  new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropAll)] }).register({ contextManager });
  const tracer = trace.getTracer("bench");
  const out = createWriteStream(join(tmpdir(), `bench-${process.pid}.pb.gz`));
  pprof.startCPUProfile(out);
  stop = () => pprof.stopCPUProfile();
  const inner = handler;
  handler = withRequestLabels((req, res) => {
    const span = tracer.startSpan(`GET ${ROUTES[req.url.length % ROUTES.length]}`);
    const ctx = trace.setSpan(context.active(), span);
    context.bind(ctx, req);
    context.bind(ctx, res);
    res.once("finish", () => span.end());
    context.with(ctx, () => inner(req, res));
  }, { route: (req) => ROUTES[req.url.length % ROUTES.length] });
} else if (mode.startsWith("dd")) {
  const { time } = await import("@datadog/pprof");
  const withContexts = mode === "dd-labels";
  time.start({ intervalMicros: 10_000, durationMillis: 600_000, withContexts });
  stop = async () => void time.stop();
  if (withContexts) {
    // dd-trace's way on Node 20: keep the profiler's context in step with the async context.
    const als = new AsyncLocalStorage();
    const hook = createHook({ before() { time.setContext(als.getStore()); } }).enable();
    stop = async () => { hook.disable(); time.stop(); };
    const inner = handler;
    handler = (req, res) => als.run({ method: req.method, route: ROUTES[req.url.length % ROUTES.length] }, () => {
      time.setContext(als.getStore());
      inner(req, res);
    });
  }
} else if (mode === "push" || mode === "push-cpu") {
  // tsprof/push at its defaults (CPU and heap, every 15 s) to BENCH_PUSH_URL; push-cpu: the CPU profile alone.
  const { startPush } = await import("../dist/esm/push/index.js");
  const profiles = mode === "push-cpu" ? ["cpu"] : ["cpu", "heap"];
  const session = startPush({ serverAddress: process.env.BENCH_PUSH_URL, appName: "bench", profiles, flushIntervalMs: Number(process.env.BENCH_PUSH_PERIOD_MS ?? 15_000) });
  stop = () => session.stop();
} else if (mode === "pyroscope") {
  // @pyroscope/nodejs (wall and heap) with the same period, to the same receiver.
  const { default: Pyroscope } = await import("@pyroscope/nodejs");
  Pyroscope.init({ serverAddress: process.env.BENCH_PUSH_URL, appName: "bench", flushIntervalMs: Number(process.env.BENCH_PUSH_PERIOD_MS ?? 15_000) });
  Pyroscope.start();
  stop = () => Pyroscope.stop();
}

// GET /__cpu answers the server's CPU time so far (µs): CPU per request is
// steadier than throughput on a machine shared with other work.
const served = handler;
const server = createServer((req, res) => {
  if (req.url === "/__cpu") {
    const u = process.cpuUsage();
    return res.end(String(u.user + u.system));
  }
  served(req, res);
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
process.on("SIGTERM", async () => {
  await stop();
  server.close();
  process.exit(0);
});
