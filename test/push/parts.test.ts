// The push session's parts on their own: settings and the name it sends, the
// /ingest request, the backoff, the bounded queue, the run flags, and how a
// push session shares the CPU sampler with startCPUProfile.

import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import { resolvePushOptions } from "../../src/push/options.ts";
import { ingestRequest, HEAP_SAMPLE_TYPE_CONFIG } from "../../src/push/ingest.ts";
import { Uploader, backoffMs, BACKOFF_CAP_MS } from "../../src/push/uploader.ts";
import { startPush } from "../../src/push/index.ts";
import { startCPUProfile, stopCPUProfile } from "../../src/index.ts";
import { parseRunArgs } from "../../src/run/flags.ts";
import { configFromEnv, configToEnv, ConfigError } from "../../src/run/config.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { collectBytes } from "../helpers/sink.ts";
import { Receiver, parseMultipart } from "./receiver.ts";

const node = process.versions.node;

test("the name is APP{tags}: the runtime's and the library's tags, then the user's, as the SDK orders them", () => {
  const o = resolvePushOptions({ serverAddress: "http://h:4040", appName: "shop", tags: { env: "prod", shard: 3 } }, "1.2.3");
  assert.equal(o.name, `shop{otel.scope.name=tsprof,otel.scope.version=1.2.3,process.runtime.name=nodejs,process.runtime.version=${node},env=prod,shard=3}`);
  assert.equal(o.ingestUrl.href, "http://h:4040/ingest");
  assert.deepEqual(o.headers, {});
  assert.equal(o.periodMs, 15_000);
  assert.ok(o.cpu && o.heap);
  // A user tag replaces a built-in one of the same key (which then comes with the user's).
  const p = resolvePushOptions({ serverAddress: "http://h", appName: "a", tags: { "process.runtime.name": "bun" } }, "1");
  assert.equal(p.name, `a{otel.scope.name=tsprof,otel.scope.version=1,process.runtime.version=${node},process.runtime.name=bun}`);
});

test("credentials and tenant: bearer wins over basic, as in the SDK; basic auth may come in the URL; a path prefix is kept", () => {
  const both = resolvePushOptions({ serverAddress: "http://h", authToken: "t", basicAuthUser: "u", basicAuthPassword: "p", tenantID: "org" }, "1");
  assert.deepEqual(both.headers, { authorization: "Bearer t", "x-scope-orgid": "org" });
  const basic = resolvePushOptions({ serverAddress: "https://al%40ice:pa%3Ass@h.example/pyroscope/" }, "1");
  assert.equal(basic.headers.authorization, `Basic ${Buffer.from("al@ice:pa:ss").toString("base64")}`);
  assert.equal(basic.ingestUrl.href, "https://h.example/pyroscope/ingest");
});

test("bad settings are refused up front, each with what is wrong", () => {
  const bad: [object, RegExp][] = [
    [{}, /serverAddress is required/],
    [{ serverAddress: "not a url" }, /is not a URL/],
    [{ serverAddress: "ftp://h" }, /must be http: or https:/],
    [{ serverAddress: "http://h", appName: "a{b" }, /appName "a\{b" must not contain/],
    [{ serverAddress: "http://h", tags: { env: "a,b" } }, /tag env=a,b must not/],
    [{ serverAddress: "http://h", tags: { env: true } }, /tag "env" must be a string or number/],
    [{ serverAddress: "http://h", flushIntervalMs: 0 }, /flushIntervalMs must be a positive number/],
    [{ serverAddress: "http://h", profiles: ["wall"] }, /profiles must list "cpu" and\/or "heap"/],
  ];
  for (const [o, re] of bad) assert.throws(() => resolvePushOptions(o as never, "1"), re);
});

