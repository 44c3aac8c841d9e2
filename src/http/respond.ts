// Writing responses the way net/http/pprof does: every answer carries
// X-Content-Type-Options: nosniff, errors are plain text marked X-Go-Pprof
// (so `go tool pprof` prints their text), downloads are attachments.

import type { ServerResponse } from "node:http";
import { Writable } from "node:stream";

export function setNoSniff(res: ServerResponse): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
}

/** Go's serveError: plain text, X-Go-Pprof: 1, no Content-Disposition, body text + "\n". */
export function serveError(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    // Part of a body went out already: a truncated download must not look complete.
    res.destroy();
    return;
  }
  if (res.destroyed) return;
  setNoSniff(res);
  res.removeHeader("Content-Disposition");
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.setHeader("X-Go-Pprof", "1");
  sendBody(res, status, text + "\n");
}

/** Ends the response with a complete body, unless the client already left. */
export function sendBody(res: ServerResponse, status: number, body: string | Uint8Array): void {
  if (res.destroyed || res.writableEnded) return;
  res.statusCode = status;
  res.setHeader("Content-Length", typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
  res.end(body);
}

/**
 * `attachment; filename="NAME"`, with characters a header cannot carry (or
 * that would end the quoted name) replaced by "_": custom profile names are
 * free-form.
 */
export function attachment(filename: string): string {
  return `attachment; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, "_")}"`;
}

/** Sets the headers of a binary download. */
export function setDownload(res: ServerResponse, filename: string, contentType = "application/octet-stream"): void {
  setNoSniff(res);
  res.setHeader("Content-Type", contentType);
  res.setHeader("Content-Disposition", attachment(filename));
}

/** A Writable keeping what is written in memory, so errors can still become a status code. */
export class MemorySink extends Writable {
  readonly #chunks: Buffer[] = [];

  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#chunks.push(typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk);
    callback();
  }

  contents(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}
