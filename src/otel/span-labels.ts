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

import { TraceFlags, createContextKey, trace, type Context, type Span, type SpanContext } from "@opentelemetry/api";
import { labels, type LabelSet } from "../collect/labels.js";

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

/** What a span gives the samples taken while it is active. */
interface SpanInfo {
  traceId: string;
  /** undefined: nothing (the span is not sampled). */
  labels: LabelSet | undefined;
}

const LOCAL_ROOT = createContextKey("tsprof span profiles: local root span");

export class SpanLabeller {
  private readonly all: boolean;
  private readonly traceId: boolean;
  private readonly spanName: boolean;
  private readonly infos = new WeakMap<Span, SpanInfo>();
  /** The last replacement computed for each label set: most calls enter the span they entered before. */
  private readonly replaced = new WeakMap<LabelSet, { span: LabelSet | undefined; result: LabelSet | undefined }>();
  /** The context to activate, as left by the last labelsOf call (the given one, or it with the local root marker). */
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
   * The span labels of the samples taken while ctx is active (undefined:
   * none); sets this.context to the context to activate in its place.
   */
  labelsOf(ctx: Context): LabelSet | undefined {
    this.context = ctx;
    const span = trace.getSpan(ctx);
    if (!span) return undefined;
    const sc = span.spanContext();
    // A remote parent (a propagated context) is another process's span.
    if (sc.isRemote) return undefined;
    let info = this.infos.get(span);
    if (this.all) {
      if (!info) this.infos.set(span, (info = this.own(span, sc)));
      return info.labels;
    }
    const marker = ctx.getValue(LOCAL_ROOT) as SpanInfo | undefined;
    if (!info) {
      info = marker && marker.traceId === sc.traceId ? marker : this.own(span, sc);
      this.infos.set(span, info);
    }
    if (marker !== info) this.context = ctx.setValue(LOCAL_ROOT, info);
    return info.labels;
  }

  /** A span's own labels, and the profile id attribute on it if sampled. */
  private own(span: Span, sc: SpanContext): SpanInfo {
    if ((sc.traceFlags & TraceFlags.SAMPLED) === 0) return { traceId: sc.traceId, labels: undefined };
    const kv = [SPAN_ID_LABEL, sc.spanId];
    if (this.traceId) kv.push(TRACE_ID_LABEL, sc.traceId);
    const name = (span as { name?: unknown }).name;
    if (this.spanName && typeof name === "string" && name !== "") kv.push(SPAN_NAME_LABEL, name);
    if (span.isRecording()) span.setAttribute(PROFILE_ID_ATTRIBUTE, sc.spanId);
    return { traceId: sc.traceId, labels: labels(...kv) };
  }

  /** Whether current already carries exactly these span labels. */
  static same(current: LabelSet | undefined, span: LabelSet | undefined): boolean {
    return current?.[SPAN_ID_LABEL] === span?.[SPAN_ID_LABEL];
  }

  /** current with its span labels replaced by span's (undefined: no label left). */
  replace(current: LabelSet | undefined, span: LabelSet | undefined): LabelSet | undefined {
    if (!current) return span;
    const memo = this.replaced.get(current);
    if (memo && memo.span === span) return memo.result;
    const kv: string[] = [];
    for (const key in current) if (!SPAN_KEYS.has(key)) kv.push(key, current[key]!);
    let result: LabelSet | undefined;
    if (kv.length === 0) result = span;
    else {
      if (span) for (const key in span) kv.push(key, span[key]!);
      result = labels(...kv);
    }
    this.replaced.set(current, { span, result });
    return result;
  }
}
