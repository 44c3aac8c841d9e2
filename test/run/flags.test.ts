// `tsprof run` argument parsing and the environment the preload reads.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRunArgs } from "../../src/run/flags.ts";
import { configFromEnv, configToEnv, ConfigError } from "../../src/run/config.ts";
import { resolveCommand } from "../../src/run/command.ts";

const dir = mkdtempSync(join(tmpdir(), "tsprof-run-flags-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("Go's flag syntax: -name value, --name value, -name=value; parsing stops at -- or the command", () => {
  const a = parseRunArgs(["-cpuprofile", "c.pb.gz", "--memprofile=m.pb.gz", "--memprofilerate", "1", "--", "node", "--test"], dir);
  assert.deepEqual(a.command, ["node", "--test"]);
  assert.deepEqual(a.config.files, { cpu: join(dir, "c.pb.gz"), mem: join(dir, "m.pb.gz") });
  assert.equal(a.config.memProfileRate, 1);
  const b = parseRunArgs(["--blockprofile", "b.pb.gz", "app.js", "--cpuprofile", "x"], dir);
  assert.deepEqual(b.command, ["app.js", "--cpuprofile", "x"], "flags after the command are the command's");
  assert.deepEqual(Object.keys(b.config.files), ["block"]);
});

test("every profile flag and rate", () => {
  const a = parseRunArgs([
    "--cpuprofile", "cpu", "--cpuprofilerate", "250",
    "--memprofile", "mem", "--memprofilerate", "4096",
    "--blockprofile", "block", "--blockprofilerate", "10",
    "--mutexprofile", "mutex", "--mutexprofilefraction", "5",
    "--goroutineprofile", "goroutine", "--threadcreateprofile", "threadcreate",
    "x.js",
  ], dir);
  for (const kind of ["cpu", "mem", "block", "mutex", "goroutine", "threadcreate"] as const) assert.equal(a.config.files[kind], join(dir, kind));
  assert.deepEqual(
    [a.config.cpuProfileRate, a.config.memProfileRate, a.config.blockProfileRate, a.config.mutexProfileFraction],
    [250, 4096, 10, 5],
  );
});

test("-outputdir places relative paths under it; absolute paths stay", () => {
  const out = join(dir, "out");
  mkdirSync(out);
  const a = parseRunArgs(["--outputdir", "out", "--cpuprofile", "cpu.pb.gz", "--memprofile", join(dir, "mem.pb.gz"), "x.js"], dir);
  assert.equal(a.config.files.cpu, join(out, "cpu.pb.gz"));
  assert.equal(a.config.files.mem, join(dir, "mem.pb.gz"));
});

test("bad use: a specific error for each", () => {
  const readOnly = join(dir, "read-only");
  mkdirSync(readOnly);
  chmodSync(readOnly, 0o500);
  const cases: [string[], RegExp][] = [
    [["--cpuprofle", "x", "app.js"], /^flag provided but not defined: -cpuprofle$/],
    [["--cpuprofile", "x"], /^no command given$/],
    [["--cpuprofile"], /^flag needs an argument: -cpuprofile$/],
    [["app.js"], /^no profile requested/],
    [["--cpuprofile=", "app.js"], /^flag -cpuprofile: empty file name$/],
    [["--cpuprofile", join(dir, "missing/cpu.pb.gz"), "app.js"], /^-cpuprofile .*missing\/cpu\.pb\.gz: directory .*missing does not exist$/],
    [["--cpuprofile", dir, "app.js"], /: is a directory$/],
    [["--memprofilerate", "lots", "--cpuprofile", "x", "app.js"], /^invalid value "lots" for flag -memprofilerate: parse error$/],
    [["--cpuprofilerate", "1.5", "--cpuprofile", "x", "app.js"], /^invalid value "1.5" for flag -cpuprofilerate: parse error$/],
    [["--outputdir", "nowhere", "--cpuprofile", "x", "app.js"], /^output directory .*nowhere does not exist$/],
    [["--cpuprofile", "same", "--memprofile", "same", "app.js"], /^-cpuprofile and -memprofile both write .*same$/],
  ];
  // root may write anywhere: the permission check is only testable as a user.
  if (process.getuid?.() !== 0) cases.push([["--cpuprofile", join(readOnly, "cpu.pb.gz"), "app.js"], /is not writable$/]);
  for (const [args, message] of cases) {
    assert.throws(() => parseRunArgs(args, dir), (err: Error) => err instanceof ConfigError && message.test(err.message), args.join(" "));
  }
  assert.equal(parseRunArgs(["--help"], dir).help, true);
});

test("the settings travel through TSPROF_* variables unchanged", () => {
  const a = parseRunArgs(["--cpuprofile", "c", "--cpuprofilerate", "500", "--mutexprofile", "m", "x.js"], dir);
  assert.deepEqual(configFromEnv(configToEnv(a.config), "/elsewhere"), a.config);
  // Set by hand (the preload alone), relative paths follow TSPROF_OUTPUTDIR, then the cwd.
  const b = configFromEnv({ TSPROF_CPUPROFILE: "cpu.pb.gz", TSPROF_OUTPUTDIR: "profiles", TSPROF_BLOCKPROFILE: "/abs/block" }, "/work");
  assert.deepEqual(b.files, { cpu: "/work/profiles/cpu.pb.gz", block: "/abs/block" });
  assert.throws(() => configFromEnv({ TSPROF_CPUPROFILERATE: "fast" }, "/"), /invalid value "fast" for flag -cpuprofilerate/);
});

test("a .js/.mjs/.cjs file as the command means node FILE", () => {
  const here = join(import.meta.dirname ?? ".", "fixtures");
  assert.deepEqual(resolveCommand(["hot.mjs", "3"], here), [process.execPath, "hot.mjs", "3"]);
  assert.deepEqual(resolveCommand(["hot.cjs"], here), [process.execPath, "hot.cjs"]);
  assert.deepEqual(resolveCommand(["node", "hot.mjs"], here), ["node", "hot.mjs"]);
  assert.deepEqual(resolveCommand(["missing.js"], here), ["missing.js"], "not a file: left for the not-found error");
});
