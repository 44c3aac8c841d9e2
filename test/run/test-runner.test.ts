// `tsprof run -- node --test`: the runner process, which Node.js starts
// without a V8 inspector, is profiled too where Node.js can (24 and later,
// through v8.startCpuProfile); before 24 its part is missing, and the line
// on stderr says why.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, it } from "node:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as v8 from "node:v8";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { cleanEnv } from "./stopped.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const cli = join(root, "dist/esm/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "tsprof-test-runner-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Node.js 24 and later can profile a process that has no inspector. */
const canProfileRunner = typeof (v8 as { startCpuProfile?: unknown }).startCpuProfile === "function";

function run(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: cleanEnv(), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

/** The pids whose samples go through a function of `file` (a path or a node: module). */
function pidsThrough(p: ProfileData, file: string): Set<number> {
  const pids = new Set<number>();
  for (const s of p.sample) if (s.location.some((l) => l.line.some((ln) => ln.function.filename === file))) pids.add(s.numLabel.pid![0]!);
  return pids;
}

it("node --test: the runner process and the test file's process are both in the CPU profile", async () => {
  assert.ok(existsSync(cli), "tsprof is not built: run `node scripts/build.mjs` first");
  const file = join(dir, "suite.pb.gz");
  const r = await run([cli, "run", "--cpuprofile", file, "--cpuprofilerate", "500", "--", "node", "--test", "test/run/fixtures/bench-suite.mjs"]);
  assert.equal(r.status, 0, r.stderr);
  const p = decodeProfile(readFileSync(file));
  const runner = pidsThrough(p, "node:internal/main/test_runner");
  const testFile = pidsThrough(p, join(root, "test/run/fixtures/bench-suite.mjs"));
  assert.equal(testFile.size, 1, "the test file's process");
  if (canProfileRunner) {
    assert.match(r.stderr, /^tsprof: cpu profile written to .* \(2 processes\)\n$/);
    assert.equal(runner.size, 1, "the runner's own code (node:internal/main/test_runner) is sampled");
    assert.notDeepEqual([...runner], [...testFile], "in a process of its own");
  } else {
    assert.match(r.stderr, /^tsprof: cpu profile written to .* \(1 process; 1 part\(s\) missing: pid \d+: this process has no V8 inspector \(Node\.js creates none for the node --test runner.*\); its CPU profile needs Node\.js 24 or later/);
    assert.equal(runner.size, 0);
  }
});
