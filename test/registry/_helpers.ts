// Shared by the registry tests: writing a profile to a file or a string, and
// go tool pprof with its stderr checked.

import { createWriteStream, mkdtempSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { collectBytes } from "../helpers/sink.ts";
import { goPprofStrict } from "../helpers/tools.ts";

export const dir = mkdtempSync(join(tmpdir(), "tsprof-registry-"));

/** Runs `write` against a file stream and returns the file's path. */
export async function toFile(name: string, write: (w: Writable) => Promise<void>): Promise<string> {
  const path = join(dir, name);
  const w = createWriteStream(path);
  await write(w);
  w.end();
  await once(w, "finish");
  return path;
}

/** Collects what `write` writes, as text. */
export async function toText(write: (w: Writable) => Promise<void>): Promise<string> {
  return (await collectBytes(write)).toString("utf8");
}

/** A writer whose every write fails. */
export function failingWriter(): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb(new Error("disk full"));
    },
  });
}

/** go tool pprof ARGS: stdout; fails the test on a non-zero exit or any warning. */
export const pprof = goPprofStrict;

/** The 1-based line of the caller of here(), from V8's (source-mapped) stack. */
export function here(): number {
  const stack = new Error().stack!.split("\n")[2]!;
  return Number(/:(\d+):\d+\)?$/.exec(stack)![1]);
}
