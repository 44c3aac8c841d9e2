// Legacy Java profiles (Google's Java agents): `--- heapz 1 ---` or
// `--- contentionz 1 ---`, `key = value` attributes (format = java,
// resolution, sampling period, ms since reset), `V2 V1 @ addresses` records,
// then one `0xADDR function (File.java:LINE)` line per address; and the
// binary CPU profile with a Java header, followed by those same lines. As in
// google/pprof, names come from those lines and addresses are then dropped.

import type { Location, ProfileFunction } from "../../profile/model.js";
import { scaleHeapSample } from "./legacy-heap.js";
import {
  NotThisFormat, addressesEnd, excerpt, findAtNumberStart, isDigit, isHexDigit, malformed, parseDecimal, parseGoInt, parseHex64,
  parseHexAddresses, runEnd, trimSpace,
} from "./legacy-lines.js";
import type { LegacyDraft, LegacySample, LocationNamer } from "./legacy-profile.js";

/** Java heapz records stand for allocations sampled every 512 KiB. */
const javaHeapSamplingRate = 524288;

const isWordOrSpace = (c: string | undefined): boolean =>
  c !== undefined && (c === " " || c === "_" || isDigit(c) || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));

/** `([\w ]+)=([\w ]+)` anywhere in the line: the key and value, trimmed. */
function attribute(line: string): [string, string] | undefined {
  for (let eq = line.indexOf("="); eq >= 0; eq = line.indexOf("=", eq + 1)) {
    let start = eq;
    while (start > 0 && isWordOrSpace(line[start - 1])) start--;
    const end = runEnd(line, eq + 1, isWordOrSpace);
    if (start < eq && end > eq + 1) return [trimSpace(line.slice(start, eq)), trimSpace(line.slice(eq + 1, end))];
  }
  return undefined;
}

/** ` *(\d+) +(\d+) +@ +([ x0-9a-f]*)` from `i`. */
function javaRecordAt(l: string, i: number): string[] | undefined {
  const e1 = runEnd(l, i, isDigit);
  const j = runEnd(l, e1, (c) => c === " ");
  const e2 = runEnd(l, j, isDigit);
  if (e1 === i || j === e1 || e2 === j) return undefined;
  const at = runEnd(l, e2, (c) => c === " ");
  if (at === e2 || l[at] !== "@" || l[at + 1] !== " ") return undefined;
  const a = runEnd(l, at + 1, (c) => c === " ");
  return [l.slice(i, e1), l.slice(j, e2), l.slice(a, addressesEnd(l, a))];
}

/** The lines of `text` that end with a newline (the header and samples ignore a last one without). */
function terminatedLines(text: string): string[] {
  const parts = text.split("\n");
  parts.pop();
  return parts;
}

export function parseJavaProfile(text: string): LegacyDraft {
  const nl = text.indexOf("\n");
  if (nl < 0) throw new NotThisFormat();
  const header = trimSpace(text.slice(0, nl));
  const kind = header === "--- heapz 1 ---" ? "heap" : header === "--- contentionz 1 ---" ? "contention" : undefined;
  if (!kind) throw new NotThisFormat();
  const d: LegacyDraft = {
    sampleType: [], periodType: { type: "", unit: "" }, period: 0, durationNanos: 0, samples: [], mappings: [], java: true,
  };
  const lines = terminatedLines(text.slice(nl + 1));
  let k = 0;
  // Attributes, up to the first line that is none.
  for (; k < lines.length; k++) {
    const line = trimSpace(lines[k]!);
    if (line === "") continue;
    const a = attribute(line);
    if (!a) break;
    const [key, value] = a;
    if (key === "format") {
      if (value !== "java") throw new NotThisFormat();
    } else if (key === "resolution") {
      d.sampleType = kind === "heap"
        ? [{ type: "inuse_objects", unit: "count" }, { type: "inuse_space", unit: value }]
        : [{ type: "contentions", unit: "count" }, { type: "delay", unit: value }];
    } else if (kind === "contention" && (key === "sampling period" || key === "ms since reset")) {
      const n = parseGoInt(value);
      if (n === undefined) throw malformed(`java contention profile: line ${k + 2}: attribute ${excerpt(line)}`);
      if (key === "sampling period") [d.periodType, d.period] = [{ type: "contentions", unit: "count" }, n];
      else d.durationNanos = n * 1000 * 1000;
    } else {
      throw new NotThisFormat();
    }
  }
  // Records, up to the first line that is none.
  for (; k < lines.length; k++) {
    const line = trimSpace(lines[k]!);
    if (line === "") continue;
    const m = findAtNumberStart(line, (i) => javaRecordAt(line, i));
    if (!m) break;
    const addrs = parseHexAddresses(m[2]!);
    if (!addrs) throw malformed(`java ${kind} profile: line ${k + 2}: an address does not fit in 64 bits`);
    let v0 = parseGoInt(m[1]!), v1 = parseGoInt(m[0]!);
    if (v0 === undefined || v1 === undefined) throw malformed(`java ${kind} profile: line ${k + 2}: ${excerpt(line)}`);
    const sample: LegacySample = { addrs, value: [] };
    if (kind === "heap") {
      if (v0 === 0) throw malformed(`java heap profile: line ${k + 2}: second value must be non-zero`);
      sample.numLabel = { bytes: [Math.trunc(v1 / v0)] };
      [v0, v1] = scaleHeapSample(v0, v1, javaHeapSamplingRate);
    } else if (d.period !== 0) {
      [v0, v1] = [v0 * d.period, v1 * d.period];
    }
    sample.value = [v0, v1];
    d.samples.push(sample);
  }
  d.names = new JavaLocations(text.slice(nl + 1).split("\n").slice(k));
  return d;
}

