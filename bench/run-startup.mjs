// Start-up cost of the tsprof/register preload: the time from spawning
// `node` to the first line of the user's program, with the preload (idle,
// CPU profile, every profile; ESM --import and CommonJS --require) against
// plain `node`, measured in the same run, interleaved, median of N runs.
// The first line prints the wall clock (performance.timeOrigin + now()),
// which the parent compares with its own clock at spawn, and the CPU time
// the process has used so far.
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
// Wall clock, and the CPU time the process used to get here (which a busy machine distorts less).
writeFileSync(script, "const u = process.cpuUsage(); process.stdout.write(`${performance.timeOrigin + performance.now()} ${(u.user + u.system) / 1000}`);\n");
const esm = join(root, "dist/esm/run/register.js");
const cjs = join(root, "dist/cjs/register.cjs");

const baseEnv = {};
for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("TSPROF_") && k !== "NODE_OPTIONS") baseEnv[k] = v;
// As a process of a `tsprof run`: part files go to this directory (no merging at exit).
const parts = { TSPROF_PARTS_DIR: dir };
const cpu = { ...parts, TSPROF_CPUPROFILE: join(dir, "cpu.pb.gz") };
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
  { name: "--import register, no profile", args: ["--import", esm], env: {} },
  { name: "--import register, cpu", args: ["--import", esm], env: cpu },
  { name: "--require register.cjs, cpu", args: ["--require", cjs], env: cpu },
  { name: "--import register, all six", args: ["--import", esm], env: all },
];

function once(v) {
  const start = performance.timeOrigin + performance.now();
  const r = spawnSync(process.execPath, [...v.args, script], { env: { ...baseEnv, ...v.env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${v.name}: exit ${r.status}: ${r.stderr}`);
  const [wall, cpu] = r.stdout.split(" ").map(Number);
  return { wall: wall - start, cpu };
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
const base = { wall: median(times[0].wall), cpu: median(times[0].cpu) };
console.log(`time to the first line of user code, median of ${runs} runs (node ${process.version})`);
console.log("variant".padEnd(32) + "wall ms".padStart(9) + "+ms".padStart(8) + "ratio".padStart(7) + "  |" + "cpu ms".padStart(8) + "+ms".padStart(8) + "ratio".padStart(7));
const cols = (m, b) => m.toFixed(1).padStart(9) + (m - b).toFixed(1).padStart(8) + `${(m / b).toFixed(2)}x`.padStart(7);
variants.forEach((v, j) => {
  console.log(v.name.padEnd(32) + cols(median(times[j].wall), base.wall) + "  |" + cols(median(times[j].cpu), base.cpu).slice(1));
});
