// Sends the uploads one at a time, off the program's way: a bounded queue
// (the oldest dropped, and counted, when the server is down or slow), a
// time-out on every request, retries with exponential backoff and full
// jitter, and one warning line per outage instead of a line per failure.
// Nothing here throws or rejects into the program; the sockets do not keep
// the process alive, except during the final flush, which is bounded.

import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { IngestRequest } from "./ingest.js";

export interface PushStats {
  /** Uploads the server accepted (2xx). */
  uploaded: number;
  /** Uploads dropped: the oldest when the queue was full, those the server refused (4xx), those out of attempts, and those left at the end of the final flush. */
  dropped: number;
  /** Failed attempts (network error, time-out, non-2xx status). */
  failedAttempts: number;
  /** Uploads waiting now. */
  queued: number;
  /** Their bytes. */
  queuedBytes: number;
  /** The last failure, if any. */
  lastError?: string;
}

export interface UploaderOptions {
  url: string;
  /** The longest backoff (ms): about the period, so uploads resume within a period of the server's return. */
  maxBackoffMs: number;
  timeoutMs: number;
  maxQueue: number;
  maxQueueBytes: number;
  warn: (line: string) => void;
}

/** Backoff after the n-th failure in a row (ms): full jitter over min(cap, base * 2^(n-1)). */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;
/** Attempts one upload gets before it is dropped. */
export const MAX_ATTEMPTS = 6;
/** The longest wait between attempts of the final flush. */
const FLUSH_RETRY_CAP_MS = 250;
/** No second warning line within this time, however often the server comes and goes. */
const WARN_GAP_MS = 10 * 60_000;

