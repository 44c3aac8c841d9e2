// 1,000 bad, refused and aborted requests leave nothing behind: the process's
// active handles and its heap stay where they were.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { isDeepStrictEqual } from "node:util";
import { request, type IncomingMessage, type ServerResponse } from "node:http";
import { handler } from "../../src/http/index.ts";
import { runGC } from "../../src/collect/heap.ts";
import { serve, get } from "./helpers.ts";

const served = await serve(handler({ authorize: (req) => req.headers["x-deny"] === undefined }));
// Every response the server created, weakly: after the requests, each must be collectable.
const responses: { path: string; ref: WeakRef<ServerResponse> }[] = [];
served.server.on("request", (req: IncomingMessage, res: ServerResponse) => responses.push({ path: `${req.method} ${req.url}`, ref: new WeakRef(res) }));
after(() => served.close());
const P = "/debug/pprof";

const BAD = [
  `${P}/profile?seconds=abc`,
  `${P}/profile?seconds=-1`,
  `${P}/trace?seconds=x`,
  `${P}/heap?debug=7`,
  `${P}/heap?gc=no`,
  `${P}/heap?seconds=0`,
  `${P}/nosuchprofile`,
  `${P}/nosuch/nested?debug=1`,
];
// Every twentieth request is aborted mid-way: mostly CPU profiles, some traces and heap deltas.
const ABORTED = [...Array(6).fill(`${P}/profile?seconds=30`), ...Array(3).fill(`${P}/trace?seconds=30`), `${P}/heap?seconds=30`] as string[];

/** Sends a request and disconnects once the server has started on it. */
async function aborted(path: string): Promise<void> {
  const serverSide = once(served.server, "request") as Promise<[IncomingMessage, ServerResponse]>;
  const client = request({ host: "127.0.0.1", port: served.port, path, agent: false });
  client.on("error", () => {});
  client.end();
  const [, res] = await serverSide;
  // Let the handler reach its wait (it starts within the request's own microtasks and one inspector round trip).
  await new Promise((r) => setTimeout(r, 2));
  const closed = once(res, "close");
  client.destroy();
  await closed;
}

async function round(i: number): Promise<void> {
  if (i % 20 === 19) return aborted(ABORTED[Math.floor(i / 20) % ABORTED.length]!);
  switch (i % 3) {
    case 0:
      return void (await get(served.port, BAD[i % BAD.length]!));
    case 1:
      return void (await get(served.port, `${P}/profile`, { method: i % 2 ? "PUT" : "GET", headers: { "x-deny": "1" } }));
    default:
      return void (await get(served.port, `${P}/heap`, { method: "DELETE" }));
  }
}

function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

const alive = () => responses.filter((r) => r.ref.deref() !== undefined);

/**
 * Waits until the handles are back to `expected` and every response can be
 * collected (or 20 s went by): an aborted profile finishes stopping
 * asynchronously (the CPU profiler waits for worker threads to answer), and
 * sockets close on later turns.
 */
async function settle(expected?: Record<string, number>): Promise<void> {
  const deadline = Date.now() + 20_000;
  do {
    await new Promise((r) => setTimeout(r, 100));
    await runGC();
  } while (expected && (!isDeepStrictEqual(handles(), expected) || alive().length > 0) && Date.now() < deadline);
}

function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

test("1,000 bad, refused and aborted requests: handles and memory stay flat", async (t) => {
  for (let i = 0; i < 100; i++) await round(i); // warm-up: code compiled, profiler sessions created
  await settle();
  await new Promise((r) => setTimeout(r, 1000));
  const handlesBefore = handles();
  const memoryBefore = heapBytes();
  responses.length = 0;

  const started = performance.now();
  for (let i = 0; i < 1000; i++) await round(i);
  const requestsDone = performance.now();
  await settle(handlesBefore);
  t.diagnostic(`1,000 requests in ${(requestsDone - started).toFixed(0)} ms, settled in ${(performance.now() - requestsDone).toFixed(0)} ms`);

  assert.deepEqual(handles(), handlesBefore);
  const [connections] = await new Promise<[number]>((r) => served.server.getConnections((_e, n) => r([n])));
  assert.equal(connections, 0);
  assert.equal(responses.length, 1000);
  const left = alive();
  assert.equal(left.length, 0, `${left.length} of 1,000 responses (and what they hold) are still reachable: ${[...new Set(left.map((r) => r.path))].join(", ")}`);
  // The precise check is the one above (no response, nor what it holds, is
  // kept). The heap as a whole also moves by 0.5-3.5 MB between such runs
  // (compiled code, the profilers' own state: the CPU sampler kept alive
  // between profiles, the heap sampler's records), so this bound only
  // catches a gross leak: 8 KB or more per request.
  const growth = heapBytes() - memoryBefore;
  t.diagnostic(`heap growth: ${growth} bytes`);
  assert.ok(growth < 8_000_000, `heap grew by ${growth} bytes over 1,000 requests`);
});
