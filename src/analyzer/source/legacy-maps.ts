// The memory map that may follow a legacy profile's samples (a copy of
// /proc/self/maps, or the brief `start-end file (@offset) buildid` form), and
// the mappings given to the profile's locations, with google/pprof's
// heuristics: adjacent pieces of one file merged, the main binary first, a
// main binary at 0x400000, and one catch-all mapping for addresses outside
// every range (Go's own legacy texts carry no map at all).

import type { Location, Mapping } from "../../profile/model.js";
import { SourceError } from "./errors.js";
import { isDigit, isHexDigit, isMemoryMapSentinel, LineScanner, parseHex64, runEnd, trimSpace } from "./legacy-lines.js";

/** At most this many `attr=value` substitutions are remembered (each costs time on every later line). */
const maxAttributes = 64;
const maxReplacedLine = 64 * 1024;
/** Location-by-mapping comparisons allowed when mappings overlap (no binary search then): beyond, an error rather than a hang. */
const maxMatchingWork = 100_000_000;

export function newMapping(start: bigint, limit: bigint, offset: bigint, file: string, buildId: string): Mapping {
  return {
    id: 0, start, limit, offset, file, buildId,
    hasFunctions: false, hasFilenames: false, hasLineNumbers: false, hasInlineFrames: false,
  };
}

/** Skips from the current line to the memory map's sentinel, if any, and reads the map after it. */
export function memoryMapAfterSamples(s: LineScanner): Mapping[] {
  while (!isMemoryMapSentinel(s.text) && s.scan()) { /* skip */ }
  return parseMemoryMap(s);
}

/** Reads mapping lines until the end of the text (lines that are neither mappings nor `attr=value` are skipped). */
export function parseMemoryMap(s: LineScanner): Mapping[] {
  const out: Mapping[] = [];
  const attrs: [string, string][] = [];
  while (s.scan()) {
    const line = replaceAttributes(withoutLogPrefix(s.text), attrs);
    const m = parseMappingEntry(line);
    if (m === "unrecognized") {
      const eq = line.indexOf("=");
      if (eq >= 0 && attrs.length < maxAttributes) attrs.push(["$" + trimSpace(line.slice(0, eq)), trimSpace(line.slice(eq + 1))]);
      continue;
    }
    if (m) out.push(m);
  }
  return out;
}

/** A glog prefix (`I0102 15:04:05.000000 123 file.cc:45] `) removed. */
function withoutLogPrefix(line: string): string {
  const close = line.indexOf("]");
  if (close < 3 || line.lastIndexOf("[", close) >= 0) return line;
  let digits = close;
  while (digits > 0 && isDigit(line[digits - 1])) digits--;
  if (digits === close || digits < 2 || line[digits - 1] !== ":") return line;
  const after = line[close + 1];
  if (after === undefined || !/\s/.test(after)) return line;
  return line.slice(close + 2);
}

/**
 * Every `$attr` replaced by its value in one left-to-right pass
 * (strings.Replacer); a line that would grow past 64 KiB is left as it is.
 */
function replaceAttributes(line: string, attrs: readonly [string, string][]): string {
  if (attrs.length === 0 || !line.includes("$")) return line;
  let out = "";
  let i = 0;
  while (i < line.length) {
    const hit = line[i] === "$" ? attrs.find(([k]) => line.startsWith(k, i)) : undefined;
    if (hit && hit[0].length > 0) {
      out += hit[1];
      i += hit[0].length;
    } else {
      out += line[i];
      i++;
    }
    if (out.length > maxReplacedLine) return line;
  }
  return out;
}

const isSpaceChar = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
const isPermChar = (c: string | undefined): boolean => c === "-" || c === "r" || c === "w" || c === "x" || c === "p";

