// The legacy text profiles (debug=1) of Go's runtime/pprof and of tsprof:
// heap (`heap profile: …`), count profiles (`NAME profile: total N`:
// goroutine, threadcreate, custom profiles) and contention (`--- contention:`,
// `--- mutex:`), read with google/pprof's semantics: sample types, units,
// periods, the heap rate's unsampling, contention cycles to nanoseconds, and
// each address less one (a return address made to land on its call).

import type { Mapping } from "../../profile/model.js";
import { CommentFrames } from "./legacy-frames.js";
import {
  LineScanner, NotThisFormat, isDigit, isMemoryMapSentinel, isSpaceOrComment, malformed, minusOne, parseDecimal, parseGoInt,
  parseHexAddresses, runEnd, spacesEnd, trimSpace,
} from "./legacy-lines.js";
import { parseMemoryMap } from "./legacy-maps.js";
import type { LegacyDraft, LegacySample } from "./legacy-profile.js";

/** Skips to the memory map's sentinel, if any, and reads the map after it. */
function additionalSections(s: LineScanner): Mapping[] {
  while (!isMemoryMapSentinel(s.text) && s.scan()) { /* skip */ }
  return parseMemoryMap(s);
}

/** A comment line's frame is remembered; true for any line that holds no sample. */
function skipped(line: string, comments: CommentFrames): boolean {
  if (!isSpaceOrComment(line)) return false;
  if (trimSpace(line)[0] === "#") comments.addComment(line);
  return true;
}

// ---- heap ---------------------------------------------------------------

/** ` *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\]` from `i`: the four numbers and where it ends. */
function fourNumbers(l: string, i: number): { n: string[]; end: number } | undefined {
  const n: string[] = [];
  const num = (): boolean => {
    i = spacesEnd(l, i);
    const e = runEnd(l, i, isDigit);
    if (e === i) return false;
    n.push(l.slice(i, e));
    i = e;
    return true;
  };
  const lit = (c: string): boolean => {
    i = spacesEnd(l, i);
    if (l[i] !== c) return false;
    i++;
    return true;
  };
  if (!num() || l[i++] !== ":" || !num() || !lit("[") || !num() || l[i++] !== ":" || !num() || !lit("]")) return undefined;
  return { n, end: i };
}

interface HeapHeader {
  kind: "heap" | "growth";
  totals: string[];
  name: string;
  rate: string;
}

/** The first `heap profile: …` of the line that parses as a heap, growthz or fragmentationz header. */
function heapHeader(line: string): HeapHeader | undefined {
  const marker = "heap profile:";
  for (let at = line.indexOf(marker); at >= 0; at = line.indexOf(marker, at + 1)) {
    const f = fourNumbers(line, at + marker.length);
    if (!f) continue;
    let i = spacesEnd(line, f.end);
    if (line[i] === "@") {
      i = spacesEnd(line, i + 1);
      if (line.startsWith("heap", i)) {
        const nameEnd = runEnd(line, i + 4, (c) => c === "_" || isDigit(c) || (c !== undefined && c >= "a" && c <= "z"));
        let r = nameEnd;
        if (line[r] === "/") r++;
        return { kind: "heap", totals: f.n, name: line.slice(i, nameEnd), rate: line.slice(r, runEnd(line, r, isDigit)) };
      }
    }
    if (line.startsWith(" @ growth", f.end) || line.startsWith(" @ fragmentation", f.end)) {
      return { kind: "growth", totals: f.n, name: "", rate: "" };
    }
  }
  return undefined;
}

