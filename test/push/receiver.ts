// A loopback stand-in for Pyroscope's /ingest: records every request
// (method, path, query, headers, body, multipart parts) and answers with the
// status the test sets (or drops the connection, as a server that is down).

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  body: Buffer;
}

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: Buffer;
  /** The multipart parts, when the body is multipart/form-data. */
  parts?: Part[];
  at: number;
}

export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!m) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const headEnd = body.indexOf("\r\n\r\n", start);
    const next = body.indexOf(delimiter, headEnd);
    const head = body.subarray(start + 2, headEnd).toString();
    const content = body.subarray(headEnd + 4, next - 2);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(head)?.[1] ?? "";
    parts.push({
      name: /\bname="([^"]*)"/.exec(disposition)?.[1] ?? "",
      filename: /\bfilename="([^"]*)"/.exec(disposition)?.[1],
      contentType: /content-type:\s*([^\r\n]*)/i.exec(head)?.[1]?.trim(),
      body: Buffer.from(content),
    });
    pos = next;
  }
  return parts;
}

export class Receiver {
  readonly received: Received[] = [];
  /** The status answered; "down" destroys each connection without an answer; "hang" reads the request and never answers. */
  mode: number | "down" | "hang" = 200;
  private server: Server | undefined;
  private waiters: { n: number; resolve: () => void }[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      if (this.mode === "down") {
        req.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (this.mode === "hang") return;
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? "/", "http://x");
        const ct = req.headers["content-type"] ?? "";
        this.received.push({
          method: req.method ?? "",
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          parts: ct.startsWith("multipart/form-data") ? parseMultipart(body, ct) : undefined,
          at: Date.now(),
        });
        res.statusCode = this.mode as number;
        res.end();
        for (const w of this.waiters.filter((w) => this.received.length >= w.n)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once n requests in all were received. */
  waitFor(n: number): Promise<void> {
    if (this.received.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
