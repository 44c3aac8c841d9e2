// The threadcreate profile: the stacks that created worker threads (Go: the
// stacks that created OS threads). Like Go's it is always on and cumulative:
// a worker that has exited still counts. Recording costs nothing until a
// worker is created: worker_threads.Worker is replaced, when tsprof loads, by
// a subclass that records its creator's stack (ESM named imports follow
// through syncBuiltinESMExports). Workers created from a Worker class
// captured before tsprof was loaded are not seen.

import workerThreads from "node:worker_threads";
import { syncBuiltinESMExports } from "node:module";
import type { ProfileData } from "../profile/model.js";
import type { Frame } from "../profile/builder.js";
import { ProfileBuilder } from "../profile/builder.js";
import { captureStack } from "./stack.js";
import { countProfileText } from "../registry/text.js";

// Shared by every copy of tsprof in the process (ESM and CommonJS builds):
// only the first replaces Worker, all read the same records.
const created: Frame[][] = ((globalThis as Record<symbol, unknown>)[Symbol.for("tsprof.threadcreate.records")] ??= []) as Frame[][];
const PATCHED = Symbol.for("tsprof.threadcreate.patched");

function install(): void {
  const Original = workerThreads.Worker as typeof workerThreads.Worker & { [PATCHED]?: true };
  if (Original[PATCHED]) return;
  class Worker extends Original {
    constructor(...args: ConstructorParameters<typeof workerThreads.Worker>) {
      super(...args);
      // 1: from the code calling `new Worker`.
      created.push(captureStack(1));
    }
  }
  Object.defineProperty(Worker, "name", { value: "Worker" });
  Object.defineProperty(Worker, PATCHED, { value: true });
  workerThreads.Worker = Worker;
  syncBuiltinESMExports();
}

install();

function build(): ProfileData {
  const b = new ProfileBuilder({ sampleType: [{ type: "threadcreate", unit: "count" }], periodType: { type: "threadcreate", unit: "count" }, period: 1 });
  for (const stack of created) b.addSample(stack, [1]);
  return b.build();
}

/** The threadcreate profile's source for the registry. */
export const threadcreateSource = {
  count: (): number => created.length,
  collect: build,
  text: (): string => countProfileText("threadcreate", build()),
};
