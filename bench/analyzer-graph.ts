// How the report layer scales: builds a large synthetic CPU profile
// (default 300,000 samples, ~20 MB uncompressed), then times decode, graph +
// `top`, `dot` and `traces` in process, and the whole `top` pipeline against
// `go tool pprof -top` on the same file.
// Run: node --import tsx bench/analyzer-graph.ts [samples] [repeats]
// (Prints medians; the machine may be loaded — compare ratios, not absolutes.)

import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync, statSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeProfile } from "../src/profile/encode.ts";
import { decodeProfile } from "../src/profile/decode.ts";
import { ProfileBuilder, type Frame } from "../src/profile/builder.ts";
import { defaultConfig } from "../src/analyzer/config.ts";
import { computeTotal, generateReport } from "../src/analyzer/report/index.ts";

const nSamples = Number(process.argv[2] ?? 300_000);
const repeats = Number(process.argv[3] ?? 3);

function synthetic(): Uint8Array {
  const b = new ProfileBuilder({
    sampleType: [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }],
    periodType: { type: "cpu", unit: "nanoseconds" },
    period: 10_000_000,
    mappingFile: "/srv/app/server.js",
  });
  let seed = 12345;
  const rnd = (n: number) => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
  const frames: Frame[] = [];
  for (let i = 0; i < 100_000; i++) {
    const fn = i % 6000;
    frames.push({ name: `module${fn % 300}.function${fn}`, file: `/srv/app/src/module${fn % 300}.ts`, line: 10 + (i % 97), column: 0, startLine: 5 });
  }
  // A call tree: each location has one caller (a lower index), so stacks are
  // paths to the root (depth ~30), as in a real program, with 100,000
  // locations in 6,000 functions.
  const parent = frames.map((_, i) => (i === 0 ? -1 : Math.floor(i * (0.6 + rnd(20) / 100))));
  const stack: Frame[] = [];
  for (let s = 0; s < nSamples; s++) {
    stack.length = 0;
    for (let at = 1 + rnd(frames.length - 1); at >= 0; at = parent[at]!) stack.push(frames[at]!);
    b.addSample(stack, [1, 10_000_000 + rnd(1000)], { job: String(s % 4) });
  }
  return encodeProfile(b.build());
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time<T>(f: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t0) / 1e6];
}

const file = join(tmpdir(), `tsprof-bench-${nSamples}.pb`);
writeFileSync(file, synthetic());
console.log(`profile: ${file}, ${(statSync(file).size / 1e6).toFixed(1)} MB uncompressed, ${nSamples} samples`);

const decodeMs: number[] = [];
const reportMs: Record<"top" | "dot" | "traces", number[]> = { top: [], dot: [], traces: [] };
for (let i = 0; i < repeats; i++) {
  const [p, d] = time(() => decodeProfile(readFileSync(file)));
  decodeMs.push(d);
  for (const kind of ["top", "dot", "traces"] as const) {
    const [, r] = time(() => generateReport(kind, p, defaultConfig(), { sampleIndex: 1, total: computeTotal(p, 1) }));
    reportMs[kind].push(r);
  }
}
console.log(`in-process decode: median ${median(decodeMs).toFixed(0)} ms; graph+top: median ${median(reportMs.top).toFixed(0)} ms; dot (graph with label tags): ${median(reportMs.dot).toFixed(0)} ms; traces: ${median(reportMs.traces).toFixed(0)} ms`);

// Whole process: decode + report + exit, as a user runs it, with peak RSS.
const script = `
import { readFileSync } from "node:fs";
import { decodeProfile } from "./src/profile/decode.ts";
import { defaultConfig } from "./src/analyzer/config.ts";
import { computeTotal, generateReport } from "./src/analyzer/report/index.ts";
const p = decodeProfile(readFileSync(${JSON.stringify(file)}));
process.stdout.write(generateReport("top", p, defaultConfig(), { sampleIndex: 1, total: computeTotal(p, 1) }).slice(0, 0));
`;
const scriptFile = join(process.cwd(), `.bench-top-${process.pid}.ts`);
writeFileSync(scriptFile, script);
const timeCmd = (cmd: string[]) => {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", ...cmd], { encoding: "utf8", maxBuffer: 1 << 28 });
  const [secs, kb] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { ms: secs! * 1000, mb: kb! / 1024 };
};
const ours: { ms: number; mb: number }[] = [];
const go: { ms: number; mb: number }[] = [];
for (let i = 0; i < repeats; i++) {
  ours.push(timeCmd([process.execPath, "--import", "tsx", scriptFile]));
  go.push(timeCmd(["go", "tool", "pprof", "-top", file]));
}
execFileSync("rm", ["-f", scriptFile]);
const om = median(ours.map((x) => x.ms));
const gm = median(go.map((x) => x.ms));
console.log(`whole process (tsx, unbuilt): ours ${om.toFixed(0)} ms / ${median(ours.map((x) => x.mb)).toFixed(0)} MB peak RSS; go tool pprof -top ${gm.toFixed(0)} ms / ${median(go.map((x) => x.mb)).toFixed(0)} MB; speedup ${(gm / om).toFixed(2)}x`);
