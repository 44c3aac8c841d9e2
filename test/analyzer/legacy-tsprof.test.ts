// tsprof's own debug=1 texts (writeTo(w, 1), /debug/pprof/NAME?debug=1) read
// back by `tsprof pprof`: each of heap, allocs, goroutine, threadcreate,
// block, mutex and a custom profile, with go tool pprof's values and the
// function, file and line of every frame from the text's comment lines.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import * as workerThreads from "node:worker_threads";
import { lookup, newProfile, setBlockProfileRate, setMutexProfileFraction } from "../../src/index.ts";
import { parseProfileBytes } from "../../src/analyzer/source/fetch.ts";
import { collectBytes } from "../helpers/sink.ts";
import { needGo } from "../helpers/tools.ts";
import { runPprof } from "./driver-helpers.ts";
import { assertRawLikeGo } from "./legacy-helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "tsprof-legacy-own-"));
const retained: unknown[] = [];

function retainArrays(): void {
  for (let i = 0; i < 3000; i++) retained.push(new Array(1000).fill(i));
}

function blockOnAtomics(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
}

function holdTheLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(() => {
    const end = Date.now() + 30;
    while (Date.now() < end) { /* busy: the loop is held */ }
    resolve();
  }, 1));
}

async function startWorker(): Promise<void> {
  const w = new workerThreads.Worker("", { eval: true });
  await once(w, "exit");
}

const custom = newProfile("example.com/legacy-conns");
function openConn(key: string): void {
  custom.add(key, 0);
}
function openConnElsewhere(key: string): void {
  custom.add(key, 0);
}

let texts: Map<string, string> | undefined;

/** Each profile's debug=1 text, written after a workload that shows in each. */
async function ownTexts(): Promise<Map<string, string>> {
  if (texts) return texts;
  setBlockProfileRate(1);
  setMutexProfileFraction(1);
  retainArrays();
  for (let i = 0; i < 3; i++) blockOnAtomics();
  await holdTheLoop();
  await startWorker();
  for (let i = 0; i < 3; i++) openConn(`a${i}`);
  for (let i = 0; i < 2; i++) openConnElsewhere(`b${i}`);
  texts = new Map();
  for (const name of ["heap", "allocs", "goroutine", "threadcreate", "block", "mutex", "example.com/legacy-conns"]) {
    const text = (await collectBytes((w) => lookup(name)!.writeTo(w, 1))).toString("utf8");
    texts.set(name, text);
    writeFileSync(join(tmp, name.replaceAll("/", "_") + ".txt"), text);
  }
  setBlockProfileRate(0);
  setMutexProfileFraction(0);
  return texts;
}

const fileOf = (name: string) => join(tmp, name.replaceAll("/", "_") + ".txt");

test("every frame of tsprof's texts is named from its comment line: function, file and line", async () => {
  for (const [name, text] of await ownTexts()) {
    const p = parseProfileBytes(Buffer.from(text));
    assert.ok(p.sample.length > 0, name);
    // The `@` line's address is the comment's; the location's is one less (go tool pprof's reading).
    const byAddress = new Map(p.location.map((l) => [l.address + 1n, l]));
    let checked = 0;
    for (const m of text.matchAll(/^#\t0x([0-9a-f]+)\t+(.+)\+0x0\t+(.*):(\d+)$/gm)) {
      const l = byAddress.get(BigInt("0x" + m[1]!));
      assert.ok(l, `${name}: 0x${m[1]}`);
      // The name as written (the shown name is demangled as go tool pprof does: `<instance_members_initializer>` shows as "").
      assert.deepEqual([l.line[0]!.function.systemName, l.line[0]!.function.filename, l.line[0]!.line], [m[2], m[3], Number(m[4])], name);
      checked++;
    }
    assert.ok(checked > 0, name);
    assert.ok(p.location.every((l) => l.line.length === 1), `${name}: every location named`);
  }
});

test("go tool pprof reads tsprof's texts to the same types, periods and per-stack values", async (t) => {
  if (!needGo(t)) return;
  await ownTexts();
  for (const name of ["heap", "allocs", "goroutine", "threadcreate", "block", "mutex", "example.com/legacy-conns"]) await assertRawLikeGo(fileOf(name));
});

test("the workload shows by name: retained arrays, blocking waits, the held loop, the custom profile's counts", async () => {
  await ownTexts();
  const top = async (name: string, ...flags: string[]) => {
    const r = await runPprof(["-top", ...flags, fileOf(name)]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  assert.match(await top("heap", "-sample_index=inuse_space"), /\sretainArrays$/m);
  assert.match(await top("block"), /\sAtomics\.wait$/m);
  const traces = await runPprof(["-traces", fileOf("block")]);
  assert.match(traces.stdout, /Atomics\.wait\n\s+blockOnAtomics\n/);
  assert.match(await top("mutex"), /holdTheLoop|Timeout/);
  const conns = await top("example.com/legacy-conns", "-cum");
  assert.match(conns, /^\s+3\s+60\.00%\s+\S+\s+3\s+60\.00%\s+openConn$/m);
  assert.match(conns, /^\s+2\s+40\.00%\s+\S+\s+2\s+40\.00%\s+openConnElsewhere$/m);
  assert.match(await top("threadcreate"), /\sstartWorker$/m);
});

test("every report runs on tsprof's texts; -list shows this file's source", async () => {
  await ownTexts();
  for (const name of ["heap", "goroutine", "block", "mutex", "example.com/legacy-conns"]) {
    for (const flags of [["-top"], ["-traces"], ["-tree"], ["-peek=."], ["-tags"], ["-raw"], ["-dot"], ["-svg"], ["-proto"]]) {
      const r = await runPprof([...flags, fileOf(name)]);
      assert.equal(r.code, 0, `${name} ${flags.join(" ")}: ${r.stderr}`);
      // -tags prints nothing for a profile without labels (as Go's).
      if (flags[0] !== "-tags") assert.ok(r.stdout.length > 0, `${name} ${flags.join(" ")}`);
    }
  }
  const list = await runPprof(["-list=^openConn$", fileOf("example.com/legacy-conns")]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /ROUTINE =+ openConn in .*legacy-tsprof\.test\.ts/);
  assert.match(list.stdout, /\s3\s+\d+:\s+custom\.add\(key, 0\);/);
});
