// The threadcreate profile: the stacks that created worker threads (Go: the
// stacks that created OS threads). Like Go's it is always on and cumulative:
// a worker that has exited still counts. Recording costs nothing until a
// worker is created: worker_threads.Worker is replaced, when tsprof loads, by
// a subclass that records its creator's stack (ESM named imports follow
// through syncBuiltinESMExports). Workers created from a Worker class
// captured before tsprof was loaded are not seen.

import workerThreads from "node:worker_threads";
import { createRequire, syncBuiltinESMExports } from "node:module";
import type { ProfileData } from "../profile/model.js";
import { captureLazyStack, resolveStack, type LazyStack } from "./goroutine-stack.js";
import type { WorkerHook } from "./cpu-worker-start.js";

// Loaded when the profile is read, not when the collector starts, before the
// first line of every process of a run.
function load<T>(path: string): T {
  return createRequire(import.meta.url)(path) as T;
}

// Shared by every copy of tsprof in the process (ESM and CommonJS builds):
// only the first replaces Worker, all read the same records. The stacks are
// symbolized when the profile is read: symbolizing needs modules whose
// loading may itself start a worker (a TypeScript loader's compiler).
const created: LazyStack[] = ((globalThis as Record<symbol, unknown>)[Symbol.for("tsprof.threadcreate.stacks")] ??= []) as LazyStack[];
const PATCHED = Symbol.for("tsprof.threadcreate.patched");

function install(): void {
  const Original = workerThreads.Worker as typeof workerThreads.Worker & { [PATCHED]?: true };
  if (Original[PATCHED]) return;
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
      created.push(captureLazyStack(Worker));
    }
  }
  Object.defineProperty(Worker, "name", { value: "Worker" });
  Object.defineProperty(Worker, PATCHED, { value: true });
  workerThreads.Worker = Worker;
  syncBuiltinESMExports();
}

install();

function build(): ProfileData {
  const { ProfileBuilder } = load<typeof import("../profile/builder.js")>("../profile/builder.js");
  const b = new ProfileBuilder({ sampleType: [{ type: "threadcreate", unit: "count" }], periodType: { type: "threadcreate", unit: "count" }, period: 1 });
  for (const stack of created) b.addSample(resolveStack(stack), [1]);
  return b.build();
}

/** The threadcreate profile's source for the registry. */
export const threadcreateSource = {
  count: (): number => created.length,
  collect: build,
  text: (): string => load<typeof import("../registry/text.js")>("../registry/text.js").countProfileText("threadcreate", build()),
};
