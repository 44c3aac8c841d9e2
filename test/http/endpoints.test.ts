// The /debug/pprof/ endpoints in this process: index, named profiles (text
// and pprof), delta profiles, cmdline, symbol, trace, status codes, headers
// and error texts, authorization, and mounting in node:http, Express and Fastify.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { once } from "node:events";
import express from "express";
import Fastify from "fastify";
import { handler, fastifyPprof, listen } from "../../src/http/index.ts";
import { newProfile, profiles, lookup, type Profile } from "../../src/registry/profile.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { serve, get, type Reply } from "./helpers.ts";

// A custom profile with a name that needs escaping in HTML, URLs and headers.
const custom = newProfile("tsprof.test/<conns>");
const held: object[] = [];
function openConn(): void {
  const c = {};
  held.push(c);
  custom.add(c);
}
openConn();
openConn();

const plain = await serve(handler());
after(() => plain.close());
const P = "/debug/pprof";
const customPath = `${P}/${encodeURIComponent("tsprof.test/<conns>").replace(/%2F/g, "/")}`;

function assertError(r: Reply, status: number, text: string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.text, text + "\n");
  assert.equal(r.headers["content-type"], "text/plain; charset=utf-8");
  assert.equal(r.headers["x-go-pprof"], "1");
  assert.equal(r.headers["x-content-type-options"], "nosniff");
  assert.equal(r.headers["content-disposition"], undefined);
}

test("the index lists every registered profile and the package's endpoints, with counts", async () => {
  const r = await get(plain.port, `${P}/`);
  assert.equal(r.status, 200);
  assert.equal(r.headers["content-type"], "text/html; charset=utf-8");
  assert.equal(r.headers["x-content-type-options"], "nosniff");
  const names = [...profiles().map((p) => p.name()), "cmdline", "profile", "trace"];
  for (const name of names) {
    const escaped = name.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    assert.ok(r.text.includes(`>${escaped}</a>`), `index lists ${name}`);
  }
  // The custom profile: its count, its link to the text form (escaped for the URL), its escaped name.
  assert.match(r.text, /<tr><td class=count>2<\/td><td><a href='\.\/tsprof\.test\/%3Cconns%3E\?debug=1'>tsprof\.test\/&lt;conns&gt;<\/a>/);
  assert.match(r.text, /<a href='\.\/profile'>profile<\/a><\/td><td>CPU profile/);
});

test("a named profile: pprof by default (attachment named after it), text with debug=1", async () => {
  const bin = await get(plain.port, customPath);
  assert.equal(bin.status, 200);
  assert.equal(bin.headers["content-type"], "application/octet-stream");
  assert.equal(bin.headers["content-disposition"], 'attachment; filename="tsprof.test/<conns>"');
  assert.equal(bin.headers["x-content-type-options"], "nosniff");
  const p = decodeProfile(gunzipSync(bin.body));
  assert.deepEqual(p.sampleType, [{ type: "tsprof.test/<conns>", unit: "count" }]);
  assert.equal(p.sample.reduce((n, s) => n + s.value[0]!, 0), 2);
  assert.ok(p.sample.every((s) => s.location[0]!.line[0]!.function.name === "openConn"));

  const text = await get(plain.port, `${customPath}?debug=1`);
  assert.equal(text.status, 200);
  assert.equal(text.headers["content-type"], "text/plain; charset=utf-8");
  assert.equal(text.headers["content-disposition"], undefined);
  assert.match(text.text, /^tsprof\.test\/<conns> profile: total 2\n/);
  assert.match(text.text, /openConn/);
});

