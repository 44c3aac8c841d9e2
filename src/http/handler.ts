// handler(options): one (req, res) function serving every path under
// /debug/pprof/, whether it receives full paths (node:http, Fastify) or
// paths with the mount point stripped (Express/Connect `app.use(prefix, h)`).

import type { IncomingMessage, ServerResponse } from "node:http";
import { resolveOptions, type HandlerOptions, type ResolvedOptions } from "./options.js";
import { sendBody, serveError, setNoSniff } from "./respond.js";
import { indexPage } from "./index-page.js";
import { serveCPUProfile } from "./cpu-endpoint.js";
import { serveNamedProfile } from "./named.js";
import { serveTrace } from "./trace.js";
import { serveCmdline, serveSymbol } from "./cmdline.js";
import { DeltaPaths, isDeltaPath } from "./delta-paths.js";

export const PREFIX = "/debug/pprof";

export type PprofHandler = (req: IncomingMessage, res: ServerResponse, next?: unknown) => Promise<void>;

/**
 * The predefined profiles (heap, goroutine, ...) are registered when the
 * first handler is made, not when tsprof/http is imported: a program that
 * imports it only for the request labels starts no collector.
 */
let predefined: Promise<void> | undefined;
function registerPredefinedProfiles(): Promise<void> {
  predefined ??= import("../registry/predefined.js").then(
    () => undefined,
    (err: Error) => process.emitWarning(`tsprof/http: the predefined profiles could not be registered: ${err.message}`),
  );
  return predefined;
}

/**
 * The request being served on each connection. Node hands over pipelined
 * requests while an earlier one on the same connection is still being
 * answered; Go's server reads the next only after answering. Waiting for the
 * earlier one serves them in turn as Go does, so two pipelined
 * /profile?seconds=N requests both get a profile instead of 200 then 500.
 */
const servingOnConnection = new WeakMap<object, Promise<void>>();

export function handler(options: HandlerOptions = {}): PprofHandler {
  const resolved = resolveOptions(options);
  // Each handler answers its delta_* paths with the change since its own previous answer.
  const deltas = new DeltaPaths();
  void registerPredefinedProfiles();
  return function pprofHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket as object | undefined;
    const earlier = socket ? servingOnConnection.get(socket) : undefined;
    const serving = (earlier ? earlier.then(() => serve(req, res, resolved, deltas)) : serve(req, res, resolved, deltas));
    if (socket) {
      servingOnConnection.set(socket, serving);
      void serving.then(() => {
        if (servingOnConnection.get(socket) === serving) servingOnConnection.delete(socket);
      });
    }
    return serving;
  };
}

/** Never rejects: an unhandled rejection would reach the host; the request fails alone. */
async function serve(req: IncomingMessage, res: ServerResponse, resolved: ResolvedOptions, deltas: DeltaPaths): Promise<void> {
  try {
    if (!(await authorized(resolved.authorize, req))) return serveError(res, 403, "Forbidden");
    await registerPredefinedProfiles();
    await route(req, res, resolved, deltas);
  } catch (err) {
    serveError(res, 500, `internal error: ${(err as Error)?.message ?? String(err)}`);
  }
}

async function authorized(authorize: ((req: IncomingMessage) => boolean | Promise<boolean>) | undefined, req: IncomingMessage): Promise<boolean> {
  if (!authorize) return true;
  try {
    return (await authorize(req)) === true;
  } catch {
    return false; // Fail closed.
  }
}

async function route(req: IncomingMessage, res: ServerResponse, options: ResolvedOptions, deltas: DeltaPaths): Promise<void> {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));

  let path = rawPath;
  if (path === PREFIX) return redirect(res, PREFIX + "/" + (q < 0 ? "" : url.slice(q)));
  if (path.startsWith(PREFIX + "/")) path = path.slice(PREFIX.length);
  if (!path.startsWith("/")) return serveError(res, 404, "Unknown profile");
  let name: string;
  try {
    name = decodeURIComponent(path.slice(1));
  } catch {
    return serveError(res, 400, "malformed URL path");
  }

  const method = req.method ?? "GET";
  const allowed = name === "symbol" ? ["GET", "HEAD", "POST"] : ["GET", "HEAD"];
  if (!allowed.includes(method)) {
    res.setHeader("Allow", allowed.join(", "));
    return serveError(res, 405, "Method Not Allowed");
  }

  switch (name) {
    case "": {
      // Mounted at a prefix and asked without the final slash: the index's relative links need it.
      const original = (req as { originalUrl?: string }).originalUrl;
      const originalPath = original?.split("?", 1)[0];
      if (originalPath && !originalPath.endsWith("/")) return redirect(res, originalPath + "/" + (q < 0 ? "" : url.slice(q)));
      setNoSniff(res);
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      return sendBody(res, 200, indexPage());
    }
    case "profile":
      return serveCPUProfile(req, res, query, options);
    case "trace":
      return serveTrace(req, res, query, options);
    case "cmdline":
      return serveCmdline(res);
    case "symbol":
      return serveSymbol(res);
    default:
      if (isDeltaPath(name)) return deltas.serve(req, res, name, query);
      return serveNamedProfile(req, res, name, query, options);
  }
}

function redirect(res: ServerResponse, location: string): void {
  setNoSniff(res);
  res.setHeader("Location", location);
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  sendBody(res, 301, `Moved Permanently: ${location}\n`);
}
