// `tsprof pprof -top` against `go tool pprof -top` on one large profile
// (issue 6, "Speed"): a generated CPU profile of 300,000 samples, about 20 MB
// uncompressed (written uncompressed and gzipped), each tool run `repeats`
// times per file; wall time and peak RSS (from /usr/bin/time) as medians, and
// the ratios measured in the same run. Also checks the two reports agree.
//
//   node scripts/build.mjs && node bench/analyzer-top.mjs [samples] [repeats]
//
// Target: tsprof ≥ 1.5× faster than go tool pprof, with no more peak memory.
// On a shared machine compare the ratios, not the absolute times.

import { spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, "../dist/esm/cli/main.js");
const nSamples = Number(process.argv[2] ?? 300_000);
const repeats = Number(process.argv[3] ?? 3);

const { bigProfile } = await import("./_big-profile.mjs");
const synthetic = () => bigProfile(nSamples, { seed: 424242, shrink: 0.72 });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs a command under /usr/bin/time: wall seconds, peak RSS in MB and stdout. */
function timed(cmd, args) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...args], {
    encoding: "utf8", maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PPROF_TMPDIR: join(tmpdir(), "tsprof-pprof-tmp"), PPROF_BINARY_PATH: "/nonexistent" },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  const last = r.stderr.trim().split("\n").at(-1);
  const [secs, kb] = last.split(" ").map(Number);
  return { secs, mb: kb / 1024, stdout: r.stdout };
}

function hasGo() {
  try {
    execFileSync("go", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

if (!existsSync(bin)) throw new Error("build first: node scripts/build.mjs");
const tmp = mkdtempSync(join(tmpdir(), "tsprof-bench-top-"));
try {
  const raw = synthetic();
  const rawFile = join(tmp, "large.pb");
  const gzFile = join(tmp, "large.pb.gz");
  writeFileSync(rawFile, raw);
  writeFileSync(gzFile, gzipSync(raw));
  console.log(`profile: ${nSamples} samples, ${(raw.length / 1e6).toFixed(1)} MB uncompressed, ${(statSync(gzFile).size / 1e6).toFixed(1)} MB gzipped; median of ${repeats} runs`);
  const go = hasGo();
  if (!go) console.log("go not installed: go tool pprof figures skipped");
  for (const file of [rawFile, gzFile]) {
    const ours = [];
    const theirs = [];
    let same = true;
    for (let i = 0; i < repeats; i++) {
      // Alternate the order so that neither tool always runs on a warmer machine.
      const a = timed(process.execPath, [bin, "pprof", "-top", file]);
      ours.push(a);
      if (go) {
        const b = timed("go", ["tool", "pprof", "-top", file]);
        theirs.push(b);
        same &&= a.stdout === b.stdout;
      }
    }
    const t = median(ours.map((r) => r.secs));
    const m = median(ours.map((r) => r.mb));
    let line = `${file.endsWith(".gz") ? "gzipped     " : "uncompressed"}  tsprof pprof -top: ${t.toFixed(2)} s, ${m.toFixed(0)} MB peak RSS`;
    if (go) {
      const gt = median(theirs.map((r) => r.secs));
      const gm = median(theirs.map((r) => r.mb));
      line += ` | go tool pprof -top: ${gt.toFixed(2)} s, ${gm.toFixed(0)} MB | speed-up ${(gt / t).toFixed(2)}x, memory ratio (ours/go) ${(m / gm).toFixed(2)} | reports identical: ${same}`;
    }
    console.log(line);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
