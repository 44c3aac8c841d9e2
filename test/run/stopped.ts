// Runs a command as a terminal would and stops it as Ctrl-C does: in its own
// process group, with the signal sent to the whole group once the command
// has printed `ready` on stdout.

import { spawn } from "node:child_process";

export interface Stopped {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the signal to the end of the group's leader (its pipes closed). */
  msAfterSignal: number;
}

/** Env of the commands: nothing inherited that would profile or load them differently. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("TSPROF_") && k !== "NODE_OPTIONS" && k !== "NODE_TEST_CONTEXT") env[k] = v;
  return { ...env, ...extra };
}

/**
 * Starts `command` in a new process group, sends `signal` to the group (or,
 * with toLeader, to the group's leader alone) when stdout says `ready`, and
 * resolves when the leader has ended and its pipes closed. A group still
 * running 60 s after the signal is killed (SIGKILL), so a test cannot hang.
 */
export function runAndStop(command: string[], signal: NodeJS.Signals, options: { cwd: string; env: NodeJS.ProcessEnv; ready: string; toLeader?: boolean }): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    let sentAt: number | undefined;
    let guard: NodeJS.Timeout | undefined;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (sentAt === undefined && stdout.includes(options.ready)) {
        sentAt = Date.now();
        process.kill(options.toLeader ? child.pid! : -child.pid!, signal);
        guard = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            // already gone
          }
        }, 60_000);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status, sig) => {
      clearTimeout(guard);
      resolve({ status, signal: sig, stdout, stderr, msAfterSignal: sentAt === undefined ? -1 : Date.now() - sentAt });
    });
  });
}
