// Workers created while a main-thread CPU profile runs sample themselves from
// their first line: `new Worker` (tsprof's subclass, threadcreate.ts) adds
// cpu-worker-preload.cjs to the worker's execArgv and the sampling interval
// and channel to its environment. The worker starts its own sampler before
// its code runs and never waits for the main thread.

import { BroadcastChannel, SHARE_ENV, type Worker, type WorkerOptions } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import type { V8CpuProfile } from "./cpu-convert.js";
import { ThreadClockWatch, type CpuTimeline } from "./cpu-clock.js";

function isReading(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number";
}

/** Read (and removed) by the preload. */
export const PRELOAD_ENV = "TSPROF_CPU_WORKER_PROFILE";
const HOOK = Symbol.for("tsprof.worker.hook");

/** What threadcreate.ts's Worker calls around the real constructor; shared by every copy of tsprof. */
export interface WorkerHook {
  /** The constructor's arguments with the preload added, or undefined to leave them. */
  args(args: unknown[]): unknown[] | undefined;
  /** A worker created with args' result. */
  created(worker: Worker): void;
  /** args' result made the constructor throw this (the worker was then created as asked). */
  rejected(err: unknown): void;
}

function setWorkerHook(hook: WorkerHook | undefined): void {
  (globalThis as Record<symbol, WorkerHook | undefined>)[HOOK] = hook;
}

/** Removes `hook` if it is the one installed: a set closing late leaves its successor's alone. */
function clearWorkerHook(hook: WorkerHook): void {
  const g = globalThis as Record<symbol, WorkerHook | undefined>;
  if (g[HOOK] === hook) g[HOOK] = undefined;
}

// The preload sits next to this module in src/ and in both builds. Checked
// once, at the first worker: a worker told to --require a missing file would
// fail to start.
let preloadPath: string | null | undefined;
function preload(): string | null {
  if (preloadPath === undefined) {
    const path = fileURLToPath(new URL("./cpu-worker-preload.cjs", import.meta.url));
    preloadPath = existsSync(path) ? path : null;
  }
  return preloadPath;
}

let channelSeq = 0;

/**
 * Workers created from now on sample themselves at intervalUs, until the
 * returned set's collect or close. undefined where that cannot be set up
 * (no BroadcastChannel): workers are then sampled through the inspector alone.
 */
export function selfSampleNewWorkers(intervalUs: number): SelfSampledWorkers | undefined {
  try {
    // The Worker subclass that adds the preload.
    createRequire(import.meta.url)("./threadcreate.js");
    return new SelfSampledWorkers(intervalUs);
  } catch {
    return undefined;
  }
}

/**
 * The workers created during one profile: the preload for them while the
 * profile runs, and the profiles they post. Set up synchronously at the
 * profile's start, so a worker created on the next line, and one that exits
 * before the main thread's event loop turns, are covered.
 */
export class SelfSampledWorkers {
  readonly intervalUs: number;
  /** threadIds of the workers created with the preload. */
  private readonly created = new Set<number>();
  /** The profiles they posted, by threadId. */
  readonly profiles = new Map<number, V8CpuProfile>();
  /** Their CPU clocks, by threadId, from their first message (where threads have clocks). */
  private readonly clocks = new Map<number, ThreadClockWatch>();
  private readonly name = `tsprof.cpu.${process.pid}.${++channelSeq}.${Math.random().toString(36).slice(2)}`;
  /** Opened with the first worker: a profile of a program that starts none opens nothing. */
  private channel: BroadcastChannel | undefined;
  private closed = false;
  private onProfile: (() => void) | undefined;
  private readonly hook: WorkerHook;

  constructor(intervalUs: number) {
    this.intervalUs = intervalUs;
    this.hook = {
      args: (args) => {
        try {
          const path = preload();
          if (!path || !this.open()) return undefined;
          return withPreload(args, path, `${intervalUs}:${this.name}`);
        } catch {
          return undefined; // the worker is created as asked
        }
      },
      created: (worker) => this.created.add(worker.threadId),
      rejected: learnRejectedFlags,
    };
    setWorkerHook(this.hook);
  }

