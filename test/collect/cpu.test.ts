// The CPU profiler in this thread: what go tool pprof reads back from the
// profile (types, period, shares of two functions of known cost), the error
// paths, and the rate.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable, PassThrough } from "node:stream";
import { gunzipSync } from "node:zlib";
import { startCPUProfile, stopCPUProfile, stopCPUProfileSync, setCPUProfileRate, cpuProfileRate, setCPUProfileKeepAlive } from "../../src/collect/cpu.ts";
import { startThreadProfile, stopThreadProfile } from "../../src/collect/cpu-session.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { needGo, parseTop, goPprofStrict } from "../helpers/tools.ts";
import { turnOffInlining } from "../helpers/no-inlining.ts";
import { twoToOne, heavyTwoThirds } from "../fixtures/cpu/workload.ts";
import { labels, runWithLabels } from "../../src/collect/labels.ts";

// twoToOne's loop calls heavyTwoThirds and lightOneThird: inlined, their
// time would be charged to twoToOne (see the helper).
turnOffInlining();

const dir = mkdtempSync(join(tmpdir(), "tsprof-cpu-"));

/** go tool pprof: a profile must load without any warning. */
const pprof = goPprofStrict;

async function profileToFile(name: string, work: () => void | Promise<void>): Promise<string> {
  const path = join(dir, name);
  const w = createWriteStream(path);
  startCPUProfile(w);
  await work();
  await stopCPUProfile();
  await new Promise<void>((resolve) => w.end(resolve));
  return path;
}

/**
 * A short twoToOne profile holds its two functions, and little else. (Which
 * one ranks first is only settled with enough samples: the 2:1 test.)
 */
function assertHoldsWorkload(topOutput: string): void {
  const rows = parseTop(topOutput);
  const share = rows.filter((r) => r.name === "heavyTwoThirds" || r.name === "lightOneThird").reduce((n, r) => n + r.flatPct, 0);
  assert.ok(rows.some((r) => r.name === "heavyTwoThirds" && r.flatPct > 0), topOutput);
  assert.ok(share >= 60, `the workload's share ${share}%: ${topOutput}`);
}

