// Contention texts: `--- contention:` (block) or `--- mutex:`, Go's and
// tsprof's debug=1, or C++'s `--- contentionz `, then `key = value`
// attributes (cycles/second, sampling period, ms since reset), then
// `CYCLES COUNT @ addresses` records. Unsampled as google/pprof does: counts
// and delays times the sampling period, delays from cycles to nanoseconds.

import { CommentFrames, skipNonRecord } from "./legacy-frames.js";
import {
  LineScanner, NotThisFormat, addressesEnd, excerpt, findAtNumberStart, isDigit, malformed, minusOne, parseDecimal, parseGoInt,
  parseHexAddresses, runEnd, spacesEnd, trimSpace,
} from "./legacy-lines.js";
import { memoryMapAfterSamples } from "./legacy-maps.js";
import type { LegacyDraft, LegacySample } from "./legacy-profile.js";

/** `(\d+) *(\d+) @([ x0-9a-f]*)` from `i` (two numbers may be one split in two, as the pattern allows). */
function contentionRecordAt(l: string, i: number): string[] | undefined {
  const e1 = runEnd(l, i, isDigit);
  if (e1 === i) return undefined;
  const j = spacesEnd(l, e1);
  const e2 = runEnd(l, j, isDigit);
  let a: string, b: string, end: number;
  if (e2 > j && l.startsWith(" @", e2)) [a, b, end] = [l.slice(i, e1), l.slice(j, e2), e2];
  else if (e1 - i >= 2 && l.startsWith(" @", e1)) [a, b, end] = [l.slice(i, e1 - 1), l.slice(e1 - 1, e1), e1];
  else return undefined;
  return [a, b, l.slice(end + 2, addressesEnd(l, end + 2))];
}

interface Attributes {
  period: number;
  cpuHz: number;
  durationNanos: number;
}

/** Reads the `key = value` lines; stops on the first other line, which stays current. */
function attributes(s: LineScanner, comments: CommentFrames): Attributes {
  const a: Attributes = { period: 1, cpuHz: 0, durationNanos: 0 };
  while (s.scan()) {
    const line = trimSpace(s.text);
    if (skipNonRecord(line, comments)) continue;
    if (line.startsWith("---")) break;
    const eq = line.indexOf("=");
    if (eq < 0) break;
    const key = trimSpace(line.slice(0, eq));
    if (key === "discarded samples") continue;
    const n = parseGoInt(trimSpace(line.slice(eq + 1)));
    // Any other key (C++'s format and resolution included) is another format.
    if (n === undefined) throw new NotThisFormat();
    if (key === "cycles/second") a.cpuHz = n;
    else if (key === "sampling period") a.period = n;
    else if (key === "ms since reset") a.durationNanos = n * 1000 * 1000;
    else throw new NotThisFormat();
  }
  return a;
}

export function parseContention(text: string): LegacyDraft {
  const s = new LineScanner(text);
  if (!s.scan()) throw new NotThisFormat();
  const first = s.text;
  if (!first.startsWith("--- contentionz ") && !first.startsWith("--- mutex:") && !first.startsWith("--- contention:")) throw new NotThisFormat();
  s.recognized = true;
  const comments = new CommentFrames();
  const { period, cpuHz, durationNanos } = attributes(s, comments);
  const samples: LegacySample[] = [];
  for (;;) {
    const line = trimSpace(s.text);
    if (line.startsWith("---")) break;
    if (!skipNonRecord(line, comments)) {
      const m = findAtNumberStart(line, (i) => contentionRecordAt(line, i));
      if (!m) throw new NotThisFormat();
      let cycles = parseDecimal(m[0]!), count = parseDecimal(m[1]!);
      if (cycles === undefined || count === undefined) throw malformed(`contention profile: line ${s.lineNo}: value out of range: ${excerpt(line)}`);
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
    mappings: memoryMapAfterSamples(s),
    names: comments,
  };
}
