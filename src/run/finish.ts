// The end of a run: each requested profile's parts merged into its file, with
// each sample labelled with the pid (and thread) it came from, and one stderr
// line per profile saying where it went (or why it did not). Synchronous, so
// the owner of a preload-only run can do it in 'exit'.

import { readFileSync, writeFileSync } from "node:fs";
import { platform } from "node:os";
import { relative, isAbsolute } from "node:path";
import { decodeProfile } from "../profile/decode.js";
import { encodeProfileGzipSync } from "../profile/encode.js";
import { mergeProfiles } from "../profile/merge.js";
import type { ProfileData } from "../profile/model.js";
import { PROFILE_KINDS, type ProfileKind, type RunConfig } from "./config.js";
import { listParts, partErrors, silentPids, startedCommand, type Part } from "./parts.js";
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

/** Whether the process runs (a zombie, ended but not yet reaped, does not). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  if (platform() !== "linux") return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The processes that started profiling, wrote nothing for a requested profile, and still run. */
export function stillWriting(config: RunConfig, dir: string): number[] {
  const pids = new Set<number>();
  for (const kind of PROFILE_KINDS) if (config.files[kind]) for (const pid of silentPids(dir, kind)) pids.add(pid);
  return [...pids].filter(isRunning);
}

/** Why a process left no part: it still runs, or it ended without its 'exit' (SIGKILL, a crash, a signal before its listener). */
function silentReason(dir: string, pid: number): string {
  const command = startedCommand(dir, pid);
  const who = command ? `pid ${pid} (${command})` : `pid ${pid}`;
  return isRunning(pid)
    ? `${who}: still running when the command ended; its profiles are not in this one`
    : `${who}: ended without writing its profiles (killed by a signal it cannot handle, such as SIGKILL, or crashed)`;
}

/** Merges and writes every requested profile; returns the stderr lines (one per profile). */
export function writeProfiles(config: RunConfig, dir: string, cwd: string): string[] {
  const lines: string[] = [];
  for (const kind of PROFILE_KINDS) {
    const file = config.files[kind];
    if (!file) continue;
    const name = NAMES[kind];
    const errors = [...partErrors(dir, kind), ...silentPids(dir, kind).map((pid) => silentReason(dir, pid))];
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
