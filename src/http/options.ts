// Options shared by handler(), the Fastify plugin and listen().

import type { IncomingMessage } from "node:http";

export interface HandlerOptions {
  /**
   * Called first for every request; a false answer (or a throw, or a
   * rejection) gets 403 before anything is collected. Default: allow all.
   */
  authorize?: (req: IncomingMessage) => boolean | Promise<boolean>;
  /**
   * The longest `seconds` accepted by /profile, /trace and delta profiles;
   * a larger value gets 400. Default 3600.
   */
  maxSeconds?: number;
  /** The node:trace_events categories /trace records. Default: DEFAULT_TRACE_CATEGORIES. */
  traceCategories?: readonly string[];
  /**
   * true (the default): a /profile request while another CPU profile runs
   * (another scraper's, the program's own startCPUProfile) shares the
   * running sampler and gets the samples of its own seconds.
   * false: Go's net/http/pprof, where it gets 500 "cpu profiling already in use".
   */
  sharedCPU?: boolean;
}

export const DEFAULT_MAX_SECONDS = 3600;

/**
 * The event loop's phases (node.environment), every callback it ran with its
 * resource type (node.async_hooks), garbage collections (v8), user timing
 * marks and measures (node.perf), synchronous file system calls
 * (node.fs.sync), and HTTP, socket and DNS activity.
 */
export const DEFAULT_TRACE_CATEGORIES: readonly string[] = Object.freeze([
  "node.environment",
  "node.async_hooks",
  "v8",
  "node.perf",
  "node.fs.sync",
  "node.http",
  "node.net.native",
  "node.dns.native",
]);

export interface ResolvedOptions {
  authorize: HandlerOptions["authorize"];
  maxSeconds: number;
  traceCategories: readonly string[];
  sharedCPU: boolean;
}

export function resolveOptions(options: HandlerOptions = {}): ResolvedOptions {
  const maxSeconds = options.maxSeconds ?? DEFAULT_MAX_SECONDS;
  if (typeof maxSeconds !== "number" || !(maxSeconds > 0) || !Number.isFinite(maxSeconds)) {
    throw new RangeError(`tsprof/http: maxSeconds must be a positive number, got ${String(options.maxSeconds)}`);
  }
  if (options.authorize !== undefined && typeof options.authorize !== "function") {
    throw new TypeError("tsprof/http: authorize must be a function");
  }
  const traceCategories = options.traceCategories ?? DEFAULT_TRACE_CATEGORIES;
  if (!Array.isArray(traceCategories) || traceCategories.length === 0 || traceCategories.some((c) => typeof c !== "string" || c === "")) {
    throw new TypeError("tsprof/http: traceCategories must be a non-empty array of category names");
  }
  const sharedCPU = options.sharedCPU ?? true;
  if (typeof sharedCPU !== "boolean") throw new TypeError("tsprof/http: sharedCPU must be a boolean");
  return { authorize: options.authorize, maxSeconds, traceCategories, sharedCPU };
}