/** `(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *] @([ x0-9a-f]*)` from `i`. */
function heapSampleAt(l: string, i: number): string[] | undefined {
  const signed = (): string | undefined => {
    const s = i;
    if (l[i] === "-") i++;
    const e = runEnd(l, i, isDigit);
    if (e === i) return undefined;
    i = e;
    return l.slice(s, e);
  };
  const a = signed();
  if (a === undefined || l[i++] !== ":") return undefined;
  i = spacesEnd(l, i);
  const b = signed();
  if (b === undefined) return undefined;
  const rest = fourNumbersTail(l, i);
  if (!rest || !l.startsWith(" @", rest.end)) return undefined;
  const addrEnd = runEnd(l, rest.end + 2, (c) => c === " " || c === "x" || isDigit(c) || (c !== undefined && c >= "a" && c <= "f"));
  return [a, b, rest.n[0]!, rest.n[1]!, l.slice(rest.end + 2, addrEnd)];
}

/** ` *\[ *(\d+): *(\d+) *]` from `i`. */
function fourNumbersTail(l: string, i: number): { n: string[]; end: number } | undefined {
  i = spacesEnd(l, i);
  if (l[i++] !== "[") return undefined;
  i = spacesEnd(l, i);
  let e = runEnd(l, i, isDigit);
  if (e === i) return undefined;
  const c = l.slice(i, e);
  if (l[e] !== ":") return undefined;
  i = spacesEnd(l, e + 1);
  e = runEnd(l, i, isDigit);
  if (e === i) return undefined;
  const d = l.slice(i, e);
  i = spacesEnd(l, e);
  if (l[i] !== "]") return undefined;
  return { n: [c, d], end: i + 1 };
}

/** The leftmost match in the line: only the start of a number can begin one. */
function findAtNumberStart(l: string, match: (i: number) => string[] | undefined): string[] | undefined {
  for (let i = 0; i < l.length; i++) {
    if (!isDigit(l[i]) || isDigit(l[i - 1])) continue;
    const m = (l[i - 1] === "-" ? match(i - 1) : undefined) ?? match(i);
    if (m) return m;
  }
  return undefined;
}

/**
 * Go's scaleHeapSample: a sample of average size S was recorded with
 * probability 1-exp(-S/rate); dividing by it estimates the unsampled values.
 */
export function scaleHeapSample(count: number, size: number, rate: number): [number, number] {
  if (count === 0 || size === 0) return [0, 0];
  if (rate <= 1) return [count, size];
  const scale = 1 / (1 - Math.exp(-(size / count) / rate));
  return [Math.trunc(count * scale), Math.trunc(size * scale)];
}

export function parseHeap(text: string): LegacyDraft {
  const s = new LineScanner(text);
  if (!s.scan()) throw new NotThisFormat();
  const header = heapHeader(s.text);
  if (!header) throw new NotThisFormat();
  s.recognized = true;
  let period = 1;
  let scaled = false;
  let hasAlloc = false;
  if (header.kind === "heap") {
    const [io, ib, ao, ab] = header.totals;
    hasAlloc = (ao !== io && ao !== "0") || (ab !== ib && ab !== "0");
    let rate = 0;
    if (header.rate !== "") {
      const r = parseDecimal(header.rate);
      if (r === undefined) throw new NotThisFormat();
      rate = r;
    }
    if (header.name === "heapz_v2" || header.name === "heap_v2") [scaled, period] = [true, rate];
    else if (header.name === "heapprofile") period = 1;
    else if (header.name === "heap") [scaled, period] = [true, Math.trunc(rate / 2)]; // Go's writers print 2*rate
    else throw new NotThisFormat();
  }
  const sampleType = hasAlloc
    ? [{ type: "alloc_objects", unit: "count" }, { type: "alloc_space", unit: "bytes" }, { type: "inuse_objects", unit: "count" }, { type: "inuse_space", unit: "bytes" }]
    : [{ type: "objects", unit: "count" }, { type: "space", unit: "bytes" }];
  const comments = new CommentFrames();
  const samples: LegacySample[] = [];
  while (s.scan()) {
    const line = trimSpace(s.text);
    if (skipped(line, comments)) continue;
    if (isMemoryMapSentinel(line)) break;
    const m = findAtNumberStart(line, (i) => heapSampleAt(line, i));
    if (!m) throw malformed(`heap profile: line ${s.lineNo}: not a sample: ${short(line)}`);
    const value: number[] = [];
    let blockSize = 0;
    const add = (countText: string, sizeText: string, what: string) => {
      let count = parseDecimal(countText), size = parseDecimal(sizeText);
      if (count === undefined || size === undefined) throw malformed(`heap profile: line ${s.lineNo}: value out of range: ${short(line)}`);
      if (count === 0 && size !== 0) throw malformed(`heap profile: line ${s.lineNo}: ${what} count was 0 but ${what} bytes was ${size}`);
      if (count !== 0) {
        blockSize = Math.trunc(size / count);
        if (scaled) [count, size] = scaleHeapSample(count, size, period);
      }
      value.push(count, size);
    };
    if (hasAlloc) add(m[2]!, m[3]!, "allocation");
    add(m[0]!, m[1]!, "inuse");
    const addrs = parseHexAddresses(m[4]!);
    if (!addrs) throw malformed(`heap profile: line ${s.lineNo}: an address does not fit in 64 bits`);
    comments.startRecord();
    samples.push({ addrs: addrs.map(minusOne), value, numLabel: { bytes: [blockSize] } });
  }
  return {
    sampleType,
    periodType: { type: "space", unit: "bytes" },
    period,
    durationNanos: 0,
    samples,
    mappings: additionalSections(s),
    comments,
  };
}

