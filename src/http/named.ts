// /debug/pprof/NAME: a profile of the registry (heap, allocs, goroutine,
// block, mutex, threadcreate and every custom profile), as pprof or text.

import type { IncomingMessage, ServerResponse } from "node:http";
import { lookup, type Profile } from "../registry/profile.js";
import { encodeProfileGzip } from "../profile/encode.js";
import type { ProfileData } from "../profile/model.js";
import { nowNanos } from "../profile/builder.js";
import { parseDebug, parseGC, parseSeconds } from "./params.js";
import { MemorySink, sendBody, serveError, setDownload, setNoSniff } from "./respond.js";
import { waitOrDisconnect } from "./wait.js";
import { runGC } from "../collect/heap.js";
import { DELTA_PROFILES, deltaProfile } from "./delta.js";
import type { ResolvedOptions } from "./options.js";

export async function serveNamedProfile(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  query: URLSearchParams,
  options: ResolvedOptions,
): Promise<void> {
  const profile = lookup(name);
  if (!profile) return serveError(res, 404, "Unknown profile");
  const seconds = query.get("seconds");
  if (seconds !== null && seconds !== "") return serveDelta(req, res, profile, seconds, query, options);

  const debug = parseDebug(query.get("debug"));
  if (!debug.ok) return serveError(res, 400, debug.error);
  const gc = parseGC(query.get("gc"));
  if (!gc.ok) return serveError(res, 400, gc.error);
  // As Go: only the heap profile (live objects) collects first; allocs is history anyway.
  if (name === "heap" && gc.value > 0) {
    try {
      await runGC();
    } catch (err) {
      res.setHeader("X-Tsprof-Gc", `failed: ${(err as Error).message}`);
    }
  }

  const sink = new MemorySink();
  try {
    await profile.writeTo(sink, debug.value);
  } catch (err) {
    return serveError(res, 500, `failed to collect profile: ${(err as Error).message}`);
  }
  if (debug.value !== 0) {
    setNoSniff(res);
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
  } else {
    setDownload(res, name);
  }
  sendBody(res, 200, sink.contents());
}

async function serveDelta(
  req: IncomingMessage,
  res: ServerResponse,
  profile: Profile,
  rawSeconds: string,
  query: URLSearchParams,
  options: ResolvedOptions,
): Promise<void> {
  const seconds = parseSeconds(rawSeconds, 0, options.maxSeconds);
  if (!seconds.ok) return serveError(res, 400, seconds.error);
  const name = profile.name();
  if (!DELTA_PROFILES.has(name)) return serveError(res, 400, `"seconds" parameter is not supported for this profile type`);
  const debug = parseDebug(query.get("debug"));
  if (!debug.ok) return serveError(res, 400, debug.error);
  if (debug.value !== 0) return serveError(res, 400, "seconds and debug params are incompatible");

  let before: ProfileData, after: ProfileData;
  let beforeNanos: bigint;
  try {
    before = await profile.collect();
    beforeNanos = nowNanos();
  } catch {
    return serveError(res, 500, "failed to collect profile");
  }
  // before stays referenced only by this request; a client that leaves frees it.
  if (!(await waitOrDisconnect(req, res, seconds.value * 1000))) return;
  try {
    after = await profile.collect();
  } catch {
    return serveError(res, 500, "failed to collect profile");
  }
  let body: Buffer;
  try {
    body = await encodeProfileGzip(deltaProfile(before, beforeNanos, after, nowNanos()));
  } catch {
    return serveError(res, 500, "failed to compute delta");
  }
  setDownload(res, `${name}-delta`);
  sendBody(res, 200, body);
}