test("the /ingest request: query in the SDK's order, from and until in Unix seconds, a multipart form with the gzipped pprof", () => {
  const gz = gzipSync(Buffer.from("pprof bytes"));
  const base = { ingestUrl: new URL("http://h:4040/ingest"), name: "a{x=y}", headers: { authorization: "Bearer t" }, userAgent: "tsprof/1", profile: gz };
  const cpu = ingestRequest({ ...base, startNanos: 1_700_000_000_999_999_999n, endNanos: 1_700_000_015_000_000_000n, sampleRate: 100 });
  const url = new URL(cpu.url);
  assert.deepEqual([...url.searchParams], [["from", "1700000000"], ["name", "a{x=y}"], ["spyName", "nodespy"], ["until", "1700000015"], ["sampleRate", "100"]]);
  assert.equal(cpu.headers.authorization, "Bearer t");
  assert.equal(cpu.headers["user-agent"], "tsprof/1");
  const parts = parseMultipart(cpu.body, cpu.headers["content-type"]!);
  assert.deepEqual(parts.map((p) => [p.name, p.filename, p.contentType]), [["profile", "profile.pprof", "application/octet-stream"]]);
  assert.equal(gunzipSync(parts[0]!.body).toString(), "pprof bytes");
  const heap = ingestRequest({ ...base, startNanos: 0n, endNanos: 1n, sampleTypeConfig: HEAP_SAMPLE_TYPE_CONFIG });
  assert.ok(!new URL(heap.url).searchParams.has("sampleRate"));
  const heapParts = parseMultipart(heap.body, heap.headers["content-type"]!);
  assert.deepEqual(heapParts.map((p) => p.name), ["profile", "sample_type_config"]);
  // alloc_* are the window's own (not cumulative), inuse_* averaged.
  assert.deepEqual(JSON.parse(heapParts[1]!.body.toString()), {
    alloc_objects: { units: "objects" },
    alloc_space: { units: "bytes" },
    inuse_objects: { units: "objects", aggregation: "average" },
    inuse_space: { units: "bytes", aggregation: "average" },
  });
});

test("backoff: full jitter under a doubling ceiling, capped", () => {
  assert.deepEqual([1, 2, 3, 4].map((n) => backoffMs(n, BACKOFF_CAP_MS, () => 1)), [500, 1000, 2000, 4000]);
  assert.equal(backoffMs(40, BACKOFF_CAP_MS, () => 1), BACKOFF_CAP_MS);
  assert.equal(backoffMs(40, 15_000, () => 1), 15_000);
  assert.equal(backoffMs(5, BACKOFF_CAP_MS, () => 0), 0);
});

