// The goroutine profile: everything the process is waiting on right now —
// its live asynchronous resources (timers, sockets, servers, file and DNS
// requests, child processes, workers, ...), plus the calling thread's own
// stack, as Go's lists every goroutine.
//
// Without tracking (the default) only Node's own list of active resources is
// read (process.getActiveResourcesInfo()): each one's kind, no stack, nothing
// hooked. With tracking on (setGoroutineTracking(true), or
// TSPROF_GOROUTINE_TRACKING=1 in the environment), an async_hooks init
// hook records for each resource created from then on its kind, creation
// time, creator's labels and (lazily symbolized) creation stack.

import { createHook, executionAsyncId, type AsyncHook } from "node:async_hooks";
import type { ProfileData } from "../profile/model.js";
import type { Frame, SampleLabels } from "../profile/builder.js";
import { currentLabels, type LabelSet } from "./labels.js";
import { captureLazyStack, resolveStack, pseudoFrame, type LazyStack } from "./goroutine-stack.js";
import type { DumpEntry } from "./goroutine-text.js";
import { createRequire } from "node:module";

// What only reading a profile needs (the builder, the text forms, stack
// capture and symbolization) is loaded then, not when tracking starts: the
// collector starts in every process of a run, before its first line.
function load<T>(path: string): T {
  return createRequire(import.meta.url)(path) as T;
}

/** One live resource as tracking saw it created. */
interface Tracked {
  asyncId: number;
  type: string;
  resource: object;
  createdAt: number;
  creatorId: number;
  triggerId: number;
  labels: LabelSet | undefined;
  stack: LazyStack;
}

/**
 * async_hooks types left out: promises, process.nextTick callbacks and
 * microtasks (work already due in this turn of the loop, not something the
 * process waits on; Node does not list them as active either, and there are
 * far too many to pay a stack for each), and AsyncResources whose destroy
 * only comes with garbage collection (an HTTP message stays "live" long after
 * it was answered; its socket is what waits), the DNS resolver's channel
 * (created when node:dns loads; each lookup is a request of its own), and
 * fs/promises' open file and directory handles (nothing waits on an open
 * file, only on its requests, which are listed; a closed one never says so).
 */
const IGNORED = new Set(["PROMISE", "TickObject", "Microtask", "HTTPINCOMINGMESSAGE", "HTTPCLIENTREQUEST", "DNSCHANNEL", "FILEHANDLE", "DIRHANDLE"]);

/**
 * async_hooks type → the name process.getActiveResourcesInfo() gives the
 * same resource, so both sources speak of kinds in one vocabulary.
 */
const KIND_NAMES: Record<string, string> = {
  TCPWRAP: "TCPSocketWrap",
  TCPSERVERWRAP: "TCPServerWrap",
  TCPCONNECTWRAP: "ConnectWrap",
  PIPEWRAP: "PipeWrap",
  PIPESERVERWRAP: "PipeServerWrap",
  PIPECONNECTWRAP: "PipeConnectWrap",
  TTYWRAP: "TTYWrap",
  UDPWRAP: "UDPWrap",
  UDPSENDWRAP: "SendWrap",
  PROCESSWRAP: "ProcessWrap",
  SIGNALWRAP: "SignalWrap",
  FSREQCALLBACK: "FSReqCallback",
  FSREQPROMISE: "FSReqPromise",
  FILEHANDLECLOSEREQ: "CloseReq",
  FSEVENTWRAP: "FSEventWrap",
  STATWATCHER: "StatWatcher",
  GETADDRINFOREQWRAP: "GetAddrInfoReqWrap",
  GETNAMEINFOREQWRAP: "GetNameInfoReqWrap",
  QUERYWRAP: "QueryWrap",
  SHUTDOWNWRAP: "ShutdownWrap",
  WRITEWRAP: "WriteWrap",
  ZLIB: "Zlib",
  WORKER: "Worker",
  MESSAGEPORT: "MessagePort",
};

function kindOf(type: string): string {
  return KIND_NAMES[type] ?? type;
}

const tracked = new Map<number, Tracked>();
let hook: AsyncHook | undefined;

