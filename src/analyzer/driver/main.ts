// `tsprof pprof [flags] SOURCE...`: the analyzer's command-line driver, as
// google/pprof's: parse the flags, fetch and merge the sources (and base),
// then print one report (-top, -list=…, -proto…), serve the web UI (-http),
// or start the interactive shell. Every failure is one line on stderr and a
// non-zero exit status.

import process from "node:process";
import { parseArgs, UsageError, type Invocation } from "./flags.js";
import { loadProfiles } from "./load.js";
import { emit, errorLine, type DriverIO } from "./output.js";
import { runReport } from "./report.js";
import { usage } from "./usage.js";
import { isViewerCommand, openInViewer } from "./visualize.js";

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
