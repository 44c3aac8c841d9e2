// Turning a 60-second CPU profile of a large program into pprof bytes
// (issue 2, "Speed"), tsprof against @datadog/pprof on the same profile:
//
//  - whole path: tsprof's cpuProfileData (V8 profile → symbolized, labelled
//    ProfileData) + encode + gzip, against @datadog/pprof's own path from a
//    V8 profile tree, serializeTimeProfile (→ pprof-format Profile) + encode()
//    (protobuf + gzip), given the same profile as the tree its native part
//    hands to that serializer;
//  - encoder alone: tsprof's encode + gzip against @datadog/pprof's encode()
//    of the same finished profile;
//  - end to end on a real program: stopCPUProfile against time.stop() +
//    encode(), each in fresh processes.
//
//   node scripts/build.mjs && node bench/cpu-encode.mjs [synthetic|e2e]   (default: both)
//
// The V8 profile is synthetic but shaped like a real one: 30,000 functions
// in 800 files calling each other, 5,000 distinct stacks 10–45 frames deep,
// leaf line ticks, 60 s at 100 Hz (6,000 samples) and at 1 kHz (60,000
// samples, the --cpu-prof default rate). Figures: the fastest of 5 runs after
// a warm-up, in wall time and in process CPU time (steadier on a shared machine).

import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import * as pf from "pprof-format";
import { encode as ddEncode } from "@datadog/pprof";
import { serializeTimeProfile } from "@datadog/pprof/out/src/profile-serializer.js";

const here = dirname(fileURLToPath(import.meta.url));
const { cpuProfileData } = await import(pathToFileURL(join(here, "../dist/esm/collect/cpu-convert.js")).href);
const { encodeProfileGzip } = await import(pathToFileURL(join(here, "../dist/esm/profile/encode.js")).href);

const E2E_MS = 2500;
const part = process.argv[2];

if (process.env.CPU_ENCODE_E2E) {
  await endToEndChild(process.env.CPU_ENCODE_E2E);
  process.exit(0);
}

