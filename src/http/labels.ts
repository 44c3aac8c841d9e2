// Per-request profiler labels for HTTP servers: every CPU sample taken while
// a request is handled carries its method and route, so
// `go tool pprof -tagfocus route=/checkout` shows that route alone.

import type { IncomingMessage, ServerResponse } from "node:http";
import { labels, runWithLabels, type LabelSet } from "../collect/labels.js";

export interface RequestLabelOptions {
  /**
   * The route label of a request. Default: the path without its query, with
   * segments that look like identifiers (numbers, UUIDs, long hex) replaced
   * by `:id`, so the label's cardinality stays bounded.
   */
  route?: (req: IncomingMessage) => string;
  /** More labels for a request (tenant, API version, ...). */
  extra?: (req: IncomingMessage) => Record<string, string> | undefined;
}

const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i;

/** `/users/42/orders?x=1` → `/users/:id/orders`. */
export function defaultRoute(url: string | undefined): string {
  const path = (url ?? "/").split("?", 1)[0]!;
  return path
    .split("/")
    .map((segment) => (ID_SEGMENT.test(segment) ? ":id" : segment))
    .join("/");
}

/** Label sets by method and route: routes are few, requests many, and a set is immutable. */
const cache = new Map<string, LabelSet>();
const CACHE_LIMIT = 10_000;

function requestLabels(req: IncomingMessage, options: RequestLabelOptions): LabelSet {
  const route = options.route ? options.route(req) : defaultRoute((req as { originalUrl?: string }).originalUrl ?? req.url);
  const method = req.method ?? "";
  const extra = options.extra?.(req);
  if (!extra) {
    const key = `${method} ${route}`;
    let set = cache.get(key);
    if (!set) {
      set = labels("method", method, "route", route);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, set);
    }
    return set;
  }
  const pairs = ["method", method, "route", route];
  for (const key in extra) pairs.push(key, extra[key]!);
  return labels(...pairs);
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Wraps a node:http request handler: `http.createServer(withRequestLabels(handler))`. */
export function withRequestLabels<H extends Handler>(handler: H, options: RequestLabelOptions = {}): H {
  return function labelled(this: unknown, req: IncomingMessage, res: ServerResponse) {
    return runWithLabels(requestLabels(req, options), () => handler.call(this, req, res));
  } as H;
}

/** Express/Connect middleware: `app.use(labelRequests())`, before the routes. */
export function labelRequests(options: RequestLabelOptions = {}) {
  return function labelRequest(req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void): void {
    runWithLabels(requestLabels(req, options), () => next());
  };
}

interface FastifyLike {
  addHook(
    name: "onRequest",
    hook: (request: { raw: IncomingMessage; routeOptions?: { url?: string } }, reply: unknown, done: () => void) => void,
  ): unknown;
}

/**
 * Fastify plugin: `app.register(fastifyRequestLabels)`, labelling with the
 * route pattern Fastify matched (`/users/:id`) unless `route` is given.
 */
export function fastifyRequestLabels(fastify: FastifyLike, options: RequestLabelOptions, done: () => void): void {
  fastify.addHook("onRequest", (request, _reply, next) => {
    const pattern = request.routeOptions?.url;
    const opts = options.route || !pattern ? options : { ...options, route: () => pattern };
    runWithLabels(requestLabels(request.raw, opts), next);
  });
  done();
}
// Fastify applies a plugin's hooks to the whole app only when it is not encapsulated.
(fastifyRequestLabels as unknown as Record<symbol, boolean>)[Symbol.for("skip-override")] = true;
