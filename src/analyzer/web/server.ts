// Routes of the web UI (google/pprof's layout): "/" → 307 "/ui/", "/ui/" →
// the flame graph, "/ui/{top,graph,flamegraph,stacks,peek,source,diff}", and
// "/ui/download" (the profile as pprof). When bound to loopback, requests from
// other addresses get 403. A bad regexp or sample index is the page's error
// (400), never the server's.

import type { IncomingMessage, ServerResponse } from "node:http";
import { encodeProfileGzip } from "../../profile/encode.js";
import type { ProfileData } from "../../profile/model.js";
import { GraphRenderError } from "../svg/index.js";
import { ReportError } from "../report/index.js";
import { FilterError } from "../filter/index.js";
import { page, type ViewName } from "./page.js";
import type { View, WebState } from "./state.js";
import { diffView, flameNodeData, flameView, graphView, peekView, sourceView, stacksView, topView, type ViewContent } from "./views.js";
import { escapeHTML } from "../../util/html.js";
import { baseName } from "../graph/types.js";

const views: Record<ViewName, (view: View, state: WebState) => ViewContent | Promise<ViewContent>> = {
  top: topView,
  graph: graphView,
  flamegraph: flameView,
  stacks: stacksView,
  peek: peekView,
  source: sourceView,
  diff: diffView,
};

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

export interface WebHandler {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Computes the default page ahead of its request (while the browser starts). */
  warm(): Promise<void>;
}

export function makeHandler(state: WebState, opts: { loopbackOnly: boolean; download?: (() => ProfileData) | undefined }): WebHandler {
  const m0 = state.combined.mapping[0];
  const file = m0 && m0.file !== "" ? baseName(m0.file) : "";
  const sampleTypes = state.combined.sampleType.map((t) => t.type);

  // Pages depend only on their view and options: the last few are kept, so going back is instant.
  const pages = new Map<string, string>();

  async function renderPage(name: ViewName, url: URL): Promise<{ status: number; html: string }> {
    const key = name + url.search;
    const cached = pages.get(key);
    if (cached !== undefined) return { status: 200, html: cached };
    let view: View | undefined;
    let status = 200;
    let content: ViewContent;
    try {
      view = state.view(url);
      content = await views[name](view, state);
    } catch (e) {
      if (!(e instanceof ReportError) && !(e instanceof FilterError) && !(e instanceof GraphRenderError)) throw e;
      status = 400;
      content = { body: `<p class="error" id="error">${escapeHTML((e as Error).message)}</p>` };
    }
    const si = view?.sampleIndex ?? 0;
    const html = page({
      current: name,
      sampleTypes,
      sampleIndex: si,
      title: `${file ? file + " " : ""}${sampleTypes[si] ?? ""}`,
      hasBase: state.base !== undefined,
      query: view?.query ?? new URLSearchParams(url.search),
      legend: content.legend,
      body: content.body,
      extraCSS: content.extraCSS,
    });
    if (status === 200) {
      if (pages.size >= 24) pages.delete(pages.keys().next().value!);
      pages.set(key, html);
    }
    return { status, html };
  }

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (opts.loopbackOnly && !isLoopback(req.socket.remoteAddress)) return send(res, 403, "text/plain; charset=utf-8", "permission denied\n");
      if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
      const url = new URL(req.url ?? "/", "http://localhost");
      const path = url.pathname;
      if (path === "/favicon.ico") return send(res, 204, "text/plain", "");
      if (path === "/" || path === "/ui") return redirect(res, path === "/" ? 307 : 301, "/ui/" + url.search);
      if (path === "/ui/") return redirect(res, 301, "/ui/flamegraph" + url.search);
      if (path === "/ui/download") {
        const body = await encodeProfileGzip(opts.download ? opts.download() : state.combined);
        res.setHeader("Content-Disposition", "attachment;filename=profile.pb.gz");
        return send(res, 200, "application/vnd.google.protobuf+gzip", body);
      }
      if (path === "/ui/flamedata") {
        const node = Number(url.searchParams.get("node") ?? "");
        let json: string | undefined;
        try {
          json = flameNodeData(state.view(url), state, node);
        } catch (e) {
          if (!(e instanceof ReportError) && !(e instanceof FilterError)) throw e;
          return send(res, 400, "text/plain; charset=utf-8", `${(e as Error).message}\n`);
        }
        if (json === undefined) return send(res, 404, "text/plain; charset=utf-8", "no such flame graph node\n");
        return send(res, 200, "application/json", json);
      }
      const name = path.startsWith("/ui/") ? (path.slice(4) as ViewName) : undefined;
      if (!name || !Object.hasOwn(views, name) || (name === "diff" && !state.base)) return send(res, 404, "text/plain; charset=utf-8", "404 page not found\n");
      const { status, html } = await renderPage(name, url);
      send(res, status, "text/html; charset=utf-8", html);
    } catch (e) {
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", `internal error: ${(e as Error).message}\n`);
      else res.destroy();
    }
  };
  return Object.assign(handler, {
    warm: async () => {
      await renderPage("flamegraph", new URL("http://localhost/ui/flamegraph"));
    },
  });
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.statusCode = status;
  res.setHeader("Content-Type", type);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Cache-Control", "no-store");
  res.end(body);
}

function redirect(res: ServerResponse, status: number, location: string): void {
  res.statusCode = status;
  res.setHeader("Location", location);
  res.end();
}
