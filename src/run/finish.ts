// The end of a run: each requested profile's parts merged into its file, with
// each sample labelled with the pid (and thread) it came from, and one stderr
// line per profile saying where it went (or why it did not). Synchronous, so
// the owner of a preload-only run can do it in 'exit'.

import { readFileSync, writeFileSync } from "node:fs";
import { relative, isAbsolute } from "node:path";
import { decodeProfile } from "../profile/decode.js";
import { encodeProfileGzipSync } from "../profile/encode.js";
import { mergeProfiles } from "../profile/merge.js";
import type { ProfileData } from "../profile/model.js";
import { PROFILE_KINDS, type ProfileKind, type RunConfig } from "./config.js";
import { listParts, partErrors, type Part } from "./parts.js";
import { programFirst } from "./program.js";

const NAMES: Record<ProfileKind, string> = {
  cpu: "cpu",
  mem: "memory",
  block: "block",
  mutex: "mutex",
  goroutine: "goroutine",
  threadcreate: "threadcreate",
};

/**
 * Adds `pid` to every sample, and `thread` where the collector gave none.
 * pid is a numeric label, so `go tool pprof -tagfocus=pid=1234` selects one
 * process (pprof reads a number there as a numeric range, which never
 * matches a string label).
 */
export function labelProcess(p: ProfileData, pid: number): void {
  for (const s of p.sample) {
    s.numLabel.pid = [pid];
    delete s.numUnit.pid;
    s.label.thread ??= ["main"];
  }
}

export interface MergedParts {
  data: Uint8Array;
  processes: number;
  /** Parts that could not be read (named with the reason), left out of the merge. */
  skipped: string[];
}

/** Merges the parts of one kind into a gzipped profile; undefined when there are none. */
export function mergeParts(parts: Part[]): MergedParts | undefined {
  const profiles: ProfileData[] = [];
  const skipped: string[] = [];
  for (const part of parts) {
    try {
      const p = decodeProfile(readFileSync(part.file));
      labelProcess(p, part.pid);
      profiles.push(p);
    } catch (err) {
      skipped.push(`pid ${part.pid}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (profiles.length === 0) return undefined;
  // The first profile's main mapping names the merged profile (pprof's
  // `File:`): the program's, not its launcher's (program.ts).
  const ordered = programFirst(profiles, (p) => p.mapping[0]?.file);
  // A lone profile is merged too: merging is what drops its zero samples and
  // renumbers it, so one process and many look the same.
  return { data: encodeProfileGzipSync(mergeProfiles(ordered)), processes: profiles.length, skipped };
}

function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

/** Merges and writes every requested profile; returns the stderr lines (one per profile). */
export function writeProfiles(config: RunConfig, dir: string, cwd: string): string[] {
  const lines: string[] = [];
  for (const kind of PROFILE_KINDS) {
    const file = config.files[kind];
    if (!file) continue;
    const name = NAMES[kind];
    const errors = partErrors(dir, kind);
    try {
      const merged = mergeParts(listParts(dir, kind));
      const problems = [...errors, ...(merged?.skipped ?? [])];
      if (!merged) {
        lines.push(`tsprof: ${name} profile not written: ${problems[0] ?? "no Node.js process was profiled"}`);
        continue;
      }
      writeFileSync(file, merged.data);
      const n = merged.processes;
      const note = problems.length > 0 ? `; ${problems.length} part(s) missing: ${problems[0]}` : "";
      lines.push(`tsprof: ${name} profile written to ${shown(file, cwd)} (${n} process${n === 1 ? "" : "es"}${note})`);
    } catch (err) {
      lines.push(`tsprof: ${name} profile not written: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return lines;
}
