// tsprof/push end to end: built programs push to a loopback stand-in for
// Pyroscope's /ingest (receiver.ts). Each upload's pprof is read back with
// our decoder and `go tool pprof`; the windows must meet exactly; a server
// that is down costs a bounded queue, drops counted and one warning line;
// every way out of the process sends its last window; and the requests are
// compared with those of the official SDK, @pyroscope/nodejs, run with the
// same settings against the same receiver.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, describe, it } from "node:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { needGo, goPprofStrict, parseTop } from "../helpers/tools.ts";
import { Receiver, type Received } from "./receiver.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const pusher = join(here, "fixtures/pusher.mjs");
const sdk = join(here, "fixtures/sdk.cjs");
const cli = join(root, "dist/esm/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "tsprof-push-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("TSPROF_") && !k.startsWith("PYROSCOPE_") && k !== "NODE_OPTIONS" && k !== "NODE_TEST_CONTEXT") env[k] = v;
  return env;
}

interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking this process's event loop (the receiver lives here). */
function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; onStdout?: (text: string, pid: number) => void } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? cleanEnv(), cwd: root });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
      opts.onStdout?.(stdout, child.pid!);
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** Exit status 0; otherwise the signal (a crash at exit shows as SIGSEGV) and what the process printed. */
function assertEndedWell(ran: Ran): void {
  assert.equal(ran.status, 0, `status ${ran.status}, signal ${ran.signal}\nstdout: ${ran.stdout}\nstderr: ${ran.stderr}`);
}

function builtOrFail(): void {
  assert.ok(existsSync(join(root, "dist/esm/push/index.js")) && existsSync(cli), "tsprof is not built: run `node scripts/build.mjs` first");
}

const isCpu = (r: Received) => r.query.has("sampleRate");

function profileOf(r: Received): ProfileData {
  const part = r.parts?.find((p) => p.name === "profile");
  assert.ok(part, "a multipart `profile` field");
  return decodeProfile(part.body);
}