  private open(): boolean {
    if (this.closed) return false;
    if (!this.channel) {
      const channel = new BroadcastChannel(this.name);
      // Not a reason for the process to keep running.
      channel.unref();
      channel.onmessage = (e) => this.received((e as MessageEvent).data);
      this.channel = channel;
    }
    return true;
  }

  /**
   * Asks the workers for their profiles (an idle worker answers on its next
   * turn of the event loop) and waits for those not yet in, up to graceMs:
   * a worker busy at stop cannot answer, one killed with terminate() never
   * will. No preload for workers created from now on.
   */
  collect(graceMs: number): Promise<Map<number, V8CpuProfile>> {
    clearWorkerHook(this.hook);
    try {
      this.channel?.postMessage("stop");
    } catch {
      // closed already
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.close();
        resolve(this.profiles);
      };
      // Ref'd: the process must not exit while a profile is still being collected.
      const timer = setTimeout(done, graceMs);
      this.onProfile = () => {
        if ([...this.created].every((id) => this.profiles.has(id))) done();
      };
      this.onProfile();
    });
  }

  /** Stops listening (what the workers posted so far is in profiles), and the workers' sampling. */
  close(): void {
    for (const watch of this.clocks.values()) watch.close();
    clearWorkerHook(this.hook);
    this.onProfile = undefined;
    this.closed = true;
    try {
      this.channel?.postMessage("stop");
      this.channel?.close();
    } catch {
      // closed already
    }
  }

  /** The CPU clock of a worker over its profile, once the profile is in. */
  cpuTime(threadId: number): CpuTimeline | undefined {
    return this.clocks.get(threadId)?.timeline();
  }

  private received(data: unknown): void {
    const m = data as { threadId?: unknown; profile?: V8CpuProfile; tid?: unknown; startCpu?: unknown; endCpu?: unknown } | null;
    if (typeof m?.threadId !== "number") return;
    if (typeof m.tid === "number" && isReading(m.startCpu) && !this.clocks.has(m.threadId)) {
      // Its samples are weighed by its clock: read from here on by the
      // helper thread, and by the worker itself at its start and end.
      const watch = ThreadClockWatch.watch(m.tid, m.startCpu);
      if (watch) this.clocks.set(m.threadId, watch);
    }
    if (!m.profile) return;
    const watch = this.clocks.get(m.threadId);
    if (watch) {
      if (isReading(m.endCpu)) watch.addReading(m.endCpu);
      watch.close();
    }
    this.profiles.set(m.threadId, m.profile);
    this.onProfile?.();
  }
}

/**
 * Flags of this process's execArgv that workers reject (V8's and Node's
 * process-wide ones, such as --max-old-space-size): a worker given no
 * execArgv inherits the process's options, but one given an execArgv must
 * not list these. Node names them when it rejects them; the worker that
 * taught it them is created without the preload, the next ones without them.
 */
const rejectedFlags = new Set<string>();

function learnRejectedFlags(err: unknown): void {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e?.code !== "ERR_WORKER_INVALID_EXEC_ARGV" || typeof e.message !== "string") return;
  const list = e.message.slice(e.message.indexOf(":") + 1);
  for (const flag of list.split(",")) if (flag.trim()) rejectedFlags.add(flag.trim());
}

function withPreload(args: unknown[], preloadPath: string, config: string): unknown[] | undefined {
  const [filename, options = {}, ...rest] = args as [unknown, WorkerOptions | undefined, ...unknown[]];
  if (typeof options !== "object" || options === null) return undefined;
  // A shared environment cannot carry the worker's own setting.
  if (options.env === SHARE_ENV) return undefined;
  const baseEnv = (options.env ?? process.env) as NodeJS.Dict<string>;
  const execArgv = [...(options.execArgv ?? process.execArgv.filter((arg) => !rejectedFlags.has(arg))), "--require", preloadPath];
  return [filename, { ...options, execArgv, env: { ...baseEnv, [PRELOAD_ENV]: config } }, ...rest];
}
