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
  /** --push URL and its settings: continuous profiling pushed to a Pyroscope server (src/push). */
  push?: PushRunConfig;
}

/** What --push and the --push* flags carry. Credentials travel only in the environment (PUSH_SECRET_ENV). */
export interface PushRunConfig {
  url: string;
  app?: string;
  /** "k=v,k=v" as given. */
  tags?: string;
  periodMs?: number;
  tenant?: string;
}

/** Flag name → the push setting it carries (all strings but the period, a Go duration). */
export const PUSH_FLAGS = {
  push: "url",
  pushapp: "app",
  pushtags: "tags",
  pushperiod: "periodMs",
  pushtenant: "tenant",
} as const satisfies Record<string, keyof PushRunConfig>;

/** Credentials for --push, read from the environment only (never a flag, which `ps` would show). */
export const PUSH_SECRET_ENV = { token: "TSPROF_PUSH_TOKEN", basicAuth: "TSPROF_PUSH_BASIC_AUTH" } as const;

/** Parses a Go duration of ms, s, m or h parts ("15s", "1m30s", "500ms") to ms. */
export function parseDuration(flag: string, raw: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  let ms = 0, m: RegExpExecArray | null, end = 0;
  while ((m = re.exec(raw))) {
    ms += Number(m[1]) * unit[m[2] as keyof typeof unit];
    end = re.lastIndex;
  }
  if (raw === "" || end !== raw.length || ms <= 0) throw new ConfigError(`invalid value "${raw}" for flag -${flag}: a positive duration such as 15s, 500ms or 1m is needed`);
  return ms;
}

/** Parses "k=v,k=v" tags. */
export function parsePushTags(raw: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of raw.split(",")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new ConfigError(`invalid value "${raw}" for flag -pushtags: key=value pairs separated by commas are needed`);
    tags[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return tags;
}

/** Sets one push flag's value on config (from a flag or its variable). */
export function setPushFlag(config: RunConfig, flag: keyof typeof PUSH_FLAGS, raw: string): void {
  const push = (config.push ??= { url: "" });
  if (flag === "pushperiod") push.periodMs = parseDuration(flag, raw);
  else {
    if (flag === "pushtags") parsePushTags(raw);
    push[PUSH_FLAGS[flag] as "url" | "app" | "tags" | "tenant"] = raw;
  }
}

/** A push configuration that makes sense: a URL, and no profile files besides (both would need the one CPU sampler). */
export function checkPush(config: RunConfig): void {
  if (!config.push) return;
  if (!config.push.url) throw new ConfigError("-pushapp, -pushtags, -pushperiod and -pushtenant need -push URL");
  if (wantsAnyProfile(config)) throw new ConfigError("-push cannot be combined with profile files (-cpuprofile, -memprofile, ...): run one or the other");
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
  ...[...Object.keys(FILE_FLAGS), ...Object.keys(NUMBER_FLAGS), ...Object.keys(PUSH_FLAGS), "outputdir"].map(envName),
  PARTS_DIR_ENV,
  WRAPPER_PID_ENV,
];

/** The variables that make the tsprof/register preload profile a process. */
export const PRELOAD_ENV_NAMES: readonly string[] = [...Object.keys(FILE_FLAGS), "push"].map(envName);

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
  for (const flag of Object.keys(PUSH_FLAGS) as (keyof typeof PUSH_FLAGS)[]) {
    const raw = env[envName(flag)];
    if (raw) setPushFlag(config, flag, raw);
  }
  checkPush(config);
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
  if (config.push) {
    for (const [flag, key] of Object.entries(PUSH_FLAGS)) {
      const v = config.push[key];
      if (v !== undefined) env[envName(flag)] = key === "periodMs" ? `${v}ms` : String(v);
    }
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
