// What to profile in a run, and how it travels: `tsprof run` flags and the
// TSPROF_* environment variables read by the preload are the same settings
// under two spellings. The wrapper resolves paths and passes them down; every
// Node.js process under the command reads them from its environment.

import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The profiles a run can write, in the order their files are reported. */
export const PROFILE_KINDS = ["cpu", "mem", "block", "mutex", "goroutine", "threadcreate"] as const;
export type ProfileKind = (typeof PROFILE_KINDS)[number];

export interface RunConfig {
  /** Output file per requested profile (absolute once resolved). */
  files: Partial<Record<ProfileKind, string>>;
  /** --cpuprofilerate (Hz); undefined leaves the library default (100). */
  cpuProfileRate?: number;
  /** --memprofilerate (bytes); undefined or 0 leaves the library default. */
  memProfileRate?: number;
  /** --blockprofilerate; Go's default when -blockprofile is set is 1. */
  blockProfileRate?: number;
  /** --mutexprofilefraction; Go's default when -mutexprofile is set is 1. */
  mutexProfileFraction?: number;
  /** --outputdir: where relative profile paths go. */
  outputDir?: string;
}

/** Flag name (without dashes) → the profile whose file it names. */
export const FILE_FLAGS: Record<string, ProfileKind> = {
  cpuprofile: "cpu",
  memprofile: "mem",
  blockprofile: "block",
  mutexprofile: "mutex",
  goroutineprofile: "goroutine",
  threadcreateprofile: "threadcreate",
};

/** Flag name → the numeric setting it carries. */
export const NUMBER_FLAGS = {
  cpuprofilerate: "cpuProfileRate",
  memprofilerate: "memProfileRate",
  blockprofilerate: "blockProfileRate",
  mutexprofilefraction: "mutexProfileFraction",
} as const satisfies Record<string, keyof RunConfig>;

/** The environment variable of a flag: cpuprofile → TSPROF_CPUPROFILE. */
export function envName(flag: string): string {
  return `TSPROF_${flag.toUpperCase()}`;
}

/** Where the processes of one run drop their part files (set by whoever merges them). */
export const PARTS_DIR_ENV = "TSPROF_PARTS_DIR";

/** The pid of the `tsprof run` wrapper, so its direct child knows itself (signal-watch.ts). */
export const WRAPPER_PID_ENV = "TSPROF_RUN_PID";

/** Every variable that describes a run (what `tsprof run` sets, and replaces when inherited). */
export const RUN_ENV_NAMES: readonly string[] = [
  ...[...Object.keys(FILE_FLAGS), ...Object.keys(NUMBER_FLAGS), "outputdir"].map(envName),
  PARTS_DIR_ENV,
  WRAPPER_PID_ENV,
];

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses a numeric flag value as Go's flag package would an int: integers only. */
export function parseIntFlag(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isSafeInteger(n)) throw new ConfigError(`invalid value "${raw}" for flag -${flag}: parse error`);
  return n;
}

/** A profile path placed under the output directory unless absolute (Go's toOutputDir). */
export function outputPath(file: string, outputDir: string | undefined, cwd: string): string {
  if (isAbsolute(file)) return file;
  return resolve(cwd, outputDir ?? "", file);
}

/** Reads the settings from TSPROF_* variables; paths are resolved against cwd. */
export function configFromEnv(env: NodeJS.ProcessEnv, cwd: string): RunConfig {
  const config: RunConfig = { files: {} };
  const outputDir = env[envName("outputdir")];
  if (outputDir) config.outputDir = resolve(cwd, outputDir);
  for (const [flag, kind] of Object.entries(FILE_FLAGS)) {
    const file = env[envName(flag)];
    if (file) config.files[kind] = outputPath(file, config.outputDir, cwd);
  }
  for (const [flag, key] of Object.entries(NUMBER_FLAGS)) {
    const raw = env[envName(flag)];
    if (raw) config[key] = parseIntFlag(flag, raw);
  }
  return config;
}

/** The TSPROF_* variables that carry `config` to the processes of a run. */
export function configToEnv(config: RunConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [flag, kind] of Object.entries(FILE_FLAGS)) {
    const file = config.files[kind];
    if (file) env[envName(flag)] = file;
  }
  for (const [flag, key] of Object.entries(NUMBER_FLAGS)) {
    const n = config[key];
    if (n !== undefined) env[envName(flag)] = String(n);
  }
  return env;
}

export function wantsAnyProfile(config: RunConfig): boolean {
  return PROFILE_KINDS.some((k) => config.files[k] !== undefined);
}

/** The NODE_OPTIONS entry that loads the preload module at `moduleUrl` (a CommonJS build loads with --require). */
export function preloadOption(moduleUrl: string): string {
  const cjs = moduleUrl.endsWith(".cjs");
  const spec = cjs ? fileURLToPath(moduleUrl) : moduleUrl;
  return `${cjs ? "--require" : "--import"}=${JSON.stringify(spec)}`;
}
