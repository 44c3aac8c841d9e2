// V8 CPU profiles (the inspector's Profiler.Profile, one per thread) → one
// pprof CPU profile: samples/count, wall/nanoseconds and cpu/nanoseconds,
// leaf-first stacks of symbolized, source-mapped frames, a `thread` label and
// the profiler labels in effect when each sample was taken.
//
// Each sample's cpu value is the CPU time its thread used since the previous
// sample, read from the thread's clock (cpu-clock.ts); where there is none,
// the sampling period, as Go counts. wall is the time since the previous
// sample that V8 measured, which includes time the thread waited for a core.

import type { ProfileData, Location } from "../profile/model.js";
import { ProfileBuilder, type SampleLabels } from "../profile/builder.js";
import type { LabelSet } from "./labels.js";
import { symbolizeFunction, originalLine, type FunctionSymbol } from "./frames.js";
import type { CpuTimeline } from "./cpu-clock.js";

/** The subset of the inspector's Profiler.Profile this converter reads. */
export interface V8CpuProfile {
  nodes: V8ProfileNode[];
  /** µs on the monotonic clock process.hrtime reads. */
  startTime: number;
  endTime: number;
  samples?: number[];
  /** µs between samples; the first is relative to startTime; may be negative. */
  timeDeltas?: number[];
}

export interface V8ProfileNode {
  id: number;
  callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
  /** 1-based lines of this function where it was the leaf of a sample. */
  positionTicks?: { line: number; ticks: number }[];
}

/** One thread's part of the profile. */
export interface ThreadProfile {
  /** The `thread` label: "main", "worker 1", ... */
  thread: string;
  profiles: V8CpuProfile[];
  /** The profiler labels at time t (µs, process.hrtime clock); absent for threads without a recording. */
  labelsAt?: (t: number) => LabelSet | undefined;
  /** The thread's CPU clock over the profile; absent where it has none (samples then count a period each). */
  cpuTime?: CpuTimeline;
}

export interface CpuProfileOptions {
  periodNanos: number;
  timeNanos: bigint;
  durationNanos: number;
}

const ROOT = "(root)";
const IDLE = "(idle)";

/** Builds the pprof CPU profile of every thread's V8 profiles. */
export function cpuProfileData(threads: readonly ThreadProfile[], options: CpuProfileOptions): ProfileData {
  const b = new ProfileBuilder({
    // cpu last: the type pprof tools show by default.
    sampleType: [
      { type: "samples", unit: "count" },
      { type: "wall", unit: "nanoseconds" },
      { type: "cpu", unit: "nanoseconds" },
    ],
    periodType: { type: "cpu", unit: "nanoseconds" },
    period: options.periodNanos,
    timeNanos: options.timeNanos,
    durationNanos: options.durationNanos,
  });
  const symbols = new SymbolCache(b);
  for (const thread of threads) {
    symbols.forScope(thread.thread);
    for (const profile of thread.profiles) addProfile(b, symbols, profile, thread, options.periodNanos);
  }
  return b.build();
}

/** One V8 function of a conversion: its symbol and its locations, made on first use. */
interface FunctionEntry {
  sym: FunctionSymbol;
  /** As a caller (V8 keeps no call-site line: the start line and column are the best known). */
  caller: Location | undefined;
  /** As a leaf, by generated line. */
  leaves: Map<number, Location> | undefined;
}

/**
 * Symbolizes each distinct V8 function once per conversion, keyed by script
 * and start position, numbers only where they fit: on large profiles string
 * keys per node cost more than everything else. scriptIds are numbered per
 * isolate, so each thread's profiles start from their own script table
 * (forScope): the same id in two workers is two different scripts.
 */
class SymbolCache {
  private byScript = new Map<string, Map<number | string, FunctionEntry>>();
  private readonly scopes = new Map<string, Map<string, Map<number | string, FunctionEntry>>>();
  private readonly pseudo = new Map<string, FunctionEntry>();

  constructor(private readonly b: ProfileBuilder) {}

  /** Looks scripts up in the given thread's (isolate's) table from now on. */
  forScope(thread: string): void {
    let scripts = this.scopes.get(thread);
    if (!scripts) this.scopes.set(thread, (scripts = new Map()));
    this.byScript = scripts;
  }

