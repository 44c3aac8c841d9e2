// `tsprof run [flags] -- COMMAND [ARGS...]`: runs COMMAND with the preload in
// NODE_OPTIONS (so every Node.js process below it is profiled), passes
// signals on, merges the part files when it ends, and exits as it did.

import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { constants as osConstants } from "node:os";
import { ConfigError, PARTS_DIR_ENV, RUN_ENV_NAMES, WRAPPER_PID_ENV, configToEnv, preloadOption, type RunConfig } from "./config.js";
import { parseRunArgs, runUsage } from "./flags.js";
import { makePartsDir, removePartsDir } from "./parts.js";
import { stillWriting, writeProfiles } from "./finish.js";
import { relaySignal } from "./signal-watch.js";

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/**
 * How long the merge waits for processes still writing their parts when the
 * command's first process has ended (a launcher that did not wait for its
 * child, or a child ending at the same moment).
 */
export const PARTS_WAIT_MS = 2_000;
const PARTS_POLL_MS = 20;

/** Resolves once no started process is still writing its parts, after waitMs at most, or at a signal. */
async function awaitParts(config: RunConfig, dir: string, waitMs: number): Promise<void> {
  const until = Date.now() + waitMs;
  let signalled = false;
  const stop = (): void => {
    signalled = true;
  };
  for (const signal of FORWARDED) process.on(signal, stop);
  try {
    while (!signalled && Date.now() < until && stillWriting(config, dir).length > 0) await new Promise((r) => setTimeout(r, PARTS_POLL_MS));
  } finally {
    for (const signal of FORWARDED) process.off(signal, stop);
  }
}

/** A .js/.mjs/.cjs path as the command means `node FILE`. */
export function resolveCommand(command: string[], cwd: string): string[] {
  const [first, ...rest] = command;
  if (first && /\.(c|m)?js$/i.test(first) && isFile(resolve(cwd, first))) return [process.execPath, first, ...rest];
  return command;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return isFile(path);
  } catch {
    return false;
  }
}

/** Whether the program can be started: a path that is executable, or a name found on PATH. */
function findProgram(program: string, cwd: string, env: NodeJS.ProcessEnv): boolean {
  if (program.includes("/")) return isExecutable(resolve(cwd, program));
  return (env.PATH ?? "").split(delimiter).some((dir) => dir && isExecutable(join(dir, program)));
}

function cannotStart(program: string, cwd: string): string {
  if (!isFile(resolve(cwd, program))) return `${program}: command not found`;
  if (/\.(c|m)?ts$/i.test(program)) return `${program}: TypeScript needs a loader, e.g. tsprof run [flags] -- node --import tsx ${program}`;
  return `${program}: not executable`;
}

/**
 * The preload's CommonJS bundle (dist/cjs/register.cjs, from dist/esm/run/) of the CommonJS build:
 * one file, loaded with --require by ESM and CommonJS programs alike.
 */
function registerUrl(): string {
  const url = new URL("../../cjs/register.cjs", import.meta.url);
  if (!existsSync(url)) throw new Error(`tsprof run: the preload ${url.pathname} is missing (build tsprof first)`);
  return url.href;
}

export async function runCommand(args: string[]): Promise<number> {
  const cwd = process.cwd();
  let parsed;
  try {
    parsed = parseRunArgs(args, cwd);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`tsprof run: ${err.message}\n${runUsage}`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(runUsage);
    return 0;
  }
  const command = resolveCommand(parsed.command, cwd);
  if (!findProgram(command[0]!, cwd, process.env)) {
    process.stderr.write(`tsprof run: ${cannotStart(command[0]!, cwd)}\n`);
    return 127;
  }

  const preload = preloadOption(registerUrl());
  const partsDir = makePartsDir();
  // The flags replace any TSPROF_* profile settings the caller's environment had.
  const inherited = { ...process.env };
  for (const name of RUN_ENV_NAMES) delete inherited[name];
  const options = process.env.NODE_OPTIONS ?? "";
  const env = {
    ...inherited,
    ...configToEnv(parsed.config),
    [PARTS_DIR_ENV]: partsDir,
    [WRAPPER_PID_ENV]: String(process.pid),
    NODE_OPTIONS: `${options} ${preload}`.trim(),
  };

  const child = spawn(command[0]!, command.slice(1), { stdio: "inherit", env });
  // A command killed because it could not handle the signal passed on: tsprof run dies of that signal.
  let killedFor: NodeJS.Signals | undefined;
  let unwatch = (): void => {};
  const forward = (signal: NodeJS.Signals) => () => {
    unwatch();
    if (child.pid === undefined) return;
    unwatch = relaySignal(signal, {
      dir: partsDir,
      pid: child.pid,
      config: parsed.config,
      pass: () => child.kill(signal),
      kill: () => {
        killedFor = signal;
        child.kill("SIGKILL");
      },
    });
  };
  const handlers = FORWARDED.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);

  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolveOutcome) => {
    child.once("error", (error) => resolveOutcome({ code: null, signal: null, error }));
    child.once("exit", (code, signal) => resolveOutcome({ code, signal }));
  });
  for (const [signal, handler] of handlers) process.off(signal, handler);
  unwatch();
  if (killedFor && outcome.signal === "SIGKILL") outcome.signal = killedFor;

  if (outcome.error) {
    removePartsDir(partsDir);
    process.stderr.write(`tsprof run: starting ${command[0]}: ${outcome.error.message}\n`);
    return 127;
  }
  await awaitParts(parsed.config, partsDir, PARTS_WAIT_MS);
  for (const line of writeProfiles(parsed.config, partsDir, cwd)) process.stderr.write(line + "\n");
  removePartsDir(partsDir);

  if (outcome.signal) {
    // Die of the same signal, so whoever started tsprof sees what it would have seen.
    process.kill(process.pid, outcome.signal);
    return 128 + (osConstants.signals[outcome.signal] ?? 0);
  }
  return outcome.code ?? 1;
}
