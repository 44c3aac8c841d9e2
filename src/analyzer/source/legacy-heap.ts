// The heap text: `heap profile: I: IB [A: AB] @ heap/2*RATE`, then one
// `I: IB [A: AB] @ addresses` record per stack and object size (Go's
// runtime/pprof, tsprof's heap and allocs at debug=1; also heap_v2/RATE,
// heapprofile, growthz and fragmentationz headers). Records are unsampled at
// the rate as google/pprof does, and tagged with their object size.

import { CommentFrames, skipNonRecord } from "./legacy-frames.js";
import {
  LineScanner, NotThisFormat, addressesEnd, excerpt, findAtNumberStart, isDigit, isMemoryMapSentinel, malformed, minusOne, parseDecimal,
  parseHexAddresses, runEnd, spacesEnd, trimSpace,
} from "./legacy-lines.js";
import { memoryMapAfterSamples } from "./legacy-maps.js";
import type { LegacyDraft, LegacySample } from "./legacy-profile.js";

/** `(-?\d+): *(-?\d+)` from `i` (the sign only when `signed`). */
function numberPair(l: string, i: number, signed: boolean): { a: string; b: string; end: number } | undefined {
  const number = (): string | undefined => {
    const s = i;
    if (signed && l[i] === "-") i++;
    const e = runEnd(l, i, isDigit);
    if (e === i) return undefined;
    i = e;
    return l.slice(s, e);
  };
  const a = number();
  if (a === undefined || l[i++] !== ":") return undefined;
  i = spacesEnd(l, i);
  const b = number();
  return b === undefined ? undefined : { a, b, end: i };
}

/** ` *\[ *(\d+): *(\d+) *\]` from `i`. */
function bracketedPair(l: string, i: number): { a: string; b: string; end: number } | undefined {
  i = spacesEnd(l, i);
  if (l[i] !== "[") return undefined;
  const p = numberPair(l, spacesEnd(l, i + 1), false);
  if (!p) return undefined;
  const close = spacesEnd(l, p.end);
  return l[close] === "]" ? { ...p, end: close + 1 } : undefined;
}

interface HeapHeader {
  kind: "heap" | "growth";
  /** In-use objects and bytes, allocated objects and bytes, as written. */
  totals: string[];
  name: string;
  rate: string;
}

/** The first `heap profile: …` of the line that parses as a heap, growthz or fragmentationz header. */
function heapHeader(line: string): HeapHeader | undefined {
  const marker = "heap profile:";
  for (let at = line.indexOf(marker); at >= 0; at = line.indexOf(marker, at + 1)) {
    const inuse = numberPair(line, spacesEnd(line, at + marker.length), false);
    const alloc = inuse && bracketedPair(line, inuse.end);
    if (!inuse || !alloc) continue;
    const totals = [inuse.a, inuse.b, alloc.a, alloc.b];
    let i = spacesEnd(line, alloc.end);
    if (line[i] === "@") {
      i = spacesEnd(line, i + 1);
      if (line.startsWith("heap", i)) {
        const nameEnd = runEnd(line, i + 4, (c) => c === "_" || isDigit(c) || (c !== undefined && c >= "a" && c <= "z"));
        const r = line[nameEnd] === "/" ? nameEnd + 1 : nameEnd;
        return { kind: "heap", totals, name: line.slice(i, nameEnd), rate: line.slice(r, runEnd(line, r, isDigit)) };
      }
    }
    if (line.startsWith(" @ growth", alloc.end) || line.startsWith(" @ fragmentation", alloc.end)) return { kind: "growth", totals, name: "", rate: "" };
  }
  return undefined;
}

/** `(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *] @([ x0-9a-f]*)` from `i`. */
function heapRecordAt(l: string, i: number): string[] | undefined {
  const inuse = numberPair(l, i, true);
  const alloc = inuse && bracketedPair(l, inuse.end);
  if (!inuse || !alloc || !l.startsWith(" @", alloc.end)) return undefined;
  return [inuse.a, inuse.b, alloc.a, alloc.b, l.slice(alloc.end + 2, addressesEnd(l, alloc.end + 2))];
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
    // Allocation totals that add nothing (none, or the in-use ones): a two-column profile.
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
    if (skipNonRecord(line, comments)) continue;
    if (isMemoryMapSentinel(line)) break;
    const m = findAtNumberStart(line, (i) => heapRecordAt(line, i));
    if (!m) throw malformed(`heap profile: line ${s.lineNo}: not a sample: ${excerpt(line)}`);
    const value: number[] = [];
    let blockSize = 0;
    const add = (countText: string, sizeText: string, what: string) => {
      let count = parseDecimal(countText), size = parseDecimal(sizeText);
      if (count === undefined || size === undefined) throw malformed(`heap profile: line ${s.lineNo}: value out of range: ${excerpt(line)}`);
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
    mappings: memoryMapAfterSamples(s),
    names: comments,
  };
}
