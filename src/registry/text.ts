// Go's legacy text forms (debug=1) of profiles: the count-profile text
// (printCountProfile) and the heap text (writeHeapInternal), with stacks
// printed as printStackRecord does, aligned by Go's tabwriter.

import type { Location, ProfileData, Sample } from "../profile/model.js";
import { tabwrite } from "../util/tabwriter.js";

const hex = (n: bigint | number): string => "0x" + n.toString(16);

/** ` 0x1 0x2 ...`: the addresses of a stack, leaf first. */
function addresses(locations: readonly Location[]): string {
  let s = "";
  for (const l of locations) s += " " + hex(l.address);
  return s;
}

/**
 * One `#` line per frame, then an empty line (printStackRecord). There are
 * no program counters in JavaScript: the address is the location's
 * synthetic one and the offset from the function's entry is always +0x0.
 */
export function stackRecordText(locations: readonly Location[]): string {
  let s = "";
  for (const l of locations) {
    if (l.line.length === 0) s += `#\t${hex(l.address)}\n`;
    for (const line of l.line) {
      const name = line.function.name;
      s += name ? `#\t${hex(l.address)}\t${name}+0x0\t${line.function.filename}:${line.line}\n` : `#\t${hex(l.address)}\n`;
    }
  }
  return s + "\n";
}

/** Go's labelMap.String(): `{"k1":"v1", "k2":"v2"}`, pairs sorted. */
export function labelsText(label: Sample["label"]): string {
  const pairs: string[] = [];
  for (const k of Object.keys(label)) for (const v of label[k]!) pairs.push(`${goQuote(k)}:${goQuote(v)}`);
  pairs.sort();
  return `{${pairs.join(", ")}}`;
}

/** Go's %q for the strings labels hold (JSON's escaping agrees on printable text). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/**
 * `NAME profile: total N`, then for each distinct stack (and labels) its
 * count and its frames, most frequent first, ties by their `@` line.
 * `N` and the counts are the first sample value (one per entry).
 */
export function countProfileText(name: string, p: ProfileData): string {
  const groups = new Map<string, { count: number; sample: Sample }>();
  let total = 0;
  for (const s of p.sample) {
    const n = s.value[0] ?? 0;
    total += n;
    if (n === 0) continue;
    let key = "@" + addresses(s.location);
    if (Object.keys(s.label).length > 0) key += "\n# labels: " + labelsText(s.label);
    const g = groups.get(key);
    if (g) g.count += n;
    else groups.set(key, { count: n, sample: s });
  }
  const keys = [...groups.keys()].sort((a, b) => groups.get(b)!.count - groups.get(a)!.count || (a < b ? -1 : a > b ? 1 : 0));
  let out = `${name} profile: total ${total}\n`;
  for (const k of keys) {
    const g = groups.get(k)!;
    out += `${g.count} ${k}\n` + stackRecordText(g.sample.location);
  }
  return tabwrite(out);
}

/** One record of the heap text: raw (unscaled) sampled counts, as Go prints them. */
export interface HeapTextRecord {
  inuseObjects: number;
  inuseBytes: number;
  allocObjects: number;
  allocBytes: number;
  location: readonly Location[];
}

/**
 * Go's heap text: `heap profile: I: IB [A: AB] @ heap/2*rate`, one record per
 * stack and object size, largest in-use bytes first, then the `#` comment
 * block `trailer` (Go prints runtime.MemStats there; pprof ignores it).
 */
export function heapProfileText(records: readonly HeapTextRecord[], rate: number, trailer: string): string {
  const t = { io: 0, ib: 0, ao: 0, ab: 0 };
  for (const r of records) {
    t.io += r.inuseObjects;
    t.ib += r.inuseBytes;
    t.ao += r.allocObjects;
    t.ab += r.allocBytes;
  }
  // As Go: equal totals would make pprof read a 2-column profile.
  if (t.ib === t.ab) t.ab++;
  // Go prints 2*MemProfileRate, which legacy pprof readers expect.
  let out = `heap profile: ${t.io}: ${t.ib} [${t.ao}: ${t.ab}] @ heap/${2 * rate}\n`;
  const sorted = [...records].sort((a, b) => b.inuseBytes - a.inuseBytes);
  for (const r of sorted) {
    out += `${r.inuseObjects}: ${r.inuseBytes} [${r.allocObjects}: ${r.allocBytes}] @${addresses(r.location)}\n`;
    out += stackRecordText(r.location);
  }
  out += "\n" + trailer;
  return tabwrite(out);
}