  of(node: V8ProfileNode): FunctionEntry {
    const cf = node.callFrame;
    if (cf.lineNumber < 0 && !cf.url) {
      // (program), (garbage collector), native functions: no script position.
      let e = this.pseudo.get(cf.functionName);
      if (!e) this.pseudo.set(cf.functionName, (e = entry(symbolizeFunction(cf.functionName, "", 0, 0))));
      return e;
    }
    let script = this.byScript.get(cf.scriptId);
    if (!script) this.byScript.set(cf.scriptId, (script = new Map()));
    // The inspector's positions are 0-based; frames and maps use 1-based.
    const line = cf.lineNumber + 1, column = cf.columnNumber + 1;
    const key = line < 16384 && column < 65536 ? line * 65536 + column : `${line}:${column}`;
    let e = script.get(key);
    if (!e) script.set(key, (e = entry(symbolizeFunction(cf.functionName, cf.url, line, column))));
    return e;
  }

  callerLocation(e: FunctionEntry): Location {
    const sym = e.sym;
    return (e.caller ??= this.b.locationFor({ name: sym.name, file: sym.file, line: sym.startLine, column: sym.startColumn, startLine: sym.startLine }));
  }

  leafLocation(e: FunctionEntry, generatedLine: number): Location {
    const byLine = (e.leaves ??= new Map());
    let loc = byLine.get(generatedLine);
    if (!loc) {
      const sym = e.sym;
      const line = generatedLine > 0 ? originalLine(sym, generatedLine) : sym.startLine;
      // positionTicks give lines only: on the function's own line its start
      // column is the best known (it tells apart functions of a minified bundle).
      const column = line === sym.startLine && (generatedLine <= 0 || generatedLine === sym.generatedLine) ? sym.startColumn : 0;
      byLine.set(generatedLine, (loc = this.b.locationFor({ name: sym.name, file: sym.file, line, column, startLine: sym.startLine })));
    }
    return loc;
  }
}

/**
 * Each sample's CPU time (ns), by sample index: the CPU the thread used
 * between two readings of its clock is shared by the counted samples taken
 * between them, in proportion to their wall time. (idle) samples get none:
 * the thread was blocked. Charging each sample the CPU of its own interval
 * instead lost the work done just before the thread went idle (the interval
 * ending in an (idle) sample), which leaned labelled shares toward work that
 * is not followed by a wait.
 */
function cpuWeights(clock: CpuTimeline, p: V8CpuProfile, counted: Uint8Array): Float64Array {
  const samples = p.samples ?? [], deltas = p.timeDeltas ?? [];
  const times = clock.times, cpu = clock.cpuNs;
  const buckets = Math.max(1, times.length - 1);
  const bucketOf = new Int32Array(samples.length);
  const wallIn = new Float64Array(buckets);
  const countIn = new Int32Array(buckets);
  let t = p.startTime + (deltas[0] ?? 0);
  let k = 0;
  for (let i = 1; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    while (k < buckets - 1 && t >= times[k + 1]!) k++;
    bucketOf[i] = k;
    if (counted[samples[i]!] !== 1) continue;
    wallIn[k]! += Math.max(0, deltas[i] ?? 0);
    countIn[k]!++;
  }
  const out = new Float64Array(samples.length);
  for (let i = 1; i < samples.length; i++) {
    if (counted[samples[i]!] !== 1) continue;
    const b = bucketOf[i]!;
    const bucketCpu = times.length >= 2 ? Math.max(0, cpu[b + 1]! - cpu[b]!) : 0;
    const wall = wallIn[b]!;
    out[i] = wall > 0 ? (bucketCpu * Math.max(0, deltas[i] ?? 0)) / wall : bucketCpu / countIn[b]!;
  }
  return out;
}

type LineTicks = { line: number; ticks: number }[];

/**
 * Each node's line ticks, by node id. V8 gives no line for some samples: a
 * node can have samples and no positionTicks at all (8.6% of the samples of
 * a terser run on Node 20). Charging those to the function's first line
 * made declaration lines look hot (13% of samples there, against 5% of
 * V8's own line ticks); they are spread instead over the lines V8 gives for
 * the same function elsewhere in the profile, in proportion. A function
 * with no line anywhere keeps its start line.
 */