function init(asyncId: number, type: string, triggerId: number, resource: object): void {
  if (IGNORED.has(type)) return;
  // Created unref'd (Node's own housekeeping: a keep-alive timer per HTTP
  // response): it keeps nothing alive, and Node does not list it either.
  if (type === "Timeout" && !hasRef(resource)) return;
  if (++sincePrune === PRUNE_EVERY) {
    sincePrune = 0;
    prune();
  }
  tracked.set(asyncId, {
    asyncId,
    type,
    resource,
    createdAt: Date.now(),
    // Native code (an accepted connection) runs with no async id: its trigger (the server) made it.
    creatorId: executionAsyncId() || triggerId,
    triggerId,
    labels: currentLabels(),
    stack: captureLazyStack(init),
  });
}

/**
 * Turns recording of creation stacks on or off; returns whether it was on.
 * Off forgets what was recorded. Costs: see docs/profiles.md.
 */
export function setGoroutineTracking(on: boolean): boolean {
  const was = hook !== undefined;
  if (on && !hook) {
    hook = createHook({ init });
    hook.enable();
  } else if (!on && hook) {
    hook.disable();
    hook = undefined;
    tracked.clear();
  }
  return was;
}

/** Whether creation stacks are being recorded. */
export function goroutineTracking(): boolean {
  return hook !== undefined;
}

if (process.env.TSPROF_GOROUTINE_TRACKING === "1") setGoroutineTracking(true);

/** One unit of the goroutine profile. */
interface Unit {
  id: number;
  kind: string;
  /** The pseudo-frame naming the kind, then the creation stack (empty when unknown). */
  stack: Frame[];
  creation: Frame[];
  labels: LabelSet | undefined;
  ageMs: number | undefined;
  creatorId: number | undefined;
  running: boolean;
}

/** Whether a timer (or other ref-able resource) keeps the process alive. */
function hasRef(resource: object): boolean {
  const f = (resource as { hasRef?: () => boolean }).hasRef;
  if (typeof f !== "function") return true;
  try {
    return f.call(resource);
  } catch {
    return true;
  }
}

/**
 * Whether a resource is over though its destroy has not come (Node delivers
 * some only with garbage collection): a timer marked destroyed, or a native
 * handle its owner (socket, server, zlib stream, ...) has let go of.
 */
function ended(resource: object): boolean {
  if ((resource as { _destroyed?: boolean })._destroyed === true) return true;
  const owner = ownerOf(resource) as { _handle?: unknown } | undefined;
  return owner !== undefined && owner !== null && "_handle" in owner && owner._handle !== resource;
}

/** Node's internal owner_symbol, found by its description on the first handle that has it. */
let ownerSymbol: symbol | undefined;
function ownerOf(resource: object): unknown {
  if (!ownerSymbol) {
    ownerSymbol = Object.getOwnPropertySymbols(resource).find((s) => s.description === "owner_symbol");
    if (!ownerSymbol) return undefined;
  }
  return (resource as Record<symbol, unknown>)[ownerSymbol];
}

/** Kinds process.getActiveResourcesInfo() lists (when ref'd): libuv handles and requests, timers, immediates. */
const LISTED = new Set([...Object.values(KIND_NAMES), "Timeout", "Immediate"].filter((k) => k !== "Zlib" && k !== "Worker"));

/**
 * The units now, before any stack is symbolized: tracked resources still
 * live, and the active resources tracking does not account for (created
 * before it was on, or with it off), by kind alone. Forgets what is over:
 * there is no destroy hook (it would make Node track every promise's
 * destruction, tripling the cost), so a resource is over when it says so
 * (ended()), and for the kinds Node lists, its list is the truth: of N
 * tracked requests, when Node counts k active, the k newest are.
 */
function prune(): { live: Tracked[]; untracked: string[] } {
  const active = activeByKind();
  const kept = new Map<string, number>();
  const all = [...tracked.values()];
  const live: Tracked[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    const t = all[i]!;
    if (!ended(t.resource)) {
      const kind = kindOf(t.type);
      if (!LISTED.has(kind) || !hasRef(t.resource)) {
        live.push(t);
        continue;
      }
      const n = kept.get(kind) ?? 0;
      if (n < (active.get(kind) ?? 0)) {
        kept.set(kind, n + 1);
        live.push(t);
        continue;
      }
    }
    tracked.delete(t.asyncId);
  }
  live.reverse();
  // A bound on memory for resources that never say they are over.
  for (let i = 0; tracked.size > MAX_TRACKED; i++) tracked.delete(live[i]!.asyncId);
  const untracked: string[] = [];
  for (const [kind, n] of active) for (let i = kept.get(kind) ?? 0; i < n; i++) untracked.push(kind);
  return { live: live.filter((t) => tracked.has(t.asyncId)), untracked };
}

