// The threadcreate profile: the stacks that created worker threads.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import workerThreads from "node:worker_threads";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { lookup } from "../../src/registry/profile.ts";
import "../../src/registry/predefined.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { threadcreateRecordCount } from "../../src/collect/threadcreate.ts";
import { needGo, goPprof, parseTop } from "../helpers/tools.ts";
import { collectBytes } from "../helpers/sink.ts";

function write(debug: number): Promise<Buffer> {
  return collectBytes((w) => lookup("threadcreate")!.writeTo(w, debug));
}

test("threadcreate: an idle process has no worker creations; the profile loads", async (t) => {
  const p = decodeProfile(gunzipSync(await write(0)));
  assert.deepEqual(p.sampleType, [{ type: "threadcreate", unit: "count" }]);
  assert.deepEqual(p.periodType, { type: "threadcreate", unit: "count" });
  assert.equal(lookup("threadcreate")!.count(), p.sample.reduce((n, s) => n + s.value[0]!, 0));
  assert.match((await write(1)).toString(), /^threadcreate profile: total \d+\n/);
  if (!needGo(t)) return;
  const dir = mkdtempSync(join(tmpdir(), "tsprof-threadcreate-"));
  writeFileSync(join(dir, "idle.pb.gz"), await write(0));
  assert.match(goPprof(["-top", join(dir, "idle.pb.gz")]), /Type: threadcreate/);
});

test("threadcreate: two workers created from a named function show count 2 under it", async (t) => {
  // The named import follows the replaced class; the original is still its parent.
  assert.equal(Worker, workerThreads.Worker);
  const before = lookup("threadcreate")!.count();
  function startWorkers(): Worker[] {
    const started: Worker[] = [];
    for (let i = 0; i < 2; i++) started.push(new Worker("0", { eval: true }));
    return started;
  }
  const workers = startWorkers();
  assert.ok(workers[0] instanceof Worker);
  await Promise.all(workers.map((w) => once(w, "exit")));
  // Cumulative, as Go's: workers that exited still count.
  assert.equal(lookup("threadcreate")!.count(), before + 2);
  const p = decodeProfile(gunzipSync(await write(0)));
  const under = p.sample.filter((s) => s.location.some((l) => l.line[0]!.function.name === "startWorkers"));
  assert.equal(under.reduce((n, s) => n + s.value[0]!, 0), 2);
  assert.equal(under[0]!.location[0]!.line[0]!.function.name, "startWorkers");

  const text = (await write(1)).toString();
  assert.match(text, new RegExp(`^threadcreate profile: total ${before + 2}\\n`));
  assert.match(text, /^2 @( 0x[0-9a-f]+)+\n#\t0x[0-9a-f]+\tstartWorkers\+0x0\t+.*threadcreate\.test\.ts:\d+$/m);
  assert.equal((await write(2)).toString(), text);

  if (!needGo(t)) return;
  const dir = mkdtempSync(join(tmpdir(), "tsprof-threadcreate-"));
  writeFileSync(join(dir, "tc.pb.gz"), await write(0));
  const top = parseTop(goPprof(["-top", "-nodecount=50", join(dir, "tc.pb.gz")]));
  assert.equal(top.find((r) => r.name === "startWorkers")?.flat, "2");
});

/** Samples whose stack holds `fn`: their counts. */
function countsUnder(fn: string, p: ReturnType<typeof decodeProfile>): number[] {
  return p.sample.filter((s) => s.location.some((l) => l.line[0]!.function.name === fn)).map((s) => s.value[0]!);
}

test("threadcreate: workers from one call site are one record with their count; another call site is another", async () => {
  const records = threadcreateRecordCount();
  const before = lookup("threadcreate")!.count();
  const N = 12;
  function startMany(): Worker[] {
    const started: Worker[] = [];
    for (let i = 0; i < N; i++) started.push(new Worker("0", { eval: true }));
    return started;
  }
  function startOne(): Worker {
    return new Worker("0", { eval: true });
  }
  const workers = [...startMany(), startOne(), startOne()];
  await Promise.all(workers.map((w) => once(w, "exit")));
  // N workers from startMany's loop: one record. startOne's two calls are two call sites.
  assert.equal(threadcreateRecordCount(), records + 3);
  assert.equal(lookup("threadcreate")!.count(), before + N + 2);
  const p = decodeProfile(gunzipSync(await write(0)));
  assert.deepEqual(countsUnder("startMany", p), [N]);
  assert.deepEqual(countsUnder("startOne", p), [1, 1]);
  assert.match((await write(1)).toString(), new RegExp(`^${N} @( 0x[0-9a-f]+)+\\n#\\t0x[0-9a-f]+\\tstartMany\\+0x0\\t`, "m"));
});

test("threadcreate: a read-only Worker is left alone and named in the profile's comments; loading tsprof does not throw", () => {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const script = `
    import workerThreads from "node:worker_threads";
    Object.defineProperty(workerThreads, "Worker", { writable: false, configurable: false });
    const original = workerThreads.Worker;
    const { threadcreateSource } = await import(${JSON.stringify(join(root, "src/collect/threadcreate.ts"))});
    new workerThreads.Worker("0", { eval: true });
    const p = threadcreateSource.collect();
    console.log(JSON.stringify({ untouched: workerThreads.Worker === original, comments: p.comments, samples: p.sample.length }));
  `;
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 60_000 });
  assert.deepEqual(JSON.parse(out), { untouched: true, comments: ["tsprof: worker_threads.Worker not wrapped (read-only)"], samples: 0 });
});
