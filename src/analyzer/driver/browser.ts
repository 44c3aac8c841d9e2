// Starting a viewer for a report file, as google/pprof does: the browser
// ($BROWSER first, then the platform's opener) for -web and -http, or the
// named program for -eog, -evince, -gv and -kcachegrind. Never throws.

import { spawn } from "node:child_process";
import process from "node:process";

/**
 * How long an opener may take to fail before it counts as started. Openers
 * such as xdg-open exit at once, non-zero, when there is no browser or no
 * display; a browser started directly keeps running.
 */
const OPENER_FAILS_WITHIN_MS = 1_000;

/**
 * Starts `cmd args…` detached. Resolves undefined once it runs, or why it
 * could not: not installed, or (with failsWithinMs) exited non-zero that soon.
 */
export function launchDetached(cmd: string, args: string[], failsWithinMs = 0): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd, args, { stdio: "ignore", detached: true });
      child.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ENOENT" ? `${cmd} not found` : `${cmd}: ${err.message}`));
      child.once("spawn", () => {
        if (failsWithinMs <= 0) {
          child.unref();
          return resolve(undefined);
        }
        // Both stay referenced until one ends, so a command about to exit waits for the verdict.
        const timer = setTimeout(() => {
          child.unref();
          resolve(undefined);
        }, failsWithinMs);
        child.once("exit", (code, signal) => {
          clearTimeout(timer);
          resolve(code === 0 ? undefined : `${cmd} exited with ${signal ?? `status ${code}`}`);
        });
      });
    } catch (err) {
      resolve(`${cmd}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}

/** Opens target in a browser; resolves undefined when one started, else why none could. */
export async function openBrowser(target: string): Promise<string | undefined> {
  const candidates: string[][] = [];
  if (process.env.BROWSER) candidates.push([process.env.BROWSER, target]);
  if (process.platform === "darwin") candidates.push(["open", target]);
  else if (process.platform === "win32") candidates.push(["cmd", "/c", "start", "", target]);
  else candidates.push(["xdg-open", target]);
  const failures: string[] = [];
  for (const [cmd, ...args] of candidates) {
    const failure = await launchDetached(cmd!, args, OPENER_FAILS_WITHIN_MS);
    if (failure === undefined) return undefined;
    failures.push(failure);
  }
  return failures.join("; ");
}
