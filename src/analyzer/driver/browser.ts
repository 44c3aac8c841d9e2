// Opening a file or URL in the user's browser, as google/pprof tries:
// $BROWSER first, then the platform's opener. Never throws.

import { spawn } from "node:child_process";
import process from "node:process";

export async function openBrowser(target: string): Promise<boolean> {
  const candidates: string[][] = [];
  if (process.env.BROWSER) candidates.push([process.env.BROWSER, target]);
  if (process.platform === "darwin") candidates.push(["open", target]);
  else if (process.platform === "win32") candidates.push(["cmd", "/c", "start", "", target]);
  else candidates.push(["xdg-open", target]);
  for (const [cmd, ...args] of candidates) {
    const ok = await new Promise<boolean>((resolve) => {
      try {
        const child = spawn(cmd!, args, { stdio: "ignore", detached: true });
        child.once("error", () => resolve(false));
        child.once("spawn", () => {
          child.unref();
          resolve(true);
        });
      } catch {
        resolve(false);
      }
    });
    if (ok) return true;
  }
  return false;
}
