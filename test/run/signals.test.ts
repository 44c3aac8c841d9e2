// Signals under `tsprof run`: a command stopped with Ctrl-C (SIGINT to its
// whole process group) ends as it does without tsprof, and its profile is
// written and named after the program.

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeProfile } from "../../src/profile/decode.ts";
import { cleanEnv, runAndStop } from "./stopped.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const cli = join(root, "dist/esm/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "tsprof-signals-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The tsprof lines of stderr, and the rest. */
function splitStderr(stderr: string): { tsprof: string[]; rest: string } {
  const lines = stderr.split("\n");
  return { tsprof: lines.filter((l) => l.startsWith("tsprof: ")), rest: lines.filter((l) => !l.startsWith("tsprof: ")).join("\n") };
}

describe("signals under tsprof run", () => {
  it("npx tsx server.ts stopped with Ctrl-C ends as without tsprof, and the profile is the server's", async () => {
    assert.ok(existsSync(cli), "tsprof is not built: run `node scripts/build.mjs` first");
    const server = ["npx", "tsx", "test/run/fixtures/server.ts"];
    const options = { cwd: root, env: cleanEnv(), ready: "ready" };
    const plain = await runAndStop(server, "SIGINT", options);
    const file = join(dir, "server.pb.gz");
    // tsx's CLI passes a signal on to its child and kills it (SIGKILL) when
    // the child has not answered within two windows of 30 ms: on a loaded
    // machine a server still writing its profile is sometimes killed, as a
    // slow plain one is. tsprof run then names it (checked); a few tries
    // give a run where tsx let it finish.
    let profiled: Awaited<ReturnType<typeof runAndStop>>, tsprof: string[], rest: string;
    for (let attempt = 1; ; attempt++) {
      profiled = await runAndStop([process.execPath, cli, "run", "--cpuprofile", file, "--", ...server], "SIGINT", options);
      ({ tsprof, rest } = splitStderr(profiled.stderr));
      const killedByTsx = /^tsprof: cpu profile written to .*server\.pb\.gz \(2 processes; 1 part\(s\) missing: pid \d+ \(server\.ts\): ended without writing its profiles \(killed by a signal it cannot handle, such as SIGKILL, or crashed\)\)$/;
      if (attempt < 4 && tsprof.length === 1 && killedByTsx.test(tsprof[0]!)) continue;
      break;
    }

    assert.equal(profiled.signal, plain.signal, `plain: ${plain.signal ?? plain.status}; tsprof: ${profiled.signal ?? profiled.status}\n${profiled.stderr}`);
    assert.equal(profiled.status, plain.status);
    assert.equal(rest, plain.stderr, "the command's own stderr is what it is without tsprof (no `npm error … signal SIGINT`)");
    assert.equal(tsprof.length, 1);
    assert.match(tsprof[0]!, /^tsprof: cpu profile written to .*server\.pb\.gz \(3 processes\)$/, "npx, tsx's CLI and the server");

    const p = decodeProfile(readFileSync(file));
    assert.match(p.mapping[0]!.file, /test\/run\/fixtures\/server\.ts$/, "File: is the server, not npm-cli.js");
    const serverSamples = p.sample.filter((s) => s.location.some((l) => l.line.some((ln) => ln.function.name === "serverHot")));
    assert.ok(serverSamples.length > 0, "the server's own work is in the profile");
    const pids = new Set(p.sample.map((s) => s.numLabel.pid![0]));
    assert.equal(pids.size, 3);
  });

  for (const [signal, to] of [["SIGTERM", "the wrapper"], ["SIGINT", "the process group"]] as const) {
    it(`a program that never yields, sent ${signal} (to ${to}), ends of it at once; the other processes' profiles are written, nothing is left in the temporary directory`, async (t) => {
      assert.ok(existsSync(cli), "tsprof is not built: run `node scripts/build.mjs` first");
      const program = ["node", "test/run/fixtures/never-yields.mjs"];
      const toLeader = to === "the wrapper";
      const plain = await runAndStop(program, signal, { cwd: root, env: cleanEnv(), ready: "ready", toLeader });
      assert.equal(plain.signal, signal, "plain node dies of the signal");

      const tmp = join(dir, `tmp-${signal}`);
      mkdirSync(tmp);
      const file = join(dir, `never-yields-${signal}.pb.gz`);
      const r = await runAndStop([process.execPath, cli, "run", "--cpuprofile", file, "--cpuprofilerate", "500", "--", ...program], signal, {
        cwd: root,
        env: cleanEnv({ TMPDIR: tmp }),
        ready: "ready",
        toLeader,
      });
      assert.equal(r.signal, signal, `tsprof run dies of ${signal}, as plain node does: ${r.status}\n${r.stderr}`);
      // About 1 s (signal-watch.ts's grace) on an idle machine; generous here for a loaded one.
      assert.ok(r.msAfterSignal < 10_000, `ended ${r.msAfterSignal} ms after the signal`);
      t.diagnostic(`tsprof run ended ${r.msAfterSignal} ms after ${signal} (plain node: ${plain.msAfterSignal} ms)`);
      assert.match(r.stderr, new RegExp(`^tsprof: cpu profile written to .* \\(1 process; 1 part\\(s\\) missing: pid \\d+: the process did not run its ${signal} listener within 1 s .*its profiles are lost\\)\n$`));
      assert.deepEqual(readdirSync(tmp), [], "no temporary files left");
      const p = decodeProfile(readFileSync(file));
      const childHot = p.sample.filter((s) => s.location[0]?.line[0]?.function.name === "childHot").reduce((n, s) => n + s.value[0]!, 0);
      assert.ok(childHot > 0, "the child process that had exited is in the profile");
      assert.equal(p.sample.some((s) => s.location.some((l) => l.line.some((ln) => ln.function.name === "neverYields"))), false);
    });
  }

  for (const to of ["the process group", "the wrapper"] as const) {
    it(`a Ctrl-C sent to ${to} reaches the command once`, async () => {
      const program = ["node", "test/run/fixtures/count-signals.mjs"];
      const toLeader = to === "the wrapper";
      const plain = await runAndStop(program, "SIGINT", { cwd: root, env: cleanEnv(), ready: "ready" });
      assert.match(plain.stdout, /SIGINT x1\n/);
      const file = join(dir, `count-${toLeader ? "leader" : "group"}.pb.gz`);
      const r = await runAndStop([process.execPath, cli, "run", "--cpuprofile", file, "--", ...program], "SIGINT", { cwd: root, env: cleanEnv(), ready: "ready", toLeader });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /SIGINT x1\n/, "one SIGINT, as without tsprof");
      assert.match(r.stderr, /^tsprof: cpu profile written to .* \(1 process\)\n$/);
    });
  }
});
