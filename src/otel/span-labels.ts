// Which labels an OpenTelemetry context gives CPU samples: the span profile
// labels read by Grafana Pyroscope (span_id, 16 hex digits; trace_id, 32)
// and the span attribute that links a span to its profile
// (pyroscope.profile.id, equal to the span_id label).
//
// "root" (the default, as Pyroscope's Go integration): samples carry the id
// of the local root span, the first span of the trace made active in this
// process, so a request's profile holds the CPU of all its child spans. It
// is found by a marker the context manager adds to the contexts it
// activates: a span made active under the marker of its own trace is a
// descendant of that root. "all": samples carry the innermost active span's
// own id, and every sampled span gets the attribute.

import { TraceFlags, trace, type Context, type Span, type SpanContext } from "@opentelemetry/api";
import type { LabelSet } from "../collect/labels.js";

export const SPAN_ID_LABEL = "span_id";
export const TRACE_ID_LABEL = "trace_id";
export const SPAN_NAME_LABEL = "span_name";
export const PROFILE_ID_ATTRIBUTE = "pyroscope.profile.id";
const SPAN_KEYS = new Set([SPAN_ID_LABEL, TRACE_ID_LABEL, SPAN_NAME_LABEL]);

export interface SpanProfileOptions {
  /** "root" (default): samples carry the local root span's id; "all": the innermost active span's. */
  spans?: "root" | "all";
  /** Also label samples with trace_id (default true). */
  traceId?: boolean;
  /** Also label samples with span_name, the labelled span's name (default false; a series label in Pyroscope). */
  spanName?: boolean;
}

/**
 * What a labelled span gives the samples taken while it is active. The
 * context manager keeps it in the contexts it activates (SpanLabeller.marker), so
 * what runs inside (child spans too) finds it without a lookup.
 */
export interface SpanInfo {
  spanId: string;
  traceId: string;
  /** undefined: nothing (the span is not sampled). */
  labels: LabelSet | undefined;
  /** The last label set these labels replaced the span labels of, and the result: most entries repeat it. */
  base?: LabelSet;
  replaced?: LabelSet | undefined;
}

type Marked = Context & { [key: symbol]: { ctx: Context; info: SpanInfo } | undefined };

export class SpanLabeller {
  private readonly all: boolean;
  private readonly traceId: boolean;
  private readonly spanName: boolean;
  /** The context key of the labelled span's SpanInfo (each manager its own). */
  private readonly marker = Symbol("tsprof span profiles: labelled span");
  /** On a context entered with a span to label: the context activated in its place. */
  private readonly marked = Symbol("tsprof span profiles: marked context");
  /** The context to activate, as left by the last infoOf call (the given one, or a copy carrying the marker). */
  context: Context | undefined;

  constructor(options: SpanProfileOptions = {}) {
    if (options === null || typeof options !== "object") throw new TypeError(`spanProfiles: options must be an object, got ${String(options)}`);
    const { spans = "root", traceId = true, spanName = false } = options;
    if (spans !== "root" && spans !== "all") throw new TypeError(`spanProfiles: spans must be "root" or "all", got ${JSON.stringify(spans)}`);
    if (typeof traceId !== "boolean") throw new TypeError(`spanProfiles: traceId must be a boolean, got ${JSON.stringify(traceId)}`);
    if (typeof spanName !== "boolean") throw new TypeError(`spanProfiles: spanName must be a boolean, got ${JSON.stringify(spanName)}`);
    this.all = spans === "all";
    this.traceId = traceId;
    this.spanName = spanName;
  }

  /**
   * What the span of ctx gives the samples taken while ctx is active
   * (undefined: no span of this process); sets this.context to the
   * context to activate in its place.
   */
  infoOf(ctx: Context): SpanInfo | undefined {
    this.context = ctx;
    const span = trace.getSpan(ctx);
    if (!span) return undefined;
    const sc = span.spanContext();
    // A remote parent (a propagated context) is another process's span.
    if (sc.isRemote) return undefined;
    const marker = ctx.getValue(this.marker) as SpanInfo | undefined;
    if (marker && marker.traceId === sc.traceId) {
      // The labelled span itself, or ("root") a span made active under its local root.
      if (marker.spanId === sc.spanId || !this.all) return marker;
    }
    // A local root ("root"), or any span ("all"), made active in this context for the first time.
    let entry = (ctx as Marked)[this.marked];
    if (!entry) {
      const info = this.own(span, sc);
      entry = { ctx: ctx.setValue(this.marker, info), info };
      // Kept on the context itself, not in a WeakMap: a WeakMap entry per
      // request tripled this path's cost (the garbage collector's work on
      // weak entries). Invisible to OpenTelemetry, which reads values
      // through getValue. A context that cannot take it is marked again on
      // each entry.
      if (Object.isExtensible(ctx)) Object.defineProperty(ctx, this.marked, { value: entry });
    }
    this.context = entry.ctx;
    return entry.info;
  }

  /** A span's own labels, and the profile id attribute on it if sampled. */
  private own(span: Span, sc: SpanContext): SpanInfo {
    if ((sc.traceFlags & TraceFlags.SAMPLED) === 0) return { spanId: sc.spanId, traceId: sc.traceId, labels: undefined };
    // Built in key order (span_id < span_name < trace_id), as a LabelSet is.
    const set: Record<string, string> = { [SPAN_ID_LABEL]: sc.spanId };
    const name = (span as { name?: unknown }).name;
    if (this.spanName && typeof name === "string" && name !== "") set[SPAN_NAME_LABEL] = name;
    if (this.traceId) set[TRACE_ID_LABEL] = sc.traceId;
    if (span.isRecording()) span.setAttribute(PROFILE_ID_ATTRIBUTE, sc.spanId);
    return { spanId: sc.spanId, traceId: sc.traceId, labels: Object.freeze(set) };
  }

  /** Whether current already carries exactly these span labels. */
  static same(current: LabelSet | undefined, span: LabelSet | undefined): boolean {
    return current?.[SPAN_ID_LABEL] === span?.[SPAN_ID_LABEL];
  }

  /** current with its span labels replaced by info's (undefined: no label left). */
  static replace(current: LabelSet | undefined, info: SpanInfo | undefined): LabelSet | undefined {
    const span = info?.labels;
    if (!current) return span;
    if (info && info.base === current) return info.replaced;
    const result = merged(current, span);
    if (info) {
      info.base = current;
      info.replaced = result;
    }
    return result;
  }
}

/** current without its span keys, plus span's; both sets are in key order, merged in one pass. */
function merged(current: LabelSet, span: LabelSet | undefined): LabelSet | undefined {
  const rest = Object.keys(current).filter((key) => !SPAN_KEYS.has(key));
  if (rest.length === 0) return span;
  const spanKeys = span ? Object.keys(span) : [];
  const out: Record<string, string> = {};
  let i = 0, j = 0;
  while (i < rest.length || j < spanKeys.length) {
    if (j === spanKeys.length || (i < rest.length && rest[i]! < spanKeys[j]!)) out[rest[i]!] = current[rest[i++]!]!;
    else out[spanKeys[j]!] = span![spanKeys[j++]!]!;
  }
  return Object.freeze(out);
}
