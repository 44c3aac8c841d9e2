// What tsprof/otel labels, context by context, with the real OpenTelemetry SDK
// (NodeTracerProvider and its AsyncLocalStorage context manager): the span
// labels are readable through label() wherever the span is active, and gone
// where it is not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import { ROOT_CONTEXT, TraceFlags, context, trace, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { AlwaysOffSampler, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { spanProfiles } from "../../src/otel/index.ts";
import { label, labels, runWithLabels, forLabels } from "../../src/collect/labels.ts";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const manager = spanProfiles(new AsyncLocalStorageContextManager());
provider.register({ contextManager: manager });
const tracer = trace.getTracer("span-labels-test");

/** The current labels, as "key=value ..." */
function current(): string {
  const out: string[] = [];
  forLabels((k, v) => out.push(`${k}=${v}`) > 0);
  return out.join(" ");
}
const ids = (span: Span) => `span_id=${span.spanContext().spanId} trace_id=${span.spanContext().traceId}`;
const attribute = (span: Span) => exporter.getFinishedSpans().find((s) => s.spanContext().spanId === span.spanContext().spanId)?.attributes["pyroscope.profile.id"];

test("the span's labels hold in its callback, across awaits and timers, and are gone after", async () => {
  assert.equal(current(), "");
  let root!: Span;
  await tracer.startActiveSpan("root", async (span) => {
    root = span;
    assert.equal(current(), ids(span));
    await new Promise((r) => setTimeout(r, 1));
    assert.equal(label("span_id"), span.spanContext().spanId);
    await new Promise((r) => setImmediate(r));
    assert.equal(label("trace_id"), span.spanContext().traceId);
    span.end();
  });
  assert.equal(current(), "");
  assert.equal(attribute(root), root.spanContext().spanId);
});

test("root spans only: a child span's samples carry its local root's id, and only the root gets the attribute", async () => {
  let root!: Span, child!: Span;
  await tracer.startActiveSpan("root", async (span) => {
    root = span;
    await tracer.startActiveSpan("child", async (c) => {
      child = c;
      await new Promise((r) => setTimeout(r, 1));
      assert.equal(current(), ids(root));
      tracer.startActiveSpan("grandchild", (g) => {
        assert.equal(current(), ids(root));
        g.end();
      });
      c.end();
    });
    span.end();
  });
  assert.equal(attribute(root), root.spanContext().spanId);
  assert.equal(attribute(child), undefined);
});

test("profiler labels set around or inside a span are kept alongside the span's", async () => {
  await runWithLabels(labels("tenant", "a"), () =>
    tracer.startActiveSpan("root", async (span) => {
      assert.equal(current(), `${ids(span)} tenant=a`.split(" ").sort().join(" "));
      await runWithLabels(labels("step", "parse"), async () => {
        await Promise.resolve();
        assert.equal(current(), `${ids(span)} step=parse tenant=a`.split(" ").sort().join(" "));
      });
      // A context without a span (here the root context) drops the span's labels only.
      context.with(ROOT_CONTEXT, () => assert.equal(current(), "tenant=a"));
      span.end();
    }));
  assert.equal(current(), "");
});

test("a bound function or event emitter runs with its span's labels, wherever it is called from", async () => {
  const emitter = new EventEmitter();
  let first!: Span;
  const bound = tracer.startActiveSpan("first", (span) => {
    first = span;
    context.bind(context.active(), emitter);
    span.end();
    return context.bind(context.active(), () => current());
  });
  await tracer.startActiveSpan("second", async (second) => {
    assert.equal(bound(), ids(first));
    assert.equal(current(), ids(second));
    const heard = once(emitter, "ping");
    let inListener = "";
    emitter.on("ping", () => void (inListener = current()));
    setImmediate(() => emitter.emit("ping"));
    await heard;
    assert.equal(inListener, ids(first));
    second.end();
  });
});

test("spans of another trace started inside a span (root: true, or under a remote parent) are local roots", async () => {
  await tracer.startActiveSpan("outer", async (outer) => {
    await tracer.startActiveSpan("new root", { root: true }, async (inner) => {
      assert.notEqual(inner.spanContext().traceId, outer.spanContext().traceId);
      assert.equal(current(), ids(inner));
      inner.end();
      assert.equal(attribute(inner), inner.spanContext().spanId);
    });
    const remote = trace.setSpanContext(ROOT_CONTEXT, { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: TraceFlags.SAMPLED, isRemote: true });
    // A remote span context alone labels nothing: it is another process's span.
    context.with(remote, () => assert.equal(current(), ""));
    const server = tracer.startSpan("server", {}, remote);
    context.with(trace.setSpan(remote, server), () => assert.equal(current(), ids(server)));
    server.end();
    assert.equal(attribute(server), server.spanContext().spanId);
    outer.end();
  });
});

test("spans that are not sampled label nothing and get no attribute", async () => {
  const off = new NodeTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer("off");
  off.startActiveSpan("dropped", (span) => {
    assert.equal(span.isRecording(), false);
    assert.equal(current(), "");
    span.end();
  });
});

test("attach() labels until its token is disposed", { skip: typeof (manager as { attach?: unknown }).attach !== "function" && "no ContextManager.attach in this @opentelemetry/context-async-hooks" }, async () => {
  const span = tracer.startSpan("attached");
  await runWithLabels(labels("tenant", "b"), async () => {
    const token = (manager as unknown as { attach(c: unknown): { dispose(): void } }).attach(trace.setSpan(context.active(), span));
    assert.equal(current(), `${ids(span)} tenant=b`.split(" ").sort().join(" "));
    token.dispose();
    assert.equal(current(), "tenant=b");
  });
  span.end();
});

test("a span whose context cannot be read runs its callback unlabelled, with no error", () => {
  const broken = { spanContext() { throw new Error("broken span"); } } as unknown as Span;
  assert.equal(context.with(trace.setSpan(ROOT_CONTEXT, broken), () => `ran: ${current()}`), "ran: ");
});

test("spanProfiles checks its arguments and patches a manager once", () => {
  assert.throws(() => spanProfiles({} as never), { message: "spanProfiles: expected an OpenTelemetry ContextManager (with a with() method)" });
  assert.throws(() => spanProfiles(new AsyncLocalStorageContextManager(), { spans: "some" as never }), { message: 'spanProfiles: spans must be "root" or "all", got "some"' });
  assert.throws(() => spanProfiles(new AsyncLocalStorageContextManager(), { traceId: "yes" as never }), { message: 'spanProfiles: traceId must be a boolean, got "yes"' });
  assert.throws(() => spanProfiles(manager), { message: "spanProfiles: this context manager already has span profiles" });
});

test("options: no trace_id, and span_name", () => {
  const m = spanProfiles(new AsyncLocalStorageContextManager(), { traceId: false, spanName: true });
  const span = tracer.startSpan("checkout");
  assert.equal(m.with(trace.setSpan(ROOT_CONTEXT, span), () => current()), `span_id=${span.spanContext().spanId} span_name=checkout`);
  span.end();
});

test("a context that cannot be extended (frozen) is labelled all the same", () => {
  const span = tracer.startSpan("frozen");
  const frozen = Object.freeze(trace.setSpan(ROOT_CONTEXT, span));
  assert.equal(context.with(frozen, () => current()), ids(span));
  assert.equal(context.with(frozen, () => context.with(context.active(), () => current())), ids(span));
  span.end();
});
