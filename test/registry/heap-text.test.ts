// The heap and allocs profiles through the registry: Go's heap text
// (debug != 0) and its agreement with the pprof file, and go tool pprof
// reading both.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { lookup } from "../../src/index.ts";
import { memProfileRate } from "../../src/collect/heap.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { needGo, goPprof } from "../helpers/tools.ts";
import { toFile, toText, dir } from "./_helpers.ts";

const keep: unknown[] = [];
function retainForText(): void {
  for (let i = 0; i < 2000; i++) keep.push(new Array(1000).fill(i));
}
retainForText();

interface Rec { io: number; ib: number; ao: number; ab: number; frames: string[] }

function parseHeapText(text: string): { header: number[]; rate: number; records: Rec[]; trailer: string } {
  const [head, ...rest] = text.split("\n");
  const h = /^heap profile: (\d+): (\d+) \[(\d+): (\d+)\] @ heap\/(\d+)$/.exec(head!);
  assert.ok(h, `header: ${head}`);
  const records: Rec[] = [];
  let i = 0;
  for (; i < rest.length; i++) {
    const m = /^(\d+): (\d+) \[(\d+): (\d+)\] @( 0x[0-9a-f]+)+$/.exec(rest[i]!);
    if (!m) break;
    const frames: string[] = [];
    for (i++; rest[i]!.startsWith("#\t"); i++) frames.push(rest[i]!.split("\t").filter(Boolean)[2]!);
    assert.equal(rest[i], "", "a record ends with an empty line");
    records.push({ io: +m[1]!, ib: +m[2]!, ao: +m[3]!, ab: +m[4]!, frames });
  }
  return { header: h.slice(1, 5).map(Number), rate: +h[5]!, records, trailer: rest.slice(i).join("\n") };
}

test("heap debug=1 is Go's heap text: totals of the records, 2*rate, largest in-use first, memory statistics", async () => {
  const text = await toText((w) => lookup("heap")!.writeTo(w, 1));
  const { header, rate, records, trailer } = parseHeapText(text);
  assert.equal(rate, 2 * memProfileRate());
  const sum = (k: keyof Rec) => records.reduce((a, r) => a + (r[k] as number), 0);
  assert.equal(header[0], sum("io"));
  assert.equal(header[1], sum("ib"));
  assert.equal(header[2], sum("ao"));
  // Go adds 1 to alloc bytes when they equal in-use bytes (pprof's 2-column heuristic).
  assert.equal(header[3], sum("ab") + (sum("ab") === sum("ib") ? 1 : 0));
  for (let i = 1; i < records.length; i++) assert.ok(records[i - 1]!.ib >= records[i]!.ib, "sorted by in-use bytes");
  const mine = records.filter((r) => r.frames.some((f) => f.startsWith("retainForText+")));
  assert.ok(mine.length > 0, "retainForText has records");
  // Raw sampled counts: about 16 MB / 512 KiB = 30 samples, each one 8016-byte array store.
  assert.ok(mine.every((r) => r.io <= r.ao && r.ib <= r.ab));
  assert.match(trailer, /^\n# process\.memoryUsage\(\)\n# rss = \d+\n/);
  assert.match(trailer, /# v8\.getHeapStatistics\(\)\n# total_heap_size = \d+\n/);
  // Negative debug is text too for heap (Go: debug != 0).
  assert.match(await toText((w) => lookup("heap")!.writeTo(w, -1)), /^heap profile: /);
  assert.match(await toText((w) => lookup("allocs")!.writeTo(w, 1)), /^heap profile: /);
});

test("the heap text and the pprof file describe the same records", async () => {
  // Text first: records stay once seen, so a later file holds all of them.
  const { records } = parseHeapText(await toText((w) => lookup("heap")!.writeTo(w, 1)));
  const path = await toFile("heap-registry.pb.gz", (w) => lookup("heap")!.writeTo(w, 0));
  const p = decodeProfile(gunzipSync(readFileSync(path)));
  // Every record's stack is a sample's stack.
  const stacks = new Set(p.sample.map((s) => s.location.map((l) => l.line[0]!.function.name).join(";")));
  for (const r of records) assert.ok(stacks.has(r.frames.map((f) => f.replace(/\+0x0$/, "")).join(";")), r.frames.join(";"));
});

test("go tool pprof reads the heap text and the heap file", async (t) => {
  if (!needGo(t)) return;
  const txt = join(dir, "heap.txt");
  writeFileSync(txt, await toText((w) => lookup("heap")!.writeTo(w, 1)));
  const raw = goPprof(["-raw", txt]);
  assert.match(raw, /PeriodType: space bytes/);
  assert.match(raw, /alloc_objects\/count alloc_space\/bytes inuse_objects\/count inuse_space\/bytes/);
  const path = await toFile("heap-registry2.pb.gz", (w) => lookup("heap")!.writeTo(w, 0));
  assert.match(goPprof(["-top", path]), /retainForText/);
});
