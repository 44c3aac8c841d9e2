// /debug/pprof/delta_heap, delta_mutex, delta_block: godeltaprof's paths,
// which Grafana Alloy's pyroscope.scrape can ask for. Each answers what
// changed since that path's previous request to the same handler (the first
// request: everything so far), computed here on the profile's samples before
// encoding: alloc_*, contentions and delay are the amounts added since, inuse_*
// the values of now.

import type { IncomingMessage, ServerResponse } from "node:http";
import { lookup } from "../registry/profile.js";
import { encodeProfileGzip } from "../profile/encode.js";
import { nowNanos } from "../profile/builder.js";
import { RunningDelta } from "../profile/running-delta.js";
import { runGC } from "../collect/heap.js";
import { parseDebug, parseGC } from "./params.js";
import { sendBody, serveError, setDownload } from "./respond.js";

/** Each path: the registry profile it follows and the indices of its cumulative sample values. */
const PATHS: Readonly<Record<string, { profile: string; cumulative: readonly number[] }>> = {
  // alloc_objects, alloc_space | inuse_objects, inuse_space
  delta_heap: { profile: "heap", cumulative: [0, 1] },
  // contentions, delay
  delta_mutex: { profile: "mutex", cumulative: [0, 1] },
  delta_block: { profile: "block", cumulative: [0, 1] },
};

export function isDeltaPath(name: string): boolean {
  return Object.hasOwn(PATHS, name);
}

/** The state of one handler's delta paths. */
export class DeltaPaths {
  readonly #state = new Map<string, { delta: RunningDelta; turn: Promise<void> }>();

  /** Requests of one path are answered in turn: each delta starts where the previous ended. */
  serve(req: IncomingMessage, res: ServerResponse, name: string, query: URLSearchParams): Promise<void> {
    const path = PATHS[name]!;
    let state = this.#state.get(name);
    if (!state) this.#state.set(name, (state = { delta: new RunningDelta(path.cumulative), turn: Promise.resolve() }));
    const s = state;
    const turn = s.turn.then(() => serveDelta(res, name, path.profile, query, s.delta));
    s.turn = turn.catch(() => undefined);
    return turn;
  }
}

async function serveDelta(res: ServerResponse, name: string, profileName: string, query: URLSearchParams, delta: RunningDelta): Promise<void> {
  if (query.get("seconds")) return serveError(res, 400, `"seconds" parameter is not supported for ${name}: it answers the change since its previous request`);
  const debug = parseDebug(query.get("debug"));
  if (!debug.ok) return serveError(res, 400, debug.error);
  if (debug.value !== 0) return serveError(res, 400, `${name} is served as pprof only (debug=0)`);
  const gc = parseGC(query.get("gc"));
  if (!gc.ok) return serveError(res, 400, gc.error);
  if (profileName === "heap" && gc.value > 0) {
    try {
      await runGC();
    } catch (err) {
      res.setHeader("X-Tsprof-Gc", `failed: ${(err as Error).message}`);
    }
  }
  const profile = lookup(profileName);
  if (!profile) return serveError(res, 404, "Unknown profile");
  let body: Buffer;
  try {
    body = await encodeProfileGzip(delta.next(await profile.collect(), nowNanos()));
  } catch (err) {
    return serveError(res, 500, `failed to collect profile: ${(err as Error).message}`);
  }
  setDownload(res, name);
  sendBody(res, 200, body);
}