export function backoffMs(failures: number, cap = BACKOFF_CAP_MS, random: () => number = Math.random): number {
  const ceiling = Math.min(cap, BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(random() * ceiling);
}

interface Item {
  req: IngestRequest;
  attempts: number;
}

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export class Uploader {
  private readonly queue: Item[] = [];
  private queuedBytes = 0;
  private sending: Item | undefined;
  private inFlight: http.ClientRequest | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failuresInRow = 0;
  private warnedAt = -Infinity;
  private outage = false;
  /** During the final flush the sockets keep the process alive (bounded by its deadline). */
  private holdProcess = false;
  private flushDeadline: number | undefined;
  private readonly idle: (() => void)[] = [];
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 1 }),
  };
  readonly stats: Omit<PushStats, "queued" | "queuedBytes"> = { uploaded: 0, dropped: 0, failedAttempts: 0 };

  constructor(private readonly o: UploaderOptions) {}

  snapshot(): PushStats {
    return { ...this.stats, queued: this.queue.length, queuedBytes: this.queuedBytes };
  }

  /** Queues an upload; the oldest waiting ones are dropped beyond the bounds. */
  add(req: IngestRequest): void {
    this.queue.push({ req, attempts: 0 });
    this.queuedBytes += req.body.length;
    // The one being sent (at the head) finishes its attempt; the oldest after it goes.
    while (this.queue.length > 1 && (this.queue.length > this.o.maxQueue || this.queuedBytes > this.o.maxQueueBytes)) {
      this.drop(this.queue.splice(this.queue[0] === this.sending ? 1 : 0, 1)[0]!);
    }
    this.pump();
  }

  /** Everything waiting, taken out of the queue (for a synchronous final flush). */
  takeAll(): IngestRequest[] {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const all = this.queue.splice(0).map((i) => i.req);
    this.queuedBytes = 0;
    return all;
  }

  /** Counts uploads lost at the end (a final flush that ran out of time). */
  countDropped(n: number): void {
    this.stats.dropped += n;
  }

  /**
   * Sends what is queued now, retrying after short waits (at most
   * FLUSH_RETRY_CAP_MS) instead of the backoff, until
   * the queue is empty or `deadline` (performance.now() ms) passes; what is
   * left is dropped and counted. Resolves, never rejects.
   */
  async flush(deadline: number): Promise<void> {
    this.holdProcess = true;
    this.flushDeadline = deadline;
    if (this.retryTimer) {
      // Waiting out a backoff: one more attempt now.
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    try {
      while ((this.queue.length > 0 || this.sending) && performance.now() < deadline) {
        this.pump();
        await this.settled(deadline);
      }
    } finally {
      this.holdProcess = false;
      this.flushDeadline = undefined;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    if (performance.now() >= deadline) {
      this.inFlight?.destroy(new Error("final flush out of time"));
      for (const item of this.queue.splice(0)) this.drop(item);
    }
  }

  close(): void {
    clearTimeout(this.retryTimer);
    this.inFlight?.destroy();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private settled(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, Math.max(0, deadline - performance.now()));
      this.idle.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private drop(item: Item): void {
    this.queuedBytes -= item.req.body.length;
    this.stats.dropped++;
  }

  private pump(): void {
    if (this.sending || this.retryTimer || this.queue.length === 0) return;
    const deadline = this.flushDeadline;
    const item = this.queue[0]!;
    this.sending = item;
    item.attempts++;
    const timeout = deadline === undefined ? this.o.timeoutMs : Math.max(1, Math.min(this.o.timeoutMs, deadline - performance.now()));
    this.send(item.req, timeout).then(
      () => this.done(item, undefined),
      (err: unknown) => this.done(item, err),
    );
  }

  private done(item: Item, err: unknown): void {
    this.sending = undefined;
    this.inFlight = undefined;
    const i = this.queue.indexOf(item);
    if (err === undefined) {
      if (i >= 0) {
        this.queue.splice(i, 1);
        this.queuedBytes -= item.req.body.length;
      }
      this.stats.uploaded++;
      this.failuresInRow = 0;
      this.outage = false;
    } else {
      this.stats.failedAttempts++;
      this.failuresInRow++;
      const reason = err instanceof Error ? err.message : String(err);
      this.stats.lastError = reason;
      // A request the server refuses (other than "too many" or a time-out) fails again: dropped.
      const refused = err instanceof HttpStatusError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
      if ((refused || item.attempts >= MAX_ATTEMPTS) && i >= 0) {
        this.queue.splice(i, 1);
        this.drop(item);
      }
      this.warnOnce(reason);
      // During the final flush the waits are short (its deadline bounds them), and keep the process alive.
      const wait = backoffMs(this.failuresInRow, this.holdProcess ? FLUSH_RETRY_CAP_MS : this.o.maxBackoffMs);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        for (const wake of this.idle.splice(0)) wake();
        this.pump();
      }, wait);
      if (!this.holdProcess) this.retryTimer.unref();
      return;
    }
    for (const wake of this.idle.splice(0)) wake();
    this.pump();
  }

  private warnOnce(reason: string): void {
    if (this.outage) return;
    this.outage = true;
    const now = performance.now();
    if (now - this.warnedAt < WARN_GAP_MS) return;
    this.warnedAt = now;
    try {
      this.o.warn(
        `tsprof: pushing profiles to ${this.o.url} failed (${reason}); retrying with backoff, keeping at most ${this.o.maxQueue} uploads and dropping the oldest (counted in stats().dropped); no further warning for ${WARN_GAP_MS / 60_000} minutes`,
      );
    } catch {
      // A failing warning sink is not the program's problem either.
    }
  }

  private send(r: IngestRequest, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = new URL(r.url);
      const secure = url.protocol === "https:";
      const request = (secure ? https : http).request;
      let req: http.ClientRequest;
      try {
        req = request(url, {
          method: "POST",
          headers: { ...r.headers, "content-length": String(r.body.length) },
          agent: secure ? this.agents.https : this.agents.http,
          timeout: timeoutMs,
        });
      } catch (err) {
        reject(err);
        return;
      }
      this.inFlight = req;
      // The whole exchange within the time-out, not only each socket wait.
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      if (!this.holdProcess) timer.unref();
      req.on("socket", (socket: Socket) => {
        if (this.holdProcess) socket.ref();
        else socket.unref();
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.on("response", (res) => {
        res.on("error", () => {});
        res.on("close", () => {
          clearTimeout(timer);
          if (!res.complete) reject(new Error("connection closed before the answer ended"));
        });
        res.resume();
        res.on("end", () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new HttpStatusError(status));
        });
      });
      req.end(r.body);
    });
  }
}
