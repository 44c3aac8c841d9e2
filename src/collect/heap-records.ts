// The heap profile's records: V8's sampled allocations grouped by stack and
// object size (Go's memory-profile buckets), kept across snapshots so that
// allocations seen live once stay in the alloc_* totals after being freed.
// Two ways in: observe() takes a read of a sampler that drops freed objects
// (every sample is live, new ordinals are new allocations); drained() takes
// everything a sampler that keeps freed objects held since its last drain
// (every sample is a new allocation, live only where V8 says so).

import type { Frame } from "../profile/builder.js";
import { symbolizeFunction } from "./frames.js";
import { resolveSizesMatched } from "./heap-sizes.js";
import type { V8HeapNode, V8HeapProfile, V8HeapSample } from "./heap-sampler.js";

export interface HeapRecord {
  /** Leaf first. */
  stack: Frame[];
  /** The object size in bytes (recovered from V8's report: see heap-sizes.ts). */
  size: number;
  /** The sampling interval the samples were taken at (scaled with it). */
  rate: number;
  /** Samples live at the last snapshot (inuse_*). */
  live: number;
  /** Sampled allocations counted so far, cumulative (alloc_*). */
  seen: number;
}

/** Frames by V8 function (script, position, name): symbolized once per thread. */
const frames = new Map<string, Frame | null>();

function frameOf(node: V8HeapNode): Frame | null {
  const cf = node.callFrame;
  const key = `${cf.scriptId}:${cf.lineNumber}:${cf.columnNumber}:${cf.functionName}`;
  let f = frames.get(key);
  if (f === undefined) {
    if (!cf.url && cf.lineNumber < 0) {
      // (root) and V8's unnamed entry frame carry nothing; named natives stay.
      f = cf.functionName && cf.functionName !== "(root)" ? { name: cf.functionName, file: "", line: 0, column: 0, startLine: 0 } : null;
    } else {
      // The inspector's positions are 0-based; V8 reports no line inside the
      // function for heap samples, so the frame's line is its start line.
      const sym = symbolizeFunction(cf.functionName, cf.url, cf.lineNumber + 1, cf.columnNumber + 1);
      f = { name: sym.name, file: sym.file, line: sym.startLine, column: 0, startLine: sym.startLine };
    }
    frames.set(key, f);
  }
  return f;
}

// Stacks are interned: a stack is its parent's id and its leaf frame, so a
// record's key is short; a stack's frames are spelled out only for the
// records that need them. Keys that spelled the whole stack (every frame's name and file,
// for every node) were tsprof's largest share of a small server's heap
// profile (about 1.2 MB; bench/own-footprint.mjs). Both tables grow with the
// program's distinct allocation stacks, not with time.
const frameIds = new WeakMap<Frame, number>();
const frameIdByContent = new Map<string, number>();
const stackIds = new Map<string, number>();
/** By stack id (0 is the empty stack): its caller's stack and its leaf frame. */
const stackParent: number[] = [0];
const stackLeaf: (Frame | undefined)[] = [undefined];

function frameId(f: Frame): number {
  let id = frameIds.get(f);
  if (id === undefined) {
    const content = `${f.name}\u0001${f.file}\u0001${f.line}`;
    id = frameIdByContent.get(content);
    if (id === undefined) frameIdByContent.set(content, (id = frameIdByContent.size + 1));
    frameIds.set(f, id);
  }
  return id;
}

/** The stack of frame f called from stack parent. */
function childStack(parent: number, f: Frame): number {
  const key = `${parent}:${frameId(f)}`;
  let id = stackIds.get(key);
  if (id === undefined) {
    id = stackParent.length;
    stackIds.set(key, id);
    stackParent.push(parent);
    stackLeaf.push(f);
  }
  return id;
}

/** The frames of stack id, leaf first. */
function framesOf(id: number): Frame[] {
  const out: Frame[] = [];
  for (let s = id; s !== 0; s = stackParent[s]!) out.push(stackLeaf[s]!);
  return out;
}

export class HeapRecords {
  private readonly records = new Map<string, HeapRecord>();
  /** Object sizes settled for (stack, reported size, rate): see sizesOf. */
  private readonly settled = new Map<string, number>();
  /** Highest sample ordinal observed from the running sampler. */
  private lastOrdinal = 0;
  /** Sampled allocations of earlier sampler runs (rate changes). */
  private sampledBefore = 0;

  /** Takes in a snapshot of the live samples of a sampler running at `rate`. */
  observe(p: V8HeapProfile, rate: number): void {
    for (const r of this.records.values()) r.live = 0;
    let maxOrdinal = this.lastOrdinal;
    this.group(p, rate, (r, s) => {
      r.live++;
      // Ordinals only grow: one above the last snapshot's highest is new.
      if (s.ordinal > this.lastOrdinal) r.seen++;
      if (s.ordinal > maxOrdinal) maxOrdinal = s.ordinal;
    });
    this.lastOrdinal = maxOrdinal;
  }

