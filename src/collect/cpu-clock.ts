// The CPU clocks of the threads a CPU profile samples, read every few
// milliseconds by a helper thread, so that each sample weighs the CPU time
// its thread used since the previous sample.
//
// Why: V8's sampler ticks on wall time. A thread that waits for a core
// (another process on it, a container's CPU quota) is sampled all the same,
// so its samples add up to more than the CPU it used: 1.86x for a program
// sharing its core with a busy process. Go's profile is CPU time, and users
// compare it with their CPU metrics. A busy thread cannot read its own clock
// (it runs no JavaScript of ours), so a helper thread reads every watched
// thread's clock (thread-cpu-time.ts), each into a shared buffer the
// profiled side reads synchronously, even in an 'exit' handler.
//
// Bounded: each watch keeps at most CAPACITY points (64 KiB); when full, every
// other point is dropped and the watch reads half as often, so a profile of
// any length costs the same memory, at a coarser resolution. The helper
// thread starts with the first watch and ends KEEP_ALIVE_MS after the last,
// so a process that never profiles never starts it, and back-to-back
// profiles (a scraper's) do not restart it.

import * as workerThreads from "node:worker_threads";
import { currentThreadTid, schedstatPath, threadCpuNanos } from "./thread-cpu-time.js";

/**
 * How often the helper thread reads a clock, at first (ms). Samples between
 * two readings share the CPU time between them in proportion to their wall
 * time. 20 ms: about 0.5% of a core on a virtual machine where a thread's
 * wake-up costs 80 µs, against 0.9% at 10 ms.
 */
export const CLOCK_STEP_MS = 20;
/** Points kept per watch. */
const CAPACITY = 4096;
const KEEP_ALIVE_MS = 15_000;
/** The helper thread's name (Node's worker title ends with it): tsprof's own, never profiled. */
export const CLOCK_THREAD_NAME = "tsprof cpu clock";

// Header of a watch's buffer (Int32 slots), then CAPACITY (µs, ns) pairs.
const SEQ = 0; // odd while the helper compacts the points
const COUNT = 1;
const CLOSED = 2;
const HEADER_BYTES = 16;

/** Cumulative CPU time (ns) of one thread as a function of time (µs on process.hrtime's clock). */
export interface CpuTimeline {
  /** The readings: times (µs, increasing) and the thread's CPU time then (ns, non-decreasing). */
  readonly times: readonly number[];
  readonly cpuNs: readonly number[];
  /** Interpolated between readings; clamped to the first and last reading. */
  at(tUs: number): number;
}

/**
 * The code of the helper thread: for each watch, reads the thread's
 * schedstat every `step` ms (pread at 0 gives a fresh line) and appends
 * (now µs, run ns). It sleeps in Atomics.wait and takes its messages with
 * receiveMessageOnPort: a wake-up costs a read per watch and no event-loop
 * turn. Plain CommonJS, run with eval: it loads nothing of tsprof's, so it
 * is never itself profiled.
 */
