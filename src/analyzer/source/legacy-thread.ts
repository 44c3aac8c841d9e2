// The `--- threadz N ---` thread dump (C++ servers' /threadz): one
// `--- Thread ID (name: NAME/TID) stack: ---` block of addresses per thread,
// `same as previous thread` for a repeat, then a memory map. Each thread is
// one thread/count sample; the leaf address is kept as it is, the callers'
// less one.

import {
  LineScanner, NotThisFormat, isDigit, isHexDigit, isMemoryMapSentinel, isSpaceOrComment, malformed, minusOne, parseHexAddresses,
  runEnd, trimSpace,
} from "./legacy-lines.js";
import { memoryMapAfterSamples } from "./legacy-maps.js";
import type { LegacyDraft, LegacySample } from "./legacy-profile.js";

/** `--- threadz \d+ ---` anywhere in the line. */
function isThreadzStart(line: string): boolean {
  const marker = "--- threadz ";
  for (let at = line.indexOf(marker); at >= 0; at = line.indexOf(marker, at + 1)) {
    const e = runEnd(line, at + marker.length, isDigit);
    if (e > at + marker.length && line.startsWith(" ---", e)) return true;
  }
  return false;
}

/** `--- Thread HEX (name: ANY/DIGITS) stack: ---` anywhere in the line. */
function isThreadStart(line: string): boolean {
  // The earliest end of a `--- Thread HEX (name: ` prefix...
  let prefixEnd = -1;
  const marker = "--- Thread ";
  for (let at = line.indexOf(marker); at >= 0 && prefixEnd < 0; at = line.indexOf(marker, at + 1)) {
    const e = runEnd(line, at + marker.length, isHexDigit);
    if (e > at + marker.length && line.startsWith(" (name: ", e)) prefixEnd = e + " (name: ".length;
  }
  if (prefixEnd < 0) return false;
  // ...and the latest start of a `/DIGITS) stack: ---` suffix after it.
  const suffix = ") stack: ---";
  for (let at = line.lastIndexOf(suffix); at >= 0; at = at === 0 ? -1 : line.lastIndexOf(suffix, at - 1)) {
    let d = at;
    while (d > 0 && isDigit(line[d - 1])) d--;
    if (d < at && line[d - 1] === "/" && d - 1 >= prefixEnd) return true;
  }
  return false;
}

/** The addresses of one thread's block, and the line that ends it; undefined addresses for `same as previous thread`. */
function threadSample(s: LineScanner): { next: string; addrs: bigint[] | undefined } {
  let line = "";
  let same = false;
  const addrs: bigint[] = [];
  while (s.scan()) {
    line = trimSpace(s.text);
    if (line === "") continue;
    if (line.startsWith("---")) break;
    if (line.includes("same as previous thread")) {
      same = true;
      continue;
    }
    const a = parseHexAddresses(line);
    if (!a) throw malformed(`thread profile: line ${s.lineNo}: an address does not fit in 64 bits`);
    addrs.push(...a);
  }
  return { next: line, addrs: same ? undefined : addrs };
}

export function parseThread(text: string): LegacyDraft {
  const s = new LineScanner(text);
  while (s.scan() && isSpaceOrComment(s.text)) { /* skip */ }
  let line = s.text;
  if (isThreadzStart(line)) {
    while (s.scan()) {
      line = s.text;
      if (isMemoryMapSentinel(line) || line.startsWith("-")) break;
    }
  } else if (!isThreadStart(line)) {
    throw new NotThisFormat();
  }
  s.recognized = true;
  const samples: LegacySample[] = [];
  while (!isMemoryMapSentinel(line)) {
    if (line.startsWith("---- no stack trace for")) break;
    if (!isThreadStart(line)) throw new NotThisFormat();
    const t = threadSample(s);
    line = t.next;
    if (!t.addrs || t.addrs.length === 0) {
      const last = samples.at(-1);
      if (last) last.value[0]!++;
      continue;
    }
    samples.push({ addrs: t.addrs.map((a, i) => (i > 0 ? minusOne(a) : a)), value: [1] });
  }
  const locationOrder = [...new Set(samples.flatMap((x) => x.addrs))];
  const mappings = memoryMapAfterSamples(s);
  // A leaf found twice (the second from unwinding, less one): the copy goes.
  for (const x of samples) {
    if (x.addrs.length > 1 && x.addrs[0] === BigInt.asUintN(64, x.addrs[1]! + 1n)) x.addrs.splice(1, 1);
  }
  return {
    sampleType: [{ type: "thread", unit: "count" }],
    periodType: { type: "thread", unit: "count" },
    period: 1,
    durationNanos: 0,
    samples,
    locationOrder,
    mappings,
  };
}
