// Whole-process CPU profiles: from the main thread, V8's inspector reaches
// every worker thread (the NodeWorker domain), so a profile started on the
// main thread also profiles each worker, those started during the profile
// included (from the moment they attach; they are not held at start-up).
//
// A worker that exits mid-profile keeps what it collected: its profile is a
// console profile ended by a process 'exit' listener inside the worker, which
// sends the profile to the main thread before the thread is torn down. A
// worker stopped with worker.terminate() runs no 'exit' listener: its samples
// are lost. Where the worker's console cannot be used (replaced by the
// program), a plain Profiler.start is used and exit loses its samples too.

import { Session } from "node:inspector";
import type { V8CpuProfile } from "./cpu-convert.js";

/** How long stop waits for a worker's profile before leaving it out (ms). */
const STOP_TIMEOUT_MS = 3_000;
const EXIT_HOOK = "tsprof.cpu.exit";

interface AttachedWorker {
  sessionId: string;
  thread: string;
  /** Console-profile title when profiling through the worker's console, else undefined. */
  title: string | undefined;
  profiles: V8CpuProfile[];
  detached: boolean;
  started: Promise<void>;
}

interface WorkerMessage {
  id?: number;
  method?: string;
  params?: { title?: string; profile?: V8CpuProfile };
  result?: { profile?: V8CpuProfile; result?: { value?: unknown } };
  error?: { message: string };
}

export interface WorkerThreadProfile {
  thread: string;
  profiles: V8CpuProfile[];
}

let profileSeq = 0;

/** Profiles every worker thread of the process while it runs. Main thread only. */
export class WorkerSampler {
  private readonly session = new Session();
  private readonly workers = new Map<string, AttachedWorker>();
  private readonly pending = new Map<number, { resolve(m: WorkerMessage): void; sessionId: string }>();
  private nextId = 0;
  private readonly seq = ++profileSeq;
  private stopped = false;

  constructor(private readonly intervalUs: number) {}

  start(): void {
    this.session.connect();
    this.session.on("NodeWorker.attachedToWorker", (m) => {
      const info = m.params.workerInfo;
      const internal = info.url.startsWith("node:internal/");
      // Node's own threads (the module loader's hooks thread, where loaders
      // such as tsx transform code) are sampled too, under a label that says what they are.
      const name = workerThreadName(info);
      this.attached(m.params.sessionId, internal ? `${name} (${info.url})` : name, internal);
    });
    this.session.on("NodeWorker.detachedFromWorker", (m) => this.detached(m.params.sessionId));
    this.session.on("NodeWorker.receivedMessageFromWorker", (m) => this.received(m.params.sessionId, m.params.message));
    this.session.post("NodeWorker.enable", { waitForDebuggerOnStart: false });
  }

  /** Stops every worker's profile and returns what each collected. */
  async stop(): Promise<WorkerThreadProfile[]> {
    this.stopped = true;
    const workers = [...this.workers.values()];
    await Promise.all(workers.map((w) => this.stopWorker(w)));
    try {
      this.session.post("NodeWorker.disable");
      this.session.disconnect();
    } catch {
      // already disconnected
    }
    for (const p of this.pending.values()) p.resolve({});
    this.pending.clear();
    return workers.filter((w) => w.profiles.length > 0).map((w) => ({ thread: w.thread, profiles: w.profiles }));
  }

  /**
   * Stops without waiting (for process 'exit' handlers, where nothing
   * asynchronous runs): returns what exited workers delivered; the running
   * workers' samples are lost.
   */
  stopNow(): WorkerThreadProfile[] {
    this.stopped = true;
    try {
      this.session.post("NodeWorker.disable");
      this.session.disconnect();
    } catch {
      // already disconnected
    }
    this.pending.clear();
    return [...this.workers.values()].filter((w) => w.profiles.length > 0).map((w) => ({ thread: w.thread, profiles: w.profiles }));
  }

  /** internal: Node's own threads (the module loader's hooks thread): no code is evaluated there. */
  private attached(sessionId: string, thread: string, internal: boolean): void {
    if (this.stopped || this.workers.has(sessionId)) return;
    const w: AttachedWorker = { sessionId, thread, title: undefined, profiles: [], detached: false, started: Promise.resolve() };
    this.workers.set(sessionId, w);
    w.started = this.startWorker(w, internal).catch(() => {});
  }

  private async startWorker(w: AttachedWorker, internal: boolean): Promise<void> {
    await this.send(w, "Profiler.enable");
    await this.send(w, "Profiler.setSamplingInterval", { interval: this.intervalUs });
    const title = `tsprof-worker-${this.seq}`;
    const hooked = internal ? undefined : await this.send(w, "Runtime.evaluate", { expression: startExpression(title), returnByValue: true });
    if (hooked?.result?.result?.value === true) {
      w.title = title;
    } else {
      await this.send(w, "Profiler.start");
    }
  }

  private async stopWorker(w: AttachedWorker): Promise<void> {
    await withTimeout(w.started, STOP_TIMEOUT_MS);
    if (w.detached) return;
    if (w.title) {
      // The finished profile arrives as an event before this answer.
      await withTimeout(this.send(w, "Runtime.evaluate", { expression: stopExpression(w.title) }), STOP_TIMEOUT_MS);
    } else {
      const answer = await withTimeout(this.send(w, "Profiler.stop"), STOP_TIMEOUT_MS);
      if (answer?.result?.profile) w.profiles.push(answer.result.profile);
    }
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

  private received(sessionId: string, message: string): void {
    let m: WorkerMessage;
    try {
      m = JSON.parse(message) as WorkerMessage;
    } catch {
      return;
    }
    if (m.id !== undefined) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.resolve(m);
      return;
    }
    const w = this.workers.get(sessionId);
    if (w && m.method === "Profiler.consoleProfileFinished" && m.params?.title === w.title && m.params?.profile) {
      w.profiles.push(m.params.profile);
    }
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
 * "worker <threadId>", as the worker's own profiles say. The inspector's
 * workerId counts per session; Node's title "[worker N] name" carries the
 * threadId.
 */
function workerThreadName(info: { workerId: string; title: string }): string {
  const m = /^\[worker (\d+)\]/.exec(info.title);
  return `worker ${m ? m[1] : info.workerId}`;
}

// Evaluated inside the worker: a console profile plus an 'exit' listener
// that ends it, so a worker exiting mid-profile still delivers its samples.
function startExpression(title: string): string {
  return `(() => {
    const c = globalThis.console, p = globalThis.process;
    if (!c || typeof c.profile !== "function" || typeof c.profileEnd !== "function" || !p || typeof p.once !== "function") return false;
    const end = () => c.profileEnd(${JSON.stringify(title)});
    globalThis[Symbol.for(${JSON.stringify(`${EXIT_HOOK}.${title}`)})] = end;
    p.once("exit", end);
    c.profile(${JSON.stringify(title)});
    return true;
  })()`;
}

function stopExpression(title: string): string {
  return `(() => {
    const key = Symbol.for(${JSON.stringify(`${EXIT_HOOK}.${title}`)});
    const end = globalThis[key];
    delete globalThis[key];
    if (!end) return;
    globalThis.process.off("exit", end);
    end();
  })()`;
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
