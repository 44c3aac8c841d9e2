// Start-up cost of the tsprof/register preload: the time from node's start to
// the first line of the user's program, with the preload (idle, CPU profile,
// every profile, each of the block, mutex, goroutine and threadcreate
// profiles alone; ESM --import and CommonJS --require) against plain `node`,
// and against an empty --import/--require module (what any preload costs),
// measured in the same run, interleaved, median of N runs.
//
// The first line reads process.uptime() (wall time since node started) and
// process.cpuUsage() (CPU time of every thread so far, V8's sampler threads
// included) before anything else: touching `performance` or `process.stdout`
// first would load modules that a preload may already have loaded, and hide
// its cost. NODE_EXTRA_CA_CERTS is
// removed from the children's environment: loading a CA bundle costs tens of
// ms per process and is no part of the preload's cost, only noise.
//
//   node bench/run-startup.mjs [runs=30]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 30);
const dir = mkdtempSync(join(tmpdir(), "tsprof-startup-"));
const script = join(dir, "first-line.mjs");
writeFileSync(script, "const w = process.uptime() * 1000, u = process.cpuUsage();\nprocess.stdout.write(`${w} ${(u.user + u.system) / 1000}`);\n");
const emptyEsm = join(dir, "empty.mjs");
const emptyCjs = join(dir, "empty.cjs");
writeFileSync(emptyEsm, "");
writeFileSync(emptyCjs, "");
const esm = join(root, "dist/esm/run/register.js");
const cjs = join(root, "dist/cjs/register.cjs");

const baseEnv = {};
for (const [k, v] of Object.entries(process.env)) {
  if (!k.startsWith("TSPROF_") && k !== "NODE_OPTIONS" && k !== "NODE_EXTRA_CA_CERTS") baseEnv[k] = v;
}
// As a process of a `tsprof run`: part files go to this directory (no merging at exit).
const parts = { TSPROF_PARTS_DIR: dir };
const cpu = { ...parts, TSPROF_CPUPROFILE: join(dir, "cpu.pb.gz") };
const cpuMem = { ...cpu, TSPROF_MEMPROFILE: join(dir, "mem.pb.gz") };
const all = {
  ...cpu,
  TSPROF_MEMPROFILE: join(dir, "mem.pb.gz"),
  TSPROF_BLOCKPROFILE: join(dir, "block.pb.gz"),
  TSPROF_MUTEXPROFILE: join(dir, "mutex.pb.gz"),
  TSPROF_GOROUTINEPROFILE: join(dir, "goroutine.pb.gz"),
  TSPROF_THREADCREATEPROFILE: join(dir, "threadcreate.pb.gz"),
};

const variants = [
  { name: "node (plain)", args: [], env: {} },
  { name: "--import empty.mjs", args: ["--import", emptyEsm], env: {} },
  { name: "--require empty.cjs", args: ["--require", emptyCjs], env: {} },
  { name: "--import register, no profile", args: ["--import", esm], env: {} },
  { name: "--import register, cpu", args: ["--import", esm], env: cpu },
  { name: "--import tsprof/register, cpu", args: ["--import", "tsprof/register"], env: cpu },
  { name: "--require register.cjs, cpu", args: ["--require", cjs], env: cpu },
  { name: "--require register.cjs, cpu+mem", args: ["--require", cjs], env: cpuMem },
  { name: "--require register.cjs, mem", args: ["--require", cjs], env: { ...parts, TSPROF_MEMPROFILE: cpuMem.TSPROF_MEMPROFILE } },
  { name: "--import register, all six", args: ["--import", esm], env: all },
  { name: "--require register.cjs, all six", args: ["--require", cjs], env: all },
  { name: "--require register.cjs, block", args: ["--require", cjs], env: { ...parts, TSPROF_BLOCKPROFILE: all.TSPROF_BLOCKPROFILE } },
  { name: "--require register.cjs, mutex", args: ["--require", cjs], env: { ...parts, TSPROF_MUTEXPROFILE: all.TSPROF_MUTEXPROFILE } },
  { name: "--require register.cjs, goroutine", args: ["--require", cjs], env: { ...parts, TSPROF_GOROUTINEPROFILE: all.TSPROF_GOROUTINEPROFILE } },
  { name: "--require register.cjs, threadcreate", args: ["--require", cjs], env: { ...parts, TSPROF_THREADCREATEPROFILE: all.TSPROF_THREADCREATEPROFILE } },
];

function once(v) {
  // cwd: the package itself, where `tsprof/register` resolves (self-reference).
  const r = spawnSync(process.execPath, [...v.args, script], { cwd: root, env: { ...baseEnv, ...v.env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${v.name}: exit ${r.status}: ${r.stderr}`);
  const [wall, cpuMs] = r.stdout.split(" ").map(Number);
  return { wall, cpu: cpuMs };
}

const times = variants.map(() => ({ wall: [], cpu: [] }));
for (let i = 0; i < runs + 2; i++) {
  variants.forEach((v, j) => {
    const t = once(v);
    if (i < 2) return; // the first rounds warm the disk cache
    times[j].wall.push(t.wall);
    times[j].cpu.push(t.cpu);
  });
}
rmSync(dir, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
// The cost of a variant: the median over rounds of its time minus plain
// node's in the same round (paired, so a machine that slows down for a while
// slows both sides of the difference).
const cost = (j, key) => median(times[j][key].map((t, i) => t - times[0][key][i]));
console.log(`time from node's start to the first line of user code, median of ${runs} runs (node ${process.version})`);
console.log("+ms: median over the rounds of (variant - plain node) in the same round");
console.log("variant".padEnd(38) + "wall ms".padStart(9) + "+ms".padStart(7) + "  |" + "cpu ms".padStart(8) + "+ms".padStart(7));
variants.forEach((v, j) => {
  const cols = (key, width) => median(times[j][key]).toFixed(1).padStart(width) + cost(j, key).toFixed(1).padStart(7);
  console.log(v.name.padEnd(38) + cols("wall", 9) + "  |" + cols("cpu", 8));
});