function lastJson(stdout: string): { stats: { uploaded: number; dropped: number; failedAttempts: number; queued: number }; maxQueued: number; maxQueuedBytes: number; reached: string[] } {
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

/** The index of the cpu sample type (the last). */
const cpuIndex = (p: ProfileData): number => p.sampleType.findIndex((t) => t.type === "cpu");
const cpuOf = (rs: Received[]) => rs.filter(isCpu).map(profileOf).reduce((n, p) => n + p.sample.reduce((m, s) => m + s.value[cpuIndex(p)]!, 0), 0);
/** The share of the CPU profile's time in stacks through a function of that name. */
const shareOf = (p: ProfileData, name: string): number => {
  let inside = 0, all = 0;
  const cpu = cpuIndex(p);
  for (const s of p.sample) {
    all += s.value[cpu]!;
    if (s.location.some((l) => l.line.some((ln) => ln.function.name === name))) inside += s.value[cpu]!;
  }
  return all > 0 ? inside / all : 0;
};

describe("tsprof/push", () => {
  it("pushes contiguous CPU and heap windows whose pprof opens in go tool pprof", async (t) => {
    builtOrFail();
    const rx = new Receiver();
    const url = await rx.start();
    try {
      const settings = { serverAddress: url, appName: "push-test", tags: { env: "ci" }, flushIntervalMs: 1000 };
      const ran = await run(process.execPath, [pusher, JSON.stringify(settings), "3500", "stop"]);
      assertEndedWell(ran);
      const out = lastJson(ran.stdout);
      assert.deepEqual(out.reached, []);
      assert.equal(ran.stderr, "");
      const cpu = rx.received.filter(isCpu), heap = rx.received.filter((r) => !isCpu(r));
      // 3.5 s at 1 s: three full windows and the last part, of each profile.
      assert.ok(cpu.length >= 3 && heap.length >= 3, `${cpu.length} CPU and ${heap.length} heap uploads`);
      assert.equal(out.stats.uploaded, rx.received.length);
      for (const [kind, list] of [["cpu", cpu], ["heap", heap]] as const) {
        const profiles = list.map(profileOf);
        for (let i = 1; i < list.length; i++) {
          const prev = profiles[i - 1]!, cur = profiles[i]!;
          // No gap, no overlap: to the nanosecond in the pprof, to the second in the query.
          assert.equal(prev.timeNanos + BigInt(prev.durationNanos), cur.timeNanos, `${kind} window ${i} starts where ${i - 1} ended`);
          assert.equal(list[i - 1]!.query.get("until"), list[i]!.query.get("from"));
        }
        for (const [i, r] of list.entries()) {
          const p = profiles[i]!;
          assert.equal(r.query.get("from"), String(p.timeNanos / 1_000_000_000n));
          assert.equal(r.query.get("until"), String((p.timeNanos + BigInt(p.durationNanos)) / 1_000_000_000n));
          // A full window lasts about the period (the machine is loaded: generous bounds).
          if (i < list.length - 1) assert.ok(p.durationNanos > 0.5e9 && p.durationNanos < 3e9, `${kind} window ${i}: ${p.durationNanos} ns`);
        }
      }
      // CPU: the busy function carries most of the samples.
      const shares = cpu.map((r) => shareOf(profileOf(r), "pushBusyWork"));
      assert.ok(cpuOf(cpu) >= 0.05e9 && shares.filter((x) => x > 0.3).length >= 2, `${cpuOf(cpu)} ns of CPU; pushBusyWork's share per window: ${shares}`);
      // Heap: each window's alloc_space is that window's (its sum over windows is what the program allocated, about 16 KB per step).
      const allocs = heap.map((r) => profileOf(r).sample.reduce((n, s) => n + s.value[1]!, 0));
      assert.ok(allocs.filter((a) => a > 0).length >= 3, `alloc_space per window: ${allocs}`);
      for (const r of heap) {
        const config = JSON.parse(r.parts!.find((p) => p.name === "sample_type_config")!.body.toString());
        assert.deepEqual(Object.keys(config).sort(), ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]);
      }
      if (!needGo(t)) return;
      const cpuFile = join(dir, "cpu.pb.gz"), heapFile = join(dir, "heap.pb.gz");
      // The window with the most CPU time (on a loaded machine some get few samples).
      const fullest = cpu.reduce((a, b) => (cpuOf([b]) > cpuOf([a]) ? b : a));
      writeFileSync(cpuFile, fullest.parts![0]!.body);
      // The heap window with the most allocated bytes, likewise.
      const allocOf = (r: Received) => { const p = profileOf(r); const i = p.sampleType.findIndex((s) => s.type === "alloc_space"); return p.sample.reduce((n, s) => n + s.value[i]!, 0); };
      writeFileSync(heapFile, heap.reduce((a, b) => (allocOf(b) > allocOf(a) ? b : a)).parts![0]!.body);
      const top = parseTop(goPprofStrict(["-top", "-nodecount=200", cpuFile]));
      const busy = top.find((row) => row.name.includes("pushBusyWork"));
      assert.ok(busy && busy.cumPct > 30, `pushBusyWork in go tool pprof -top: ${JSON.stringify(top.slice(0, 8))}`);
      const heapTop = parseTop(goPprofStrict(["-top", "-sample_index=alloc_space", heapFile]));
      assert.ok(heapTop.some((row) => row.name.includes("pushBusyWork")), `heap -top: ${JSON.stringify(heapTop.slice(0, 8))}`);
    } finally {
      await rx.close();
    }
  });

  it("survives a server that is down, then back: bounded queue, drops counted, one warning line, uploads resume", async () => {
    builtOrFail();
    const rx = new Receiver();
    const url = await rx.start();
    rx.mode = "down";
    try {
      const settings = { serverAddress: url, appName: "down-test", flushIntervalMs: 500, maxQueue: 4, timeoutMs: 2000 };
      // Down for the first 4 s of a 9 s run, then back.
      let backAt = Infinity;
      const backTimer = setTimeout(() => {
        rx.mode = 200;
        backAt = Date.now();
      }, 4000);
      const ran = await run(process.execPath, [pusher, JSON.stringify(settings), "9000", "stop"]);
      clearTimeout(backTimer);
      assertEndedWell(ran);
      const out = lastJson(ran.stdout);
      assert.deepEqual(out.reached, []);
      const warnings = ran.stderr.split("\n").filter((l) => l.startsWith("tsprof:"));
      assert.equal(warnings.length, 1, ran.stderr);
      assert.match(warnings[0]!, /pushing profiles to http:\/\/127\.0\.0\.1:\d+\/ingest failed/);
      assert.ok(out.maxQueued <= 4, `at most 4 uploads waited: ${out.maxQueued}`);
      assert.ok(out.stats.dropped > 0, `drops counted: ${JSON.stringify(out.stats)}`);
      // Resumed while the program ran (the backoff never exceeds about the period), not only at the final flush.
      const resumed = rx.received.filter((r) => r.at < backAt + 3000);
      assert.ok(resumed.length > 0, `uploads within 3 s of the server's return: ${rx.received.map((r) => r.at - backAt)}`);
      assert.equal(out.stats.uploaded, rx.received.length);
      // What was kept is the newest: the first upload received covers a window that ended while the server was down, the last one the end.
      for (const r of rx.received) profileOf(r);
    } finally {
      await rx.close();
    }
  });
});