function lineTicks(nodes: V8ProfileNode[], samples: number[], counted: Uint8Array, maxId: number, fn: (n: V8ProfileNode) => object): (LineTicks | undefined)[] {
  const out: (LineTicks | undefined)[] = [];
  const needing: V8ProfileNode[] = [];
  const byFunction = new Map<object, Map<number, number>>();
  for (const n of nodes) {
    const pt = n.positionTicks;
    if (pt && pt.length > 0) {
      out[n.id] = pt;
      let lines = byFunction.get(fn(n));
      if (!lines) byFunction.set(fn(n), (lines = new Map()));
      for (const t of pt) lines.set(t.line, (lines.get(t.line) ?? 0) + t.ticks);
    } else if (counted[n.id] === 1) needing.push(n);
  }
  if (needing.length === 0) return out;
  const sampleCount = new Int32Array(maxId + 1);
  for (let i = 1; i < samples.length; i++) if (counted[samples[i]!] === 1) sampleCount[samples[i]!]!++;
  for (const n of needing) {
    const lines = byFunction.get(fn(n));
    if (lines && sampleCount[n.id]! > 0) out[n.id] = apportion(lines, sampleCount[n.id]!);
  }
  return out;
}

/** k samples over lines in proportion to their ticks (largest remainder), most ticked first. */
function apportion(lines: Map<number, number>, k: number): LineTicks {
  let total = 0;
  for (const t of lines.values()) total += t;
  const shares = [...lines].map(([line, ticks]) => ({ line, exact: (k * ticks) / total, ticks: Math.floor((k * ticks) / total) }));
  let left = k - shares.reduce((n, s) => n + s.ticks, 0);
  shares.sort((a, b) => b.exact - b.ticks - (a.exact - a.ticks) || b.exact - a.exact);
  for (let i = 0; left > 0; i = (i + 1) % shares.length, left--) shares[i]!.ticks++;
  return shares.filter((s) => s.ticks > 0).sort((a, b) => b.ticks - a.ticks).map(({ line, ticks }) => ({ line, ticks }));
}

function entry(sym: FunctionSymbol): FunctionEntry {
  return { sym, caller: undefined, leaves: undefined };
}