test("Content-Disposition carries only what a header can: other characters become _", async () => {
  newProfile('tsprof.test/"é"');
  const r = await get(plain.port, `${P}/${encodeURIComponent('tsprof.test/"é"')}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers["content-disposition"], 'attachment; filename="tsprof.test/___"');
});

test("bad parameters get 400 with a text saying what is wrong; unknown names 404", async () => {
  const cases: [string, number, string][] = [
    [`${P}/nosuchprofile`, 404, "Unknown profile"],
    [`${P}/profile?seconds=abc`, 400, `invalid value for "seconds" - must be a positive integer`],
    [`${P}/profile?seconds=0`, 400, `invalid value for "seconds" - must be a positive integer`],
    [`${P}/profile?seconds=-5`, 400, `invalid value for "seconds" - must be a positive integer`],
    [`${P}/profile?seconds=1.5`, 400, `invalid value for "seconds" - must be a positive integer`],
    [`${P}/profile?seconds=99999999999999999999`, 400, `invalid value for "seconds" - must be a positive integer`],
    [`${P}/profile?seconds=3601`, 400, `invalid value for "seconds" - must be at most 3600 (the server's maxSeconds)`],
    [`${P}/trace?seconds=nan`, 400, `invalid value for "seconds" - must be a positive number`],
    [`${P}/trace?seconds=-1`, 400, `invalid value for "seconds" - must be a positive number`],
    [`${customPath}?debug=x`, 400, `invalid value for "debug" - must be 0, 1 or 2`],
    [`${customPath}?debug=3`, 400, `invalid value for "debug" - must be 0, 1 or 2`],
    [`${customPath}?debug=-1`, 400, `invalid value for "debug" - must be 0, 1 or 2`],
    [`${customPath}?gc=yes`, 400, `invalid value for "gc" - must be an integer`],
    [`${customPath}?seconds=1`, 400, `"seconds" parameter is not supported for this profile type`],
    [`${customPath}?seconds=x`, 400, `invalid value for "seconds" - must be a positive integer`],
    [`${P}/%E0%A4%A`, 400, "malformed URL path"],
  ];
  for (const [path, status, text] of cases) assertError(await get(plain.port, path), status, text);
});

test("only GET and HEAD (and POST for /symbol) are served: 405 with Allow", async () => {
  const r = await get(plain.port, `${P}/heap`, { method: "DELETE" });
  assertError(r, 405, "Method Not Allowed");
  assert.equal(r.headers.allow, "GET, HEAD");
  const head = await get(plain.port, `${customPath}?debug=1`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.ok(Number(head.headers["content-length"]) > 0);
});

test("/cmdline is the command line joined by NUL; /symbol says there is no symbol table", async () => {
  const cmd = await get(plain.port, `${P}/cmdline`);
  assert.equal(cmd.status, 200);
  assert.equal(cmd.headers["content-type"], "text/plain; charset=utf-8");
  assert.equal(cmd.headers["x-content-type-options"], "nosniff");
  assert.equal(cmd.text, [process.argv[0], ...process.execArgv, ...process.argv.slice(1)].join("\0"));
  for (const method of ["GET", "POST"]) {
    const sym = await get(plain.port, `${P}/symbol?0x1+0x2`, { method, body: method === "POST" ? "0x1+0x2" : undefined });
    assert.equal(sym.status, 200);
    assert.equal(sym.text, "num_symbols: 0\n");
    assert.equal(sym.headers["content-type"], "text/plain; charset=utf-8");
  }
});

test("/trace: Chrome trace event JSON of the event loop, with the callbacks that ran", async () => {
  const ticker = setInterval(() => {}, 20);
  try {
    const r = await get(plain.port, `${P}/trace?seconds=0.3`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers["content-type"], "application/json");
    assert.equal(r.headers["content-disposition"], 'attachment; filename="trace.json"');
    const trace = JSON.parse(r.text) as { traceEvents: { name: string; cat: string; ph: string; pid: number }[] };
    assert.ok(trace.traceEvents.length > 0);
    assert.ok(trace.traceEvents.some((e) => e.cat.includes("node.async_hooks") && e.name === "Timeout_CALLBACK"), "timer callbacks are in the trace");
    assert.ok(trace.traceEvents.some((e) => e.cat.includes("node.environment") && e.name === "RunTimers"), "event loop phases are in the trace");
    assert.ok(trace.traceEvents.every((e) => e.pid === process.pid || e.ph === "M"));
  } finally {
    clearInterval(ticker);
  }
});

test("two traces at once: the second gets 500, the first completes", async () => {
  const arrived = once(plain.server, "request");
  const first = get(plain.port, `${P}/trace?seconds=0.5`);
  await arrived;
  await new Promise((r) => setImmediate(r));
  assertError(await get(plain.port, `${P}/trace?seconds=0.1`), 500, "Could not enable tracing: tracing already in use");
  assert.equal((await first).status, 200);
});

/** Resolves when the delta's first collection of `profile` is done (the window has begun). */
function afterFirstCollection(profile: Profile): Promise<void> {
  return new Promise((resolve) => {
    const collect = profile.collect.bind(profile);
    profile.collect = async () => {
      const data = await collect();
      delete (profile as Partial<Profile>).collect; // back to the class's method
      resolve();
      return data;
    };
  });
}

test("delta profiles: ?seconds=N on a profile Go supports it for, else Go's 400", async (t) => {
  const goroutine = lookup("goroutine");
  assert.ok(goroutine, "the goroutine profile is registered");
  const timers: NodeJS.Timeout[] = [];
  const firstCollection = afterFirstCollection(goroutine);
  const r = get(plain.port, `${P}/goroutine?seconds=1`);
  await firstCollection;
  for (let i = 0; i < 3; i++) timers.push(setTimeout(() => {}, 60_000));
  const reply = await r;
  for (const timer of timers) clearTimeout(timer);
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.headers["content-disposition"], 'attachment; filename="goroutine-delta"');
  const p = decodeProfile(gunzipSync(reply.body));
  assert.ok(p.durationNanos >= 0.9e9 && p.durationNanos < 5e9, `duration ${p.durationNanos}`);
  assertError(await get(plain.port, `${P}/goroutine?seconds=1&debug=1`), 400, "seconds and debug params are incompatible");
});

// Kept alive across the delta window: in both collections, so absent from the delta.
const retainedBefore: unknown[] = [];
function retainBeforeDelta(): void {
  for (let i = 0; i < 200; i++) retainedBefore.push(new Array(10_000).fill(i));
}
const retainedDuring: unknown[] = [];
function retainDuringDelta(): void {
  for (let i = 0; i < 200; i++) retainedDuring.push(new Array(10_000).fill(i));
}

test("/heap?seconds=1: the delta holds what was allocated in the window, not what was there before", async (t) => {
  assert.ok(lookup("heap"), "the heap profile is registered");
  retainBeforeDelta();
  const firstCollection = afterFirstCollection(lookup("heap")!);
  const pending = get(plain.port, `${P}/heap?seconds=1`);
  await firstCollection;
  retainDuringDelta();
  const r = await pending;
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers["content-type"], "application/octet-stream");
  assert.equal(r.headers["content-disposition"], 'attachment; filename="heap-delta"');
  const p = decodeProfile(gunzipSync(r.body));
  assert.ok(p.durationNanos >= 0.9e9 && p.durationNanos < 5e9, `duration ${p.durationNanos}`);
  const inuse = p.sampleType.findIndex((s) => s.type === "inuse_space");
  const bytesUnder = (fn: string) =>
    p.sample.filter((s) => s.location.some((l) => l.line.some((ln) => ln.function.name === fn))).reduce((n, s) => n + s.value[inuse]!, 0);
  // 200 arrays of 10,000 elements: about 16 MB, sampled every 512 KiB on average.
  assert.ok(bytesUnder("retainDuringDelta") > 4e6, `retainDuringDelta in use: ${bytesUnder("retainDuringDelta")} bytes`);
  assert.equal(bytesUnder("retainBeforeDelta"), 0, "what was there before the window cancels out");
  assertError(await get(plain.port, `${P}/heap?seconds=1&debug=1`), 400, "seconds and debug params are incompatible");
  retainedBefore.length = 0;
  retainedDuring.length = 0;
});

