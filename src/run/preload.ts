// Profiling one process of a run from its first line to its last: start the
// profiles, and write them as part files on every way out.
//
//   normal exit      'beforeExit': collected asynchronously (workers still
//                    running are reached through the event loop)
//   SIGINT/SIGTERM/  collected (synchronously unless worker threads run),
//   SIGHUP           then the signal is raised again so the process dies of
//                    it, as without tsprof; a program with its own listener
//                    keeps its own handling, and does not see tsprof's
//                    (hidden-listeners.ts); a program that never yields is
//                    left to `tsprof run` (signal-watch.ts)
//   process.exit(),  'exit': collected synchronously; the CPU profile then
//   uncaught error   misses the samples of workers still running
//
// The process that owns the run (no parts directory in its environment)
// creates one, makes its child processes load this preload too, and merges
// every part into the final files when it exits.
//
// This runs before the program's first line, in the preload's CommonJS bundle
// (register.ts), where require() loads a module only when it is first needed:
// the collectors and the merging are other files (scripts/build.mjs). With
// only a CPU and/or a memory profile asked for, whose samplers register.ts
// already started, even the collectors wait: they take the profiles over
// when the first worker thread starts, or at exit.

import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { PARTS_DIR_ENV, WRAPPER_PID_ENV, configFromEnv, preloadOption, wantsAnyProfile, type ProfileKind, type RunConfig } from "./config.js";
import type { Collector } from "./collectors.js";
import { makePartsDir, markStarted, writePart, writePartError, removePartsDir } from "./parts.js";
import { hideListeners } from "./hidden-listeners.js";
import { markSignalled } from "./signal-watch.js";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Loaded only now: node:worker_threads costs milliseconds to load (node:inspector loads it anyway). */
function isMainThread(): boolean {
  return (require("node:worker_threads") as typeof import("node:worker_threads")).isMainThread;
}

/** The V8 samplers register.ts started before the first line. */
export interface EarlySamplers {
  /** The CPU sampler (startEarlyThreadProfile), for the CPU profile to take over. */
  cpu: boolean;
  /** The heap sampler, which the heap collector adopts when it loads. */
  heap: boolean;
}

/**
 * Reads the TSPROF_* settings and profiles this process, unless it is a
 * worker thread (workers are profiled by their process's main thread).
 * `registerFile` is the preload's CommonJS entry, which child processes load;
 * `early`: the samplers register.ts started, to be taken over, or ended here
 * if profiling does not go ahead.
 */
export function startFromEnv(registerFile: string, early: EarlySamplers = { cpu: false, heap: false }): void {
  try {
    startProfiling(registerFile, early);
  } catch (err) {
    // The program runs whatever happened here (e.g. no temporary directory for the parts).
    process.stderr.write(`tsprof: profiling disabled: ${message(err)}\n`);
    endSamplers(early);
  }
}

function startProfiling(registerFile: string, early: EarlySamplers): void {
  let config;
  try {
    config = configFromEnv(process.env, process.cwd());
  } catch (err) {
    // A bad variable must not keep the program from running (said once, by the main thread).
    if (isMainThread()) process.stderr.write(`tsprof: profiling disabled: ${message(err)}\n`);
    endSamplers(early);
    return;
  }
  if (config.push) {
    // Pushed profiles: each process of the run pushes its own (src/run/push.ts).
    if (isMainThread()) (require("./push.js") as typeof import("./push.js")).pushFromRun(config.push);
    return;
  }
  if (!wantsAnyProfile(config) || !isMainThread()) return;
  profileProcess(config, registerFile, early);
}

/** Ends the CPU sampler register.ts started if no CPU profile took it over. */
function endSampler(): void {
  (require("../collect/cpu-session.js") as typeof import("../collect/cpu-session.js")).releaseEarlyThreadProfile();
}

/** Ends both early samplers: profiling does not go ahead. */
function endSamplers(early: EarlySamplers): void {
  if (early.cpu) endSampler();
  if (early.heap) (require("../collect/heap-sampler.js") as typeof import("../collect/heap-sampler.js")).stopSampler();
}

