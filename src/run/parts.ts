// Part files: every profiled process writes each of its profiles into the
// run's parts directory when it ends, so nothing is lost when a child exits
// before its parent. Whoever owns the run (the `tsprof run` wrapper, or the
// first process of a preload-only run) merges them into one profile per flag,
// labelling each sample with the pid (and thread) it came from.

import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProfile } from "../profile/decode.js";
import { encodeProfileGzipSync } from "../profile/encode.js";
import { mergeProfiles } from "../profile/merge.js";
import type { ProfileData } from "../profile/model.js";
import type { ProfileKind } from "./config.js";

const PART_RE = /^([a-z]+)\.(\d+)\.pb\.gz$/;

export function makePartsDir(): string {
  return mkdtempSync(join(tmpdir(), "tsprof-run-"));
}

/** Writes one process's profile; the rename makes a part appear whole or not at all. */
export function writePart(dir: string, kind: ProfileKind, pid: number, data: Uint8Array): void {
  const file = join(dir, `${kind}.${pid}.pb.gz`);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export interface Part {
  pid: number;
  file: string;
}

/** The parts of one profile kind, lowest pid first (usually the parent). */
export function listParts(dir: string, kind: ProfileKind): Part[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const parts: Part[] = [];
  for (const name of names) {
    const m = PART_RE.exec(name);
    if (m && m[1] === kind) parts.push({ pid: Number(m[2]), file: join(dir, name) });
  }
  return parts.sort((a, b) => a.pid - b.pid);
}

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
  // A lone profile is merged too: merging is what drops its zero samples and
  // renumbers it, so one process and many look the same.
  return { data: encodeProfileGzipSync(mergeProfiles(profiles)), processes: profiles.length, skipped };
}

export function removePartsDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
