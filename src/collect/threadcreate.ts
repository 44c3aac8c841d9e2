// The threadcreate profile: the stacks that created worker threads (Go: the
// stacks that created OS threads). Like Go's it is always on and cumulative:
// a worker that has exited still counts. Recording costs nothing until a
// worker is created: worker_threads.Worker is replaced, when tsprof loads, by
// a subclass that records its creator's stack (ESM named imports follow
// through syncBuiltinESMExports). Workers created from a Worker class
// captured before tsprof was loaded are not seen, nor any where Worker
// cannot be replaced (read-only: the profile's comments say so).
//
// Memory is bounded by the program's code, not by how many workers it
// starts: each distinct creation stack is kept once, with a count.

import workerThreads from "node:worker_threads";
import { createRequire, syncBuiltinESMExports } from "node:module";
import type { ProfileData } from "../profile/model.js";
import type { WorkerHook } from "./cpu-worker-start.js";
import { captureLazyStack, rawStackKey, resolveStack, type LazyStack } from "./goroutine-stack.js";
import { PropertyPatches } from "./patch.js";

// Loaded when the profile is read, not when the collector starts, before the
// first line of every process of a run.
function load<T>(path: string): T {
  return createRequire(import.meta.url)(path) as T;
}

interface Creations {
  /** The first of the stacks with this key: symbolized when the profile is read. */
  stack: LazyStack;
  count: number;
}

// Shared by every copy of tsprof in the process (ESM and CommonJS builds):
// only the first replaces Worker, all read the same records, keyed by the
// creation stack's code positions. The stacks are symbolized when the
// profile is read: symbolizing needs modules whose loading may itself start
// a worker (a TypeScript loader's compiler).
const records = ((globalThis as Record<symbol, unknown>)[Symbol.for("tsprof.threadcreate.records")] ??= new Map()) as Map<string, Creations>;
const PATCHED = Symbol.for("tsprof.threadcreate.patched");
const patches = new PropertyPatches();

function recordCreation(stack: LazyStack): void {
  const key = rawStackKey(stack);
  const r = records.get(key);
  if (r) r.count++;
  else records.set(key, { stack, count: 1 });
}

function install(): void {
  patches.replace(workerThreads, "worker_threads", "Worker", (original) => {
    const Original = original as typeof workerThreads.Worker & { [PATCHED]?: true };
    if (typeof Original !== "function" || Original[PATCHED]) return undefined;
    class Worker extends Original {
      constructor(...args: ConstructorParameters<typeof workerThreads.Worker>) {
        // A running CPU profile's preload for new workers (cpu-worker-start.ts);
        // options the preload makes invalid get the worker created as asked.
        const hook = (globalThis as Record<symbol, WorkerHook | undefined>)[Symbol.for("tsprof.worker.hook")];
        const withHook = hook?.args(args) as typeof args | undefined;
        let hooked = false;
        try {
          super(...(withHook ?? args));
          hooked = withHook !== undefined;
        } catch (err) {
          if (!withHook) throw err;
          hook!.rejected(err);
          super(...args);
        }
        if (hooked) hook!.created(this);
        // From the code calling `new Worker`.
        recordCreation(captureLazyStack(Worker));
      }
    }
    Object.defineProperty(Worker, "name", { value: "Worker" });
    Object.defineProperty(Worker, PATCHED, { value: true });
    return Worker;
  });
  syncBuiltinESMExports();
}

install();

function build(): ProfileData {
  const { ProfileBuilder } = load<typeof import("../profile/builder.js")>("../profile/builder.js");
  const b = new ProfileBuilder({
    sampleType: [{ type: "threadcreate", unit: "count" }],
    periodType: { type: "threadcreate", unit: "count" },
    period: 1,
    comments: patches.notes,
  });
  for (const r of records.values()) b.addSample(resolveStack(r.stack), [r.count]);
  return b.build();
}

/** Workers created so far (Go's Count(): threads created). */
function created(): number {
  let n = 0;
  for (const r of records.values()) n += r.count;
  return n;
}

/** How many creation stacks are kept: one per distinct stack, however many workers each started. */
export function threadcreateRecordCount(): number {
  return records.size;
}

/** The threadcreate profile's source for the registry. */
export const threadcreateSource = {
  count: created,
  collect: build,
  text: (): string => load<typeof import("../registry/text.js")>("../registry/text.js").countProfileText("threadcreate", build()),
};