test("two functions at 2:1 are ranked first and second with shares within 10 points", async (t) => {
  if (!needGo(t)) return;
  let truth = { heavyMs: 0, lightMs: 0, totalMs: 0 };
  // 2.5 s of work (CPU time, not wall time): about 250 samples however loaded the
  // machine, and however long that takes in wall time.
  const started = performance.now();
  const path = await profileToFile("ratio.pb.gz", () => {
    truth = twoToOne(2500);
  });
  const wallMs = performance.now() - started;
  const topText = pprof(["-top", "-nodecount=10", path]);
  const top = parseTop(topText);
  assert.ok(top.length >= 2, "at least two rows");
  assert.equal(top[0]!.name, "heavyTwoThirds");
  assert.equal(top[1]!.name, "lightOneThird");
  const heavyTruth = (100 * truth.heavyMs) / truth.totalMs;
  const lightTruth = (100 * truth.lightMs) / truth.totalMs;
  assert.ok(Math.abs(top[0]!.flatPct - heavyTruth) < 10, `heavy ${top[0]!.flatPct}% vs measured ${heavyTruth.toFixed(1)}%\n${topText}`);
  assert.ok(Math.abs(top[1]!.flatPct - lightTruth) < 10, `light ${top[1]!.flatPct}% vs measured ${lightTruth.toFixed(1)}%\n${topText}`);
  assert.ok(Math.abs(top[0]!.flatPct - 66.7) < 10 && Math.abs(top[1]!.flatPct - 33.3) < 10, "shares near 2/3 and 1/3");

  // -raw parses too, and shows the profile's types and period.
  const raw = pprof(["-raw", path]);
  assert.match(raw, /PeriodType: cpu nanoseconds/);
  assert.match(raw, /Period: 10000000/);
  assert.match(raw, /samples\/count wall\/nanoseconds cpu\/nanoseconds/);

  // The file itself: sample values are [count, wall ns, CPU ns], time and duration set.
  const p = decodeProfile(gunzipSync(readFileSync(path)));
  assert.deepEqual(p.sampleType.map((s) => `${s.type}/${s.unit}`), ["samples/count", "wall/nanoseconds", "cpu/nanoseconds"]);
  for (const s of p.sample) assert.ok(s.value[0]! > 0 && s.value[1]! >= 0 && s.value[2]! >= 0, `values ${s.value.join(" ")}`);
  // A thread cannot use more CPU than the wall time it was sampled over.
  const sum = (i: number) => p.sample.reduce((n, s) => n + s.value[i]!, 0);
  assert.ok(sum(2) <= sum(1) * 1.02 + 20_000_000, `cpu ${sum(2)} ns within wall ${sum(1)} ns`);
  const total = p.sample.reduce((n, s) => n + s.value[0]!, 0);
  // About 250 (2.5 s of CPU at 100 Hz); V8 samples by wall time, so on a
  // loaded machine a few more, but never more than one per 10 ms of the
  // profile's wall time.
  assert.ok(total >= 40 && total <= wallMs / 10 + 2, `about 250 samples in 2.5 s of CPU at 100 Hz, at most ${Math.floor(wallMs / 10)} in its ${wallMs.toFixed(0)} ms, got ${total}`);
  assert.ok(p.durationNanos >= 2.4e9 && p.durationNanos <= wallMs * 1e6, `duration ${p.durationNanos}, profiled for ${wallMs.toFixed(0)} ms`);
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  assert.ok(p.timeNanos > nowNs - 60_000_000_000n && p.timeNanos <= nowNs, "time_nanos is the start time");
  assert.ok(p.mapping.length === 1 && p.mapping[0]!.hasFunctions && p.mapping[0]!.hasLineNumbers);
  // No (idle) or (root) frames; every sample labelled with its thread.
  const names = new Set(p.function.map((f) => f.name));
  assert.ok(!names.has("(idle)") && !names.has("(root)"));
  // Every sample has a thread label: "main", or Node's own module-loader
  // thread (tsx's hooks run there; a whole-process profile covers it too).
  const threads = new Set(p.sample.map((s) => s.label.thread?.[0]));
  for (const th of threads) assert.ok(th === "main" || /^worker \d+ \(node:internal\//.test(th ?? ""), `thread label ${th}`);
  const workloadThreads = new Set(p.sample.filter((s) => /TwoThirds|OneThird/.test(s.location[0]!.line[0]!.function.name)).map((s) => s.label.thread?.[0]));
  assert.deepEqual([...workloadThreads], ["main"]);
  // The hot function carries its file, start line, and executing lines inside it.
  const heavy = p.function.find((f) => f.name === "heavyTwoThirds")!;
  assert.match(heavy.filename, /test\/fixtures\/cpu\/workload\.ts$/);
  assert.equal(heavy.startLine, 4);
  const heavyLines = new Set(p.location.filter((l) => l.line[0]!.function === heavy).map((l) => l.line[0]!.line));
  assert.ok([...heavyLines].some((l) => l >= 4 && l <= 8), `lines inside heavyTwoThirds: ${[...heavyLines]}`);
});

test("idle time is left out: a profile of a sleeping thread has almost no samples", async (t) => {
  if (!needGo(t)) return;
  const path = await profileToFile("idle.pb.gz", () => new Promise((r) => setTimeout(r, 1000)));
  const p = decodeProfile(gunzipSync(readFileSync(path)));
  const total = p.sample.reduce((n, s) => n + s.value[0]!, 0);
  assert.ok(total < 30, `1 s asleep at 100 Hz gave ${total} samples (idle must be dropped)`);
  pprof(["-top", path]);
});

test("a second start throws Go's error and leaves the running profile intact", async (t) => {
  if (!needGo(t)) return;
  const path = join(dir, "second.pb.gz");
  const w = createWriteStream(path);
  startCPUProfile(w);
  assert.throws(() => startCPUProfile(new PassThrough()), { message: "cpu profiling already in use" });
  twoToOne(300);
  await stopCPUProfile();
  await new Promise<void>((resolve) => w.end(resolve));
  assertHoldsWorkload(pprof(["-top", path]));
});

test("stop with nothing running resolves at once", async () => {
  await stopCPUProfile();
  await stopCPUProfile();
});

test("a failing writer rejects, and a new profile then works", async (t) => {
  if (!needGo(t)) return;
  const failing = new Writable({
    write(_chunk, _enc, cb) {
      cb(new Error("disk full"));
    },
  });
  startCPUProfile(failing);
  twoToOne(100);
  await assert.rejects(stopCPUProfile(), /disk full/);
  const path = await profileToFile("after-failure.pb.gz", () => void twoToOne(300));
  const out = pprof(["-top", path]);
  assertHoldsWorkload(out);
});

test("start rejects something that is not a writer", () => {
  assert.throws(() => startCPUProfile({} as Writable), TypeError);
  // ...and nothing was started.
  const w = new PassThrough();
  startCPUProfile(w);
  return stopCPUProfile();
});

test("setCPUProfileRate sets the period; while running it refuses with Go's message", async (t) => {
  if (!needGo(t)) return;
  setCPUProfileRate(1000);
  assert.equal(cpuProfileRate(), 1000);
  const path = join(dir, "rate.pb.gz");
  const w = createWriteStream(path);
  startCPUProfile(w);
  const written: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    setCPUProfileRate(50);
  } finally {
    process.stderr.write = original;
  }
  assert.deepEqual(written, ["runtime: cannot set cpu profile rate until previous profile has finished.\n"]);
  assert.equal(cpuProfileRate(), 1000);
  twoToOne(600);
  await stopCPUProfile();
  await new Promise<void>((resolve) => w.end(resolve));
  assert.match(pprof(["-raw", path]), /Period: 1000000\n/);
  // The same work at the default rate: fewer samples. (About a tenth on an
  // idle machine; on a loaded one both fall short of their rate, by amounts
  // that vary, so only the order is asserted here...)
  setCPUProfileRate(0); // back to the default
  const slow = await profileToFile("rate-default.pb.gz", () => void twoToOne(600));
  const count = (f: string) => decodeProfile(gunzipSync(readFileSync(f))).sample.reduce((n, s) => n + s.value[0]!, 0);
  const fast = count(path), normal = count(slow);
  assert.ok(fast > normal && normal > 0, `600 ms at 1000 Hz gave ${fast} samples, at 100 Hz ${normal}`);
  // ...and V8's sampler is checked directly: while the thread runs, samples
  // come the asked-for interval apart. V8 schedules a tick an interval after
  // the previous one was sent, and a sample's time is when the thread takes
  // it: a sample delayed by d (the thread was descheduled) stretches the gap
  // before it and shortens the one after it by d. So the shortest gaps show
  // the interval at 1 kHz (delays there are under a millisecond), and the
  // median at 100 Hz, which a few delayed samples on a loaded machine do
  // not shorten (its 10th percentile they did, to 2 ms).
  const gaps = (intervalUs: number) => {
    startThreadProfile(intervalUs);
    twoToOne(300);
    return [...(stopThreadProfile(intervalUs).timeDeltas ?? [])].slice(1).sort((x, y) => x - y);
  };
  const deltas1k = gaps(1000), deltas100 = gaps(10_000);
  const gap1k = deltas1k[Math.floor(deltas1k.length / 10)]!, gap100 = deltas100[Math.floor(deltas100.length / 2)]!;
  // (About 1,000 and 10,000 µs.)
  assert.ok(gap1k < 5000 && gap100 > 3 * gap1k, `gap between samples: 10th percentile ${gap1k} µs at 1 kHz, median ${gap100} µs at 100 Hz`);
  assert.equal(cpuProfileRate(), 100);
  setCPUProfileRate(5e6);
  assert.equal(cpuProfileRate(), 1_000_000);
  setCPUProfileRate(100);
  assert.throws(() => setCPUProfileRate(Number.NaN), TypeError);
});

test("consecutive profiles each hold their own samples", async (t) => {
  if (!needGo(t)) return;
  const a = await profileToFile("seq-a.pb.gz", () => void twoToOne(400));
  const b = await profileToFile("seq-b.pb.gz", () => new Promise((r) => setTimeout(r, 400)));
  const pa = decodeProfile(gunzipSync(readFileSync(a)));
  const pb = decodeProfile(gunzipSync(readFileSync(b)));
  const count = (p: typeof pa) => p.sample.reduce((n, s) => n + s.value[0]!, 0);
  assert.ok(count(pa) >= 5, `busy profile has samples: ${count(pa)}`);
  assert.ok(count(pb) < 15, `idle profile right after a busy one has few: ${count(pb)}`);
  assert.ok(!pb.function.some((f) => f.name === "heavyTwoThirds"), "no samples leak from the previous profile");
  writeFileSync(join(dir, "done"), "");
});

test("samples carry the profiler labels in effect when they were taken", async (t) => {
  if (!needGo(t)) return;
  // A fixed number of calls, not a time: the 3:1 ratio must hold when other
  // processes take the cores (a call is about 0.1 ms; about 100 samples in all).
  const spin = (calls: number) => {
    let sink = 0;
    for (let i = 0; i < calls; i++) sink += heavyTwoThirds(50_000);
    return sink;
  };
  // Optimized before the profile: job a runs first, and would otherwise pay
  // for the slower unoptimized calls alone.
  spin(600);
  const path = await profileToFile("labels.pb.gz", async () => {
    for (let i = 0; i < 8; i++) {
      runWithLabels(labels("job", "a"), () => spin(900));
      await runWithLabels(labels("job", "b"), async () => {
        await new Promise((r) => setTimeout(r, 1));
        spin(300);
      });
    }
  });
  const p = decodeProfile(gunzipSync(readFileSync(path)));
  const byJob = new Map<string, number>();
  for (const s of p.sample) {
    const job = s.label.job?.[0] ?? "none";
    byJob.set(job, (byJob.get(job) ?? 0) + s.value[0]!);
  }
  const a = byJob.get("a") ?? 0, b = byJob.get("b") ?? 0;
  assert.ok(a + b > 20, `labelled samples: ${JSON.stringify([...byJob])}`);
  const shareA = (100 * a) / (a + b);
  assert.ok(Math.abs(shareA - 75) < 10, `job=a share ${shareA.toFixed(1)}% (expected about 75%)`);
  assert.match(pprof(["-tags", path]), /job: /);
});

test("without keep-alive, and after the kept sampler expired, profiles still hold their samples", async (t) => {
  if (!needGo(t)) return;
  const count = (path: string) => decodeProfile(gunzipSync(readFileSync(path))).sample.reduce((n, s) => n + s.value[0]!, 0);
  try {
    setCPUProfileKeepAlive(0); // torn down inside stop
    const a = await profileToFile("no-keepalive.pb.gz", () => void twoToOne(400));
    assert.ok(count(a) >= 5, `samples without keep-alive: ${count(a)}`);
    setCPUProfileKeepAlive(50);
    await profileToFile("short-keepalive.pb.gz", () => void twoToOne(200));
    await new Promise((r) => setTimeout(r, 200)); // the kept sampler expires
    const b = await profileToFile("after-expiry.pb.gz", () => void twoToOne(400));
    assert.ok(count(b) >= 5, `samples after expiry: ${count(b)}`);
    assertHoldsWorkload(pprof(["-top", b]));
  } finally {
    setCPUProfileKeepAlive(15_000);
  }
  assert.throws(() => setCPUProfileKeepAlive(-1), RangeError);
});

test("stopCPUProfileSync returns the profile at once (for process 'exit' handlers)", async (t) => {
  if (!needGo(t)) return;
  assert.equal(stopCPUProfileSync(), undefined, "nothing running: undefined");
  const w = new PassThrough();
  let written = 0;
  w.on("data", (c: Buffer) => (written += c.length));
  startCPUProfile(w);
  twoToOne(600);
  const bytes = stopCPUProfileSync()!;
  assert.ok(bytes.length > 100);
  assert.equal(written, 0, "the sync stop returns the bytes instead of writing them");
  const path = join(dir, "sync.pb.gz");
  writeFileSync(path, bytes);
  assertHoldsWorkload(pprof(["-top", path]));
  await stopCPUProfile(); // stopped already: a no-op
  startCPUProfile(new PassThrough().resume()); // and ready again
  await stopCPUProfile();
});

test("garbage collection stays in the profile as its own pseudo-function", async (t) => {
  if (!needGo(t)) return;
  const path = await profileToFile("gc.pb.gz", () => {
    let keep: unknown[] = [];
    const end = Date.now() + 500;
    while (Date.now() < end) {
      for (let i = 0; i < 1000; i++) keep.push({ i, a: [i, i + 1], s: `x${i}` });
      if (keep.length > 200_000) keep = [];
    }
  });
  const p = decodeProfile(gunzipSync(readFileSync(path)));
  const gc = p.sample.filter((s) => s.location[0]!.line[0]!.function.name === "(garbage collector)");
  const gcCount = gc.reduce((n, s) => n + s.value[0]!, 0);
  assert.ok(gcCount >= 2, `(garbage collector) samples: ${gcCount}`);
  assert.ok(gc.every((s) => s.location.length === 1), "V8 reports GC without a JavaScript stack");
  const top = parseTop(pprof(["-top", path]));
  assert.ok(top.some((r) => r.name === "(garbage collector)" && r.flatPct > 0), "go tool pprof shows (garbage collector)");
});

test("built-in functions are named at node: files; anonymous functions at file:line:column", async (t) => {
  if (!needGo(t)) return;
  const { relative } = await import("node:path");
  // Anonymous on purpose (an array element gets no inferred name).
  const [anonymousSpin] = [
    (ms: number) => { // ANON-LINE
      let s = 0;
      const end = Date.now() + ms;
      while (Date.now() < end) for (let i = 0; i < 100; i++) s += relative(`/a/b/c/d/${i & 7}`, `/a/b/x/y/../z${i}`).length;
      return s;
    },
  ];
  const path = await profileToFile("builtins.pb.gz", () => void anonymousSpin!(600));
  const p = decodeProfile(gunzipSync(readFileSync(path)));
  const builtins = p.function.filter((f) => f.filename === "node:path");
  assert.ok(builtins.some((f) => f.name === "relative" && f.startLine > 1), `node:path functions: ${builtins.map((f) => `${f.name}:${f.startLine}`)}`);
  const anonLine = readFileSync(new URL(import.meta.url), "utf8").split("\n").findIndex((l) => l.includes("// ANON-LINE")) + 1;
  const anon = p.function.find((f) => f.name.startsWith(`(anonymous cpu.test.ts:${anonLine}:`));
  assert.ok(anon, `an anonymous function named after cpu.test.ts:${anonLine}: ${p.function.map((f) => f.name)}`);
  assert.equal(anon.startLine, anonLine);
  assert.match(pprof(["-raw", path]), / relative node:path:\d+ s=\d+/);
});

test("stopCPUProfile resolves only after a slow writer took every byte", async () => {
  const chunks: Buffer[] = [];
  let pendingCallbacks = 0;
  const slow = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _enc, cb) {
      pendingCallbacks++;
      setTimeout(() => {
        chunks.push(chunk);
        pendingCallbacks--;
        cb();
      }, 50);
    },
  });
  startCPUProfile(slow);
  twoToOne(200);
  await stopCPUProfile();
  assert.equal(pendingCallbacks, 0, "no write still in flight");
  const p = decodeProfile(gunzipSync(Buffer.concat(chunks)));
  assert.ok(p.sample.length > 0, "the whole profile was written before stop resolved");
  assert.equal(slow.writableEnded, false, "the writer is left open, as Go leaves w open");
});
