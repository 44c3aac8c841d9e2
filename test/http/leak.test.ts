// 1,000 bad, refused and aborted requests leave nothing behind: the process's
// active handles and its heap stay where they were.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { isDeepStrictEqual } from "node:util";
import { request, type IncomingMessage, type ServerResponse } from "node:http";
import { handler } from "../../src/http/index.ts";
import { collectGarbage } from "../../src/http/gc.ts";
import { serve, get } from "./helpers.ts";

const served = await serve(handler({ authorize: (req) => req.headers["x-deny"] === undefined }));
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
// Every tenth request is aborted mid-way: mostly CPU profiles, some traces and heap deltas.
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
  if (i % 10 === 9) return aborted(ABORTED[Math.floor(i / 10) % ABORTED.length]!);
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

/**
 * Waits until the handles are back to `expected` (or 20 s went by): an
 * aborted profile finishes stopping asynchronously (the CPU profiler may wait
 * for worker threads to answer), and sockets close on later turns.
 */
async function settle(expected?: Record<string, number>): Promise<void> {
  const deadline = Date.now() + 20_000;
  do await new Promise((r) => setTimeout(r, 100));
  while (expected && !isDeepStrictEqual(handles(), expected) && Date.now() < deadline);
  collectGarbage();
}

function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

test("1,000 bad, refused and aborted requests: handles and memory stay flat", async () => {
  for (let i = 0; i < 100; i++) await round(i); // warm-up: code compiled, profiler sessions created
  await settle();
  await new Promise((r) => setTimeout(r, 1000));
  const handlesBefore = handles();
  const memoryBefore = heapBytes();

  for (let i = 0; i < 1000; i++) await round(i);
  await settle(handlesBefore);

  assert.deepEqual(handles(), handlesBefore);
  const [connections] = await new Promise<[number]>((r) => served.server.getConnections((_e, n) => r([n])));
  assert.equal(connections, 0);
  const growth = heapBytes() - memoryBefore;
  // A leak of one response, sink or profile per request would be far more than 1 KB each.
  assert.ok(growth < 1_000_000, `heap grew by ${growth} bytes over 1,000 requests`);
});