function addProfile(b: ProfileBuilder, symbols: SymbolCache, p: V8CpuProfile, thread: ThreadProfile, period: number): void {
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  if (samples.length <= 1) return;
  // Node ids are small integers: arrays indexed by id.
  const nodes = p.nodes;
  let maxId = 0;
  for (let i = 0; i < nodes.length; i++) if (nodes[i]!.id > maxId) maxId = nodes[i]!.id;
  // Filled in id order (V8's ids count up from 1): a preallocated array this
  // large would fall back to slow dictionary elements.
  const byId: (V8ProfileNode | undefined)[] = [undefined];
  const parent = new Int32Array(maxId + 1); // 0: none
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    byId[n.id] = n;
    const children = n.children;
    if (children) for (let c = 0; c < children.length; c++) parent[children[c]!] = n.id;
  }
  const isRoot = (n: V8ProfileNode) => parent[n.id] === 0 && n.callFrame.functionName === ROOT;
  // Leaves whose samples count: real nodes other than (idle) and (root),
  // flagged once per node rather than tested per sample.
  const counted = new Uint8Array(maxId + 1);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.callFrame.functionName !== IDLE && !isRoot(n)) counted[n.id] = 1;
  }

  // The callers' part of a stack, leaf first, built only for sampled leaves.
  // Memoized per node: sampled stacks share most of their callers.
  const callerLocation: (Location | undefined)[] = [];
  const stackFrom = (leaf: Location, leafId: number): Location[] => {
    const out = [leaf];
    for (let id = parent[leafId]!; id !== 0; id = parent[id]!) {
      let loc = callerLocation[id];
      if (!loc) {
        const n = byId[id]!;
        if (isRoot(n)) break;
        loc = callerLocation[id] = symbols.callerLocation(symbols.of(n));
      }
      out.push(loc);
    }
    return out;
  };

  // Leaf lines: each node's positionTicks handed out to its samples in turn,
  // so per-line totals follow V8's (which line a given sample had is not
  // kept). Cursor per node id: index into its ticks, and ticks used of it.
  // take(n, k) hands out up to k samples' worth of one line: [line, taken].
  const ticksOf = lineTicks(nodes, samples, counted, maxId, (n) => symbols.of(n));
  const tickIndex = new Int32Array(maxId + 1);
  const tickUsed = new Int32Array(maxId + 1);
  const take = (n: V8ProfileNode, k: number): [number, number] => {
    const pt = ticksOf[n.id];
    if (!pt || pt.length === 0) return [0, k];
    const id = n.id;
    if (tickIndex[id]! >= pt.length) tickIndex[id] = 0; // more samples than ticks: cycle
    const tick = pt[tickIndex[id]!]!;
    const taken = Math.min(k, Math.max(1, tick.ticks) - tickUsed[id]!);
    tickUsed[id] = tickUsed[id]! + taken;
    if (tickUsed[id]! >= tick.ticks) {
      tickIndex[id]!++;
      tickUsed[id] = 0;
    }
    return [tick.line, taken];
  };

  // Group identical (leaf, line, labels) before building: one builder call
  // per group. Each leaf node's groups form a chain (few lines and label sets
  // each), keyed by line and label-set index: a string key per sample cost
  // more than the rest of the conversion at 1 kHz.
  interface Group { locations: Location[]; labels: LabelSet | undefined; line: number; labelId: number; count: number; wallNs: number; cpuNs: number; next: number }
  const groups: Group[] = [];
  const firstGroup = new Int32Array(maxId + 1).fill(-1);
  const addCount = (n: V8ProfileNode, line: number, labels: LabelSet | undefined, labelId: number, count: number, wallNs: number, cpuNs: number) => {
    let g = firstGroup[n.id]!;
    while (g >= 0 && (groups[g]!.line !== line || groups[g]!.labelId !== labelId)) g = groups[g]!.next;
    if (g >= 0) {
      const group = groups[g]!;
      group.count += count;
      group.wallNs += wallNs;
      group.cpuNs += cpuNs;
      return;
    }
    groups.push({ locations: stackFrom(symbols.leafLocation(symbols.of(n), line), n.id), labels, line, labelId, count, wallNs, cpuNs, next: firstGroup[n.id]! });
    firstGroup[n.id] = groups.length - 1;
  };

  // Samples without labels (most profiles have none) are only counted per
  // leaf here and grouped afterwards in node order, which also numbers the
  // locations along the call tree (smaller files); labelled ones are
  // grouped as they come.
  const unlabelled = new Int32Array(maxId + 1);
  const unlabelledWall = new Float64Array(maxId + 1);
  const unlabelledCpu = new Float64Array(maxId + 1);
  const labelIds = new Map<LabelSet, number>();
  const labelsAt = thread.labelsAt;
  const clock = thread.cpuTime;
  const cpuOf = clock ? cpuWeights(clock, p, counted) : undefined;
  let t = p.startTime;
  // Sample 0 is the stack V8 records synchronously when the profile starts
  // (the profiler's own start call), not a timer tick: left out.
  t += deltas[0] ?? 0;
  for (let i = 1; i < samples.length; i++) {
    const delta = deltas[i] ?? 0;
    t += delta;
    const id = samples[i]!;
    if (counted[id] !== 1) continue; // on-CPU time only (and ids V8 did not list)
    const wallNs = Math.max(0, delta) * 1000;
    const cpuNs = cpuOf ? cpuOf[i]! : period;
    const labels = labelsAt ? labelsAt(t) : undefined;
    if (!labels) {
      unlabelled[id]!++;
      unlabelledWall[id]! += wallNs;
      unlabelledCpu[id]! += cpuNs;
      continue;
    }
    let labelId = labelIds.get(labels);
    if (labelId === undefined) labelIds.set(labels, (labelId = labelIds.size + 1));
    addCount(byId[id]!, take(byId[id]!, 1)[0], labels, labelId, 1, wallNs, cpuNs);
  }
  for (let id = 1; id <= maxId; id++) {
    const total = unlabelled[id]!;
    if (total === 0) continue;
    const n = byId[id]!;
    // Which line each sample had is not kept: each line's share of the
    // node's time is its share of the node's samples.
    const wallPer = unlabelledWall[id]! / total, cpuPer = unlabelledCpu[id]! / total;
    for (let k = total; k > 0; ) {
      const [line, taken] = take(n, k);
      addCount(n, line, undefined, 0, taken, taken * wallPer, taken * cpuPer);
      k -= taken;
    }
  }

  for (const g of groups) {
    const labels: SampleLabels = { ...(g.labels ?? {}), thread: thread.thread };
    b.addLocationSample(g.locations, [g.count, Math.round(g.wallNs), Math.round(g.cpuNs)], labels);
  }
}
