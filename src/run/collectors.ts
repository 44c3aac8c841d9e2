// How the preload starts and collects each profile a run asked for, through
// the library's public collectors. Every profile can be collected
// asynchronously (normal exit, signals); only those with a synchronous path
// can still be collected inside a process 'exit' listener (process.exit(), an
// uncaught exception), where no promise settles anymore.

import { Writable } from "node:stream";
import { startCPUProfile, stopCPUProfile, stopCPUProfileSync, setCPUProfileRate } from "../collect/cpu.js";
import { writeHeapProfile, setMemProfileRate } from "../collect/heap.js";
import { setBlockProfileRate } from "../collect/block.js";
import { setMutexProfileFraction } from "../collect/mutex.js";
import { lookup } from "../registry/profile.js";
import "../registry/predefined.js";
import type { ProfileKind, RunConfig } from "./config.js";

export interface Collector {
  kind: ProfileKind;
  /** Collects the profile as gzipped pprof bytes. */
  collect(): Promise<Uint8Array>;
  /** The same without the event loop; undefined when this profile cannot be collected so. */
  collectSync?(): Uint8Array | undefined;
}

/** A Writable that keeps what it is given. */
class Sink extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    done();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Registry profile names of the kinds written through lookup(name).writeTo. */
const REGISTRY_NAMES: Partial<Record<ProfileKind, string>> = {
  block: "block",
  mutex: "mutex",
  goroutine: "goroutine",
  threadcreate: "threadcreate",
};

async function writeRegistryProfile(name: string): Promise<Uint8Array> {
  const profile = lookup(name);
  if (!profile) throw new Error(`no "${name}" profile is registered`);
  const sink = new Sink();
  await profile.writeTo(sink, 0);
  return sink.bytes();
}

/** Applies the rates and starts what must run from the start (the CPU profile). */
export function startCollectors(config: RunConfig): Collector[] {
  const collectors: Collector[] = [];
  for (const kind of Object.keys(config.files) as ProfileKind[]) {
    switch (kind) {
      case "cpu": {
        if (config.cpuProfileRate !== undefined) setCPUProfileRate(config.cpuProfileRate);
        // stopCPUProfile writes into this sink (covering running workers
        // too); stopCPUProfileSync returns the bytes instead.
        const sink = new Sink();
        startCPUProfile(sink);
        collectors.push({
          kind,
          async collect() {
            await stopCPUProfile();
            return sink.bytes();
          },
          collectSync: () => stopCPUProfileSync(),
        });
        break;
      }
      case "mem":
        // Go: -memprofilerate sets runtime.MemProfileRate only when > 0.
        if (config.memProfileRate !== undefined && config.memProfileRate > 0) setMemProfileRate(config.memProfileRate);
        collectors.push({
          kind,
          async collect() {
            const sink = new Sink();
            await writeHeapProfile(sink);
            return sink.bytes();
          },
        });
        break;
      case "block":
        setBlockProfileRate(config.blockProfileRate ?? 1);
        collectors.push({ kind, collect: () => writeRegistryProfile(REGISTRY_NAMES.block!) });
        break;
      case "mutex":
        setMutexProfileFraction(config.mutexProfileFraction ?? 1);
        collectors.push({ kind, collect: () => writeRegistryProfile(REGISTRY_NAMES.mutex!) });
        break;
      case "goroutine":
      case "threadcreate":
        collectors.push({ kind, collect: () => writeRegistryProfile(REGISTRY_NAMES[kind]!) });
        break;
    }
  }
  return collectors;
}