async function endToEndChild(tool) {
  // A large program: 20,000 named functions in one module on disk, each
  // calling two others down to a depth.
  const N = 20_000;
  const { writeFileSync, mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const file = join(mkdtempSync(join(tmpdir(), "tsprof-bench-e2e-")), "program.mjs");
  let code = "export const fns = [];\n";
  for (let i = 0; i < N; i++) {
    code += `fns.push(function f${i}(d, x) { if (d === 0) { let s = x; for (let k = 0; k < 200; k++) s = (s * 31 + k) % 1000003; return s; }
  return fns[(${i} * 7 + d) % ${N}](d - 1, x + 1) + fns[(${i} * 13 + x) % ${N}](d - 1, x); });\n`;
  }
  writeFileSync(file, code);
  const { fns } = await import(pathToFileURL(file).href);
  const run = (ms) => {
    const end = performance.now() + ms;
    let s = 0, i = 0;
    while (performance.now() < end) s += fns[i++ % N](6, i);
    return s;
  };
  run(300); // compile
  const { PassThrough } = await import("node:stream");
  let bytes = 0;
  let stop;
  if (tool === "tsprof") {
    const tsprof = await import(pathToFileURL(join(here, "../dist/esm/collect/cpu.js")).href);
    tsprof.setCPUProfileRate(1000);
    const out = new PassThrough();
    out.on("data", (c) => (bytes += c.length));
    tsprof.startCPUProfile(out);
    stop = () => tsprof.stopCPUProfile();
  } else {
    const { time } = await import("@datadog/pprof");
    time.start({ intervalMicros: 1000, durationMillis: 60_000 });
    stop = async () => (bytes = (await ddEncode(time.stop(false))).length);
  }
  run(E2E_MS);
  const t0 = performance.now();
  await stop();
  console.log(JSON.stringify({ ms: performance.now() - t0, bytes }));
}

let seed = 42;
/** mulberry32: a small deterministic PRNG, so every run builds the same profile. */
function rand(n) {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n | 0;
}

function syntheticV8Profile(hz) {
  const FUNCTIONS = 30_000, FILES = 800, STACKS = 5_000;
  const frames = [];
  for (let i = 0; i < FUNCTIONS; i++) {
    frames.push({ functionName: i % 13 === 0 ? "" : `fn${i}`, scriptId: String(i % FILES), url: `file:///srv/app/src/module${i % FILES}.js`, lineNumber: Math.floor(i / FILES) * 5, columnNumber: (i * 3) % 80 });
  }
  // A call graph (each function calls two others) and 5,000 hot paths
  // through it from 8 entry points: real programs repeat their stacks.
  const callees = frames.map(() => [rand(FUNCTIONS), rand(FUNCTIONS)]);
  const nodes = [{ id: 1, callFrame: { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 }, children: [] }];
  const childOf = new Map(); // `${parent}:${frame}` → node
  const leaves = [];
  for (let s = 0; s < STACKS; s++) {
    let parent = nodes[0];
    let f = rand(8);
    const depth = 10 + rand(36);
    for (let d = 0; d < depth; d++) {
      const key = `${parent.id}:${f}`;
      let n = childOf.get(key);
      if (!n) {
        n = { id: nodes.length + 1, callFrame: frames[f], children: [], hitCount: 0 };
        nodes.push(n);
        parent.children.push(n.id);
        childOf.set(key, n);
      }
      parent = n;
      f = callees[f][rand(2)];
    }
    leaves.push(parent);
  }
  const idle = { id: nodes.length + 1, callFrame: { functionName: "(idle)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 }, children: [], hitCount: 0 };
  nodes.push(idle);
  nodes[0].children.push(idle.id);
  const count = 60 * hz;
  const samples = [], timeDeltas = [];
  for (let i = 0; i < count; i++) {
    const n = i % 10 === 0 ? idle : leaves[rand(leaves.length)];
    n.hitCount++;
    samples.push(n.id);
    timeDeltas.push(1e6 / hz + rand(200) - 100);
  }
  for (const n of nodes) {
    if (n.hitCount > 0 && n !== idle) {
      const a = Math.ceil(n.hitCount / 2);
      n.positionTicks = [{ line: n.callFrame.lineNumber + 2, ticks: a }];
      if (n.hitCount - a > 0) n.positionTicks.push({ line: n.callFrame.lineNumber + 4, ticks: n.hitCount - a });
    }
  }
  return { nodes, startTime: 1_000_000, endTime: 1_000_000 + 60e6, samples, timeDeltas };
}

/** The same profile as pprof-format objects (what @datadog/pprof encodes). */
function toPprofFormat(p) {
  const st = new pf.StringTable();
  const vt = (v) => new pf.ValueType({ type: st.dedup(v.type), unit: st.dedup(v.unit) });
  return new pf.Profile({
    sampleType: p.sampleType.map(vt),
    sample: p.sample.map((s) => new pf.Sample({
      locationId: s.location.map((l) => l.id),
      value: s.value,
      label: Object.entries(s.label).map(([k, v]) => new pf.Label({ key: st.dedup(k), str: st.dedup(v[0]) })),
    })),
    mapping: p.mapping.map((m) => new pf.Mapping({ id: m.id, filename: st.dedup(m.file), hasFunctions: true, hasFilenames: true, hasLineNumbers: true })),
    location: p.location.map((l) => new pf.Location({ id: l.id, mappingId: 1, address: l.address, line: l.line.map((x) => new pf.Line({ functionId: x.function.id, line: x.line })) })),
    function: p.function.map((f) => new pf.Function({ id: f.id, name: st.dedup(f.name), systemName: st.dedup(f.systemName), filename: st.dedup(f.filename), startLine: f.startLine })),
    stringTable: st,
    timeNanos: p.timeNanos,
    durationNanos: p.durationNanos,
    periodType: vt(p.periodType),
    period: p.period,
  });
}

/**
 * The same profile as the top-down tree @datadog/pprof's native profiler
 * hands to serializeTimeProfile: hit counts per node, 1-based positions.
 */
function toDatadogTree(v8, hz) {
  const byId = new Map(v8.nodes.map((n) => [n.id, n]));
  const convert = (n) => ({
    name: n.callFrame.functionName,
    scriptName: n.callFrame.url,
    scriptId: Number(n.callFrame.scriptId),
    lineNumber: n.callFrame.lineNumber + 1,
    columnNumber: n.callFrame.columnNumber + 1,
    hitCount: n.hitCount ?? 0,
    children: (n.children ?? []).map((id) => convert(byId.get(id))),
  });
  return { startTime: v8.startTime, endTime: v8.endTime, topDownRoot: convert(v8.nodes[0]), intervalMicros: 1e6 / hz };
}

/** Fastest of 5 runs after a warm-up, in wall ms and process CPU ms. */
async function timeIt(fn) {
  await fn();
  let wall = Infinity, cpu = Infinity, bytes = 0;
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    bytes = (await fn()).length;
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu, bytes };
}

const row = (name, r) => `  ${name.padEnd(44)} ${r.wall.toFixed(1).padStart(8)} ${r.cpu.toFixed(1).padStart(8)}   ${r.bytes} bytes`;

for (const hz of part === "e2e" ? [] : [100, 1000]) {
  const v8 = syntheticV8Profile(hz);
  const options = { periodNanos: 1e9 / hz, timeNanos: 0n, durationNanos: 60e9 };
  const convert = () => cpuProfileData([{ thread: "main", profiles: [v8] }], options);
  const data = convert();
  const ddTree = toDatadogTree(v8, hz);
  const ddProfile = serializeTimeProfile(ddTree, 1e6 / hz);
  const full = await timeIt(() => encodeProfileGzip(convert()));
  const ddFull = await timeIt(() => ddEncode(serializeTimeProfile(ddTree, 1e6 / hz)));
  const encodeOnly = await timeIt(() => encodeProfileGzip(data));
  const ddEncodeOnly = await timeIt(() => ddEncode(ddProfile));
  console.log(`60 s at ${hz} Hz: ${v8.samples.length} samples, ${v8.nodes.length} V8 nodes → ${data.sample.length} pprof samples, ${data.location.length} locations, ${data.function.length} functions`);
  console.log(`  ${"".padEnd(44)} ${"wall ms".padStart(8)} ${"cpu ms".padStart(8)}`);
  console.log(row("tsprof convert+encode+gzip", full));
  console.log(row("@datadog/pprof serializeTimeProfile+encode()", ddFull));
  console.log(row("tsprof encode+gzip", encodeOnly));
  console.log(row("@datadog/pprof encode()", ddEncodeOnly));
  console.log(`  ratio tsprof/datadog, whole path: x${(full.wall / ddFull.wall).toFixed(2)} wall, x${(full.cpu / ddFull.cpu).toFixed(2)} cpu; encoder alone: x${(encodeOnly.wall / ddEncodeOnly.wall).toFixed(2)} wall, x${(encodeOnly.cpu / ddEncodeOnly.cpu).toFixed(2)} cpu`);
}

// ---- end to end, on a real profile ----------------------------------------------
// Each tool's whole way from a running profile to pprof bytes (tsprof:
// stopCPUProfile with conversion, encoding and gzip; @datadog/pprof:
// time.stop() with its serializer, then encode()), in fresh processes, on
// the same program: 20,000 generated functions calling each other, 2.5 s at 1 kHz.
if (!process.env.CPU_ENCODE_E2E && part !== "synthetic") {
  const { spawnSync } = await import("node:child_process");
  const runs = { tsprof: [], datadog: [] };
  for (let r = 0; r < 3; r++) {
    for (const tool of r % 2 ? ["datadog", "tsprof"] : ["tsprof", "datadog"]) {
      const res = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, CPU_ENCODE_E2E: tool }, encoding: "utf8", timeout: 120_000 });
      if (res.status !== 0) throw new Error(`${tool}: ${res.stderr}`);
      runs[tool].push(JSON.parse(res.stdout.trim().split("\n").pop()));
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const t = med(runs.tsprof.map((x) => x.ms)), d = med(runs.datadog.map((x) => x.ms));
  console.log(`real program, ${E2E_MS / 1000} s at 1 kHz, stop → pprof bytes (median of 3 fresh processes, wall ms):`);
  console.log(`  tsprof stopCPUProfile      ${t.toFixed(1).padStart(7)} ms  ${runs.tsprof[0].bytes} bytes`);
  console.log(`  datadog stop()+encode()    ${d.toFixed(1).padStart(7)} ms  ${runs.datadog[0].bytes} bytes`);
  console.log(`  ratio tsprof / datadog: x${(t / d).toFixed(2)}`);
}
