// The goroutine profile: everything the process is waiting on right now —
// its live asynchronous resources (timers, sockets, servers, file and DNS
// requests, child processes, workers, ...), plus the calling thread's own
// stack, as Go's lists every goroutine.
//
// Without tracking (the default) only Node's own list of active resources is
// read (process.getActiveResourcesInfo()): each one's kind, no stack, nothing
// hooked. With tracking on (setGoroutineTracking(true), or
// TSPROF_GOROUTINE_TRACKING=1 in the environment), an async_hooks init/destroy
// hook records for each resource created from then on its kind, creation
// time, creator's labels and (lazily symbolized) creation stack.

import { createHook, executionAsyncId, type AsyncHook } from "node:async_hooks";
import type { ProfileData } from "../profile/model.js";
import type { Frame, SampleLabels } from "../profile/builder.js";
import { ProfileBuilder } from "../profile/builder.js";
import { currentLabels, type LabelSet } from "./labels.js";
import { captureLazyStack, resolveStack, pseudoFrame, type LazyStack } from "./goroutine-stack.js";
import { captureStack } from "./stack.js";
import { countProfileText } from "../registry/text.js";
import { goroutineDump, type DumpEntry } from "./goroutine-text.js";

/** One live resource as tracking saw it created. */
interface Tracked {
  asyncId: number;
  type: string;
  resource: object;
  createdAt: number;
  creatorId: number;
  labels: LabelSet | undefined;
  stack: LazyStack;
}

/**
 * async_hooks types left out: promises (not a thing the process waits on,
 * and far too many), and AsyncResources whose destroy only comes with garbage
 * collection (an HTTP message stays "live" long after it was answered).
 */
const IGNORED = new Set(["PROMISE", "HTTPINCOMINGMESSAGE", "HTTPCLIENTREQUEST", "Microtask"]);

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

function init(asyncId: number, type: string, _trigger: number, resource: object): void {
  if (IGNORED.has(type)) return;
  tracked.set(asyncId, {
    asyncId,
    type,
    resource,
    createdAt: Date.now(),
    creatorId: executionAsyncId(),
    labels: currentLabels(),
    stack: captureLazyStack(init),
  });
}

function destroy(asyncId: number): void {
  tracked.delete(asyncId);
}

/**
 * Turns recording of creation stacks on or off; returns whether it was on.
 * Off forgets what was recorded. Costs: see docs/profiles.md.
 */
export function setGoroutineTracking(on: boolean): boolean {
  const was = hook !== undefined;
  if (on && !hook) {
    hook = createHook({ init, destroy });
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
 * Every unit now: the calling thread's stack first, then tracked resources,
 * then the active resources tracking does not account for (created before
 * it was on, or with it off), by kind alone.
 */
function units(callerStack: Frame[]): Unit[] {
  const now = Date.now();
  const out: Unit[] = [
    { id: executionAsyncId(), kind: "running", stack: callerStack, creation: [], labels: currentLabels(), ageMs: undefined, creatorId: undefined, running: true },
  ];
  const trackedRefCount = new Map<string, number>();
  for (const t of tracked.values()) {
    const kind = kindOf(t.type);
    const creation = resolveStack(t.stack);
    const unref = !hasRef(t.resource);
    if (!unref) trackedRefCount.set(kind, (trackedRefCount.get(kind) ?? 0) + 1);
    out.push({
      id: t.asyncId,
      kind: unref ? `${kind} (unref)` : kind,
      stack: [pseudoFrame(kind), ...creation],
      creation,
      labels: t.labels,
      ageMs: now - t.createdAt,
      creatorId: t.creatorId,
      running: false,
    });
  }
  // Node's list: one name per active (ref'd) resource.
  for (const [kind, n] of activeByKind()) {
    const extra = n - (trackedRefCount.get(kind) ?? 0);
    for (let i = 0; i < extra; i++) {
      out.push({ id: 0, kind, stack: [pseudoFrame(kind)], creation: [], labels: undefined, ageMs: undefined, creatorId: undefined, running: false });
    }
  }
  return out;
}

/** process.getActiveResourcesInfo() counted by name. */
function activeByKind(): Map<string, number> {
  const active = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) active.set(name, (active.get(name) ?? 0) + 1);
  return active;
}

/** The caller's stack without tsprof's own frames on top. */
function callerStack(): Frame[] {
  const frames = captureStack(1);
  const own = frames.findIndex((f) => !isOwnFrame(f));
  return own <= 0 ? frames : frames.slice(own);
}

const OWN_FILE = /[\\/](src|dist[\\/]esm)[\\/](collect|registry)[\\/][\w-]+\.[jt]s$|[\\/]dist[\\/]cjs[\\/]\w+\.cjs$/;
function isOwnFrame(f: Frame): boolean {
  return OWN_FILE.test(f.file) || f.file.startsWith("node:internal/");
}

function labelsOf(set: LabelSet | undefined): SampleLabels | undefined {
  return set && Object.keys(set).length > 0 ? { ...set } : undefined;
}

function build(list: Unit[]): ProfileData {
  const b = new ProfileBuilder({ sampleType: [{ type: "goroutine", unit: "count" }], periodType: { type: "goroutine", unit: "count" }, period: 1 });
  for (const u of list) b.addSample(u.stack, [1], labelsOf(u.labels));
  return b.build();
}

/** The goroutine profile's source for the registry. */
export const goroutineSource = {
  count(): number {
    // The calling thread, tracked resources, and the untracked rest (no stack symbolized).
    const refCount = new Map<string, number>();
    for (const t of tracked.values()) if (hasRef(t.resource)) refCount.set(kindOf(t.type), (refCount.get(kindOf(t.type)) ?? 0) + 1);
    let n = 1 + tracked.size;
    for (const [kind, active] of activeByKind()) n += Math.max(0, active - (refCount.get(kind) ?? 0));
    return n;
  },
  collect(): ProfileData {
    return build(units(callerStack()));
  },
  text(debug: number): string {
    const list = units(callerStack());
    if (debug === 1) return countProfileText("goroutine", build(list));
    return goroutineDump(list.map(toDumpEntry), tracking());
  },
};

function tracking(): boolean {
  return hook !== undefined;
}

function toDumpEntry(u: Unit): DumpEntry {
  return { id: u.id, state: u.running ? "running" : u.kind, frames: u.running ? u.stack : u.creation, ageMs: u.ageMs, creatorId: u.creatorId, labels: u.labels };
}
