// Reading a SOURCE: a local file (pprof, gzipped or not; V8 .cpuprofile or
// .heapprofile JSON; a legacy text or gperftools CPU profile) or an http(s) URL of a /debug/pprof/ endpoint, as
// `go tool pprof` fetches it (-seconds, -timeout).

import { readFile } from "node:fs/promises";
import { ProfileParseError, decodeProfile } from "../../profile/decode.js";
import { decodeLimits } from "../../profile/decode-limits.js";
import { demangleFunctionNames } from "./demangle.js";
import type { ProfileData } from "../../profile/model.js";
import { SourceError } from "./errors.js";
import { looksLikeJSON, v8ProfileData } from "./v8.js";
import { parseLegacyProfile } from "./legacy.js";

export interface FetchOptions {
  /** -seconds: duration of a CPU or delta profile; -1 = unset. */
  seconds: number;
  /** -timeout in seconds; -1 = unset. */
  timeout: number;
  /** Progress messages (stderr). */
  note?: (message: string) => void;
}

/** Parses profile bytes of any supported format. */
export function parseProfileBytes(data: Uint8Array): ProfileData {
  if (looksLikeJSON(data)) return v8ProfileData(data);
  try {
    return demangleFunctionNames(decodeProfile(data));
  } catch (err) {
    if (err instanceof ProfileParseError) return demangleFunctionNames(legacyProfile(data, err));
    if (err instanceof Error) throw new SourceError(`parsing profile: ${err.message}`);
    throw err;
  }
}

/**
 * Not a protobuf: a legacy profile, as go tool pprof tries next. A text that
 * is none gets one clear message; other bytes keep the protobuf's error.
 */
function legacyProfile(data: Uint8Array, protobufError: ProfileParseError): ProfileData {
  const r = parseLegacyProfile(data);
  if ("profile" in r) return r.profile;
  if (r.unrecognized === "text") throw new SourceError("parsing profile: unrecognized profile format: not a pprof protobuf, V8 JSON or legacy text profile");
  throw new SourceError(protobufError.message);
}

/** Whether `source` names a URL (scheme://, or host:port/… as go tool pprof reads it). */
export function isURL(source: string): boolean {
  return /^https?:\/\//.test(source) || /^https\+insecure:\/\//.test(source) || /^[\w.-]+:\d+(\/|$)/.test(source);
}

export async function fetchSource(source: string, opts: FetchOptions): Promise<ProfileData> {
  if (isURL(source)) return fetchURL(source, opts);
  let data: Buffer;
  try {
    data = await readFile(source);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "ENOENT" ? "no such file or directory" : e.code === "EISDIR" ? "is a directory" : e.code === "EACCES" ? "permission denied" : e.message;
    throw new SourceError(`open ${source}: ${why}`);
  }
  return parseProfileBytes(data);
}

/** The URL fetched and the overall timeout (ms), as go tool pprof computes them. */
export function profileURL(source: string, seconds: number, timeout: number): { url: URL; timeoutMs: number } {
  let s = source;
  let insecure = false;
  if (s.startsWith("https+insecure://")) {
    s = "https://" + s.slice("https+insecure://".length);
    insecure = true;
  } else if (!/^https?:\/\//.test(s)) {
    s = "http://" + s;
  }
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new SourceError(`invalid URL ${source}`);
  }
  if (insecure) url.searchParams.set("__insecure", "1");
  if (url.pathname === "" || url.pathname === "/") url.pathname = "/debug/pprof/profile";
  let duration = 0;
  if (seconds >= 0) {
    url.searchParams.set("seconds", String(seconds));
    duration = seconds;
  } else {
    const q = Number(url.searchParams.get("seconds"));
    if (Number.isFinite(q) && q > 0) duration = q;
  }
  let t = timeout;
  if (t <= 0) t = duration > 0 ? duration + Math.max(duration / 2, 0) : 60;
  if (duration > 0 && t < duration) t = duration;
  // Go's HTTP client adds 5 s to the timeout for the connection itself.
  return { url, timeoutMs: (t + 5) * 1000 };
}

async function fetchURL(source: string, opts: FetchOptions): Promise<ProfileData> {
  const { url, timeoutMs } = profileURL(source, opts.seconds, opts.timeout);
  const insecure = url.searchParams.has("__insecure");
  url.searchParams.delete("__insecure");
  const seconds = Number(url.searchParams.get("seconds") ?? 0);
  opts.note?.(`Fetching profile over HTTP from ${url.href}`);
  if (seconds > 0) opts.note?.(`Please wait... (${seconds}s)`);
  const body = await httpGet(url, timeoutMs, insecure);
  return parseProfileBytes(body);
}

async function httpGet(url: URL, timeoutMs: number, insecure: boolean): Promise<Buffer> {
  const mod = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  return new Promise<Buffer>((resolve, reject) => {
    const req = mod.get(url, { agent: false, timeout: timeoutMs, ...(insecure ? { rejectUnauthorized: false } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        // A server that never stops sending: as large as a profile may inflate to, then an error.
        if (size > decodeLimits.inflatedBytes) {
          req.destroy();
          reject(new SourceError(`http fetch: response larger than ${decodeLimits.inflatedBytes >> 20} MB (tsprof's limit)`));
          return;
        }
        chunks.push(c);
      });
      res.on("error", (err) => reject(new SourceError(`http fetch: ${err.message}`)));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode !== 200) {
          let msg = `server response: ${res.statusCode} ${res.statusMessage ?? ""}`.trimEnd();
          const text = body.toString("utf8").trim();
          if (text !== "" && /^text\/plain/.test(String(res.headers["content-type"] ?? "")) && text.length < 500) msg += ` - ${text.split("\n")[0]}`;
          reject(new SourceError(msg));
          return;
        }
        resolve(body);
      });
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${Math.round(timeoutMs / 1000)}s`)));
    req.on("error", (err) => reject(new SourceError(`http fetch: ${err.message || (err as NodeJS.ErrnoException).code || "connection failed"}`)));
  });
}
