// The interactive shell driven through stdin: its stdout equals go tool
// pprof's for the same commands (reports, topN -cum, option settings,
// sample type shortcuts, ":" and bad commands).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { needGo } from "../helpers/tools.ts";
import { runPprof } from "./driver-helpers.ts";

const dir = join(import.meta.dirname, "../fixtures/analyzer/report-profiles");

function goShell(file: string, script: string): string {
  return execFileSync("go", ["tool", "pprof", file], {
    input: script, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, PPROF_TMPDIR: "/tmp/tsprof-pprof-tmp", PPROF_BINARY_PATH: "/nonexistent" },
  });
}

const scripts: [string, string][] = [
  ["heap", "top5\nnodecount=3\ntop -cum\nsample_index=alloc_space\ntop3\nbogus\nfocus=allocSmall\ntop\n:\npeek allocSmall\nq\n"],
  ["cpu", "top\ntop10 -cum\ntraces\ntags\nsamples\ntop 3 main -runtime\ngranularity=lines\ntop4\nlist hotLoop\nquit\n"],
  ["block", "contentions\ntop\nmean_delay\ntop\ntotal_delay\ntree 3\n"],
  ["goroutine", "tags\ntop >/dev/null\nhide=runtime\ntraces\nexit\n"],
];

for (const [name, script] of scripts) {
  test(`shell on ${name}: ${JSON.stringify(script.slice(0, 40))}…`, async (t) => {
    if (!needGo(t)) return;
    const file = join(dir, `${name}.pb.gz`);
    const ours = await runPprof([file], script);
    assert.equal(ours.code, 0, ours.stderr);
    assert.deepEqual(ours.stdout.split("\n"), goShell(file, script).split("\n"));
  });
}

test("shell: greeting, help and options on stderr; bad commands are reported and the shell goes on", async () => {
  const file = join(dir, "cpu.pb.gz");
  const r = await runPprof([file], "help\no\nbogus\nnodecount=x\nsample_index=nope\ntop2\n");
  assert.equal(r.code, 0);
  assert.match(r.stderr, /Entering interactive mode \(type "help" for commands, "o" for options\)/);
  assert.match(r.stderr, /^  nodecount +\= -1 /m);
  assert.match(r.stderr, /unrecognized command: "bogus"/);
  assert.match(r.stderr, /sample_index "nope" must be one of: \[samples cpu\]/);
  assert.match(r.stdout, /Showing top 2 nodes out of/);
});