test("?gc=1 on /heap collects garbage first and serves the heap profile", async (t) => {
  assert.ok(lookup("heap"), "the heap profile is registered");
  const r = await get(plain.port, `${P}/heap?gc=1`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers["content-disposition"], 'attachment; filename="heap"');
  assert.equal(r.headers["x-tsprof-gc"], undefined, "gc() was found");
  const p = decodeProfile(gunzipSync(r.body));
  assert.ok(p.sampleType.some((s) => s.type === "inuse_space"));
});

test("authorize: refused requests get 403 before any work; async and throwing hooks", async () => {
  let seen = 0;
  const guarded = await serve(
    handler({
      authorize: async (req) => {
        seen++;
        if (req.headers["x-throw"]) throw new Error("boom");
        return req.headers.authorization === "Bearer secret";
      },
    }),
  );
  try {
    // A refused /profile must not start a CPU profile: an allowed one right after succeeds at once.
    assertError(await get(guarded.port, `${P}/profile?seconds=1`), 403, "Forbidden");
    assertError(await get(guarded.port, `${P}/nosuchprofile`), 403, "Forbidden");
    assertError(await get(guarded.port, `${P}/`, { headers: { "x-throw": "1", authorization: "Bearer secret" } }), 403, "Forbidden");
    const ok = await get(guarded.port, `${P}/cmdline`, { headers: { authorization: "Bearer secret" } });
    assert.equal(ok.status, 200);
    assert.equal(seen, 4);
  } finally {
    await guarded.close();
  }
});