const MAX_TRACKED = 100_000;
/** Pruned every so many creations, so a busy server's tracking stays small between profiles. */
const PRUNE_EVERY = 4096;
let sincePrune = 0;

/** Every unit: the calling thread's stack first, then the tracked, then the untracked resources. */
function units(callerStack: Frame[]): Unit[] {
  const now = Date.now();
  const out: Unit[] = [
    // 1 for the top level, as Go numbers main 1 (ESM top-level code runs with async id 0).
    { id: executionAsyncId() || 1, kind: "running", stack: callerStack, creation: [], labels: currentLabels(), ageMs: undefined, creatorId: undefined, running: true },
  ];
  const { live, untracked } = prune();
  for (const t of live) {
    const kind = kindOf(t.type);
    const creation = creationStack(t);
    out.push({
      id: t.asyncId,
      kind: hasRef(t.resource) ? kind : `${kind} (unref)`,
      stack: [pseudoFrame(kind), ...creation],
      creation,
      labels: t.labels,
      ageMs: now - t.createdAt,
      creatorId: t.creatorId,
      running: false,
    });
  }
  for (const kind of untracked) {
    out.push({ id: 0, kind, stack: [pseudoFrame(kind)], creation: [], labels: undefined, ageMs: undefined, creatorId: undefined, running: false });
  }
  return out;
}

/**
 * A resource's creation stack; one created by native code (an accepted
 * connection) has no JavaScript frames of its own, and gets the stack that
 * created its trigger (the server), as Go names the creator's position.
 */
function creationStack(t: Tracked): Frame[] {
  const frames = resolveStack(t.stack);
  if (frames.some((f) => !f.file.startsWith("node:internal/"))) return frames;
  const trigger = tracked.get(t.triggerId);
  return trigger ? resolveStack(trigger.stack) : [];
}

/** process.getActiveResourcesInfo() counted by name. */
function activeByKind(): Map<string, number> {
  const active = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) active.set(name, (active.get(name) ?? 0) + 1);
  return active;
}

/** The caller's stack without tsprof's own frames on top. */
function callerStack(): Frame[] {
  const frames = load<typeof import("./stack.js")>("./stack.js").captureStack(1);
  const own = frames.findIndex((f) => !isOwnFrame(f));
  return own <= 0 ? frames : frames.slice(own);
}

const OWN_FILE = /[\\/](src|dist[\\/](esm|cjs))[\\/](collect|registry)[\\/][\w-]+\.(ts|js|cjs)$/;
function isOwnFrame(f: Frame): boolean {
  return OWN_FILE.test(f.file) || f.file.startsWith("node:internal/");
}

function labelsOf(set: LabelSet | undefined): SampleLabels | undefined {
  return set && Object.keys(set).length > 0 ? { ...set } : undefined;
}

function build(list: Unit[]): ProfileData {
  const { ProfileBuilder } = load<typeof import("../profile/builder.js")>("../profile/builder.js");
  const b = new ProfileBuilder({ sampleType: [{ type: "goroutine", unit: "count" }], periodType: { type: "goroutine", unit: "count" }, period: 1 });
  for (const u of list) b.addSample(u.stack, [1], labelsOf(u.labels));
  return b.build();
}

/** The goroutine profile's source for the registry. */
export const goroutineSource = {
  count(): number {
    // The calling thread, then the resources (no stack symbolized).
    const { live, untracked } = prune();
    return 1 + live.length + untracked.length;
  },
  collect(): ProfileData {
    return build(units(callerStack()));
  },
  text(debug: number): string {
    const list = units(callerStack());
    if (debug === 1) return load<typeof import("../registry/text.js")>("../registry/text.js").countProfileText("goroutine", build(list));
    return load<typeof import("./goroutine-text.js")>("./goroutine-text.js").goroutineDump(list.map(toDumpEntry), goroutineTracking());
  },
};

function toDumpEntry(u: Unit): DumpEntry {
  return { id: u.id, state: u.running ? "running" : u.kind, frames: u.running ? u.stack : u.creation, ageMs: u.ageMs, creatorId: u.creatorId, labels: u.labels };
}
