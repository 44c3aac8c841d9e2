// The threadcreate profile: the stacks that created worker threads.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import workerThreads from "node:worker_threads";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { lookup } from "../../src/registry/profile.ts";
import "../../src/registry/predefined.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { needGo, goPprof, parseTop } from "../helpers/tools.ts";
import { collectBytes } from "../helpers/sink.ts";

function write(debug: number): Promise<Buffer> {
  return collectBytes((w) => lookup("threadcreate")!.writeTo(w, debug));
}

test("threadcreate: an idle process has no worker creations; the profile loads", async (t) => {
  const p = decodeProfile(gunzipSync(await write(0)));
  assert.deepEqual(p.sampleType, [{ type: "threadcreate", unit: "count" }]);
  assert.deepEqual(p.periodType, { type: "threadcreate", unit: "count" });
  assert.equal(lookup("threadcreate")!.count(), p.sample.length);
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