test("Express: mounted with app.use('/debug/pprof', handler()), prefix stripped by Express", async () => {
  const app = express();
  app.use("/debug/pprof", handler());
  app.get("/", (_req, res) => res.send("app"));
  const s = await serve(app.listen(0, "127.0.0.1"));
  try {
    const index = await get(s.port, `${P}/`);
    assert.equal(index.status, 200);
    assert.match(index.text, /tsprof\.test\/&lt;conns&gt;/);
    const redirect = await get(s.port, `${P}?x=1`);
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, `${P}/?x=1`);
    const text = await get(s.port, `${customPath}?debug=1`);
    assert.match(text.text, /^tsprof\.test\/<conns> profile: total 2\n/);
    assertError(await get(s.port, `${P}/nosuchprofile`), 404, "Unknown profile");
    assert.equal((await get(s.port, "/")).text, "app");
  } finally {
    await s.close();
  }
});

test("Fastify: app.register(fastifyPprof, { prefix: '/debug/pprof' })", async () => {
  const app = Fastify();
  await app.register(fastifyPprof, { prefix: "/debug/pprof", authorize: (req) => req.headers["x-deny"] === undefined });
  app.get("/", async () => "app");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const port = (app.server.address() as { port: number }).port;
  try {
    const index = await get(port, `${P}/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers["content-type"], "text/html; charset=utf-8");
    assert.match(index.text, /tsprof\.test\/&lt;conns&gt;/);
    assert.equal((await get(port, P)).status, 301);
    const bin = await get(port, customPath);
    assert.equal(bin.headers["content-disposition"], 'attachment; filename="tsprof.test/<conns>"');
    assert.equal(decodeProfile(gunzipSync(bin.body)).sample.length > 0, true);
    assertError(await get(port, `${P}/profile?seconds=x`), 400, `invalid value for "seconds" - must be a positive integer`);
    assertError(await get(port, `${P}/cmdline`, { headers: { "x-deny": "1" } }), 403, "Forbidden");
    assert.equal((await get(port, "/")).text, "app");
  } finally {
    await app.close();
  }
});

test("listen() binds 127.0.0.1 by default and does not keep the process alive", async () => {
  const server = await listen({ port: 0 });
  try {
    const address = server.address() as { address: string; port: number };
    assert.equal(address.address, "127.0.0.1");
    const r = await get(address.port, `${P}/cmdline`);
    assert.equal(r.status, 200);
    assert.equal((await get(address.port, "/debug/pprof")).headers.location, "/debug/pprof/");
  } finally {
    server.closeAllConnections();
    server.close();
  }
  await assert.rejects(listen({ port: (plain.server.address() as { port: number }).port }), /EADDRINUSE/);
});
