// A heap profile runs no garbage collection of its own where Node lets it
// (Node 26's v8.startHeapProfile starts V8's sampler without forcing one per
// read): garbage dropped just before still shows as in use, until runGC()
// (net/http/pprof's ?gc=1) asks for a collection. On Node 20-24 the
// inspector collects before every read (see docs/heap-and-registry.md for the
// pause): there the garbage is gone at once, and that is checked too.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as v8 from "node:v8";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { writeHeapProfile, setMemProfileRate, runGC } from "../../src/collect/heap.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { toFile } from "../registry/_helpers.ts";

const MiB = 1024 * 1024;
const canReadWithoutGC = typeof (v8 as { startHeapProfile?: unknown }).startHeapProfile === "function";
setMemProfileRate(64 * 1024);

function inuseIn(p: ProfileData, fn: string): number {
  const i = p.sampleType.findIndex((t) => t.type === "inuse_space");
  let sum = 0;
  for (const s of p.sample) if (s.location.some((l) => l.line.some((ln) => ln.function.name === fn))) sum += s.value[i]!;
  return sum;
}

/** 20 MiB of 8 KiB arrays. */
function makeGarbage(): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < (20 * MiB) / 8048; i++) out.push(new Array(1000).fill(i));
  return out;
}

async function inuseOfGarbage(): Promise<number> {
  return inuseIn(decodeProfile(gunzipSync(readFileSync(await toFile("heap-gc.pb.gz", writeHeapProfile)))), "makeGarbage");
}

test(`writeHeapProfile ${canReadWithoutGC ? "collects no garbage (Node 26+)" : "collects garbage first (Node before 26)"}; runGC() collects it`, async () => {
  let held: unknown[] | undefined = makeGarbage();
  // Collected twice while reachable: the arrays now live in the old
  // generation, which only a full collection frees (not the scavenges that
  // writing a profile may trigger).
  await runGC();
  await runGC();
  const live = await inuseOfGarbage();
  assert.ok(live > 15 * MiB, `reachable arrays in use: ${live}`);
  held = undefined;
  void held;
  const dropped = await inuseOfGarbage();
  if (canReadWithoutGC) assert.ok(dropped > 15 * MiB, `dropped arrays still in use until a GC: ${dropped}`);
  else assert.ok(dropped < 1 * MiB, `the inspector collected the dropped arrays: ${dropped}`);
  await runGC();
  const collected = await inuseOfGarbage();
  assert.ok(collected < 1 * MiB, `after runGC: ${collected}`);
});
