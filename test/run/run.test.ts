// `tsprof run` and the tsprof/register preload, end to end: the built CLI runs
// fixture programs, and the profiles it writes are read back with
// `go tool pprof` and with our decoder.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, describe, it } from "node:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData, Sample } from "../../src/profile/model.ts";
import { needGo, goPprof, parseTop } from "../helpers/tools.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const fixtures = join(here, "fixtures");
const cli = join(root, "dist/esm/cli/main.js");
const registerEsm = join(root, "dist/esm/run/register.js");
const registerCjs = join(root, "dist/cjs/register.cjs");
const dir = mkdtempSync(join(tmpdir(), "tsprof-run-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function builtOrFail(): void {
  assert.ok(existsSync(cli) && existsSync(registerCjs), "tsprof is not built: run `node scripts/build.mjs` first");
}

/** Env of the profiled commands: nothing inherited that would profile or load them differently. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("TSPROF_") && k !== "NODE_OPTIONS" && k !== "NODE_TEST_CONTEXT") env[k] = v;
  return { ...env, ...extra };
}

interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a process to its end without blocking, so the tests below can run side by side. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env, timeout: 30_000 });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** `tsprof run ARGS`; CPU profiles sample at 500 Hz, enough samples from short workloads. */
function tsprofRun(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  builtOrFail();
  const rate = args.some((a) => a.startsWith("--cpuprofile") || a.startsWith("-cpuprofile")) && !args.some((a) => a.includes("cpuprofilerate")) ? ["--cpuprofilerate", "500"] : [];
  return run([cli, "run", ...rate, ...args], cleanEnv(env));
}

function out(name: string): string {
  return join(dir, name);
}

function decode(file: string): ProfileData {
  return decodeProfile(readFileSync(file));
}

/** CPU time (sample count) per leaf function name, for samples matching `where`. */
function leafSamples(p: ProfileData, where: (s: Sample) => boolean = () => true): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of p.sample) {
    if (!where(s)) continue;
    const name = s.location[0]?.line[0]?.function.name ?? "?";
    counts.set(name, (counts.get(name) ?? 0) + s.value[0]!);
  }
  return counts;
}

/**
 * The first JavaScript function of `go tool pprof -top` (V8's pseudo-frames
 * such as "(garbage collector)" left out: on a loaded machine they can
 * outweigh a short workload).
 */
/**
 * -memprofile turns on allocation sampling: V8 says which samples are live
 * (inuse_*) only from Node.js 26; alloc_* count every sampled allocation.
 */
const memprofileInuse = Number(process.versions.node.split(".")[0]) >= 26;

/** The inuse_space (or another sample type) of the samples whose stack goes through `fn`. */
function inuseBytesUnder(p: ProfileData, fn: string, type = "inuse_space"): number {
  const inuse = p.sampleType.findIndex((st) => st.type === type);
  let bytes = 0;
  for (const s of p.sample) if (s.location.some((l) => l.line.some((ln) => ln.function.name === fn))) bytes += s.value[inuse]!;
  return bytes;
}

function topFunction(file: string, extra: string[] = []): string | undefined {
  return parseTop(goPprof(["-top", ...extra, file])).find((row) => !row.name.startsWith("("))?.name;
}

