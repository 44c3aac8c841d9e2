// Part files: every profiled process writes each of its profiles into the
// run's parts directory when it ends, so nothing is lost when a child exits
// before its parent; a profile it could not collect leaves a note saying why.
// Whoever owns the run (the `tsprof run` wrapper, or the first process of a
// preload-only run) merges them (finish.ts).

import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProfileKind } from "./config.js";

const PART_RE = /^([a-z]+)\.(\d+)\.pb\.gz$/;
const NOTE_RE = /^([a-z]+)\.(\d+)\.err$/;
const STARTED_RE = /^started\.(\d+)$/;

/** The marker a process with the preload writes when it starts (signal-watch.ts reads the first process's). */
export const startedMarker = (pid: number): string => `started.${pid}`;

export function makePartsDir(): string {
  return mkdtempSync(join(tmpdir(), "tsprof-run-"));
}

export function removePartsDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes one process's profile; the rename makes a part appear whole or not at all. */
export function writePart(dir: string, kind: ProfileKind, pid: number, data: Uint8Array): void {
  const file = join(dir, `${kind}.${pid}.pb.gz`);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Records why a process could not collect a profile, for the owner to report. */
export function writePartError(dir: string, kind: ProfileKind, pid: number, message: string): void {
  try {
    writeFileSync(join(dir, `${kind}.${pid}.err`), message);
  } catch {
    // The parts directory is gone: the owner already finished.
  }
}

/**
 * A file saying something happened in a process, and when (Date.now(), ms,
 * its first line), with an optional note after (signal-watch.ts); never fails
 * (the owner may have finished already).
 */
export function writeMarker(dir: string, name: string, note = ""): void {
  try {
    writeFileSync(join(dir, name), note ? `${Date.now()}\n${note}` : String(Date.now()));
  } catch {
    // The parts directory is gone: the owner already finished.
  }
}

function readMarker(dir: string, name: string): string[] | undefined {
  try {
    return readFileSync(join(dir, name), "utf8").split("\n");
  } catch {
    return undefined;
  }
}

/** When the marker was written (ms), or undefined when it was not. */
export function markerTime(dir: string, name: string): number | undefined {
  const ms = Number(readMarker(dir, name)?.[0]);
  return Number.isFinite(ms) ? ms : undefined;
}

export interface Part {
  pid: number;
  file: string;
}

function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The parts of one profile kind, lowest pid first (usually the parent). */
export function listParts(dir: string, kind: ProfileKind): Part[] {
  const parts: Part[] = [];
  for (const name of names(dir)) {
    const m = PART_RE.exec(name);
    if (m && m[1] === kind) parts.push({ pid: Number(m[2]), file: join(dir, name) });
  }
  return parts.sort((a, b) => a.pid - b.pid);
}

/** In a process with the preload: it started, and owes a part or a note for each profile. */
export function markStarted(dir: string, pid: number, command: string): void {
  writeMarker(dir, startedMarker(pid), command);
}

/** What a started process runs (markStarted), as it said; "" when unknown. */
export function startedCommand(dir: string, pid: number): string {
  return readMarker(dir, startedMarker(pid))?.[1] ?? "";
}

/** The processes that started with the preload (markStarted) and wrote neither a part nor a note for this kind. */
export function silentPids(dir: string, kind: ProfileKind): number[] {
  const started: number[] = [];
  const spoke = new Set<number>();
  for (const name of names(dir)) {
    const s = STARTED_RE.exec(name);
    if (s) started.push(Number(s[1]));
    const m = PART_RE.exec(name) ?? NOTE_RE.exec(name);
    if (m && m[1] === kind) spoke.add(Number(m[2]));
  }
  return started.filter((pid) => !spoke.has(pid)).sort((a, b) => a - b);
}

/** The notes of processes that could not collect a profile of this kind, as "pid N: why". */
export function partErrors(dir: string, kind: ProfileKind): string[] {
  const out: string[] = [];
  for (const name of names(dir).sort()) {
    const m = NOTE_RE.exec(name);
    if (!m || m[1] !== kind) continue;
    try {
      out.push(`pid ${m[2]}: ${readFileSync(join(dir, name), "utf8")}`);
    } catch {
      // unreadable: nothing to say
    }
  }
  return out;
}
