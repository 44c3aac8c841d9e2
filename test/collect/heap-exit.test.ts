// A process whose heap sampler runs when it ends must end as it would have
// without tsprof. Node 26's v8.startHeapProfile sampler, left running, is
// freed by V8 after the heap it observes: a read after free that crashed 2
// of some 60 push-test processes (SIGSEGV at exit). glibc's MALLOC_PERTURB_ fills
// freed memory, which turns that read into a crash every time: the processes
// here run with it. tsprof stops that sampler at 'exit' (and readers later
// in 'exit' still see what it held), and worker threads, which can be
// terminated with no 'exit', sample through the inspector instead.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as v8 from "node:v8";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const heapUrl = pathToFileURL(join(root, "dist/esm/collect/heap.js")).href;
const MiB = 1024 * 1024;
const hasStartHeapProfile = typeof (v8 as { startHeapProfile?: unknown }).startHeapProfile === "function";

function runFixture(name: string, args: string[]): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "test/fixtures/heap", name), heapUrl, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: "", MALLOC_PERTURB_: "165" },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

for (const mode of ["inuse", "allocs"] as const) {
  test(`${mode === "allocs" ? "allocation sampling" : "in-use sampling"}: the process ends with status 0, V8's sampler stopped, and a heap profile read in a later 'exit' listener has the program's memory`, () => {
    const r = runFixture("exit.mjs", [mode]);
    assert.equal(r.signal, null, `ended by ${r.signal}: ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { reads: { inuse: number; alloc: number }[]; samplerFree: boolean | null };
    assert.equal(out.samplerFree, hasStartHeapProfile ? true : null, "no V8 sampler left running after tsprof's 'exit' listener");
    const [first, second] = out.reads;
    // 16.8 MB retained (2,084 arrays of 8,048 B), about 520 samples: a standard deviation of 4.4%.
    const truth = 16 * MiB;
    assert.ok(first!.alloc > 0.75 * truth && first!.alloc < 1.25 * truth, `alloc_space at exit: ${first!.alloc}, retained ${truth}`);
    assert.equal(second!.alloc, first!.alloc, "a second read counts no allocation twice");
    if (mode === "inuse" || hasStartHeapProfile) assert.ok(first!.inuse > 0.75 * truth, `inuse_space at exit: ${first!.inuse}`);
    if (mode === "inuse") assert.equal(second!.inuse, first!.inuse);
  });
}

test("a worker thread with heap sampling, terminated: the process ends with status 0", () => {
  const r = runFixture("worker-exit.mjs", []);
  assert.equal(r.signal, null, `ended by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "terminated");
});