// ---- count profiles -----------------------------------------------------

/** `NAME profile: total N` (NAME without white space): the profile's name. */
function countHeader(line: string): string | undefined {
  const marker = " profile: total ";
  const at = line.indexOf(marker);
  if (at <= 0) return undefined;
  const name = line.slice(0, at);
  if (/[\t\n\f\r ]/.test(name)) return undefined;
  const n = line.slice(at + marker.length);
  return n !== "" && runEnd(n, 0, isDigit) === n.length ? name : undefined;
}

/** `N @ 0x1 0x2 …`; tsprof also reads `N @` alone (a record without a stack, as Go's threadcreate prints). */
function countRecord(line: string): { n: number; addrs: bigint[] } | undefined {
  const at = line.indexOf(" @");
  if (at <= 0) return undefined;
  const n = parseGoInt(line.slice(0, at));
  if (n === undefined || runEnd(line, 0, isDigit) !== at) return undefined;
  const rest = line.slice(at + 2);
  const addrs: bigint[] = [];
  for (const word of rest === "" ? [] : rest.slice(1).split(" ")) {
    if (rest[0] !== " " || !/^0x[0-9a-f]+$/.test(word)) return undefined;
    const a = parseHexAddresses(word);
    if (!a || a.length !== 1) return undefined;
    addrs.push(a[0]!);
  }
  return { n, addrs };
}

export function parseCount(text: string): LegacyDraft {
  const s = new LineScanner(text);
  while (s.scan() && isSpaceOrComment(s.text)) { /* skip */ }
  const name = countHeader(s.text);
  if (name === undefined) throw new NotThisFormat();
  s.recognized = true;
  const comments = new CommentFrames();
  const samples: LegacySample[] = [];
  while (s.scan()) {
    const line = s.text;
    if (skipped(line, comments)) continue;
    if (line.startsWith("---")) break;
    const r = countRecord(line);
    if (!r) throw malformed(`${name} profile: line ${s.lineNo}: not a "COUNT @ ADDRESSES" record: ${short(line)}`);
    comments.startRecord();
    samples.push({ addrs: r.addrs.map(minusOne), value: [r.n] });
  }
  return {
    sampleType: [{ type: name, unit: "count" }],
    periodType: { type: name, unit: "count" },
    period: 1,
    durationNanos: 0,
    samples,
    mappings: additionalSections(s),
    comments,
  };
}

// ---- contention ---------------------------------------------------------

