// CPU profiling (Go's StartCPUProfile/StopCPUProfile/SetCPUProfileRate).
import type { Writable } from "node:stream";

export function startCPUProfile(_w: Writable): void {
  throw new Error("not implemented");
}
export async function stopCPUProfile(): Promise<void> {}
export function setCPUProfileRate(_hz: number): void {}
