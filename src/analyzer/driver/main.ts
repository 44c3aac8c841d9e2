// `tsprof pprof [flags] SOURCE...`: the analyzer's command-line driver, as
// google/pprof's: parse the flags, fetch and merge the sources (and base),
// then print one report (-top, -list=…, -proto…), serve the web UI (-http),
// or start the interactive shell. Every failure is one line on stderr and a
// non-zero exit status.

import { writeFileSync } from "node:fs";
import process from "node:process";
import { parseArgs, UsageError, type Invocation } from "./flags.js";
import { loadProfiles } from "./load.js";
import { runReport, type ReportOutput } from "./report.js";
import { usage } from "./usage.js";
import { isViewerCommand, openInViewer, tempReportPath } from "./visualize.js";

export interface DriverIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

const defaultIO = (): DriverIO => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });

export async function pprofCommand(args: string[], io: DriverIO = defaultIO()): Promise<number> {
  const warn = (m: string) => void io.stderr.write(m + "\n");
  // `tsprof pprof -top f | head` closes the pipe early: not an error.
  io.stdout.on("error", () => {});
  let inv: Invocation;
  try {
    inv = parseArgs(args);
  } catch (err) {
    if (err instanceof UsageError) {
      warn(`tsprof pprof: ${err.message} (tsprof pprof -help for usage)`);
      return 2;
    }
    throw err;
  }
  if (inv.help) {
    io.stdout.write(usage);
    return 0;
  }
  try {
    for (const w of inv.warnings) warn(w);
    const loaded = await loadProfiles(inv, warn);
    if (inv.command) {
      const out = await runReport(inv.command, loaded.profile, inv.config, warn);
      if (isViewerCommand(inv.command.name) && inv.config.output === "") return await openInViewer(inv.command.name, out, warn);
      return emit(out, inv.config.output, io, warn);
    }
    if (inv.http !== "") {
      const { startWebUI } = await import("./web.js");
      return await startWebUI(inv, loaded, warn);
    }
    const { runShell } = await import("../shell/index.js");
    return await runShell(loaded.profile, inv.config, io);
  } catch (err) {
    warn(`tsprof pprof: ${errorLine(err)}`);
    return 1;
  }
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