/** `(\d+) *(\d+) @([ x0-9a-f]*)` from `i` (two numbers may be one split in two, as the pattern allows). */
function contentionSampleAt(l: string, i: number): string[] | undefined {
  const e1 = runEnd(l, i, isDigit);
  if (e1 === i) return undefined;
  const j = spacesEnd(l, e1);
  const e2 = runEnd(l, j, isDigit);
  let a: string, b: string, end: number;
  if (e2 > j && l.startsWith(" @", e2)) [a, b, end] = [l.slice(i, e1), l.slice(j, e2), e2];
  else if (e1 - i >= 2 && l.startsWith(" @", e1)) [a, b, end] = [l.slice(i, e1 - 1), l.slice(e1 - 1, e1), e1];
  else return undefined;
  const addrEnd = runEnd(l, end + 2, (c) => c === " " || c === "x" || isDigit(c) || (c !== undefined && c >= "a" && c <= "f"));
  return [a, b, l.slice(end + 2, addrEnd)];
}

export function parseContention(text: string): LegacyDraft {
  const s = new LineScanner(text);
  if (!s.scan()) throw new NotThisFormat();
  const first = s.text;
  if (!first.startsWith("--- contentionz ") && !first.startsWith("--- mutex:") && !first.startsWith("--- contention:")) throw new NotThisFormat();
  s.recognized = true;
  const comments = new CommentFrames();
  let period = 1;
  let cpuHz = 0;
  let durationNanos = 0;
  // `key = value` attributes before the samples.
  while (s.scan()) {
    const line = trimSpace(s.text);
    if (skipped(line, comments)) continue;
    if (line.startsWith("---")) break;
    const eq = line.indexOf("=");
    if (eq < 0) break;
    const key = trimSpace(line.slice(0, eq)), val = trimSpace(line.slice(eq + 1));
    const n = parseGoInt(val);
    switch (key) {
      case "cycles/second":
        if (n === undefined) throw new NotThisFormat();
        cpuHz = n;
        break;
      case "sampling period":
        if (n === undefined) throw new NotThisFormat();
        period = n;
        break;
      case "ms since reset":
        if (n === undefined) throw new NotThisFormat();
        durationNanos = n * 1000 * 1000;
        break;
      case "discarded samples":
        break;
      default: // C++'s format and resolution attributes included: not this format
        throw new NotThisFormat();
    }
  }
  const samples: LegacySample[] = [];
  for (;;) {
    const line = trimSpace(s.text);
    if (line.startsWith("---")) break;
    if (!skipped(line, comments)) {
      const m = findAtNumberStart(line, (i) => contentionSampleAt(line, i));
      if (!m) throw new NotThisFormat();
      let cycles = parseDecimal(m[0]!), count = parseDecimal(m[1]!);
      if (cycles === undefined || count === undefined) throw malformed(`contention profile: line ${s.lineNo}: value out of range: ${short(line)}`);
      // Unsampled: counts times the sampling period, cycles to nanoseconds.
      if (period > 0) {
        if (cpuHz > 0) cycles = Math.trunc((cycles * period) / (cpuHz / 1e9));
        count = count * period;
      }
      const addrs = parseHexAddresses(m[2]!);
      if (!addrs) throw malformed(`contention profile: line ${s.lineNo}: an address does not fit in 64 bits`);
      comments.startRecord();
      samples.push({ addrs: addrs.map(minusOne), value: [count, cycles] });
    }
    if (!s.scan()) break;
  }
  return {
    sampleType: [{ type: "contentions", unit: "count" }, { type: "delay", unit: "nanoseconds" }],
    periodType: { type: "contentions", unit: "count" },
    period,
    durationNanos,
    samples,
    mappings: additionalSections(s),
    comments,
  };
}

/** A line cut for an error message. */
function short(line: string): string {
  return line.length > 80 ? line.slice(0, 77) + "..." : line;
}