test("the queue keeps the newest uploads when the server is down, counts the drops, warns once, and sends in order once it is back", async () => {
  const rx = new Receiver();
  const url = await rx.start();
  rx.mode = "down";
  const warnings: string[] = [];
  const up = new Uploader({ url: `${url}/ingest`, maxBackoffMs: 200, timeoutMs: 2000, maxQueue: 3, maxQueueBytes: 1 << 20, warn: (l) => warnings.push(l) });
  try {
    const req = (i: number) => ({ url: `${url}/ingest?i=${i}`, headers: {}, body: Buffer.from(`upload ${i}`) });
    for (let i = 0; i < 10; i++) {
      up.add(req(i));
      assert.ok(up.snapshot().queued <= 3);
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.equal(up.snapshot().queued, 3);
    assert.equal(up.stats.dropped, 7);
    assert.ok(up.stats.failedAttempts >= 1);
    rx.mode = 200;
    await up.flush(performance.now() + 10_000);
    // The newest, in order (the first may be one whose attempt was under way as the queue filled).
    const got = rx.received.map((r) => Number(r.body.toString().split(" ")[1]));
    assert.equal(got.length, 3);
    assert.deepEqual(got.slice(1), [8, 9]);
    assert.ok(got[0]! < 8, `${got}`);
    assert.deepEqual({ ...up.snapshot(), lastError: undefined }, { uploaded: 3, dropped: 7, failedAttempts: up.stats.failedAttempts, queued: 0, queuedBytes: 0, lastError: undefined });
    assert.equal(warnings.length, 1, warnings.join("\n"));
  } finally {
    up.close();
    await rx.close();
  }
});

test("a bound on the queued bytes drops the oldest too; a server refusing an upload (4xx) gets it once", async () => {
  const rx = new Receiver();
  const url = await rx.start();
  rx.mode = 400;
  const up = new Uploader({ url, maxBackoffMs: 50, timeoutMs: 2000, maxQueue: 100, maxQueueBytes: 2500, warn: () => {} });
  try {
    for (let i = 0; i < 5; i++) up.add({ url, headers: {}, body: Buffer.alloc(1000, i) });
    assert.ok(up.snapshot().queuedBytes <= 2500);
    await up.flush(performance.now() + 10_000);
    const s = up.snapshot();
    assert.equal(s.uploaded, 0);
    assert.equal(s.dropped, 5);
    assert.equal(rx.received.length, s.failedAttempts, "no upload retried after a 400");
    assert.equal(s.lastError, "HTTP 400");
  } finally {
    up.close();
    await rx.close();
  }
});

test("tsprof run --push flags, their variables, and what cannot go together", () => {
  const a = parseRunArgs(["--push", "http://h:4040", "-pushapp", "shop", "--pushtags", "env=prod,team=core", "--pushperiod", "1m30s", "--pushtenant", "org", "node", "app.js"], process.cwd());
  assert.deepEqual(a.config.push, { url: "http://h:4040", app: "shop", tags: "env=prod,team=core", periodMs: 90_000, tenant: "org" });
  assert.deepEqual(a.command, ["node", "app.js"]);
  const env = configToEnv(a.config);
  assert.deepEqual(env, { TSPROF_PUSH: "http://h:4040", TSPROF_PUSHAPP: "shop", TSPROF_PUSHTAGS: "env=prod,team=core", TSPROF_PUSHPERIOD: "90000ms", TSPROF_PUSHTENANT: "org" });
  assert.deepEqual(configFromEnv(env, "/").push, a.config.push);
  assert.throws(() => parseRunArgs(["--push", "http://h", "--cpuprofile", "c.pb.gz", "node"], process.cwd()), (e: Error) => e instanceof ConfigError && /-push cannot be combined with profile files/.test(e.message));
  assert.throws(() => parseRunArgs(["--pushapp", "x", "node"], process.cwd()), /need -push URL/);
  assert.throws(() => parseRunArgs(["--push", "http://h", "--pushperiod", "15", "node"], process.cwd()), /invalid value "15" for flag -pushperiod/);
  assert.throws(() => parseRunArgs(["--push", "http://h", "--pushtags", "env", "node"], process.cwd()), /key=value pairs/);
  assert.throws(() => configFromEnv({ TSPROF_PUSHAPP: "x" }, "/"), /need -push URL/);
});

test("a push session shares the CPU sampler: startCPUProfile runs beside it; one session at a time", async () => {
  const rx = new Receiver();
  const url = await rx.start();
  try {
    const session = startPush({ serverAddress: url, appName: "shared", profiles: ["cpu"], flushIntervalMs: 60_000 });
    assert.throws(() => startPush({ serverAddress: url }), /a push session already runs/);
    // The program's own profile joins the session's sampler, and ends before it.
    const own = await collectBytes(async (w) => {
      startCPUProfile(w);
      await stopCPUProfile();
    });
    assert.deepEqual(decodeProfile(own).sampleType.map((t) => t.type), ["samples", "wall", "cpu"]);
    await session.stop();
    assert.equal(rx.received.length, 1, "the last window, sent by stop()");
    assert.deepEqual(decodeProfile(rx.received[0]!.parts![0]!.body).sampleType.map((t) => t.type), ["samples", "wall", "cpu"]);
    const bytes = await collectBytes(async (w) => {
      startCPUProfile(w);
      await stopCPUProfile();
    });
    assert.deepEqual(decodeProfile(bytes).sampleType.map((t) => t.type), ["samples", "wall", "cpu"]);
    // And a new session can start.
    await startPush({ serverAddress: url, profiles: ["cpu"], flushIntervalMs: 60_000 }).stop();
    assert.equal(rx.received.length, 2);
  } finally {
    await rx.close();
  }
});

test("every request has a time-out: a server that never answers costs an attempt, not a stuck queue", async () => {
  const rx = new Receiver();
  const url = await rx.start();
  rx.mode = "hang";
  const up = new Uploader({ url, maxBackoffMs: 50, timeoutMs: 300, maxQueue: 4, maxQueueBytes: 1 << 20, warn: () => {} });
  try {
    up.add({ url, headers: {}, body: Buffer.from("x") });
    while (up.stats.failedAttempts === 0) await new Promise((r) => setTimeout(r, 50));
    assert.equal(up.stats.lastError, "no answer within 300 ms");
    rx.mode = 200;
    await up.flush(performance.now() + 10_000);
    assert.equal(up.stats.uploaded, 1);
  } finally {
    up.close();
    await rx.close();
  }
});