/** `[0x]start[-| ][0x]end[:]`: the range every mapping line starts with. */
function parseRange(l: string): { start: string; end: string; rest: string } | undefined {
  let i = runEnd(l, 0, isSpaceChar);
  const hexAt = (j: number): number => (l.startsWith("0x", j) && isHexDigit(l[j + 2]) ? j + 2 : j);
  i = hexAt(i);
  const e1 = runEnd(l, i, isHexDigit);
  if (e1 === i) return undefined;
  let j = e1;
  if (l[j] === "-" || isSpaceChar(l[j])) j++;
  j = hexAt(runEnd(l, j, isSpaceChar));
  const e2 = runEnd(l, j, isHexDigit);
  let start = l.slice(i, e1), end = l.slice(j, e2), after = e2;
  if (e2 === j) {
    // No second number: the pattern splits the first one.
    if (e1 - i < 2) return undefined;
    start = l.slice(i, e1 - 1);
    end = l.slice(e1 - 1, e1);
    after = e1;
  }
  if (l[after] === ":") after++;
  return { start, end, rest: l.slice(after) };
}

type Entry = { start: string; end: string; perm: string; offset: string; file: string; buildId: string };

/** `start-end perms offset dev inode file`, as /proc/self/maps prints it. */
function procMapsEntry(rest: string): Omit<Entry, "start" | "end"> | undefined {
  if (rest !== "" && !isSpaceChar(rest[0])) return undefined;
  const t = rest.split(/\s+/).filter((x) => x !== "");
  let k = 0;
  let perm = "";
  if (t[k] !== undefined && runEnd(t[k]!, 0, isPermChar) === t[k]!.length) perm = t[k++]!;
  const isDev = (x: string | undefined): boolean => {
    if (x === undefined) return false;
    const c = runEnd(x, 0, isHexDigit);
    return c > 0 && x[c] === ":" && c + 1 < x.length && runEnd(x, c + 1, isHexDigit) === x.length;
  };
  let offset = "";
  if (t[k] !== undefined && runEnd(t[k]!, 0, isHexDigit) === t[k]!.length && isDev(t[k + 1])) offset = t[k++]!;
  if (!isDev(t[k])) return undefined;
  k++;
  const inode = t[k];
  if (inode === undefined || !isDigit(inode[0])) return undefined;
  const file = runEnd(inode, 0, isDigit) === inode.length ? t[k + 1] ?? "" : "";
  return { perm, offset, file, buildId: "" };
}

/** `start-end [perms] [file] [(@offset)] [buildid]`. */
function briefEntry(rest: string): Omit<Entry, "start" | "end"> {
  const out = { perm: "", offset: "", file: "", buildId: "" };
  if (rest !== "" && !isSpaceChar(rest[0])) return out;
  const t = rest.split(/\s+/).filter((x) => x !== "");
  let k = 0;
  if (t[k] !== undefined && isPermChar(t[k]![0])) {
    const n = runEnd(t[k]!, 0, isPermChar);
    out.perm = t[k]!.slice(0, n);
    if (n < t[k]!.length) return out;
    k++;
  }
  if (t[k] === undefined) return out;
  out.file = t[k++]!;
  const at = t[k];
  if (at !== undefined && at.startsWith("(@")) {
    const n = runEnd(at, 2, isHexDigit);
    if (n > 2 && at[n] === ")") {
      out.offset = at.slice(2, n);
      if (n + 1 < at.length) return out;
      k++;
    }
  }
  const id = t[k];
  if (id !== undefined) out.buildId = id.slice(0, runEnd(id, 0, isHexDigit));
  return out;
}

/** A mapping, undefined for one that is not executable, or "unrecognized". */
export function parseMappingEntry(line: string): Mapping | undefined | "unrecognized" {
  const r = parseRange(line);
  if (!r) return "unrecognized";
  const e = procMapsEntry(r.rest) ?? briefEntry(r.rest);
  if (e.perm !== "" && !e.perm.includes("x")) return undefined;
  const start = parseHex64(r.start), limit = parseHex64(r.end);
  const offset = e.offset === "" ? 0n : parseHex64(e.offset);
  if (start === undefined || limit === undefined || offset === undefined) return "unrecognized";
  return newMapping(start, limit, offset, e.file, e.buildId);
}

