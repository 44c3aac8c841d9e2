// Issue 17: worker.terminate() must settle while a CPU profile runs. Code
// evaluated in a worker from the inspector swallowed a termination landing
// during it, leaving the worker spinning and terminate() pending for ever;
// tsprof now sends workers protocol commands only. Run in a child process,
// so a stuck worker fails the test instead of hanging the suite.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { decodeProfile } from "../../src/profile/decode.ts";

const here = dirname(fileURLToPath(import.meta.url));
// The child runs the built package (dist/, from `node scripts/build.mjs`).
const entry = pathToFileURL(join(here, "../../dist/esm/index.js")).href;
const fixture = join(here, "../fixtures/cpu/terminate-busy-workers.mjs");

test("150 busy workers terminated at random moments during a CPU profile all settle, and the process exits", () => {
  const out = join(mkdtempSync(join(tmpdir(), "tsprof-cpu-terminate-")), "cpu.pb.gz");
  // Generous: the run takes seconds; a stuck worker is reported after 30 s.
  const child = spawnSync(process.execPath, [fixture, entry, out, "150", "10"], { encoding: "utf8", timeout: 240_000 });
  assert.equal(child.signal, null, `killed by the overall timeout: ${child.stdout}${child.stderr}`);
  assert.equal(child.status, 0, child.stdout + child.stderr);
  assert.deepEqual(JSON.parse(child.stdout.trim().split("\n").at(-1)!), { terminated: 150, stuck: 0 });
  // The profile stopped and was written as usual.
  const p = decodeProfile(gunzipSync(readFileSync(out)));
  assert.deepEqual(p.sampleType.map((t) => t.type), ["samples", "wall", "cpu"]);
});
