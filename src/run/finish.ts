// The end of a run: each requested profile's parts merged into its file, and
// one stderr line per profile saying where it went (or why it did not).
// Synchronous, so the owner of a preload-only run can do it in 'exit'.

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, isAbsolute } from "node:path";
import { PROFILE_KINDS, type ProfileKind, type RunConfig } from "./config.js";
import { listParts, mergeParts } from "./parts.js";

const NAMES: Record<ProfileKind, string> = {
  cpu: "cpu",
  mem: "memory",
  block: "block",
  mutex: "mutex",
  goroutine: "goroutine",
  threadcreate: "threadcreate",
};

/** Records why a process could not collect a profile, for the owner to report. */
export function writePartError(dir: string, kind: ProfileKind, pid: number, message: string): void {
  try {
    writeFileSync(join(dir, `${kind}.${pid}.err`), message);
  } catch {
    // The parts directory is gone: the owner already finished.
  }
}

function partErrors(dir: string, kind: ProfileKind): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    const m = /^([a-z]+)\.(\d+)\.err$/.exec(name);
    if (!m || m[1] !== kind) continue;
    try {
      out.push(`pid ${m[2]}: ${readFileSync(join(dir, name), "utf8")}`);
    } catch {
      // unreadable: nothing to say
    }
  }
  return out;
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
