// The block profile: where the event loop was blocked by synchronous waits
// (fs.*Sync, child_process.*Sync, zlib.*Sync, crypto.*Sync, Atomics.wait).
// Go's goroutines block on channels and locks; a Node.js thread blocks when
// it waits synchronously, and then nothing else runs.
//
// setBlockProfileRate(rate) has Go's meaning: rate <= 0 turns it off (the
// default: nothing is wrapped), rate = 1 records every blocking event, and an
// event of duration d nanoseconds is recorded if rate <= d or else with
// probability d/rate (its count then scaled by rate/d, as Go unbiases it).
// On, the module functions are replaced by timing wrappers (ESM named imports
// follow through syncBuiltinESMExports); a function captured before, as in
// `const { readFileSync } = require("fs")` run earlier, is not seen. A
// function that cannot be replaced (read-only) is skipped and named in the
// profile's comments (patch.ts).

// node:child_process, node:zlib and node:crypto load with this module (most
// of its start-up cost) rather than when the program first loads them: a
// program may import them as ES modules, and Node 20 offers no in-thread hook
// on that (Module._load sees only require()).
import fs from "node:fs";
import childProcess from "node:child_process";
import zlib from "node:zlib";
import crypto from "node:crypto";
import { createRequire, syncBuiltinESMExports } from "node:module";
import type { ProfileData } from "../profile/model.js";
import type { Frame } from "../profile/builder.js";
import { captureLazyStack, pseudoFrame, type LazyStack } from "./goroutine-stack.js";
import { ContentionRecords } from "./block-records.js";
import { PropertyPatches } from "./patch.js";

type AnyFunction = (...args: unknown[]) => unknown;

const records = new ContentionRecords();
/**
 * Events not yet symbolized: folded into `records` before every read, or
 * when MAX_PENDING have gathered. An event then costs one stack capture, and
 * a process that never reads the profile before exit symbolizes only then.
 */
const pending: { leaf: Frame; stack: LazyStack; count: number; delayNanos: number }[] = [];
const MAX_PENDING = 1000;
let rate = 0;
/** The wrapped functions while on; what could not be wrapped goes into the profile's comments. */
const patches = new PropertyPatches();
let installed = false;
/**
 * Set inside a wrapped call and while recording: a blocking call made by
 * another (readFileSync calls fs.openSync) or by recording itself (reading a
 * source map) is part of the outer event, not one of its own.
 */
let busy = false;

/** Go's blocksampled + saveblockevent. */
function blockEvent(leaf: Frame, delayNanos: number, above: AnyFunction): void {
  const r = rate;
  if (r <= 0) return;
  const d = Math.max(1, delayNanos);
  if (r > d && Math.random() * r > d) return;
  busy = true;
  try {
    const stack = captureLazyStack(above);
    if (d < r) pending.push({ leaf, stack, count: r / d, delayNanos: r });
    else pending.push({ leaf, stack, count: 1, delayNanos: d });
    if (pending.length >= MAX_PENDING) flushPending();
  } finally {
    busy = false;
  }
}

/** Symbolizes the pending events into `records` (reading source maps is not an event of its own). */
function flushPending(): void {
  const wasBusy = busy;
  busy = true;
  try {
    for (const e of pending.splice(0)) {
      try {
        records.add([e.leaf], e.stack, e.count, e.delayNanos);
      } catch {
        // A stack that cannot be symbolized: the event under its call alone.
        records.add([e.leaf], NO_STACK, e.count, e.delayNanos);
      }
    }
  } finally {
    busy = wasBusy;
  }
}

const NO_STACK: LazyStack = {};

/** A timing wrapper of a blocking function; undefined for what is not a function. */
function timed(module: string, name: string, original: unknown): AnyFunction | undefined {
  if (typeof original !== "function") return undefined;
  const leaf = pseudoFrame(`${module}.${name}`, `node:${module}`);
  const fn = original as AnyFunction;
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    if (busy) return Reflect.apply(fn, this, args);
    busy = true;
    // process.hrtime: node:perf_hooks would cost start-up time to load.
    const start = process.hrtime.bigint();
    try {
      return Reflect.apply(fn, this, args);
    } finally {
      const delay = Number(process.hrtime.bigint() - start);
      busy = false;
      blockEvent(leaf, delay, wrapper);
    }
  };
  Object.defineProperty(wrapper, "name", { value: name });
  Object.defineProperty(wrapper, "length", { value: fn.length });
  return wrapper;
}

function install(): void {
  if (installed) return;
  installed = true;
  const wrap = (owner: object, module: string, names: readonly string[]) => {
    for (const name of names) patches.replace(owner, module, name, (original) => timed(module, name, original));
  };
  const syncNames = (o: object) => Object.keys(o).filter((k) => k.endsWith("Sync"));
  wrap(fs, "fs", syncNames(fs));
  wrap(childProcess, "child_process", ["execSync", "execFileSync", "spawnSync"]);
  wrap(zlib, "zlib", syncNames(zlib));
  wrap(crypto, "crypto", syncNames(crypto));
  wrap(Atomics, "Atomics", ["wait"]);
  syncBuiltinESMExports();
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  patches.restore();
  syncBuiltinESMExports();
}

/**
 * Go's runtime.SetBlockProfileRate: on average one blocking event sampled per
 * `rate` nanoseconds spent blocked; 1 records every event; <= 0 turns it off.
 * Records already taken are kept.
 */
export function setBlockProfileRate(newRate: number): void {
  if (typeof newRate !== "number" || Number.isNaN(newRate)) throw new TypeError(`setBlockProfileRate: rate must be a number, got ${String(newRate)}`);
  rate = newRate <= 0 ? 0 : Math.trunc(Math.min(newRate, Number.MAX_SAFE_INTEGER)) || 1;
  if (rate > 0) install();
  else uninstall();
}

/** The current block profile rate (0: off). */
export function blockProfileRate(): number {
  return rate;
}

/** The block profile's source for the registry. */
export const blockSource = {
  count: (): number => (flushPending(), records.size),
  collect: (): ProfileData => (flushPending(), records.build(patches.notes)),
  text: (): string => {
    flushPending();
    // The text helpers are loaded when a text form is asked for.
    const { contentionText } = createRequire(import.meta.url)("./goroutine-text.js") as typeof import("./goroutine-text.js");
    return contentionText("contention", records.build());
  },
};