/** uint64 arithmetic wraps around, as in Go. */
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

function adjacent(a: Mapping, b: Mapping): boolean {
  if (a.file !== "" && b.file !== "" && a.file !== b.file) return false;
  if (a.buildId !== "" && b.buildId !== "" && a.buildId !== b.buildId) return false;
  if (a.limit !== b.start) return false;
  if (a.offset !== 0n && b.offset !== 0n && u64(a.offset + u64(a.limit - a.start)) !== b.offset) return false;
  return true;
}

const sharedLibrary = /\.so$|\.so[._][0-9]+/;

/** Merges split pieces of one mapping and puts the main binary first (massageMappings). */
function massageMappings(ms: Mapping[]): Mapping[] {
  let out = ms;
  if (ms.length > 1) {
    out = [ms[0]!];
    for (const m of ms.slice(1)) {
      const last = out[out.length - 1]!;
      if (adjacent(last, m)) {
        last.limit = m.limit;
        if (m.file !== "") last.file = m.file;
        if (m.buildId !== "") last.buildId = m.buildId;
        continue;
      }
      out.push(m);
    }
  }
  const main = out.findIndex((m) => {
    const file = trimSpace(m.file.replaceAll("(deleted)", ""));
    return file !== "" && !sharedLibrary.test(file) && file[0] !== "[";
  });
  if (main > 0) [out[0], out[main]] = [out[main]!, out[0]!];
  return out;
}

/** The mappings by start address when none overlaps another (then at most one holds an address). */
function sortedIfDisjoint(ms: readonly Mapping[]): Mapping[] | undefined {
  const sorted = ms.filter((m) => m.start < m.limit).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.limit) return undefined;
  return sorted;
}

function findSorted(sorted: readonly Mapping[], a: bigint): Mapping | undefined {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.start <= a) lo = mid + 1;
    else hi = mid;
  }
  const m = sorted[lo - 1];
  return m && a < m.limit ? m : undefined;
}

/** The profile's mappings, each location given the one holding its address (remapMappingIDs). */
export function assignMappings(parsed: Mapping[], locations: readonly Location[]): Mapping[] {
  let ms = massageMappings(parsed);
  if (ms.length > 1 && ms[0]!.file.startsWith("/anon_hugepage") && ms[0]!.limit === ms[1]!.start) ms = ms.slice(1);
  const first = ms[0];
  if (first && u64(first.start - first.offset) === 0x400000n) {
    first.start = 0x400000n;
    first.offset = 0n;
  }
  let fake: Mapping | undefined;
  let work = 0;
  let sorted = sortedIfDisjoint(ms);
  next: for (const l of locations) {
    const a = l.address;
    if (l.mapping || a === 0n) continue;
    // The first mapping holding the address: with disjoint mappings, the only one.
    const holder = sorted ? findSorted(sorted, a) : ms.find((m) => m.start <= a && a < m.limit);
    if (!sorted) work += ms.length;
    if (holder) {
      l.mapping = holder;
      continue;
    }
    // Once made, the catch-all holds every address beyond the real mappings (it is last in Go's list).
    if (fake && a < fake.limit) {
      l.mapping = fake;
      continue;
    }
    // Legacy writers left out the first piece of a mapping split in two.
    work += ms.length;
    if (work > maxMatchingWork) throw new SourceError("parsing profile: memory map too large for the number of addresses");
    for (const m of ms) {
      if (m.offset !== 0n && u64(m.start - m.offset) <= a && a < m.start) {
        m.start = u64(m.start - m.offset);
        m.offset = 0n;
        l.mapping = m;
        sorted = sortedIfDisjoint(ms.filter((x) => x !== fake));
        work += ms.length;
        continue next;
      }
    }
    if (!fake) {
      fake = newMapping(0n, (1n << 64n) - 1n, 0n, "", "");
      ms.push(fake);
    }
    l.mapping = fake;
  }
  ms.forEach((m, i) => (m.id = i + 1));
  return ms;
}
