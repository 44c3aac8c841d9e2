// Count profiles: `NAME profile: total N`, then `COUNT @ addresses` records
// (goroutine, threadcreate and custom profiles of Go's runtime/pprof and of
// tsprof at debug=1). Sample type NAME/count, period 1.

import { CommentFrames, skipNonRecord } from "./legacy-frames.js";
import {
  LineScanner, NotThisFormat, excerpt, isDigit, isSpaceOrComment, malformed, minusOne, parseGoInt, parseHexAddresses, runEnd,
} from "./legacy-lines.js";
import { memoryMapAfterSamples } from "./legacy-maps.js";
import type { LegacyDraft, LegacySample } from "./legacy-profile.js";

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
  if (at <= 0 || runEnd(line, 0, isDigit) !== at) return undefined;
  const n = parseGoInt(line.slice(0, at)); // base 0, as Go reads it: 010 is 8
  if (n === undefined) return undefined;
  const rest = line.slice(at + 2);
  if (rest !== "" && rest[0] !== " ") return undefined;
  const addrs: bigint[] = [];
  for (const word of rest === "" ? [] : rest.slice(1).split(" ")) {
    if (!/^0x[0-9a-f]+$/.test(word)) return undefined;
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
    if (skipNonRecord(line, comments)) continue;
    if (line.startsWith("---")) break;
    const r = countRecord(line);
    if (!r) throw malformed(`${name} profile: line ${s.lineNo}: not a "COUNT @ ADDRESSES" record: ${excerpt(line)}`);
    comments.startRecord();
    samples.push({ addrs: r.addrs.map(minusOne), value: [r.n] });
  }
  return {
    sampleType: [{ type: name, unit: "count" }],
    periodType: { type: name, unit: "count" },
    period: 1,
    durationNanos: 0,
    samples,
    mappings: memoryMapAfterSamples(s),
    names: comments,
  };
}
