// /debug/pprof/trace?seconds=N: a trace of the event loop, from Node.js's
// own trace events (the inspector's NodeTracing domain, the same source as
// `node --trace-event-categories`), as Chrome trace event JSON that Perfetto
// and chrome://tracing open. It is not Go's execution trace: it holds what
// the chosen categories record (see DEFAULT_TRACE_CATEGORIES).

import type { IncomingMessage, ServerResponse } from "node:http";
import { Session } from "node:inspector";
import { parseFractionalSeconds } from "./params.js";
import { sendBody, serveError, setDownload } from "./respond.js";
import { waitOrDisconnect } from "./wait.js";
import type { ResolvedOptions } from "./options.js";

const DEFAULT_SECONDS = 1;
/** How long to wait for the tracing agent to hand over its buffers after stop. */
const FLUSH_TIMEOUT_MS = 10_000;

let tracing = false;

export async function serveTrace(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, options: ResolvedOptions): Promise<void> {
  const seconds = parseFractionalSeconds(query.get("seconds"), DEFAULT_SECONDS, options.maxSeconds);
  if (!seconds.ok) return serveError(res, 400, seconds.error);
  if (tracing) return serveError(res, 500, "Could not enable tracing: tracing already in use");

  tracing = true;
  const session = new Session();
  const events: unknown[] = [];
  try {
    session.connect();
    session.on("NodeTracing.dataCollected", (message: { params: { value: unknown[] } }) => {
      for (const e of message.params.value) events.push(e);
    });
    try {
      await post(session, "NodeTracing.start", { traceConfig: { recordMode: "recordAsMuchAsPossible", includedCategories: [...options.traceCategories] } });
    } catch (err) {
      return serveError(res, 500, `Could not enable tracing: ${(err as Error).message}`);
    }
    const completed = await waitOrDisconnect(req, res, seconds.value * 1000);
    const flushed = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), FLUSH_TIMEOUT_MS);
      session.once("NodeTracing.tracingComplete", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    try {
      await post(session, "NodeTracing.stop");
    } catch (err) {
      return serveError(res, 500, `Could not stop tracing: ${(err as Error).message}`);
    }
    const complete = await flushed;
    if (!completed) return;
    if (!complete) return serveError(res, 500, "Could not collect the trace: the tracing agent did not finish");
    setDownload(res, "trace.json", "application/json");
    sendBody(res, 200, JSON.stringify({ traceEvents: events, metadata: { source: "tsprof: Node.js trace events", categories: options.traceCategories } }));
  } finally {
    session.disconnect();
    tracing = false;
  }
}

function post(session: Session, method: string, params?: object): Promise<void> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err) => (err ? reject(err) : resolve())));
}
