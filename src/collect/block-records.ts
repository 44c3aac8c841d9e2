// The records of the block and mutex profiles (Go's bucket records): per
// distinct stack a contention count and a delay, written with Go's sample
// types and largest delay first.

import type { Frame } from "../profile/builder.js";
import type { ProfileData } from "../profile/model.js";
import { createRequire } from "node:module";
import { resolveStack, stackKey, type LazyStack } from "./goroutine-stack.js";

interface Bucket {
  stack: Frame[];
  /** Fractional while unbiasing (Go's float64 count). */
  count: number;
  delayNanos: number;
}

export class ContentionRecords {
  readonly #buckets = new Map<string, Bucket>();

  /** Adds one sampled event: `leaf` frames (the blocking call, the callback) on top of `stack`. */
  add(leaf: readonly Frame[], stack: LazyStack, count: number, delayNanos: number): void {
    let key = stackKey(stack);
    for (const f of leaf) key = `${f.name}\0${f.file}\0${f.line}\n` + key;
    let b = this.#buckets.get(key);
    if (!b) {
      b = { stack: [...leaf, ...resolveStack(stack)], count: 0, delayNanos: 0 };
      this.#buckets.set(key, b);
    }
    b.count += count;
    b.delayNanos += delayNanos;
  }

  /** Go's Count(): the number of records. */
  get size(): number {
    return this.#buckets.size;
  }

  /** contentions/count and delay/nanoseconds per stack, largest delay first (as Go sorts by cycles). */
  build(comments: string[] = []): ProfileData {
    // Loaded when a profile is read, not when its collector starts.
    const { ProfileBuilder } = createRequire(import.meta.url)("../profile/builder.js") as typeof import("../profile/builder.js");
    const b = new ProfileBuilder({
      sampleType: [{ type: "contentions", unit: "count" }, { type: "delay", unit: "nanoseconds" }],
      periodType: { type: "contentions", unit: "count" },
      period: 1,
      comments,
    });
    const sorted = [...this.#buckets.values()].sort((x, y) => y.delayNanos - x.delayNanos);
    for (const r of sorted) b.addSample(r.stack, [Math.trunc(r.count), Math.trunc(r.delayNanos)]);
    return b.build();
  }
}
