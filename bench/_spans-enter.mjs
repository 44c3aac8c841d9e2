// One process of bench/spans-enter.mjs: argv[2] "otel" or "otel-spans".
// Requests without I/O: each starts a span in per-request labels and enters
// its context five times (as bound callbacks and emitters do), CPU-profiled
// at 100 Hz unless PROFILE=0. Prints the CPU time per request in µs.
import { PassThrough } from "node:stream";
import { trace, context, ROOT_CONTEXT } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

const mode = process.argv[2];
const N = Number(process.env.N ?? 50_000);
const pprof = await import("../dist/esm/index.js");
let contextManager = new AsyncLocalStorageContextManager();
if (mode === "otel-spans") contextManager = (await import("../dist/esm/otel/index.js")).spanProfiles(contextManager);
new NodeTracerProvider().register({ contextManager });
const tracer = trace.getTracer("bench");
const out = new PassThrough();
out.resume();
if (process.env.PROFILE !== "0") pprof.startCPUProfile(out);

function request() {
  const span = tracer.startSpan("GET");
  const ctx = trace.setSpan(ROOT_CONTEXT, span);
  return pprof.runWithLabels(pprof.labels("route", "/a", "method", "GET"), () => {
    let n = 0;
    for (let j = 0; j < 5; j++) n += context.with(ctx, () => j);
    span.end();
    return n;
  });
}
for (let i = 0; i < N / 5; i++) request();
const before = process.cpuUsage();
for (let i = 0; i < N; i++) request();
const used = process.cpuUsage(before);
process.stdout.write(`${(used.user + used.system) / N}\n`);
await pprof.stopCPUProfile();