/** Profiles this process; `registerFile` is the preload's CommonJS entry, for child processes. */
/** This process's script and arguments, short, to name it in a note ("npx-cli.js tsx server.ts"). */
function commandLine(): string {
  const evalAt = process.execArgv.findIndex((a) => a === "-e" || a === "--eval" || a === "-p" || a === "--print");
  const words = evalAt >= 0 ? ["node", ...process.execArgv.slice(evalAt, evalAt + 2), ...process.argv.slice(1)] : [basename(process.argv[1] ?? "node"), ...process.argv.slice(2)];
  const line = words.join(" ").replace(/\s+/g, " ");
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

export function profileProcess(config: RunConfig, registerFile: string, early: EarlySamplers = { cpu: false, heap: false }): void {
  const cpuSampling = early.cpu;
  let dir = process.env[PARTS_DIR_ENV];
  const owner = !dir;
  if (!dir) {
    dir = makePartsDir();
    process.env[PARTS_DIR_ENV] = dir;
    // Started with `node --import tsprof/register`: children see the preload only through NODE_OPTIONS.
    const options = process.env.NODE_OPTIONS ?? "";
    if (!options.includes("tsprof/register") && !options.includes(registerFile)) {
      process.env.NODE_OPTIONS = `${options} ${preloadOption(pathToFileURL(registerFile).href)}`.trim();
    }
  }
  const partsDir = dir;
  const pid = process.pid;
  // The first process of `tsprof run`'s command: the wrapper watches that it handles signals.
  const watched = process.env[WRAPPER_PID_ENV] === String(process.ppid);
  // Every process says it started, so that whoever merges can tell one that ended without its parts.
  markStarted(partsDir, pid, commandLine());

  const pending = new Set<Collector>();
  let collecting: Promise<void> | undefined;

  // Started once: now, or, for CPU and memory profiles whose samplers already
  // run (register.ts), when the first worker thread starts (the CPU profile
  // must reach it) or at exit, whichever comes first: until then V8's
  // samplers record everything, and nothing more needs loading.
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    process.off("worker", start);
    try {
      const { startCollectors } = require("./collectors.js") as typeof import("./collectors.js");
      const { collectors, failed } = startCollectors(config);
      for (const [kind, err] of failed) writePartError(partsDir, kind, pid, message(err));
      for (const c of collectors) pending.add(c);
    } catch (err) {
      for (const kind of Object.keys(config.files) as ProfileKind[]) writePartError(partsDir, kind, pid, message(err));
    }
    if (cpuSampling) endSampler();
  };

  const written = (c: Collector, data: Uint8Array | undefined, why: string): void => {
    pending.delete(c);
    try {
      if (data) writePart(partsDir, c.kind, pid, data);
      else writePartError(partsDir, c.kind, pid, why);
    } catch (err) {
      writePartError(partsDir, c.kind, pid, `writing part: ${message(err)}`);
    }
  };

  let finished = false;
  const finishOwner = (): void => {
    if (!owner || finished) return;
    finished = true;
    // Loaded only here: merging is the owner's job, at the very end.
    const { writeProfiles } = require("./finish.js") as typeof import("./finish.js");
    for (const line of writeProfiles(config, partsDir, process.cwd())) process.stderr.write(line + "\n");
    removePartsDir(partsDir);
  };

  const takeNow = (c: Collector): Promise<Uint8Array> => {
    try {
      return c.take();
    } catch (err) {
      return Promise.reject(err);
    }
  };

  const collectAsync = (): Promise<void> => {
    start();
    // Every profile is taken in this tick, in the collectors' order; only
    // the encoding (and the workers' CPU profiles) waits.
    collecting ??= Promise.all(
      [...pending].map((c) =>
        takeNow(c).then(
          (data) => written(c, data, ""),
          (err: unknown) => written(c, undefined, message(err)),
        ),
      ),
    ).then(() => {});
    return collecting;
  };

  const collectSync = (how: string): void => {
    start();
    for (const c of [...pending]) {
      let data: Uint8Array | undefined;
      let why = `nothing collected (the process ended by ${how})`;
      try {
        data = c.takeSync();
      } catch (err) {
        why = message(err);
      }
      written(c, data, why);
    }
  };

  process.once("beforeExit", () => {
    void collectAsync().then(finishOwner);
  });

  process.on("exit", (code) => {
    collectSync(code === 0 ? "process.exit()" : `exit code ${code} (process.exit() or an uncaught exception)`);
    finishOwner();
  });

  // Worker threads alive now: their share of the CPU profile is reached only
  // through the event loop.
  let liveWorkers = 0;
  process.on("worker", (worker) => {
    liveWorkers++;
    worker.once("exit", () => liveWorkers--);
  });

  const dieOf = (signal: NodeJS.Signals): void => {
    finishOwner();
    for (const s of SIGNALS) process.removeListener(s, signalListeners.get(s)!);
    process.kill(process.pid, signal);
  };
  const signalListeners = new Map<NodeJS.Signals, () => void>();
  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      if (watched) markSignalled(partsDir, pid);
      // A program listening itself decides what the signal means; if it
      // exits, 'exit' writes the profiles.
      if (process.listenerCount(signal) > 1) return;
      if (liveWorkers === 0) {
        // Without tsprof the process would die now: none of the program's
        // code may run before it does (npm, which raises a signal on itself,
        // gives up waiting for its death after 500 ms and reports an error).
        collectSync(`signal ${signal}`);
        dieOf(signal);
        return;
      }
      void collectAsync().then(() => dieOf(signal));
    };
    signalListeners.set(signal, onSignal);
    process.on(signal, onSignal);
  }
  hideListeners(signalListeners);

  // After the signal listeners: the goroutine profile's tracking starts here,
  // and tsprof's own handles are not the program's.
  const kinds = Object.keys(config.files) as ProfileKind[];
  const running = (kind: ProfileKind) => (kind === "cpu" && early.cpu) || (kind === "mem" && early.heap);
  if (kinds.every(running)) {
    // Node's own threads (a module loader's hooks thread) emit it too.
    process.on("worker", start);
  } else {
    start();
  }
}
