// Reading a legacy text profile line by line, as Go's bufio.Scanner does
// (a trailing \r dropped, a line longer than 64 KiB an error), and the
// number forms its parsers accept. Every helper here is linear in its input.

import { SourceError } from "./errors.js";

/** bufio.MaxScanTokenSize: Go refuses longer lines, so does this reader. */
const maxLine = 64 * 1024;

/** Signals that the text is not the format a parser tried (Go's errUnrecognized): the next parser gets a go. */
export class NotThisFormat extends Error {
  override name = "NotThisFormat";
}

export function malformed(what: string): SourceError {
  return new SourceError(`parsing profile: malformed ${what}`);
}

export class LineScanner {
  private pos = 0;
  /** The current line; "" before the first and after the last. */
  text = "";
  /** 1-based number of the current line. */
  lineNo = 0;
  /** Set once the parser knows its format: a line too long is then an error, before it a sign of another format. */
  recognized = false;

  constructor(private readonly src: string) {}

  /** Advances to the next line; false at the end (text is then ""). */
  scan(): boolean {
    if (this.pos >= this.src.length) {
      this.text = "";
      return false;
    }
    let end = this.src.indexOf("\n", this.pos);
    const next = end < 0 ? this.src.length : end + 1;
    if (end < 0) end = this.src.length;
    if (end - this.pos > maxLine) {
      if (!this.recognized) throw new NotThisFormat();
      throw new SourceError(`parsing profile: line ${this.lineNo + 1} is longer than ${maxLine} bytes`);
    }
    let line = this.src.slice(this.pos, end);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    this.pos = next;
    this.text = line;
    this.lineNo++;
    return true;
  }
}

const isSpace = (c: string): boolean => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\v" || c === "\f";

/** strings.TrimSpace for the ASCII white space a profile holds. */
export function trimSpace(s: string): string {
  let a = 0, b = s.length;
  while (a < b && isSpace(s[a]!)) a++;
  while (b > a && isSpace(s[b - 1]!)) b--;
  return s.slice(a, b);
}

export function isSpaceOrComment(line: string): boolean {
  const t = trimSpace(line);
  return t === "" || t[0] === "#";
}

const memoryMapSentinels = ["--- Memory map: ---", "MAPPED_LIBRARIES:"];

/** The line that starts a /proc/self/maps section after the samples. */
export function isMemoryMapSentinel(line: string): boolean {
  return memoryMapSentinels.some((s) => line.includes(s));
}

export const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
export const isHexDigit = (c: string | undefined): boolean =>
  c !== undefined && ((c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F"));
const isLowerHexDigit = (c: string | undefined): boolean => c !== undefined && ((c >= "0" && c <= "9") || (c >= "a" && c <= "f"));

/** End of the run of characters satisfying `pred` starting at `i`. */
export function runEnd(s: string, i: number, pred: (c: string | undefined) => boolean): number {
  while (i < s.length && pred(s[i])) i++;
  return i;
}

/** End of a run of spaces (the ` *` of Go's patterns). */
export function spacesEnd(s: string, i: number): number {
  return runEnd(s, i, (c) => c === " ");
}

const int64Max = (1n << 63n) - 1n;
const uint64Max = (1n << 64n) - 1n;

/** strconv.ParseInt(s, 10, 64) of an optionally signed decimal; undefined when it does not fit. */
export function parseDecimal(s: string): number | undefined {
  const neg = s.startsWith("-");
  const digits = neg || s.startsWith("+") ? s.slice(1) : s;
  if (digits === "" || runEnd(digits, 0, isDigit) !== digits.length) return undefined;
  if (digits.length > 18) {
    const v = BigInt(digits);
    if (v > int64Max + (neg ? 1n : 0n)) return undefined;
  }
  const v = Number(digits);
  return neg ? -v : v;
}

/**
 * strconv.ParseInt(s, 0, 64): a sign, then 0x/0o/0b or a leading 0 (octal)
 * picks the base, and `_` may separate digits.
 */
export function parseGoInt(s: string): number | undefined {
  const neg = s.startsWith("-");
  let body = neg || s.startsWith("+") ? s.slice(1) : s;
  let base = 10;
  let prefixed = false;
  const p = body.slice(0, 2).toLowerCase();
  if (p === "0x") base = 16;
  else if (p === "0o") base = 8;
  else if (p === "0b") base = 2;
  if (base !== 10) {
    body = body.slice(2);
    prefixed = true;
  } else if (body.length > 1 && body[0] === "0") {
    base = 8;
    body = body.slice(1);
    prefixed = true;
  }
  if (!underscoresOK(body, prefixed)) return undefined;
  body = body.replaceAll("_", "");
  if (body === "") return undefined;
  let v = 0n;
  const b = BigInt(base);
  for (const c of body) {
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    v = v * b + BigInt(d);
    if (v > int64Max + 1n) return undefined;
  }
  if (!neg && v > int64Max) return undefined;
  return Number(neg ? -v : v);
}

/** Go's underscoreOK: each `_` sits between digits (or right after a base prefix). */
function underscoresOK(body: string, prefixed: boolean): boolean {
  let prevIsDigit = prefixed;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "_") {
      if (!prevIsDigit) return false;
      prevIsDigit = false;
    } else {
      prevIsDigit = true;
    }
  }
  return body === "" || body[body.length - 1] !== "_";
}

/** A hexadecimal number without its 0x, as a uint64; undefined when it does not fit. */
export function parseHex64(digits: string): bigint | undefined {
  if (digits === "" || digits.length > 16 + runEnd(digits, 0, (c) => c === "0")) return undefined;
  const v = BigInt("0x" + digits);
  return v <= uint64Max ? v : undefined;
}

/**
 * Every `0x[0-9a-f]+` in `s`, as uint64 addresses (Go's parseHexAddresses);
 * undefined when one does not fit in 64 bits.
 */
export function parseHexAddresses(s: string): bigint[] | undefined {
  const out: bigint[] = [];
  let i = 0;
  for (;;) {
    i = s.indexOf("0x", i);
    if (i < 0) return out;
    const end = runEnd(s, i + 2, isLowerHexDigit);
    if (end === i + 2) {
      i += 1;
      continue;
    }
    const v = parseHex64(s.slice(i + 2, end));
    if (v === undefined) return undefined;
    out.push(v);
    i = end;
  }
}

/** addr-1 as a uint64 (0 wraps around, as in Go). */
export function minusOne(addr: bigint): bigint {
  return BigInt.asUintN(64, addr - 1n);
}

/**
 * The leftmost match of a pattern that starts with a number (optionally
 * signed): it can begin only where a number does, and from inside one it
 * would fail or succeed as from its start, so each start is tried once.
 */
export function findAtNumberStart(l: string, match: (i: number) => string[] | undefined): string[] | undefined {
  for (let i = 0; i < l.length; i++) {
    if (!isDigit(l[i]) || isDigit(l[i - 1])) continue;
    const m = (l[i - 1] === "-" ? match(i - 1) : undefined) ?? match(i);
    if (m) return m;
  }
  return undefined;
}

/** `[ x0-9a-f]*` from `i`: where the addresses after `@` end. */
export function addressesEnd(l: string, i: number): number {
  return runEnd(l, i, (c) => c === " " || c === "x" || isDigit(c) || (c !== undefined && c >= "a" && c <= "f"));
}

/** A line cut for an error message. */
export function excerpt(line: string): string {
  return line.length > 80 ? line.slice(0, 77) + "..." : line;
}
