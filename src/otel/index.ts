// tsprof/otel: span profiles. CPU samples taken while an OpenTelemetry span
// is active carry its span_id (and trace_id) label, and the local root span
// gets the pyroscope.profile.id attribute, as Grafana Pyroscope's span
// profiles read them. Opt-in: nothing here loads unless this entry is
// imported; @opentelemetry/api is an optional peer dependency.
//
// The hook is the context manager: OpenTelemetry makes a span active with
// ContextManager.with (startActiveSpan, instrumentations, bound callbacks
// and event emitters alike), and the span stays active in what runs inside,
// asynchronously too. The patched with() runs the callback with the span's
// labels in tsprof's label store as well, so they follow the same await,
// timer and emitter callbacks that OpenTelemetry's context follows, and the
// CPU profile's label timeline stamps each change. A span processor would
// see spans start, but not the callback they are made active for.

import type { Context, ContextManager } from "@opentelemetry/api";
import { currentLabels, enterExactLabels, runWithExactLabels, type LabelSet } from "../collect/labels.js";
import { SpanLabeller, type SpanProfileOptions } from "./span-labels.js";

export type { SpanProfileOptions } from "./span-labels.js";

const PATCHED = Symbol.for("tsprof.spanProfiles");

/** The experimental ContextManager.attach of newer OpenTelemetry releases. */
interface Disposable {
  dispose(): void;
}
type Attach = (context: Context) => Disposable;

/**
 * Turns span profiles on for the contexts this manager activates, and
 * returns it: pass it where OpenTelemetry takes a context manager, e.g.
 * `provider.register({ contextManager: spanProfiles(new AsyncLocalStorageContextManager()) })`
 * or `new NodeSDK({ contextManager: spanProfiles(new AsyncLocalStorageContextManager()) })`.
 * The manager's own with() (and attach(), where it has one) is wrapped in
 * place, so the callbacks and emitters it binds are labelled too.
 */
export function spanProfiles<M extends ContextManager>(manager: M, options?: SpanProfileOptions): M {
  if (!manager || typeof manager.with !== "function") throw new TypeError("spanProfiles: expected an OpenTelemetry ContextManager (with a with() method)");
  const patched = manager as M & { [PATCHED]?: true; attach?: Attach };
  if (patched[PATCHED]) throw new Error("spanProfiles: this context manager already has span profiles");
  const labeller = new SpanLabeller(options);
  type With = (this: ContextManager, ctx: Context, fn: (...args: unknown[]) => unknown, thisArg?: unknown, ...args: unknown[]) => unknown;
  const innerWith = manager.with as With;

  // What the next with() or attach() needs, left here by prepare(): no
  // allocation on the path every OpenTelemetry callback takes.
  let ctxToActivate: Context;
  let change = false;
  let next: LabelSet | undefined;
  // Never throws into the host: a failure to label runs the callback unlabelled.
  const prepare = (ctx: Context): void => {
    ctxToActivate = ctx;
    change = false;
    try {
      const info = labeller.infoOf(ctx);
      const current = currentLabels();
      if (!SpanLabeller.same(current, info?.labels)) {
        next = SpanLabeller.replace(current, info);
        change = true;
      }
      ctxToActivate = labeller.context ?? ctx;
    } catch {
      change = false;
    }
  };

  const with_: With = function (ctx, fn, thisArg, ...args) {
    prepare(ctx);
    const activate = ctxToActivate;
    if (!change) return innerWith.call(this, activate, fn, thisArg, ...args);
    return runWithExactLabels(next, () => innerWith.call(this, activate, fn, thisArg, ...args));
  };
  patched.with = with_ as ContextManager["with"];

  const innerAttach = patched.attach;
  if (typeof innerAttach === "function") {
    patched.attach = function attach(this: ContextManager, ctx: Context): Disposable {
      prepare(ctx);
      const [activate, changed, labels, previous] = [ctxToActivate, change, next, currentLabels()];
      const token = innerAttach.call(this, activate);
      if (!changed) return token;
      enterExactLabels(labels);
      let disposed = false;
      const dispose = () => {
        token.dispose();
        if (disposed) return;
        disposed = true;
        enterExactLabels(previous);
      };
      const wrapped: Disposable & { [key: symbol]: unknown } = { dispose };
      // `using token = ...` where the runtime has explicit resource management.
      const disposeSymbol = (Symbol as { dispose?: symbol }).dispose;
      if (disposeSymbol) wrapped[disposeSymbol] = dispose;
      return wrapped;
    };
  }
  Object.defineProperty(patched, PATCHED, { value: true });
  return manager;
}
