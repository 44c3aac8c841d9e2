// Whole-process CPU profiles, the inspector's part: from the main thread,
// V8's inspector reaches every worker thread (the NodeWorker domain), so a
// profile started on the main thread also samples each worker (those running
// at start, those started during the profile, and Node's own loader threads)
// from when it attaches, which needs the main thread's event loop. Workers
// created during the profile also sample themselves from their first line
// (cpu-worker-start.ts); what they post is preferred to this.
//
// Only protocol commands are sent to a worker, never Runtime.evaluate: code
// evaluated in a worker runs inside an interrupt, and a worker.terminate()
// landing during it is swallowed, leaving the worker spinning and terminate()
// unsettled for ever. The cost: a worker's samples end when it exits.

import { CLOCK_THREAD_NAME, type CpuTimeline } from "./cpu-clock.js";
import { Session } from "node:inspector";
import type { V8CpuProfile } from "./cpu-convert.js";

/** How long stop waits for a worker's profile before leaving it out (ms). */
const STOP_TIMEOUT_MS = 3_000;

interface AttachedWorker {
  sessionId: string;
  thread: string;
  /** The worker's threadId, undefined for Node's internal threads. */
  threadId: number | undefined;
  profiles: V8CpuProfile[];
  detached: boolean;
  started: Promise<void>;
}

interface WorkerMessage {
  id?: number;
  result?: { profile?: V8CpuProfile };
}

export interface WorkerThreadProfile {
  thread: string;
  /** undefined for Node's internal threads. */
  threadId?: number;
  profiles: V8CpuProfile[];
  /** The thread's CPU clock, for the workers that sampled themselves (cpu-worker-start.ts). */
  cpuTime?: CpuTimeline;
}

/** Profiles every worker thread of the process while it runs. Main thread only. */
export class WorkerSampler {
  private readonly session = new Session();
  private readonly workers = new Map<string, AttachedWorker>();
  private readonly pending = new Map<number, { resolve(m: WorkerMessage): void; sessionId: string }>();
  private nextId = 0;
  private stopped = false;

  constructor(private readonly intervalUs: number) {}

  start(): void {
    this.session.connect();
    this.session.on("NodeWorker.attachedToWorker", (m) => {
      const info = m.params.workerInfo;
      if (info.title.endsWith(`] ${CLOCK_THREAD_NAME}`)) return; // tsprof's own clock reader
      const internal = info.url.startsWith("node:internal/");
      // Node's own threads (the module loader's hooks thread, where loaders
      // such as tsx transform code) are sampled too, under a label that says what they are.
      const threadId = workerThreadId(info);
      const name = threadId === undefined ? `worker ${info.workerId}` : `worker ${threadId}`;
      this.attached(m.params.sessionId, internal ? `${name} (${info.url})` : name, internal ? undefined : threadId);
    });
    this.session.on("NodeWorker.detachedFromWorker", (m) => this.detached(m.params.sessionId));
    this.session.on("NodeWorker.receivedMessageFromWorker", (m) => this.received(m.params.message));
    this.session.post("NodeWorker.enable", { waitForDebuggerOnStart: false });
  }

  /** Stops every worker's profile and returns what each collected. */
  async stop(): Promise<WorkerThreadProfile[]> {
    this.stopped = true;
    const workers = [...this.workers.values()];
    await Promise.all(workers.map((w) => this.stopWorker(w)));
    this.close();
    return this.collected(workers);
  }

  /**
   * Stops without waiting (for process 'exit' handlers, where nothing
   * asynchronous runs): the workers' answers need the event loop, so what
   * the inspector sampled is lost.
   */
  stopNow(): WorkerThreadProfile[] {
    this.stopped = true;
    this.close();
    return this.collected([...this.workers.values()]);
  }

  private close(): void {
    try {
      this.session.post("NodeWorker.disable");
      this.session.disconnect();
    } catch {
      // already disconnected
    }
    for (const p of this.pending.values()) p.resolve({});
    this.pending.clear();
  }

  private collected(workers: AttachedWorker[]): WorkerThreadProfile[] {
    return workers.filter((w) => w.profiles.length > 0).map((w) => ({ thread: w.thread, threadId: w.threadId, profiles: w.profiles }));
  }

  /** internal: Node's own threads (the module loader's hooks thread). */
  private attached(sessionId: string, thread: string, threadId: number | undefined): void {
    if (this.stopped || this.workers.has(sessionId)) return;
    const w: AttachedWorker = { sessionId, thread, threadId, profiles: [], detached: false, started: Promise.resolve() };
    this.workers.set(sessionId, w);
    w.started = this.startWorker(w).catch(() => {});
  }

  // Protocol commands only (see the top of this file), sent at once: the
  // worker runs them in order, and the sampler starts without waiting for
  // the main thread's event loop between them.
  private async startWorker(w: AttachedWorker): Promise<void> {
    await Promise.all([
      this.send(w, "Profiler.enable"),
      this.send(w, "Profiler.setSamplingInterval", { interval: this.intervalUs }),
      this.send(w, "Profiler.start"),
    ]);
  }

  private async stopWorker(w: AttachedWorker): Promise<void> {
    await withTimeout(w.started, STOP_TIMEOUT_MS);
    if (w.detached) return;
    const answer = await withTimeout(this.send(w, "Profiler.stop"), STOP_TIMEOUT_MS);
    if (answer?.result?.profile) w.profiles.push(answer.result.profile);
    await withTimeout(this.send(w, "Profiler.disable"), STOP_TIMEOUT_MS);
  }

  private detached(sessionId: string): void {
    const w = this.workers.get(sessionId);
    if (w) w.detached = true;
    for (const [id, p] of this.pending) {
      if (p.sessionId === sessionId) {
        p.resolve({});
        this.pending.delete(id);
      }
    }
  }

  private received(message: string): void {
    let m: WorkerMessage;
    try {
      m = JSON.parse(message) as WorkerMessage;
    } catch {
      return;
    }
    if (m.id === undefined) return;
    const p = this.pending.get(m.id);
    this.pending.delete(m.id);
    p?.resolve(m);
  }

  private send(w: AttachedWorker, method: string, params?: object): Promise<WorkerMessage> {
    if (w.detached) return Promise.resolve({});
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, sessionId: w.sessionId });
      try {
        this.session.post("NodeWorker.sendMessageToWorker", { sessionId: w.sessionId, message: JSON.stringify({ id, method, params }) });
      } catch {
        this.pending.delete(id);
        resolve({});
      }
    });
  }
}

/**
 * The worker's threadId, from Node's title "[worker N] name" (the
 * inspector's workerId counts per session).
 */
function workerThreadId(info: { title: string }): number | undefined {
  const m = /^\[worker (\d+)\]/.exec(info.title);
  return m ? Number(m[1]) : undefined;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    // Ref'd: worker answers arrive without a handle of their own, and the
    // process must not exit while a profile is still being collected.
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