const HELPER_SOURCE = `
"use strict";
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const fs = require("node:fs");
const CAPACITY = ${CAPACITY}, SEQ = ${SEQ}, COUNT = ${COUNT}, CLOSED = ${CLOSED}, HEADER_BYTES = ${HEADER_BYTES}, STEP_MS = ${CLOCK_STEP_MS};
const port = workerData.port;
const watches = new Map();
const buf = Buffer.alloc(128);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
function nowUs() { return Number(process.hrtime.bigint()) / 1000; }
function read(w) {
  const n = fs.readSync(w.fd, buf, 0, buf.length, 0);
  const text = buf.toString("latin1", 0, n);
  const space = text.indexOf(" ");
  return Number(space < 0 ? text : text.slice(0, space));
}
function drop(id) {
  const w = watches.get(id);
  if (!w) return;
  watches.delete(id);
  try { fs.closeSync(w.fd); } catch {}
}
function append(w, t, ns) {
  let count = Atomics.load(w.header, COUNT);
  if (count === CAPACITY) {
    Atomics.add(w.header, SEQ, 1);
    for (let i = 1; i < CAPACITY / 2; i++) { w.points[2 * i] = w.points[4 * i]; w.points[2 * i + 1] = w.points[4 * i + 1]; }
    count = CAPACITY / 2;
    Atomics.store(w.header, COUNT, count);
    Atomics.add(w.header, SEQ, 1);
    w.step *= 2;
  }
  w.points[2 * count] = t;
  w.points[2 * count + 1] = ns;
  Atomics.store(w.header, COUNT, count + 1);
  w.last = t;
}
function receive(m) {
  if (m.watch) {
    let fd;
    try { fd = fs.openSync(m.path, "r"); } catch { return; }
    watches.set(m.id, { fd, header: new Int32Array(m.buffer, 0, 4), points: new Float64Array(m.buffer, HEADER_BYTES), step: STEP_MS, last: -Infinity });
  } else if (m.unwatch !== undefined) drop(m.unwatch);
}
for (;;) {
  for (let m; (m = receiveMessageOnPort(port)) !== undefined; ) receive(m.message);
  const t = nowUs();
  for (const [id, w] of watches) {
    if (Atomics.load(w.header, CLOSED) === 1) { drop(id); continue; }
    // Within half a step of due: the sleep is never exact.
    if (t - w.last < w.step * 500) continue;
    let ns;
    try { ns = read(w); } catch { drop(id); continue; }
    if (Number.isFinite(ns)) append(w, t, ns);
  }
  Atomics.wait(sleeper, 0, 0, STEP_MS);
}
`;

let helper: workerThreads.Worker | undefined;
let helperPort: workerThreads.MessagePort | undefined;
let helperFailed = false;
let watchers = 0;
let nextId = 1;
let idleTimer: NodeJS.Timeout | undefined;

/** worker_threads.Worker as Node.js made it: tsprof's threadcreate subclass would count and preload the helper. */
function nodeWorker(): typeof workerThreads.Worker {
  let W = workerThreads.Worker;
  while ((W as unknown as Record<symbol, unknown>)[Symbol.for("tsprof.threadcreate.patched")] === true) W = Object.getPrototypeOf(W) as typeof workerThreads.Worker;
  return W;
}

function startHelper(): workerThreads.Worker | undefined {
  if (helper || helperFailed) return helper;
  try {
    const W = nodeWorker();
    const { port1, port2 } = new workerThreads.MessageChannel();
    port1.unref();
    // No execArgv: a loader the program runs under (tsx, a preload) is not the helper's.
    helper = new W(HELPER_SOURCE, {
      eval: true,
      execArgv: [],
      stdout: true,
      stderr: true,
      name: CLOCK_THREAD_NAME,
      workerData: { port: port2 },
      transferList: [port2],
    } as workerThreads.WorkerOptions);
    helperPort = port1;
    helper.unref();
    helper.on("error", () => {
      helperFailed = true;
      helper = undefined;
    });
    helper.on("exit", () => {
      helper = undefined;
    });
  } catch {
    helperFailed = true;
    helper = undefined;
  }
  return helper;
}

/**
 * One thread's CPU clock over a profile: from watch() until close(). Every
 * method is safe to call from any state; where the platform has no thread
 * clock, timeline() is undefined and samples keep V8's weights.
 */
export class ThreadClockWatch {
  private readonly id = nextId++;
  private readonly buffer: SharedArrayBuffer;
  private readonly header: Int32Array;
  private readonly points: Float64Array;
  /** Readings taken on the watched thread itself (its start, its end). */
  private readonly own: [number, number][] = [];
  private closed = false;
  /** Registered with the helper thread. */
  private helped = false;

  private constructor(readonly tid: number) {
    this.buffer = new SharedArrayBuffer(HEADER_BYTES + CAPACITY * 16);
    this.header = new Int32Array(this.buffer, 0, 4);
    this.points = new Float64Array(this.buffer, HEADER_BYTES);
  }

