// /debug/pprof/profile with sharedCPU: false (Go's net/http/pprof): a CPU
// profile over HTTP, one at a time (Go's 500 for the second, the first
// undisturbed), and a client that leaves stops it. The shared default is
// tested in scrape.test.ts.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { request, type IncomingMessage, type ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import { handler } from "../../src/http/index.ts";
import { startCPUProfile, stopCPUProfile } from "../../src/collect/cpu.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { MemorySink } from "../../src/http/respond.ts";
import { serve, get } from "./helpers.ts";
import { turnOffInlining } from "../helpers/no-inlining.ts";

// spinInSlices' loop calls endpointSpin: inlined into that loop, it would
// have its samples charged to the slice (see the helper).
turnOffInlining();

const served = await serve(handler({ sharedCPU: false }));
after(() => served.close());
const P = "/debug/pprof";

export function endpointSpin(): number {
  let acc = 0;
  for (let i = 0; i < 200_000; i++) acc += Math.sqrt(i) * (i & 7);
  return acc;
}

/** Keeps endpointSpin busy in 5 ms slices until stopped, leaving the event loop free in between. */
function spinInSlices(): () => void {
  let running = true;
  let sink = 0;
  const slice = () => {
    if (!running) return;
    const end = performance.now() + 5;
    while (performance.now() < end) sink += endpointSpin();
    setTimeout(slice, 1);
  };
  slice();
  return () => {
    running = false;
    if (sink === -1) console.log(sink);
  };
}

test("/profile?seconds=1: a pprof CPU profile of the next second, showing the work done", async () => {
  // Code V8 optimized while its loop ran (on-stack replacement) before its
  // profiler started is unknown to the profiler, which charges its samples
  // to the caller (docs/cpu.md, Caveats). A profile started and stopped first
  // leaves the sampler running (the keep-alive), so the code the spinning
  // gets is known to the request's profile, which takes that sampler over.
  startCPUProfile(new MemorySink());
  await stopCPUProfile();
  const stop = spinInSlices();
  const r = await get(served.port, `${P}/profile?seconds=1`).finally(stop);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers["content-type"], "application/octet-stream");
  assert.equal(r.headers["content-disposition"], 'attachment; filename="profile"');
  assert.equal(r.headers["x-content-type-options"], "nosniff");
  const p = decodeProfile(gunzipSync(r.body));
  assert.deepEqual(p.sampleType.map((s) => `${s.type}/${s.unit}`), ["samples/count", "wall/nanoseconds", "cpu/nanoseconds"]);
  assert.ok(p.durationNanos >= 0.95e9 && p.durationNanos < 3e9, `duration ${p.durationNanos}`);
  const leaves = new Map<string, number>();
  for (const s of p.sample) {
    const name = s.location[0]?.line[0]?.function.name ?? "";
    leaves.set(name, (leaves.get(name) ?? 0) + s.value[0]!);
  }
  const spinSamples = leaves.get("endpointSpin") ?? 0;
  assert.ok(spinSamples > 10, `endpointSpin has ${spinSamples} samples; samples by leaf: ${JSON.stringify([...leaves])}`);
});

test("two simultaneous CPU profile requests: one profile, one 500, and the server keeps serving", async () => {
  const arrived = once(served.server, "request");
  const first = get(served.port, `${P}/profile?seconds=1`);
  await arrived;
  await new Promise((r) => setImmediate(r));
  const second = await get(served.port, `${P}/profile?seconds=1`);
  assert.equal(second.status, 500);
  assert.equal(second.text, "Could not enable CPU profiling: cpu profiling already in use\n");
  assert.equal(second.headers["x-go-pprof"], "1");
  assert.equal(second.headers["content-disposition"], undefined);
  assert.equal((await get(served.port, `${P}/cmdline`)).status, 200, "other endpoints answer meanwhile");
  const r = await first;
  assert.equal(r.status, 200);
  assert.ok(decodeProfile(gunzipSync(r.body)).durationNanos >= 0.95e9, "the first profile ran its full second");
});

