// Heap profiling (Go's WriteHeapProfile, MemProfileRate).
import type { Writable } from "node:stream";

export async function writeHeapProfile(_w: Writable): Promise<void> {
  throw new Error("not implemented");
}
export function setMemProfileRate(_bytes: number): void {}