// The programs mostly wait on the clock (their workloads spin for fixed
// times), so a few run side by side without changing what they show.
describe("tsprof run", { concurrency: 2 }, () => {
  it("the --cpuprofile file names the hot function first (go tool pprof -top)", async (t) => {
    if (!needGo(t)) return;
    const file = out("hot.pb.gz");
    const [r, r2] = await Promise.all([
      tsprofRun(["--cpuprofile", file, "test/run/fixtures/hot.mjs"]),
      // Go's flag syntax works too: -name=value, relative paths under -outputdir.
      tsprofRun([`-outputdir=${dir}`, "-cpuprofile=hot-go.pb.gz", "-cpuprofilerate", "250", "--", "node", "test/run/fixtures/hot.mjs", "10"]),
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "hot done\n", "the command's stdout passes through untouched");
    assert.match(r.stderr, /^tsprof: cpu profile written to .*hot\.pb\.gz \(1 process\)\n$/);
    assert.equal(topFunction(file), "hotFunction");
    assert.equal(r2.status, 0, r2.stderr);
    const p = decode(out("hot-go.pb.gz"));
    assert.equal(p.period, 4_000_000, "250 Hz is a 4 ms period");
  });

  it("--memprofile shows the retained memory; block, mutex, goroutine and threadcreate profiles at exit", async (t) => {
    if (!needGo(t)) return;
    const files = Object.fromEntries(["mem", "block", "mutex", "goroutine", "threadcreate"].map((k) => [k, out(`all-${k}.pb.gz`)]));
    const r = await tsprofRun([
      "--memprofile", files.mem!, "--blockprofile", files.block!, "--mutexprofile", files.mutex!,
      "--goroutineprofile", files.goroutine!, "--threadcreateprofile", files.threadcreate!,
      "test/run/fixtures/profiles.mjs",
    ]);
    assert.equal(r.signal, "SIGTERM", r.stderr);
    assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("tsprof: ") && / profile written to /.test(l)).length, 5, r.stderr);
    // Go's -memprofile file is the allocs profile; the retained memory is in
    // its alloc_space, and in its inuse_space where V8 reports liveness.
    const mem = decode(files.mem!);
    assert.equal(mem.defaultSampleType, "alloc_space");
    const type = memprofileInuse ? "inuse_space" : "alloc_space";
    const retained = inuseBytesUnder(mem, "retainMemory", type);
    assert.ok(retained > 16 * 1024 * 1024, `retainMemory keeps ~32 MB, the profile's ${type} says ${retained} bytes`);
    assert.equal(topFunction(files.mem!, [`-sample_index=${type}`]), "retainMemory");
    const hasFunction = (p: ProfileData, name: string) => p.sample.some((s) => s.location.some((l) => l.line.some((ln) => ln.function.name === name)));
    assert.ok(hasFunction(decode(files.block!), "fs.readFileSync"), "the synchronous read is in the block profile");
    assert.ok(hasFunction(decode(files.threadcreate!), "startWorker"), "the worker's creator is in the threadcreate profile");
    assert.equal(decode(files.goroutine!).sampleType[0]?.type, "goroutine");
    assert.equal(decode(files.mutex!).sampleType[0]?.type, "contentions");
    for (const file of Object.values(files)) goPprof(["-top", file!]); // each loads in pprof
  });

  it("ESM and CommonJS programs", async (t) => {
    if (!needGo(t)) return;
    const file = out("cjs.pb.gz");
    // A TSPROF_* setting in the caller's environment is replaced by the flags, not added to them.
    const stale = out("stale-mem.pb.gz");
    const r = await tsprofRun(["--cpuprofile", file, "test/run/fixtures/hot.cjs"], { TSPROF_MEMPROFILE: stale });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "cjs done\n");
    assert.match(r.stderr, /^tsprof: cpu profile written to .*\n$/);
    assert.equal(existsSync(stale), false);
    assert.equal(topFunction(file), "cjsHotFunction");
  });

  it("--memprofile samples from before the first line, at --memprofilerate, which the program's own tsprof sees", async (t) => {
    if (!needGo(t)) return;
    const file = out("mem-first-line.pb.gz");
    const r = await tsprofRun(["--memprofile", file, "--memprofilerate", "4096", "test/run/fixtures/mem-first-line.mjs"]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { rate: 4096, kept: 2000 });
    const p = decode(file);
    const type = memprofileInuse ? "inuse_space" : "alloc_space";
    const retained = inuseBytesUnder(p, "allocateAtStart", type);
    // 2,000 arrays of 1,000 small integers: about 16 MB.
    assert.ok(retained > 8 * 1024 * 1024, `allocateAtStart keeps ~16 MB, the profile's ${type} says ${retained} bytes`);
    assert.equal(topFunction(file, [`-sample_index=${type}`]), "allocateAtStart");
  });

  it("--memprofile of node --test: the test's allocating function is the top alloc_space entry, its garbage counted", async (t) => {
    if (!needGo(t)) return;
    const file = out("node-test-mem.pb.gz");
    const r = await tsprofRun(["--memprofile", file, "--", "node", "--test", "test/run/fixtures/allocating.test.mjs"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(topFunction(file), "allocateInLoop");
    // 1,000,000 arrays of 20: a 32-byte JSArray and a 176-byte element store each, ~208 MB.
    const bytes = inuseBytesUnder(decode(file), "allocateInLoop", "alloc_space");
    assert.ok(Math.abs(bytes - 208e6) < 0.15 * 208e6, `alloc_space of allocateInLoop: ${bytes} bytes`);
  });

  it("the program's own tsprof calls see the run's CPU profile: in use, and labelled", async (t) => {
    if (!needGo(t)) return;
    const file = out("labelled.pb.gz");
    const r = await tsprofRun(["--cpuprofile", file, "test/run/fixtures/labelled.mjs"]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { inUse: "cpu profiling already in use", done: true });
    const p = decode(file);
    const warm = leafSamples(p, (s) => s.label.phase?.[0] === "warm").get("labelledWork") ?? 0;
    const all = leafSamples(p).get("labelledWork") ?? 0;
    assert.ok(warm > 0 && warm === all, `labelledWork's samples carry phase=warm (${warm} of ${all})`);
    assert.equal(topFunction(file, ["-tagfocus=phase=warm"]), "labelledWork");
  });

  it("a child process and a worker thread are merged in, with pid and thread labels", async (t) => {
    if (!needGo(t)) return;
    const file = out("family.pb.gz");
    const r = await tsprofRun(["--cpuprofile", file, "test/run/fixtures/family.mjs"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\(2 processes\)/);
    const ids = JSON.parse(r.stdout) as { parent: number; child: number; worker: number };
    const p = decode(file);
    const at = (pid: number, thread: string) => (s: Sample) => s.numLabel.pid?.[0] === pid && s.label.thread?.[0] === thread;
    assert.ok((leafSamples(p, at(ids.parent, "main")).get("parentHot") ?? 0) > 0, "parent's main thread");
    assert.ok((leafSamples(p, at(ids.parent, `worker ${ids.worker}`)).get("workerHot") ?? 0) > 0, "parent's worker");
    assert.ok((leafSamples(p, at(ids.child, "main")).get("childHot") ?? 0) > 0, "child process");
    // Every sample says where it came from, and pprof's tag filters split them.
    for (const s of p.sample) assert.ok(s.numLabel.pid && s.label.thread, "pid and thread labels on each sample");
    assert.equal(topFunction(file, [`-tagfocus=pid=${ids.child}`]), "childHot");
    assert.equal(topFunction(file, [`-tagfocus=thread=worker ${ids.worker}`]), "workerHot");
  });

  it("children the program did not wait for: one still working is waited for and merged in, one killed with SIGKILL is named as missing", async () => {
    const file = out("orphans.pb.gz");
    const r = await tsprofRun(["--cpuprofile", file, "test/run/fixtures/orphans.mjs"]);
    assert.equal(r.status, 0, r.stderr);
    const ids = JSON.parse(r.stdout) as { late: number; killed: number };
    assert.match(r.stderr, new RegExp(`^tsprof: cpu profile written to .*orphans\\.pb\\.gz \\(2 processes; 1 part\\(s\\) missing: pid ${ids.killed} \\(node -e setInterval.*\\): ended without writing its profiles \\(killed by a signal it cannot handle, such as SIGKILL, or crashed\\)\\)\n$`));
    const p = decode(file);
    assert.ok((leafSamples(p, (s) => s.numLabel.pid?.[0] === ids.late).get("lateHot") ?? 0) > 0, "the child that ended after its parent is in the profile");
  });

  it("node --test with a benchmark loop shows the benchmarked function", async (t) => {
    if (!needGo(t)) return;
    const file = out("suite.pb.gz");
    const r = await tsprofRun(["--cpuprofile", file, "--", "node", "--test", "test/run/fixtures/bench-suite.mjs"]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.equal(topFunction(file), "benchmarkedFunction");
  });

  it("a TypeScript program run through the tsx loader shows .ts lines", async (t) => {
    if (!needGo(t)) return;
    const file = out("ts.pb.gz");
    const r = await tsprofRun(["--cpuprofile", file, "--", "node", "--import", "tsx", "test/run/fixtures/app.ts"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "ts done\n");
    // Not necessarily first: tsx's compile waits (makeSyncRequest) grow with the machine's load.
    const list = goPprof(["-list", "^typedHot$", file]);
    assert.match(list, /ROUTINE =+ typedHot in .*app\.ts\n\s+\d+(\.\d+)?m?s\s/, "typedHot has samples, in app.ts");
    assert.match(list, /\bfunction typedHot\(n: number\): Totals \{/, "the listing shows the TypeScript source");
  });

  for (const [how, status, signal] of [["exit", 3, null], ["throw", 1, null], ["sigterm", null, "SIGTERM"]] as const) {
    it(`exit by ${how}: the profile is written and the status is the same as without tsprof`, async (t) => {
      if (!needGo(t)) return;
      const plain = await run([join(fixtures, "exits.mjs"), how], cleanEnv());
      assert.equal(plain.status, status);
      assert.equal(plain.signal, signal);
      const file = out(`exit-${how}.pb.gz`);
      const r = await tsprofRun(["--cpuprofile", file, "test/run/fixtures/exits.mjs", how]);
      assert.equal(r.status, status, r.stderr);
      assert.equal(r.signal, signal);
      assert.match(r.stderr, /tsprof: cpu profile written to/);
      assert.equal(topFunction(file), "exitHot");
    });
  }

  it("the preload alone, driven by environment variables (--import and --require)", async (t) => {
    if (!needGo(t)) return;
    builtOrFail();
    const variants = [["--import", registerEsm], ["--require", registerCjs]] as const;
    const fileFor = (flag: string) => out(`preload${flag}.pb.gz`);
    const runs = await Promise.all(
      variants.map(([flag, module]) => run([flag, module, "test/run/fixtures/family.mjs"], cleanEnv({ TSPROF_CPUPROFILE: fileFor(flag), TSPROF_CPUPROFILERATE: "500" }))),
    );
    for (const [i, [flag]] of variants.entries()) {
      const r = runs[i]!;
      const file = fileFor(flag);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /^tsprof: cpu profile written to .* \(2 processes\)\n$/);
      const ids = JSON.parse(r.stdout) as { parent: number; child: number; worker: number };
      const pids = new Set(decode(file).sample.map((s) => s.numLabel.pid![0]));
      assert.deepEqual([...pids].sort(), [ids.child, ids.parent].sort());
      assert.equal(topFunction(file, [`-tagfocus=pid=${ids.child}`]), "childHot");
    }
  });

  it("bad use is a clear error before the command runs", async () => {
    const marker = out("ran");
    const script = out("marker.mjs");
    writeFileSync(script, `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "x");\n`);
    // Each kind of bad use is covered in flags.test.ts; here, that the CLI stops before running anything.
    const cases: [string[], RegExp, number][] = [
      [["--cpuprofle", out("x.pb.gz"), script], /^tsprof run: flag provided but not defined: -cpuprofle\nusage: tsprof run/, 2],
      [["--cpuprofile", join(dir, "missing-dir/cpu.pb.gz"), script], /^tsprof run: -cpuprofile .*missing-dir\/cpu\.pb\.gz: directory .*missing-dir does not exist\n/, 2],
      [["--cpuprofile", out("x.pb.gz"), "--", "no-such-program-tsprof"], /^tsprof run: no-such-program-tsprof: command not found\n$/, 127],
      [["--cpuprofile", out("x.pb.gz"), "test/run/fixtures/app.ts"], /^tsprof run: test\/run\/fixtures\/app\.ts: TypeScript needs a loader, e.g\. .* -- node --import tsx /, 127],
    ];
    for (const [args, message, status] of cases) {
      const r = await tsprofRun(args);
      assert.equal(r.status, status, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(existsSync(marker), false, `${args.join(" ")}: the command must not run`);
    }
  });
});
