// One upload to Pyroscope's POST /ingest: the query names the series and the
// window (name=APP{tags}, from and until in Unix seconds, spyName, and the
// CPU profile's sampleRate), and the body is multipart/form-data with the
// gzipped pprof in the file field `profile` and, for the heap profile, a
// `sample_type_config` that tells the server its alloc_* values are the
// window's own (not running totals, which the server's defaults assume for
// Go's alloc_* types) and its inuse_* values are averaged over time.
// No `format` parameter: with format=pprof the server reads the body as a
// bare pprof and ignores the form.

import { randomBytes } from "node:crypto";

export interface IngestRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** What Pyroscope's server reads from the heap profile's sample types. */
export const HEAP_SAMPLE_TYPE_CONFIG = {
  alloc_objects: { units: "objects" },
  alloc_space: { units: "bytes" },
  inuse_objects: { units: "objects", aggregation: "average" },
  inuse_space: { units: "bytes", aggregation: "average" },
};

/** The spyName @pyroscope/nodejs sends, so the server treats the profiles as a Node.js agent's. */
export const SPY_NAME = "nodespy";

export interface IngestWindow {
  /** The user-agent header, e.g. tsprof/0.1.0. */
  userAgent: string;
  ingestUrl: URL;
  name: string;
  headers: Record<string, string>;
  /** Wall-clock bounds of the window, ns. */
  startNanos: bigint;
  endNanos: bigint;
  /** The CPU profile's rate (Hz); absent for the heap profile. */
  sampleRate?: number;
  sampleTypeConfig?: object;
  /** The gzipped pprof. */
  profile: Uint8Array;
}

function part(boundary: string, name: string, filename: string, content: Uint8Array): Buffer[] {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return [Buffer.from(head), Buffer.from(content.buffer, content.byteOffset, content.byteLength), Buffer.from("\r\n")];
}

export function ingestRequest(w: IngestWindow): IngestRequest {
  const url = new URL(w.ingestUrl);
  url.searchParams.append("from", String(w.startNanos / 1_000_000_000n));
  url.searchParams.append("name", w.name);
  url.searchParams.append("spyName", SPY_NAME);
  url.searchParams.append("until", String(w.endNanos / 1_000_000_000n));
  if (w.sampleRate !== undefined) url.searchParams.append("sampleRate", String(w.sampleRate));
  const boundary = `tsprof-${randomBytes(12).toString("hex")}`;
  const chunks = part(boundary, "profile", "profile.pprof", w.profile);
  if (w.sampleTypeConfig) chunks.push(...part(boundary, "sample_type_config", "sample_type_config.json", Buffer.from(JSON.stringify(w.sampleTypeConfig))));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    url: url.href,
    headers: { ...w.headers, "content-type": `multipart/form-data; boundary=${boundary}`, "user-agent": w.userAgent },
    body: Buffer.concat(chunks),
  };
}
