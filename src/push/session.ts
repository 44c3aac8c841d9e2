// Continuous profiling by push: every period the CPU profile of the window
// just ended and the heap profile's allocations in it (with the memory in use
// at its end) are encoded and queued for Pyroscope's /ingest. The period's
// timer never keeps the process alive; encoding and sending happen after the
// window is cut, off the program's request paths (zlib on Node's thread
// pool, the upload on a socket); failures stay inside (uploader.ts).
//
// At the end the last window is sent too, within flushTimeoutMs:
//   stop()                   the caller awaits it
//   normal exit              'beforeExit': stop() runs, the event loop waits for it
//   process.exit(), a crash  'exit': cut, encoded and posted synchronously (sync-upload.ts)

import { createRequire } from "node:module";
import { isMainThread } from "node:worker_threads";
import { CpuWindows } from "../collect/cpu-continuous.js";
import type { HeapWindows } from "../collect/heap-windows.js";
import { encodeProfileGzip, encodeProfileGzipSync } from "../profile/encode.js";
import type { ProfileData } from "../profile/model.js";
import { resolvePushOptions, type PushOptions, type ResolvedPushOptions } from "./options.js";
import { ingestRequest, HEAP_SAMPLE_TYPE_CONFIG, type IngestRequest } from "./ingest.js";
import { Uploader, type PushStats } from "./uploader.js";
import { uploadSync } from "./sync-upload.js";
import { packageVersion } from "../util/version.js";

export interface PushSession {
  /** Cuts the last window, sends what is queued within flushTimeoutMs, and releases the samplers. Never rejects. */
  stop(): Promise<void>;
  /** The same without the event loop (for 'exit' listeners and signal handlers). */
  stopSync(): void;
  /** Upload counters: sent, dropped, failed attempts, waiting. */
  stats(): PushStats;
}

interface Cut {
  data: ProfileData;
  startNanos: bigint;
  endNanos: bigint;
  sampleRate?: number;
  sampleTypeConfig?: object;
}

let current: Session | undefined;

class Session implements PushSession {
  private readonly uploader: Uploader;
  private readonly cpu: CpuWindows | undefined;
  private readonly heap: HeapWindows | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextAt: number;
  private stopping: Promise<void> | undefined;
  private stopped = false;
  private pending = new Set<Promise<void>>();
  private readonly onBeforeExit = (): void => void this.stop();
  private readonly onExit = (): void => this.stopSync();

  constructor(private readonly o: ResolvedPushOptions) {
    this.uploader = new Uploader({ url: o.ingestUrl.href, maxBackoffMs: Math.max(1000, o.periodMs), timeoutMs: o.timeoutMs, maxQueue: o.maxQueue, maxQueueBytes: o.maxQueueBytes, warn: o.warn });
    // The heap sampler first: should it fail, no CPU sampler is left running.
    this.heap = o.heap ? new (createRequire(import.meta.url)("../collect/heap-windows.js") as typeof import("../collect/heap-windows.js")).HeapWindows() : undefined;
    this.cpu = o.cpu ? new CpuWindows(o.cpuHz) : undefined;
    this.nextAt = performance.now() + o.periodMs;
    this.schedule();
    process.on("beforeExit", this.onBeforeExit);
    process.on("exit", this.onExit);
  }

  stats(): PushStats {
    return this.uploader.snapshot();
  }

  private schedule(): void {
    // Boundaries on a fixed grid, so windows do not drift by the timer's lateness.
    const delay = Math.max(0, this.nextAt - performance.now());
    this.timer = setTimeout(() => this.tick(), delay);
    this.timer.unref();
  }

  private tick(): void {
    this.nextAt += this.o.periodMs;
    // A loop that was blocked for several periods: one window covers it.
    if (this.nextAt < performance.now()) this.nextAt = performance.now() + this.o.periodMs;
    this.schedule();
    let cuts: Cut[];
    try {
      cuts = this.cut(false);
    } catch (err) {
      this.warn(err);
      return;
    }
    const job = this.encodeAndQueue(cuts);
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** The windows that end now; final: the samplers are released. */
  private cut(final: boolean): Cut[] {
    const cuts: Cut[] = [];
    let failure: unknown;
    if (this.heap) {
      try {
        cuts.push({ ...this.heap.cut(), sampleTypeConfig: HEAP_SAMPLE_TYPE_CONFIG });
      } catch (err) {
        failure = err;
      }
    }
    if (this.cpu?.active) {
      try {
        cuts.push({ ...(final ? this.cpu.stop() : this.cpu.cut()), sampleRate: this.cpu.hz });
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) this.warn(failure);
    return cuts;
  }

  private request(c: Cut, gz: Uint8Array): IngestRequest {
    return ingestRequest({
      ingestUrl: this.o.ingestUrl,
      name: this.o.name,
      headers: this.o.headers,
      userAgent: `tsprof/${packageVersion()}`,
      startNanos: c.startNanos,
      endNanos: c.endNanos,
      sampleRate: c.sampleRate,
      sampleTypeConfig: c.sampleTypeConfig,
      profile: gz,
    });
  }

  private async encodeAndQueue(cuts: Cut[]): Promise<void> {
    for (const c of cuts) {
      try {
        this.uploader.add(this.request(c, await encodeProfileGzip(c.data)));
      } catch (err) {
        this.warn(err);
      }
    }
  }

  private warn(err: unknown): void {
    try {
      this.o.warn(`tsprof: push: ${err instanceof Error ? err.message : String(err)}`);
    } catch {
      // nothing
    }
  }

  private detach(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    process.off("beforeExit", this.onBeforeExit);
    process.off("exit", this.onExit);
    if (current === this) current = undefined;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.stopped) return;
      const deadline = performance.now() + this.o.flushTimeoutMs;
      this.detach();
      try {
        const cuts = this.cut(true);
        await Promise.all(this.pending);
        await this.encodeAndQueue(cuts);
        await this.uploader.flush(deadline);
      } catch (err) {
        this.warn(err);
      } finally {
        this.uploader.close();
      }
    })();
    return this.stopping;
  }

  stopSync(): void {
    if (this.stopped) return;
    this.detach();
    try {
      const requests = this.uploader.takeAll();
      for (const c of this.cut(true)) {
        try {
          requests.push(this.request(c, encodeProfileGzipSync(c.data)));
        } catch (err) {
          this.warn(err);
        }
      }
      const accepted = uploadSync(requests, this.o.flushTimeoutMs);
      this.uploader.stats.uploaded += accepted;
      this.uploader.countDropped(requests.length - accepted);
    } catch (err) {
      this.warn(err);
    } finally {
      this.uploader.close();
    }
  }
}

/**
 * Starts pushing profiles to a Pyroscope server every flushIntervalMs
 * (default 15 s) until stop() or the end of the process. The CPU profile
 * is a window of this thread's shared sampler, rolled over each period:
 * startCPUProfile and the HTTP /profile endpoint share it meanwhile. Throws
 * on bad options, when a push session
 * already runs, or when a sampler cannot start; after that, nothing it does
 * reaches the program.
 */
export function startPush(options: PushOptions): PushSession {
  if (!isMainThread) throw new Error("tsprof push: start it on the main thread");
  if (current) throw new Error("tsprof push: a push session already runs in this process");
  const resolved = resolvePushOptions(options, packageVersion());
  current = new Session(resolved);
  return current;
}