/** The records of a Java CPU profile (binary, read by legacy-cpu.ts) followed by its location lines. */
export function javaCPUNames(locationText: string): LocationNamer {
  return new JavaLocations(locationText.split("\n"));
}

interface JavaFrame {
  name: string;
  file: string;
  line: number;
}

/** `0xADDR function (file:line)` lines; the names and files as google/pprof splits them. */
class JavaLocations implements LocationNamer {
  constructor(private readonly lines: string[]) {}

  nameLocations(locations: readonly Location[]): ProfileFunction[] {
    const byAddress = new Map(locations.map((l) => [l.address, l]));
    const functions = new Map<string, ProfileFunction>();
    const named = new Set<Location>();
    for (const raw of this.lines) {
      const line = trimSpace(raw);
      if (!line.startsWith("0x")) continue;
      const e = runEnd(line, 2, isHexDigit);
      const ws = runEnd(line, e, isGoSpace);
      if (e === 2 || ws === e) continue;
      const address = parseHex64(line.slice(2, e));
      if (address === undefined) throw malformed(`java profile: address out of range: ${excerpt(line)}`);
      const loc = byAddress.get(address);
      if (!loc) continue;
      const f = javaFrame(line.slice(ws));
      let fn = functions.get(f.name);
      if (!fn) {
        fn = { id: 0, name: f.name, systemName: f.name, filename: f.file, startLine: 0 };
        functions.set(f.name, fn);
      }
      loc.line = [{ function: fn, line: f.line, column: 0 }]; // a later line for the address wins
      named.add(loc);
    }
    // Named locations lose their address before mappings are made (all of them after).
    for (const l of named) l.address = 0n;
    // The functions in use, numbered in order of first use.
    const used = [...new Set(locations.flatMap((l) => l.line.map((ln) => ln.function)))];
    used.forEach((fn, i) => (fn.id = i + 1));
    return used;
  }
}

/** Go's \s: [\t\n\f\r ]. */
const isGoSpace = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r";

/** `func (File.java:12)`, `func (/path/lib.so)`, a JIT stub, or a name alone (GC, VM). */
function javaFrame(s: string): JavaFrame {
  if (s.endsWith(")")) {
    // `(.*)\s+\((.+):(-?\d+)\)$`: the last `:` before the digits, the last ` (` leaving something before it.
    const colon = s.lastIndexOf(":");
    const digitsFrom = s[colon + 1] === "-" ? colon + 2 : colon + 1;
    if (colon > 0 && digitsFrom < s.length - 1 && runEnd(s, digitsFrom, isDigit) === s.length - 1) {
      const open = lastOpenAfterSpace(s, colon - 2);
      if (open > 0) {
        const n = parseDecimal(s.slice(colon + 1, -1));
        return { name: s.slice(0, open - 1), file: s.slice(open + 1, colon), line: n !== undefined && n > 0 ? n : 0 };
      }
    }
    // `(.*)\s+\((.*)\)$`: a shared library's path, of which only the file name is kept.
    const open = lastOpenAfterSpace(s, s.length - 2);
    if (open > 0) return { name: s.slice(0, open - 1), file: baseName(s.slice(open + 1, -1)), line: 0 };
  }
  if (s.includes("generated stub/JIT")) return { name: "STUB", file: "", line: 0 };
  return { name: s, file: "", line: 0 };
}

/** The last `(` at or before `limit` with white space before it; -1 if none. */
function lastOpenAfterSpace(s: string, limit: number): number {
  for (let open = limit < 0 ? -1 : s.lastIndexOf("(", limit); open > 0; open = s.lastIndexOf("(", open - 1)) {
    if (isGoSpace(s[open - 1])) return open;
  }
  return -1;
}

/** filepath.Base: the last element, "." for "", "/" for slashes only. */
function baseName(p: string): string {
  if (p === "") return ".";
  let end = p.length;
  while (end > 0 && p[end - 1] === "/") end--;
  if (end === 0) return "/";
  return p.slice(p.lastIndexOf("/", end - 1) + 1, end);
}
