// Where a report goes (-output, stdout, or a temporary file for binary data
// on a terminal) and how a failure reads: shared by the one-shot driver and
// the interactive shell.

import { writeFileSync } from "node:fs";
import type { ReportOutput } from "./report.js";
import { tempReportPath } from "./visualize.js";

export interface DriverIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

/** A one-line message for any error (no stack traces for users). */
export function errorLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n")[0]!.trim() || (err instanceof Error ? err.name : "unknown error");
}

/** Writes a report to -output, stdout, or (binary data for a terminal) a temporary file. */
export function emit(out: ReportOutput, output: string, io: DriverIO, warn: (m: string) => void): number {
  let file = output;
  if (file === "" && out.binary && io.stdout.isTTY) {
    file = tempReportPath("report", out.ext);
  }
  if (file !== "") {
    try {
      writeFileSync(file, out.data);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new Error(`writing report to ${file}: ${e.code === "ENOENT" ? "no such file or directory" : e.code === "EACCES" ? "permission denied" : e.code === "EISDIR" ? "is a directory" : e.message}`);
    }
    warn(`Generating report in ${file}`);
    return 0;
  }
  io.stdout.write(out.data);
  return 0;
}