/** APP{k=v,...} → its parts. */
function parseName(name: string): { app: string; tags: Record<string, string> } {
  const m = /^([^{]*)\{(.*)\}$/.exec(name);
  assert.ok(m, `name ${name} is APP{tags}`);
  const tags: Record<string, string> = {};
  for (const pair of m[2]!.split(",").filter(Boolean)) {
    const eq = pair.indexOf("=");
    tags[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { app: m[1]!, tags };
}

describe("tsprof/push and @pyroscope/nodejs send the same requests for the same settings", () => {
  const variants = {
    "bearer token and tenant": { authToken: "s3cret-token", tenantID: "team-a" },
    "basic auth and tenant": { basicAuthUser: "alice", basicAuthPassword: "pa:ss", tenantID: "team-b" },
  };
  for (const [what, auth] of Object.entries(variants)) {
    it(what, async () => {
      builtOrFail();
      const rx = new Receiver();
      const url = await rx.start();
      try {
        const settings = { serverAddress: url, appName: "shape.app", tags: { env: "ci", region: "eu-1" }, flushIntervalMs: 1000, ...auth };
        const ranSdk = await run(process.execPath, [sdk, JSON.stringify(settings), "2500"]);
        assertEndedWell(ranSdk);
        const theirs = rx.received.splice(0);
        const ranOurs = await run(process.execPath, [pusher, JSON.stringify(settings), "2500", "stop"]);
        assertEndedWell(ranOurs);
        const ours = rx.received.splice(0);
        assert.ok(theirs.length >= 2 && ours.length >= 2, `${theirs.length} SDK and ${ours.length} tsprof requests`);

        // The SDK's requests, as read from its source (dist/cjs/pyroscope-api-exporter.js) and seen here.
        for (const r of theirs) {
          assert.deepEqual([...r.query.keys()].filter((k) => k !== "sampleRate"), ["format", "from", "name", "spyName", "until"]);
          assert.equal(r.query.get("format"), "pprof");
          assert.equal(r.headers["content-type"], "application/octet-stream");
          assert.deepEqual([...r.body.subarray(0, 2)], [0x1f, 0x8b], "a bare gzipped pprof");
          // Its wall profile's sampleRate is ceil(1e6 / samplingDurationMs): 17 with the defaults (wall-profiler.js), not the 100 Hz it samples at.
          if (r.query.has("sampleRate")) assert.equal(r.query.get("sampleRate"), "17");
        }
        const first = theirs[0]!;
        for (const r of ours) {
          assert.equal(r.method, first.method);
          assert.equal(r.path, first.path);
          // The same query keys in the same order as the SDK's request for the same kind of profile, but
          // `format`: the body is a form (with format=pprof the server would read it as a bare pprof).
          const same = theirs.find((x) => x.query.has("sampleRate") === r.query.has("sampleRate"));
          assert.ok(same, "the SDK sent that kind of profile too");
          assert.deepEqual([...r.query.keys()], [...same.query.keys()].filter((k) => k !== "format"));
          assert.equal(r.query.get("spyName"), first.query.get("spyName"));
          for (const key of ["from", "until"]) assert.ok(Math.abs(Number(r.query.get(key)) - Number(first.query.get(key))) < 60, `${key} in Unix seconds`);
          const a = parseName(r.query.get("name")!), b = parseName(first.query.get("name")!);
          assert.equal(a.app, b.app);
          // Every tag the SDK sends, with the same value, but the library's own name and version.
          const { ["otel.scope.name"]: ourScope, ["otel.scope.version"]: ourVersion, ...ourTags } = a.tags;
          const { ["otel.scope.name"]: theirScope, ...theirTags } = b.tags;
          delete theirTags["otel.scope.version"];
          assert.deepEqual(ourTags, theirTags);
          assert.equal(theirScope, "com.grafana.pyroscope/nodejs");
          assert.equal(ourScope, "tsprof");
          assert.match(ourVersion!, /^\d+\.\d+\.\d+/);
          assert.deepEqual(Object.keys(a.tags), Object.keys(b.tags), "tags in the same order");
          // Credentials and tenant, byte for byte.
          assert.equal(r.headers.authorization, first.headers.authorization);
          assert.equal(r.headers["x-scope-orgid"], first.headers["x-scope-orgid"]);
          // The body: a form whose `profile` file is the gzipped pprof; the heap's with its sample_type_config.
          assert.match(r.headers["content-type"]!, /^multipart\/form-data; boundary=/);
          const names = r.parts!.map((p) => `${p.name}:${p.filename}`);
          assert.deepEqual(names, r.query.has("sampleRate") ? ["profile:profile.pprof"] : ["profile:profile.pprof", "sample_type_config:sample_type_config.json"]);
          assert.deepEqual([...r.parts![0]!.body.subarray(0, 2)], [0x1f, 0x8b]);
          if (r.query.has("sampleRate")) assert.equal(r.query.get("sampleRate"), "100");
          assert.match(r.headers["user-agent"]!, /^tsprof\//);
        }
        if ("authToken" in auth) assert.equal(first.headers.authorization, "Bearer s3cret-token");
        else assert.equal(first.headers.authorization, `Basic ${Buffer.from("alice:pa:ss").toString("base64")}`);
        // Both send a CPU-time profile and a heap profile each period; the SDK's CPU one is wall time.
        const types = (rs: Received[], part: (r: Received) => Buffer) => new Set(rs.map((r) => decodeProfile(gunzipSync(part(r))).sampleType.map((t) => t.type).join(",")));
        assert.deepEqual(types(theirs, (r) => r.body), new Set(["samples,wall", "inuse_objects,inuse_space"]));
        assert.deepEqual(types(ours, (r) => r.parts![0]!.body), new Set(["samples,wall,cpu", "alloc_objects,alloc_space,inuse_objects,inuse_space"]));
      } finally {
        await rx.close();
      }
    });
  }
});

describe("the last window is sent on every way out", () => {

  for (const end of ["exit", "end"] as const) {
    it(end === "exit" ? "process.exit()" : "the event loop running out (and the period's timer does not keep the process alive)", async () => {
      builtOrFail();
      const rx = new Receiver();
      const url = await rx.start();
      try {
        // A period far longer than the run: only the final flush sends anything.
        const settings = { serverAddress: url, appName: "exit-test", flushIntervalMs: 120_000 };
        const t0 = Date.now();
        const ran = await run(process.execPath, [pusher, JSON.stringify(settings), "1500", end]);
        assertEndedWell(ran);
        assert.ok(Date.now() - t0 < 60_000, "the process ended long before its period");
        assert.deepEqual(lastJson(ran.stdout).reached, []);
        assert.equal(rx.received.length, 2, "one CPU and one heap upload");
        // The window covers the run: the busy function has most of its CPU time.
        const share = shareOf(profileOf(rx.received.find(isCpu)!), "pushBusyWork");
        assert.ok(cpuOf(rx.received) >= 0.05e9 && share > 0.3, `${cpuOf(rx.received)} ns of CPU, ${share} in pushBusyWork`);
        const heap = profileOf(rx.received.find((r) => !isCpu(r))!);
        assert.ok(heap.sample.reduce((n, s) => n + s.value[1]!, 0) > 0, "allocations in the last window");
      } finally {
        await rx.close();
      }
    });
  }

  it("SIGTERM under tsprof run --push, with the run's flags and credentials", async () => {
    builtOrFail();
    const rx = new Receiver();
    const url = await rx.start();
    try {
      const env = { ...cleanEnv(), TSPROF_PUSH_TOKEN: "run-token" };
      const args = [cli, "run", "--push", url, "--pushapp", "run.app", "--pushtags", "env=ci,team=core", "--pushperiod", "2m", "--pushtenant", "t1", "--", "node", join(here, "fixtures/serve.mjs")];
      let signalled = false;
      const ran = await run(process.execPath, args, {
        env,
        onStdout: (text, pid) => {
          if (!signalled && text.includes("ready")) {
            signalled = true;
            process.kill(pid, "SIGTERM");
          }
        },
      });
      assert.ok(signalled, ran.stderr);
      // tsprof run dies of the signal its command died of.
      assert.equal(ran.signal, "SIGTERM", `${ran.status} ${ran.stderr}`);
      assert.equal(rx.received.length, 2, `one CPU and one heap upload: ${ran.stderr}`);
      for (const r of rx.received) {
        const { app, tags } = parseName(r.query.get("name")!);
        assert.equal(app, "run.app");
        assert.equal(tags.env, "ci");
        assert.equal(tags.team, "core");
        assert.equal(r.headers.authorization, "Bearer run-token");
        assert.equal(r.headers["x-scope-orgid"], "t1");
      }
      const share = shareOf(profileOf(rx.received.find(isCpu)!), "serveBusyWork");
      assert.ok(cpuOf(rx.received) >= 0.05e9 && share > 0.3, `${cpuOf(rx.received)} ns of CPU, ${share} in serveBusyWork`);
    } finally {
      await rx.close();
    }
  });
});