  /**
   * Watches thread tid (default: this thread) from now on; undefined where
   * threads have no readable clock. start: a reading taken earlier on this
   * thread (µs, ns), e.g. when an early sampler started. deferHelper: the
   * helper thread is asked on the next turn of the event loop, not now
   * (starting it costs the caller about 4 ms and the process about 40 ms of
   * CPU, which a preload's start-up and a short synchronous profile should
   * not pay); until then, and for a thread busy from its first line for
   * ever, the readings on the thread itself weigh the samples.
   */
  static watch(tid = currentThreadTid(), start?: [number, number], deferHelper = false): ThreadClockWatch | undefined {
    if (tid === undefined) return undefined;
    const w = new ThreadClockWatch(tid);
    if (start) w.own.push(start);
    if (tid === currentThreadTid()) w.readOwn();
    if (deferHelper) setImmediate(() => w.askHelper()).unref();
    else w.askHelper();
    return w.own.length > 0 || helper ? w : undefined;
  }

  private askHelper(): void {
    if (this.closed || this.helped) return;
    const h = startHelper();
    if (!h) return;
    this.helped = true;
    watchers++;
    if (idleTimer) {
      clearTimeout(idleTimer);
      idleTimer = undefined;
    }
    helperPort!.postMessage({ watch: true, id: this.id, path: schedstatPath(this.tid), buffer: this.buffer });
  }

  /** A reading now, taken on this thread (it must be the watched one). */
  readOwn(): void {
    const ns = threadCpuNanos(this.tid);
    if (ns !== undefined) this.own.push([nowUs(), ns]);
  }

  /** A reading (µs, ns) the watched thread took itself. */
  addReading(reading: [number, number]): void {
    if (Number.isFinite(reading[0]) && Number.isFinite(reading[1])) this.own.push(reading);
  }

  /** Ends the watch; the points read so far stay readable. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.header, CLOSED, 1);
    if (helper && this.helped) {
      helperPort?.postMessage({ unwatch: this.id });
      if (--watchers === 0) {
        idleTimer = setTimeout(stopHelper, KEEP_ALIVE_MS);
        idleTimer.unref();
      }
    }
  }

  /** The readings so far as a timeline, or undefined with fewer than two. */
  timeline(): CpuTimeline | undefined {
    const pairs = [...this.own, ...this.snapshot()].sort((a, b) => a[0] - b[0]);
    // A clock never goes back: a reading below an earlier one is dropped.
    const t: number[] = [], ns: number[] = [];
    for (const [at, v] of pairs) {
      if (ns.length > 0 && (v < ns[ns.length - 1]! || at <= t[t.length - 1]!)) continue;
      t.push(at);
      ns.push(v);
    }
    return t.length >= 2 ? interpolated(t, ns) : undefined;
  }

  /** The helper's points, consistent: reread if it compacted meanwhile. */
  private snapshot(): [number, number][] {
    for (let attempt = 0; attempt < 100; attempt++) {
      const seq = Atomics.load(this.header, SEQ);
      if (seq % 2 === 1) continue;
      const count = Atomics.load(this.header, COUNT);
      const copy = this.points.slice(0, 2 * count);
      if (Atomics.load(this.header, SEQ) !== seq) continue;
      const out: [number, number][] = [];
      for (let i = 0; i < count; i++) out.push([copy[2 * i]!, copy[2 * i + 1]!]);
      return out;
    }
    return [];
  }
}

function stopHelper(): void {
  idleTimer = undefined;
  if (watchers > 0 || !helper) return;
  const h = helper;
  helper = undefined;
  helperPort?.close();
  helperPort = undefined;
  void h.terminate().catch(() => {});
}

function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

/** Linear interpolation over increasing times t, clamped at both ends; lookups in increasing order are O(1) each. */
function interpolated(t: number[], ns: number[]): CpuTimeline {
  let i = 0;
  return {
    times: t,
    cpuNs: ns,
    at(tUs: number): number {
      if (tUs <= t[0]!) return ns[0]!;
      const last = t.length - 1;
      if (tUs >= t[last]!) return ns[last]!;
      if (tUs < t[i]!) i = 0;
      while (t[i + 1]! < tUs) i++;
      const f = (tUs - t[i]!) / (t[i + 1]! - t[i]!);
      return ns[i]! + f * (ns[i + 1]! - ns[i]!);
    },
  };
}
