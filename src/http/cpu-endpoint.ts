// /debug/pprof/profile?seconds=N: a CPU profile of the next N seconds.

import type { IncomingMessage, ServerResponse } from "node:http";
import { startCPUProfile, startSharedCPUProfile, stopCPUProfile } from "../collect/cpu.js";
import { parseSeconds } from "./params.js";
import { MemorySink, sendBody, serveError, setDownload } from "./respond.js";
import { waitOrDisconnect } from "./wait.js";
import type { ResolvedOptions } from "./options.js";

const DEFAULT_SECONDS = 30;

export async function serveCPUProfile(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, options: ResolvedOptions): Promise<void> {
  const seconds = parseSeconds(query.get("seconds"), DEFAULT_SECONDS, options.maxSeconds);
  if (!seconds.ok) return serveError(res, 400, seconds.error);
  if (options.sharedCPU) return serveShared(req, res, seconds.value);

  // The profile is written at stop; kept in memory until then so a failure
  // can still be answered with a status instead of a truncated download.
  const sink = new MemorySink();
  try {
    startCPUProfile(sink);
  } catch (err) {
    // A profile already runs (another request, or the program's own): it goes on untouched.
    return serveError(res, 500, `Could not enable CPU profiling: ${(err as Error).message}`);
  }
  const completed = await waitOrDisconnect(req, res, seconds.value * 1000);
  try {
    await stopCPUProfile();
  } catch (err) {
    return serveError(res, 500, `Could not write CPU profile: ${(err as Error).message}`);
  }
  // A client that left gets nothing; the profile is dropped with the sink.
  if (!completed) return;
  setDownload(res, "profile");
  sendBody(res, 200, sink.contents());
}

/** The profile of the next N seconds from the sampler shared with every other CPU profile running. */
async function serveShared(req: IncomingMessage, res: ServerResponse, seconds: number): Promise<void> {
  let profile;
  try {
    profile = startSharedCPUProfile();
  } catch (err) {
    return serveError(res, 500, `Could not enable CPU profiling: ${(err as Error).message}`);
  }
  if (!(await waitOrDisconnect(req, res, seconds * 1000))) {
    // A client that left gets nothing; the other profiles go on.
    profile.drop();
    return;
  }
  let body: Buffer;
  try {
    body = await profile.stop();
  } catch (err) {
    return serveError(res, 500, `Could not write CPU profile: ${(err as Error).message}`);
  }
  setDownload(res, "profile");
  sendBody(res, 200, body);
}
