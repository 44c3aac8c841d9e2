// Profiling one process of a run from its first line to its last: start the
// profiles, and write them as part files on every way out.
//
//   normal exit      'beforeExit': collected asynchronously (workers still
//                    running are reached through the event loop)
//   SIGINT/SIGTERM/  collected asynchronously, then the signal is raised
//   SIGHUP           again so the process dies of it, as without tsprof; a
//                    program with its own listener keeps its own handling
//   process.exit(),  'exit': what can be collected synchronously (the CPU
//   uncaught error   profile); the others are reported as not written
//
// The process that owns the run (no parts directory in its environment)
// creates one, makes its child processes load this preload too, and merges
// every part into the final files when it exits.

import { pathToFileURL } from "node:url";
import { setCPUProfileKeepAlive } from "../collect/cpu.js";
import { PARTS_DIR_ENV, type RunConfig } from "./config.js";
import { startCollectors, type Collector } from "./collectors.js";
import { makePartsDir, writePart, removePartsDir } from "./parts.js";
import { writePartError, writeProfiles } from "./finish.js";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The NODE_OPTIONS entry that loads this preload (a CommonJS build loads with --require). */
export function preloadOption(moduleUrl: string): string {
  const cjs = moduleUrl.endsWith(".cjs");
  const spec = cjs ? new URL(moduleUrl).pathname : moduleUrl;
  return `${cjs ? "--require" : "--import"}=${JSON.stringify(spec)}`;
}

export function profileProcess(config: RunConfig, moduleUrl: string): void {
  let dir = process.env[PARTS_DIR_ENV];
  const owner = !dir;
  if (!dir) {
    dir = makePartsDir();
    process.env[PARTS_DIR_ENV] = dir;
    // Started with `node --import tsprof/register`: children see the preload only through NODE_OPTIONS.
    const options = process.env.NODE_OPTIONS ?? "";
    if (!options.includes("tsprof/register") && !options.includes(new URL(moduleUrl).pathname)) {
      process.env.NODE_OPTIONS = `${options} ${preloadOption(moduleUrl)}`.trim();
    }
  }
  const partsDir = dir;
  const pid = process.pid;

  let collectors: Collector[];
  try {
    collectors = startCollectors(config);
  } catch (err) {
    for (const kind of Object.keys(config.files)) writePartError(partsDir, kind as Collector["kind"], pid, message(err));
    collectors = [];
  }
  const pending = new Set(collectors);
  let collecting: Promise<void> | undefined;

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
    for (const line of writeProfiles(config, partsDir, process.cwd())) process.stderr.write(line + "\n");
    removePartsDir(partsDir);
  };

  const collectAsync = (): Promise<void> => {
    // The kept-alive sampler would only slow the way out.
    setCPUProfileKeepAlive(0);
    collecting ??= (async () => {
      for (const c of [...pending]) {
        try {
          const data = await c.collect();
          if (pending.has(c)) written(c, data, "");
        } catch (err) {
          if (pending.has(c)) written(c, undefined, message(err));
        }
      }
    })();
    return collecting;
  };

  const collectSync = (how: string): void => {
    for (const c of [...pending]) {
      let data: Uint8Array | undefined;
      let why = `cannot be collected when the process ends by ${how}`;
      try {
        data = c.collectSync?.();
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

  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      // A program listening itself decides what the signal means; if it
      // exits, 'exit' writes the profiles.
      if (process.listenerCount(signal) > 1) return;
      void collectAsync().then(() => {
        finishOwner();
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      });
    };
    process.on(signal, onSignal);
  }
}
