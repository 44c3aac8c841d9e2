// The viewer commands (web, weblist, eog, evince, gv, kcachegrind): without
// -output, the report is written to a temporary file and handed to its
// viewer, as go tool pprof does.

import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { launchDetached, openBrowser } from "./browser.js";
import type { ReportOutput } from "./report.js";

/** Viewer programs with their fixed arguments; none means the user's browser. */
const viewers: Record<string, string[]> = {
  web: [],
  weblist: [],
  eog: ["eog"],
  evince: ["evince"],
  gv: ["gv", "--noantialias"],
  kcachegrind: ["kcachegrind"],
};

export function isViewerCommand(name: string): boolean {
  return Object.hasOwn(viewers, name);
}

let tempCounter = 0;

/** A fresh temporary file name for a report (`what`: the command, e.g. "report", "png", "web"). */
export function tempReportPath(what: string, ext: string): string {
  return join(tmpdir(), `tsprof-${what}-${process.pid}-${++tempCounter}${ext}`);
}

/** Writes `out` to a temporary file and opens it; returns the exit status for the command line. */
export async function openInViewer(name: string, out: ReportOutput, warn: (m: string) => void): Promise<number> {
  const file = tempReportPath(name, out.ext);
  writeFileSync(file, out.data);
  const viewer = viewers[name] ?? [];
  if (viewer.length === 0) {
    const failure = await openBrowser(file);
    if (failure) warn(`Could not start a browser (${failure}); set BROWSER to one. The report is in ${file}`);
    return 0;
  }
  const [cmd, ...args] = viewer;
  if ((await launchDetached(cmd!, [...args, file])) === undefined) return 0;
  warn(`could not run ${cmd} (is it installed?); the report is in ${file}`);
  return 1;
}
