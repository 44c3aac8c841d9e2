// The large synthetic CPU profile the analyzer benchmarks read: a server-like
// call tree of 100,000 locations in 6,000 functions, a `job` label per
// sample, deterministic for a given seed. `shrink` sets how fast stacks get
// shallower towards the root (smaller: deeper stacks, a bigger file).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dist = (p) => pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), "../dist/esm", p)).href;
const { ProfileBuilder } = await import(dist("profile/builder.js"));
const { encodeProfile } = await import(dist("profile/encode.js"));

/** The uncompressed profile.proto bytes of `nSamples` samples. */
export function bigProfile(nSamples, { seed = 424242, shrink = 0.72 } = {}) {
  const b = new ProfileBuilder({
    sampleType: [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }],
    periodType: { type: "cpu", unit: "nanoseconds" },
    period: 10_000_000,
    mappingFile: "/srv/app/server.js",
  });
  const rnd = (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const frames = [];
  for (let i = 0; i < 100_000; i++) {
    const fn = i % 6000;
    frames.push({ name: `module${fn % 300}.function${fn}`, file: `/srv/app/src/module${fn % 300}.ts`, line: 10 + (i % 97), column: 0, startLine: 5 });
  }
  const parent = frames.map((_, i) => (i === 0 ? -1 : Math.floor(i * (shrink + rnd(20) / 100))));
  const stack = [];
  for (let s = 0; s < nSamples; s++) {
    stack.length = 0;
    for (let at = 1 + rnd(frames.length - 1); at >= 0; at = parent[at]) stack.push(frames[at]);
    b.addSample(stack, [1, 10_000_000 + rnd(1000)], { job: String(s % 4) });
  }
  return encodeProfile(b.build());
}