  /**
   * Takes in what a sampler that keeps freed objects held since it last
   * started (drainSampler): every sample is a new allocation. In use now are
   * the samples V8 reports live when it reports liveness (`liveness`), none
   * otherwise. The sampler starts numbering again after a drain.
   */
  drained(p: V8HeapProfile, rate: number, liveness: boolean): void {
    for (const r of this.records.values()) r.live = 0;
    this.group(p, rate, (r, s) => {
      r.seen++;
      if (liveness && s.isLive) r.live++;
    });
    // Each sample is one allocation (V8 may skip an ordinal; nothing was freed unseen).
    this.sampledBefore += p.samples.length;
    this.lastOrdinal = 0;
  }

  /** Calls `each` with every sample of `p` and the record (stack, object size, rate) it belongs to. */
  private group(p: V8HeapProfile, rate: number, each: (r: HeapRecord, s: V8HeapSample) => void): void {
    const nodes = stacksByNode(p.head);
    for (const [node, samples] of samplesByNode(p)) {
      const stack = nodes.get(node);
      if (!stack) continue;
      const byReported = new Map<string, V8HeapSample[]>();
      for (const s of samples) {
        const k = `${s.size}:${s.objectSize ?? ""}`;
        const group = byReported.get(k);
        if (group) group.push(s);
        else byReported.set(k, [s]);
      }
      const groups = [...byReported.values()];
      // Node 26's v8.startHeapProfile gives the object size; the inspector only the scaled one.
      const known = groups.every((g) => typeof g[0]!.objectSize === "number");
      const sizes = known ? groups.map((g) => g[0]!.objectSize!) : this.sizesOf(stack.id, groups.map((g) => ({ reported: g[0]!.size, samples: g.length })), stack.selfSize, rate);
      groups.forEach((group, i) => {
        const size = sizes[i]!;
        const key = `${stack.id}:${size}:${rate}`;
        let r = this.records.get(key);
        if (!r) this.records.set(key, (r = { stack: framesOf(stack.id), size, rate, live: 0, seen: 0 }));
        for (const s of group) each(r, s);
      });
    }
  }

  /**
   * The object size behind each group of one stack's samples (heap-sizes.ts).
   * A size settled once (V8's selfSize matched with two samples or more) is
   * remembered for that stack, reported size and rate: a later read that
   * cannot settle it (a drain holding one sample of a 64 KiB array at 32 KiB,
   * which V8 reports as it would two 32 KiB ones) takes the remembered size
   * rather than the smallest candidate.
   */
  private sizesOf(stack: number, groups: { reported: number; samples: number }[], selfSize: number, rate: number): number[] {
    const { sizes, matched } = resolveSizesMatched(groups, selfSize, rate);
    return sizes.map((size, i) => {
      const key = `${stack}:${groups[i]!.reported}:${rate}`;
      if (matched && groups[i]!.samples >= 2) {
        this.settled.set(key, size);
        return size;
      }
      return this.settled.get(key) ?? size;
    });
  }

  /**
   * Takes in the final snapshot of a sampler that stopped (none when another
   * tool stopped it): its samples are no longer tracked as live.
   */
  retire(p: V8HeapProfile | undefined, rate: number): void {
    if (p) this.observe(p, rate);
    for (const r of this.records.values()) r.live = 0;
    this.sampledBefore += this.lastOrdinal;
    this.lastOrdinal = 0;
  }

  /**
   * Every record: `seen` is its cumulative sampled allocations (alloc_*),
   * `live` its samples in use at the last read (inuse_*). Raw sample counts,
   * to be scaled with scaleHeapSample; records only grow.
   */
  all(): HeapRecord[] {
    return [...this.records.values()];
  }

  /** Sampled allocations V8 numbered (without keepFreed a lower bound: the newest may be freed unseen). */
  sampled(): number {
    return this.sampledBefore + this.lastOrdinal;
  }

  /** Sampled allocations seen live by a snapshot. */
  observed(): number {
    let n = 0;
    for (const r of this.records.values()) n += r.seen;
    return n;
  }
}

interface NodeStack {
  /** The interned stack's id. */
  id: number;
  /** V8's estimate for the node's own live objects (its sizes scaled per size, rounded once). */
  selfSize: number;
}

function samplesByNode(p: V8HeapProfile): Map<number, V8HeapSample[]> {
  const out = new Map<number, V8HeapSample[]>();
  for (const s of p.samples) {
    const list = out.get(s.nodeId);
    if (list) list.push(s);
    else out.set(s.nodeId, [s]);
  }
  return out;
}

/** Every node's stack, leaf first, with its interned id. */
function stacksByNode(head: V8HeapNode): Map<number, NodeStack> {
  const out = new Map<number, NodeStack>();
  const walk = (node: V8HeapNode, parent: number): void => {
    const f = frameOf(node);
    const own = f ? childStack(parent, f) : parent;
    out.set(node.id, { id: own, selfSize: node.selfSize });
    for (const c of node.children) walk(c, own);
  };
  walk(head, 0);
  return out;
}
