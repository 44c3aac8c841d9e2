// Workers of a program started with Node flags that workers reject (such as
// --max-old-space-size): tsprof's preload must not make `new Worker` throw,
// and once Node has named those flags, later workers are sampled from their
// first line all the same.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// The child runs the built package (dist/, from `node scripts/build.mjs`).
const entry = pathToFileURL(join(here, "../../dist/esm/index.js")).href;
const fixture = join(here, "../fixtures/cpu/worker-busy-main.mjs");

test("with --max-old-space-size, workers start and are sampled from their first line", () => {
  const child = spawnSync(process.execPath, ["--max-old-space-size=512", fixture, entry], { encoding: "utf8", timeout: 120_000 });
  assert.equal(child.status, 0, child.stdout + child.stderr);
  const { sampledMs, cpuMs } = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { sampledMs: number; cpuMs: number };
  // As in cpu-worker.test.ts: a share of the worker's CPU time, not equality.
  assert.ok(sampledMs >= 0.6 * cpuMs, `worker sampled ${sampledMs.toFixed(0)} ms of ${cpuMs.toFixed(0)} ms of CPU`);
});
