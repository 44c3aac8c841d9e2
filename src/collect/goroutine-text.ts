// Text forms of the goroutine, block and mutex profiles: the goroutine dump
// (debug=2, as Go prints goroutines when a program dies) and the contention
// text (debug=1 of block and mutex).

import type { Frame } from "../profile/builder.js";
import type { ProfileData } from "../profile/model.js";
import type { LabelSet } from "./labels.js";
import { labelsText, stackRecordText } from "../registry/text.js";
import { tabwrite } from "../util/tabwriter.js";

export interface DumpEntry {
  /** The async id (the calling thread: its execution async id); 0 when unknown. */
  id: number;
  /** `running`, or the resource kind. */
  state: string;
  /** Leaf first: the running stack, or the creation stack. */
  frames: Frame[];
  ageMs: number | undefined;
  /** The async id of the code that created it. */
  creatorId: number | undefined;
  labels: LabelSet | undefined;
}

/** Go's wait-time form: whole minutes from one minute on; below that, seconds. */
function age(ms: number): string {
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)} minutes`;
  return `${(ms / 1000).toFixed(3)} seconds`;
}

function frameText(f: Frame): string {
  return `${f.name || "(anonymous)"}(...)\n\t${f.file || "?"}:${f.line} +0x0\n`;
}

/**
 * `goroutine ID [STATE, AGE]:` then the frames, `created by F in goroutine N`
 * with its position, and a blank line between units.
 */
export function goroutineDump(entries: readonly DumpEntry[], tracking: boolean): string {
  const parts: string[] = [];
  for (const e of entries) {
    let s = `goroutine ${e.id > 0 ? e.id : "?"} [${e.state}${e.ageMs !== undefined ? ", " + age(e.ageMs) : ""}]:\n`;
    if (e.labels && Object.keys(e.labels).length > 0) {
      const label: Record<string, string[]> = {};
      for (const k in e.labels) label[k] = [e.labels[k]!];
      s += `labels: ${labelsText(label)}\n`;
    }
    for (const f of e.frames) s += frameText(f);
    if (e.state !== "running") {
      // Go names the function holding the `go` statement: here the first
      // frame outside Node's built-ins (the code that called setTimeout, connect, ...).
      const creator = e.frames.find((f) => !f.file.startsWith("node:")) ?? e.frames[0];
      if (creator) {
        s += `created by ${creator.name || "(anonymous)"}${e.creatorId !== undefined ? ` in goroutine ${e.creatorId}` : ""}\n\t${creator.file || "?"}:${creator.line} +0x0\n`;
      } else {
        s += tracking
          ? "\t(created before goroutine tracking was turned on: creation stack unknown)\n"
          : "\t(creation stack not recorded: goroutine tracking is off, see setGoroutineTracking)\n";
      }
    }
    parts.push(s);
  }
  return parts.join("\n");
}

/**
 * Go's block/mutex debug=1 text: `--- contention:` (or `--- mutex:`),
 * `cycles/second=`, mutex's `sampling period=`, then `CYCLES COUNT @ addrs`
 * and the frames of each record, largest delay first. Delays are in
 * nanoseconds, so cycles/second is 1e9.
 */
export function contentionText(header: "contention" | "mutex", p: ProfileData, samplingPeriod?: number): string {
  let out = `--- ${header}:\ncycles/second=1000000000\n`;
  if (samplingPeriod !== undefined) out += `sampling period=${samplingPeriod}\n`;
  const samples = [...p.sample].sort((a, b) => (b.value[1] ?? 0) - (a.value[1] ?? 0));
  for (const s of samples) {
    out += `${s.value[1]} ${s.value[0]} @${s.location.map((l) => " 0x" + l.address.toString(16)).join("")}\n`;
    out += stackRecordText(s.location);
  }
  return tabwrite(out);
}
