// The samples' stacks merged into a trie of location paths (root first), so
// that each of a report's graph builds walks every distinct path once instead
// of every frame of every sample. Made only when this gives the same graph as
// the sample walk: every sample adds something (so nodes and edges are first
// met in the same order, at the trie node made for that sample), every id
// names a location slot, and every weight is an integer whose sums stay exact
// in any order.

import type { SampleWeights, StackColumns } from "./columns.js";

export interface StackTrie {
  /** Trie nodes; node 0 is the root (no location). A child is made after its parent. */
  readonly count: number;
  readonly parent: Int32Array;
  /** The location id of a node, and one frame index k with it (for StackColumns.locationAt). */
  readonly id: Int32Array;
  readonly frame: Int32Array;
  readonly firstChild: Int32Array;
  readonly nextSibling: Int32Array;
  /** Weights of the samples ending at a node, and of those passing through it (ending at it or below). */
  readonly selfW: Float64Array;
  readonly selfDW: Float64Array;
  readonly subW: Float64Array;
  readonly subDW: Float64Array;
}

const exact = 2 ** 53;

/** The trie of `stacks`, or undefined when the graph must be built from the samples (see above). */
export function stackTrie(stacks: StackColumns, weights: SampleWeights, idLimit: number): StackTrie | undefined {
  const { start, ids } = stacks;
  const { w, dw } = weights;
  let absW = 0, absDW = 0;
  for (let i = 0; i < stacks.count; i++) {
    const a = w[i]!, b = dw[i]!;
    if ((a === 0 && b === 0) || !Number.isInteger(a) || !Number.isInteger(b)) return undefined;
    absW += Math.abs(a);
    absDW += Math.abs(b);
  }
  if (absW >= exact || absDW >= exact) return undefined;
  const frames = start[stacks.count]!;
  // Past this many nodes the trie saves too little over walking the samples.
  const maxNodes = Math.max(1024, frames >>> 2);
  let cap = 1024;
  let parent = new Int32Array(cap), id = new Int32Array(cap), frame = new Int32Array(cap);
  let selfW = new Float64Array(cap), selfDW = new Float64Array(cap);
  // Per location id: the trie node it was last entered from and the child it led to (stacks repeat).
  const memoFrom = new Int32Array(idLimit).fill(-1);
  const memoTo = new Int32Array(idLimit);
  const children = new ChildTable();
  let count = 1;
  parent[0] = -1;
  for (let i = 0; i < stacks.count; i++) {
    let node = 0;
    for (let k = start[i + 1]! - 1, first = start[i]!; k >= first; k--) {
      const l = ids[k]!;
      if (l <= 0 || l >= idLimit) return undefined;
      if (memoFrom[l] === node) {
        node = memoTo[l]!;
        continue;
      }
      let child = children.get(node, l);
      if (child < 0) {
        if (count >= maxNodes) return undefined;
        if (count === cap) {
          cap *= 2;
          parent = growTo(parent, cap); id = growTo(id, cap); frame = growTo(frame, cap);
          selfW = growTo(selfW, cap); selfDW = growTo(selfDW, cap);
        }
        child = count++;
        parent[child] = node;
        id[child] = l;
        frame[child] = k;
        children.set(node, l, child);
      }
      memoFrom[l] = node;
      memoTo[l] = child;
      node = child;
    }
    selfW[node]! += w[i]!;
    selfDW[node]! += dw[i]!;
  }
  const subW = selfW.slice(0, count), subDW = selfDW.slice(0, count);
  const firstChild = new Int32Array(count).fill(-1), nextSibling = new Int32Array(count).fill(-1);
  for (let n = count - 1; n > 0; n--) {
    const p = parent[n]!;
    subW[p]! += subW[n]!;
    subDW[p]! += subDW[n]!;
    // Made in reverse, so that siblings are listed in the order they were made.
    nextSibling[n] = firstChild[p]!;
    firstChild[p] = n;
  }
  return {
    count, parent: parent.subarray(0, count), id: id.subarray(0, count), frame: frame.subarray(0, count), firstChild, nextSibling,
    selfW: selfW.subarray(0, count), selfDW: selfDW.subarray(0, count), subW, subDW,
  };
}

function growTo<T extends Int32Array | Float64Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/** (trie node, location id) → child node, in an open-addressing hash table of int32 triples. */
class ChildTable {
  private table = new Int32Array(3 * 4096).fill(-1);
  private mask = 4095;
  private size = 0;

  get(node: number, id: number): number {
    const t = this.table;
    for (let b = hash(node, id) & this.mask; ; b = (b + 1) & this.mask) {
      const c = t[3 * b + 2]!;
      if (c < 0) return -1;
      if (t[3 * b] === node && t[3 * b + 1] === id) return c;
    }
  }

  /** Adds a pair that get() did not find. */
  set(node: number, id: number, child: number): void {
    if (2 * (this.size + 1) > this.mask) this.grow();
    this.size++;
    this.put(node, id, child);
  }

  private put(node: number, id: number, child: number): void {
    const t = this.table;
    let b = hash(node, id) & this.mask;
    while (t[3 * b + 2]! >= 0) b = (b + 1) & this.mask;
    t[3 * b] = node;
    t[3 * b + 1] = id;
    t[3 * b + 2] = child;
  }

  private grow(): void {
    const old = this.table;
    this.mask = 2 * this.mask + 1;
    this.table = new Int32Array(3 * (this.mask + 1)).fill(-1);
    for (let b = 0; b < old.length; b += 3) if (old[b + 2]! >= 0) this.put(old[b]!, old[b + 1]!, old[b + 2]!);
  }
}

function hash(a: number, b: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) >>> 7;
}
