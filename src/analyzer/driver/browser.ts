// Starting a viewer for a report file, as google/pprof does: the browser
// ($BROWSER first, then the platform's opener) for -web, or the named
// program for -eog, -evince, -gv and -kcachegrind. Never throws.

import { spawn } from "node:child_process";
import process from "node:process";

/** Starts `cmd args…` detached; resolves false when it cannot be started (not installed). */
export function launchDetached(cmd: string, args: string[]): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    try {
      const child = spawn(cmd, args, { stdio: "ignore", detached: true });
      child.once("error", () => resolve(false));
      child.once("spawn", () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

export async function openBrowser(target: string): Promise<boolean> {
  const candidates: string[][] = [];
  if (process.env.BROWSER) candidates.push([process.env.BROWSER, target]);
  if (process.platform === "darwin") candidates.push(["open", target]);
  else if (process.platform === "win32") candidates.push(["cmd", "/c", "start", "", target]);
  else candidates.push(["xdg-open", target]);
  for (const [cmd, ...args] of candidates) {
    if (await launchDetached(cmd!, args)) return true;
  }
  return false;
}