test("a profile the program itself runs is not disturbed by a request", async () => {
  const own = new MemorySink();
  startCPUProfile(own);
  try {
    const r = await get(served.port, `${P}/profile?seconds=1`);
    assert.equal(r.status, 500);
    assert.equal(r.text, "Could not enable CPU profiling: cpu profiling already in use\n");
  } finally {
    await stopCPUProfile();
  }
  assert.deepEqual(decodeProfile(gunzipSync(own.contents())).sampleType[2], { type: "cpu", unit: "nanoseconds" });
});

test("a client that disconnects stops the profile at once", async () => {
  const serverSide = once(served.server, "request") as Promise<[IncomingMessage, ServerResponse]>;
  const client = request({ host: "127.0.0.1", port: served.port, path: `${P}/profile?seconds=30`, agent: false });
  client.on("error", () => {});
  client.end();
  const [, res] = await serverSide;
  await new Promise((r) => setImmediate(r));
  // The profile runs now: a direct start is refused.
  assert.throws(() => startCPUProfile(new MemorySink()), /cpu profiling already in use/);
  const closed = once(res, "close");
  client.destroy();
  await closed;
  // The server stops it as soon as it sees the connection go: a new profile starts.
  let startedAgain = false;
  for (let i = 0; i < 100 && !startedAgain; i++) {
    try {
      startCPUProfile(new MemorySink());
      startedAgain = true;
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  assert.ok(startedAgain, "the aborted request's profile was stopped");
  await stopCPUProfile();
});

test("a server's socket idle timeout shorter than the profile is extended for it (Go 1.23 extends its write deadline)", async () => {
  const s = await serve(handler());
  s.server.setTimeout(300); // idle sockets are destroyed after 300 ms
  try {
    const r = await get(s.port, `${P}/profile?seconds=1`);
    assert.equal(r.status, 200);
    assert.ok(decodeProfile(gunzipSync(r.body)).durationNanos >= 0.95e9);
  } finally {
    await s.close();
  }
});

test("two /profile requests pipelined on one connection are served in turn, both 200 with a profile (as Go's server does)", async () => {
  const { connect } = await import("node:net");
  const socket = connect(served.port, "127.0.0.1");
  await once(socket, "connect");
  const ask = (last: boolean) => `GET ${P}/profile?seconds=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n${last ? "Connection: close\r\n" : ""}\r\n`;
  socket.write(ask(false) + ask(true));
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  await once(socket, "end");
  const responses = parseResponses(Buffer.concat(chunks));
  assert.deepEqual(responses.map((r) => r.status), [200, 200], Buffer.concat(chunks).toString("latin1").slice(0, 400));
  // Each body is a whole gzipped profile.
  for (const r of responses) assert.ok(decodeProfile(gunzipSync(r.body)).sampleType.some((t) => t.type === "cpu"));
});

/** The HTTP/1.1 responses one after another in `raw`, bodies sized or chunked. */
function parseResponses(raw: Buffer): { status: number; body: Buffer }[] {
  const out: { status: number; body: Buffer }[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const headEnd = raw.indexOf("\r\n\r\n", pos);
    assert.ok(headEnd > 0, `a response head at byte ${pos}`);
    const head = raw.subarray(pos, headEnd).toString("latin1");
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
    pos = headEnd + 4;
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const parts: Buffer[] = [];
    if (length) {
      parts.push(raw.subarray(pos, pos + Number(length[1])));
      pos += Number(length[1]);
    } else {
      assert.match(head, /\r\ntransfer-encoding: *chunked/i);
      for (;;) {
        const lineEnd = raw.indexOf("\r\n", pos);
        const size = parseInt(raw.subarray(pos, lineEnd).toString("latin1"), 16);
        pos = lineEnd + 2;
        if (size === 0) {
          pos = raw.indexOf("\r\n", pos) + 2; // no trailers
          break;
        }
        parts.push(raw.subarray(pos, pos + size));
        pos += size + 2;
      }
    }
    out.push({ status, body: Buffer.concat(parts) });
  }
  return out;
}
