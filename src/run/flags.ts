// `tsprof run` flags, parsed as Go's flag package does: -name or --name,
// a value as -name=value or -name value, parsing stops at `--` or at the first
// argument that is not a flag (the command).

import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError, FILE_FLAGS, NUMBER_FLAGS, PUSH_FLAGS, checkPush, outputPath, parseIntFlag, setPushFlag, type RunConfig, wantsAnyProfile } from "./config.js";

export const runUsage = `usage: tsprof run [flags] [--] COMMAND [ARGS...]

Runs COMMAND with profiling preloaded into every Node.js process it starts
(children and worker threads included) and writes one merged profile per flag
when it ends. COMMAND may be a .js/.mjs/.cjs file (node is implied), node,
npx, npm or any program that starts Node.js.

flags:
  --cpuprofile FILE            write a CPU profile
  --cpuprofilerate HZ          CPU sampling rate (default 100)
  --memprofile FILE            write the allocs (heap) profile at exit
  --memprofilerate BYTES       sample one allocation per BYTES (default 524288)
  --blockprofile FILE          write the block profile at exit
  --blockprofilerate N         block profile rate (default 1)
  --mutexprofile FILE          write the mutex profile at exit
  --mutexprofilefraction N     mutex profile fraction (default 1)
  --goroutineprofile FILE      write the goroutine profile at exit
  --threadcreateprofile FILE   write the threadcreate profile at exit
  --outputdir DIR              place relative profile paths under DIR

  --push URL                   push CPU and heap profiles to the Pyroscope server at URL
                               every period instead of writing files (docs/push.md);
                               credentials from TSPROF_PUSH_TOKEN (bearer) or
                               TSPROF_PUSH_BASIC_AUTH (user:password), or in the URL
  --pushapp NAME               application name (default: the main script's name)
  --pushtags K=V,K=V           static tags
  --pushperiod DURATION        upload period (default 15s)
  --pushtenant ID              X-Scope-OrgID tenant header
`;

export interface RunArgs {
  config: RunConfig;
  command: string[];
  help: boolean;
}

/** Parses `tsprof run` arguments; throws ConfigError on bad use. */
export function parseRunArgs(args: string[], cwd: string): RunArgs {
  const files: Record<string, string> = {};
  const config: RunConfig = { files: {} };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (name === "h" || name === "help") return { config, command: [], help: true };
    if (!(name in FILE_FLAGS) && !(name in NUMBER_FLAGS) && !(name in PUSH_FLAGS) && name !== "outputdir") {
      throw new ConfigError(`flag provided but not defined: -${name}`);
    }
    let value: string;
    if (eq >= 0) {
      value = body.slice(eq + 1);
    } else {
      if (i + 1 >= args.length) throw new ConfigError(`flag needs an argument: -${name}`);
      value = args[++i]!;
    }
    if (name in PUSH_FLAGS) {
      if (value === "") throw new ConfigError(`flag -${name}: empty value`);
      setPushFlag(config, name as keyof typeof PUSH_FLAGS, value);
    } else if (name in NUMBER_FLAGS) {
      config[NUMBER_FLAGS[name as keyof typeof NUMBER_FLAGS]] = parseIntFlag(name, value);
    } else if (name === "outputdir") {
      if (value === "") throw new ConfigError("flag -outputdir: empty directory");
      config.outputDir = value;
    } else {
      if (value === "") throw new ConfigError(`flag -${name}: empty file name`);
      files[name] = value;
    }
  }
  const command = args.slice(i);
  if (config.outputDir !== undefined) {
    config.outputDir = outputPath(config.outputDir, undefined, cwd);
    checkDirectory(config.outputDir, "output directory");
  }
  const seen = new Map<string, string>();
  for (const [flag, file] of Object.entries(files)) {
    const path = outputPath(file, config.outputDir, cwd);
    const other = seen.get(path);
    if (other) throw new ConfigError(`-${other} and -${flag} both write ${path}`);
    seen.set(path, flag);
    checkWritable(path, flag);
    config.files[FILE_FLAGS[flag]!] = path;
  }
  checkPush(config);
  if (!wantsAnyProfile(config) && !config.push) throw new ConfigError("no profile requested: give at least one of -cpuprofile, -memprofile, -blockprofile, -mutexprofile, -goroutineprofile, -threadcreateprofile, or -push URL");
  if (command.length === 0) throw new ConfigError("no command given");
  return { config, command, help: false };
}

function checkDirectory(dir: string, what: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new ConfigError(`${what} ${dir} does not exist`);
  }
  if (!isDir) throw new ConfigError(`${what} ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new ConfigError(`${what} ${dir} is not writable`);
  }
}

/** The profile is written at the end: check now that it can be, so a long run is not wasted. */
function checkWritable(path: string, flag: string): void {
  let exists = false;
  try {
    const st = statSync(path);
    exists = true;
    if (st.isDirectory()) throw new ConfigError(`-${flag} ${path}: is a directory`);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
  }
  if (exists) {
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw new ConfigError(`-${flag} ${path}: file is not writable`);
    }
    return;
  }
  try {
    checkDirectory(dirname(path), "directory");
  } catch (err) {
    throw new ConfigError(`-${flag} ${path}: ${(err as Error).message}`);
  }
}
