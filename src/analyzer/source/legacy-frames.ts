// Names for the addresses of a legacy text profile, from the text's own
// comment lines. Go's debug=1 texts print each frame of a record as
// `#	0x4a5b3b	main.foo+0x1b	/path/file.go:12` (the address being the
// return address minus one, the location's own address), tsprof's print
// `#	0x3	name+0x0	file:12` (the address of the `@` line itself, as its
// addresses are synthetic). Inlined calls share one address: their lines
// come innermost first. A location without a comment keeps its address alone.

import type { Line, Location, ProfileFunction } from "../../profile/model.js";
import type { LocationNamer } from "./legacy-profile.js";
import { isHexDigit, isSpaceOrComment, parseHex64, runEnd, trimSpace } from "./legacy-lines.js";

interface CommentFrame {
  name: string;
  file: string;
  line: number;
}

interface Entry {
  record: number;
  frames: CommentFrame[];
}

export class CommentFrames implements LocationNamer {
  private readonly byAddress = new Map<bigint, Entry>();
  private record = 0;
  private previous: bigint | undefined;

  /** A sample line starts a record: its comments describe its addresses. */
  startRecord(): void {
    this.record++;
    this.previous = undefined;
  }

  /** Reads one `#` line; lines that are not frames (labels, statistics) are skipped. */
  addComment(line: string): void {
    const parsed = parseFrameComment(line);
    if (!parsed) {
      this.previous = undefined;
      return;
    }
    const { address, frame } = parsed;
    const entry = this.byAddress.get(address);
    if (!entry) {
      this.byAddress.set(address, { record: this.record, frames: frame ? [frame] : [] });
    } else if (entry.record === this.record && this.previous === address && frame && !sameFrame(entry.frames.at(-1), frame)) {
      // The caller an inlined call was folded into (a repeated frame is
      // direct recursion instead: a call inlined into itself cannot be).
      entry.frames.push(frame);
    }
    this.previous = address;
  }

  /**
   * Gives each location the lines its comments name. Whether comments carry
   * the location's address (Go) or the one printed on the `@` line, one more
   * (tsprof), is decided by which matches more locations.
   */
  nameLocations(locations: readonly Location[]): ProfileFunction[] {
    const functions: ProfileFunction[] = [];
    if (this.byAddress.size === 0) return functions;
    let same = 0, next = 0;
    for (const l of locations) {
      if (this.byAddress.has(l.address)) same++;
      if (this.byAddress.has(BigInt.asUintN(64, l.address + 1n))) next++;
    }
    const shift = same >= next ? 0n : 1n;
    const byKey = new Map<string, ProfileFunction>();
    const functionFor = (f: CommentFrame): ProfileFunction => {
      const key = `${f.name}\0${f.file}`;
      let fn = byKey.get(key);
      if (!fn) {
        fn = { id: functions.length + 1, name: f.name, systemName: f.name, filename: f.file, startLine: 0 };
        byKey.set(key, fn);
        functions.push(fn);
      }
      return fn;
    };
    for (const l of locations) {
      const entry = this.byAddress.get(BigInt.asUintN(64, l.address + shift));
      if (!entry) continue;
      l.line = entry.frames.map((f): Line => ({ function: functionFor(f), line: f.line, column: 0 }));
    }
    return functions;
  }
}

function sameFrame(a: CommentFrame | undefined, b: CommentFrame): boolean {
  return a !== undefined && a.name === b.name && a.file === b.file && a.line === b.line;
}

/**
 * `#	0xADDR	NAME+0xOFF	FILE:LINE` (fields separated by tabs, or by
 * spaces in a text without tabs), or `#	0xADDR` for a frame without a name.
 */
export function parseFrameComment(line: string): { address: bigint; frame: CommentFrame | undefined } | undefined {
  const t = trimSpace(line);
  if (t[0] !== "#") return undefined;
  const body = t.slice(1);
  const fields = (body.includes("\t") ? body.split("\t") : body.split(" ")).map(trimSpace).filter((f) => f !== "");
  const addr = fields[0];
  if (addr === undefined || !addr.startsWith("0x") || runEnd(addr, 2, isHexDigit) !== addr.length) return undefined;
  const address = parseHex64(addr.slice(2));
  if (address === undefined) return undefined;
  if (fields.length < 2) return { address, frame: undefined };
  const name = withoutOffset(fields[1]!);
  const { file, line: lineNo } = fileAndLine(fields.slice(2).join(" "));
  return { address, frame: { name, file, line: lineNo } };
}

/** `main.foo+0x1b` → `main.foo`. */
function withoutOffset(s: string): string {
  const i = s.lastIndexOf("+0x");
  if (i > 0 && i + 3 < s.length && runEnd(s, i + 3, isHexDigit) === s.length) return s.slice(0, i);
  return s;
}

/** `/path/file.go:12` → file and line; `:0` (no file) → "" and 0. */
function fileAndLine(s: string): { file: string; line: number } {
  const i = s.lastIndexOf(":");
  if (i >= 0 && i + 1 < s.length && runEnd(s, i + 1, (c) => c !== undefined && c >= "0" && c <= "9") === s.length) {
    const n = Number(s.slice(i + 1));
    if (Number.isSafeInteger(n)) return { file: s.slice(0, i), line: n };
  }
  return { file: s, line: 0 };
}

/** True for a line that holds no record (blank or `#`); a comment's frame is remembered. */
export function skipNonRecord(line: string, comments: CommentFrames): boolean {
  if (!isSpaceOrComment(line)) return false;
  if (trimSpace(line)[0] === "#") comments.addComment(line);
  return true;
}
