// The goroutine profile: live async resources with the stacks that created
// them, in a child process whose every resource is known (3 sockets, 2
// timers), and in this process with tracking off (kinds only).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { once } from "node:events";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { Writable } from "node:stream";
import { lookup } from "../../src/registry/profile.ts";
import "../../src/registry/predefined.ts";
import { setGoroutineTracking, goroutineTracking } from "../../src/collect/goroutine.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { needGo, goPprof, parseTop } from "../helpers/tools.ts";

const here = dirname(fileURLToPath(import.meta.url));
const srcIndex = pathToFileURL(join(here, "../../src/index.ts")).href;

class Sink extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    done();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function write(name: string, debug: number): Promise<Buffer> {
  const sink = new Sink();
  await lookup(name)!.writeTo(sink, debug);
  return sink.bytes();
}

/** Leaf function name → total value, from a decoded profile. */
function byLeaf(p: ProfileData): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of p.sample) {
    const name = s.location[0]?.line[0]?.function.name ?? "";
    m.set(name, (m.get(name) ?? 0) + s.value[0]!);
  }
  return m;
}

const CHILD = `
import net from "node:net";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { open, opendir } from "node:fs/promises";
import { Writable } from "node:stream";
import { lookup, labels, runWithLabels } from ${JSON.stringify(srcIndex)};

const [port, out] = [Number(process.argv[2]), process.argv[3]];
const sockets = [];
function openSockets() {
  for (let i = 0; i < 3; i++) sockets.push(net.connect(port, "127.0.0.1"));
}
function startTimers() {
  setTimeout(() => {}, 60_000);
  runWithLabels(labels("job", "timer"), () => setTimeout(() => {}, 60_000));
}
async function dumpProfiles() {
  const p = lookup("goroutine");
  writeFileSync(out + "/count", String(p.count()));
  for (const debug of [0, 1, 2]) {
    const chunks = [];
    const sink = new Writable({ write(c, _e, done) { chunks.push(c); done(); } });
    // A loop turn first: what the previous write used is gone.
    await new Promise((resolve) => setImmediate(resolve));
    await p.writeTo(sink, debug);
    writeFileSync(out + "/goroutine." + debug, Buffer.concat(chunks));
  }
}
// Files and a directory opened and closed: nothing left of them to wait on.
for (let i = 0; i < 3; i++) await (await open(out + "/count", "w")).close();
await (await opendir(out)).close();
openSockets();
startTimers();
await Promise.all(sockets.map((s) => once(s, "connect")));
// Let the last connect request finish (Node counts it active until its callback returns).
await new Promise((resolve) => setImmediate(resolve));
await dumpProfiles();
process.exit(0);
`;

async function runChild(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "tsprof-goroutine-"));
  writeFileSync(join(dir, "child.mjs"), CHILD);
  const accepted: Socket[] = [];
  const server: Server = createServer((s) => accepted.push(s));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  try {
    const child = spawn(process.execPath, ["--import", "tsx", join(dir, "child.mjs"), String(port), dir], {
      env: { ...process.env, TSPROF_GOROUTINE_TRACKING: "1" },
      // No stdio pipes: they would be resources of the child too.
      stdio: ["ignore", "ignore", "ignore"],
      cwd: join(here, "../.."),
    });
    const [code] = await once(child, "exit");
    assert.equal(code, 0, `child failed; rerun ${join(dir, "child.mjs")} for its output`);
  } finally {
    for (const s of accepted) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
  return dir;
}

test("goroutine, tracking off (the default): each active resource by kind, idle and busy", async (t) => {
  assert.equal(goroutineTracking(), false);
  const idle = decodeProfile(gunzipSync(await write("goroutine", 0)));
  const idleKinds = byLeaf(idle);
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const timers = [setTimeout(() => {}, 60_000), setTimeout(() => {}, 60_000)];
  try {
    // count() beside each write, in the same turn of the loop: writeTo takes
    // its snapshot before its first await, and this process has short-lived
    // requests of its own in flight (file reads, connects: several at any
    // moment on Node 22 and later), so a count taken a turn later differs.
    const busyBytes = write("goroutine", 0);
    const busyCount = lookup("goroutine")!.count();
    const busy = decodeProfile(gunzipSync(await busyBytes));
    const busyKinds = byLeaf(busy);
    assert.equal((busyKinds.get("TCPServerWrap") ?? 0) - (idleKinds.get("TCPServerWrap") ?? 0), 1, `${[...idleKinds]} / ${[...busyKinds]}`);
    assert.equal((busyKinds.get("Timeout") ?? 0) - (idleKinds.get("Timeout") ?? 0), 2);
    assert.equal(busyCount, busy.sample.reduce((n, s) => n + s.value[0]!, 0), `${[...busyKinds]}`);
    const text1Bytes = write("goroutine", 1);
    const text1Count = lookup("goroutine")!.count();
    const text1 = (await text1Bytes).toString();
    assert.match(text1, new RegExp(`^goroutine profile: total ${text1Count}\\n`));
    const text2 = (await write("goroutine", 2)).toString();
    assert.match(text2, /^goroutine \d+ \[running\]:\n/);
    assert.match(text2, /^goroutine \? \[TCPServerWrap\]:\n\t\(creation stack not recorded: goroutine tracking is off/m);
    if (!needGo(t)) return;
    const dir = mkdtempSync(join(tmpdir(), "tsprof-goroutine-"));
    const bytes = await write("goroutine", 0);
    writeFileSync(join(dir, "g.pb.gz"), bytes);
    const top = parseTop(goPprof(["-top", "-nodecount=100", join(dir, "g.pb.gz")]));
    assert.equal(Number(top.find((r) => r.name === "Timeout")?.flat), byLeaf(decodeProfile(gunzipSync(bytes))).get("Timeout"));
  } finally {
    for (const timer of timers) clearTimeout(timer);
    server.close();
  }
});

test("goroutine tracking in this process: turned on later, resources from before still counted by kind", async () => {
  const before = setTimeout(() => {}, 60_000);
  const was = setGoroutineTracking(true);
  try {
    assert.equal(was, false);
    const after = setTimeout(function laterTimer() {}, 60_000);
    const p = decodeProfile(gunzipSync(await write("goroutine", 0)));
    const timeouts = p.sample.filter((s) => s.location[0]!.line[0]!.function.name === "Timeout");
    const withStack = timeouts.filter((s) => s.location.length > 1);
    assert.ok(timeouts.reduce((n, s) => n + s.value[0]!, 0) >= 2);
    assert.ok(withStack.some((s) => s.location.some((l) => l.line[0]!.function.filename.endsWith("goroutine.test.ts"))));
    clearTimeout(after);
    const text2 = (await write("goroutine", 2)).toString();
    assert.match(text2, /\(created before goroutine tracking was turned on: creation stack unknown\)/);
  } finally {
    setGoroutineTracking(false);
    clearTimeout(before);
  }
});

test("goroutine: 3 sockets and 2 timers, each under the function that created it", async (t) => {
  const dir = await runChild();
  const p = decodeProfile(gunzipSync(readFileSync(join(dir, "goroutine.0"))));
  assert.deepEqual(p.sampleType, [{ type: "goroutine", unit: "count" }]);
  assert.deepEqual(p.periodType, { type: "goroutine", unit: "count" });
  const leaves = byLeaf(p);
  assert.equal(leaves.get("TCPSocketWrap"), 3);
  assert.equal(leaves.get("Timeout"), 2);
  // Nothing else the process waits on; plus the calling thread's own stack.
  const total = p.sample.reduce((n, s) => n + s.value[0]!, 0);
  assert.equal(total, 6, `unexpected units: ${[...leaves].join(" ")}`);
  assert.equal(Number(readFileSync(join(dir, "count"), "utf8")), 6);
  for (const s of p.sample) {
    const names = s.location.map((l) => l.line[0]!.function.name);
    if (names[0] === "TCPSocketWrap") assert.ok(names.includes("openSockets"), names.join(" < "));
    if (names[0] === "Timeout") assert.ok(names.includes("startTimers"), names.join(" < "));
    if (names[0] === "Timeout") assert.ok(names.includes("setTimeout"), names.join(" < "));
  }
  const running = p.sample.find((s) => s.location.some((l) => l.line[0]!.function.name === "dumpProfiles"));
  assert.ok(running, "the calling thread's stack is a unit");
  // The creator's labels.
  const labelled = p.sample.filter((s) => s.label.job);
  assert.equal(labelled.length, 1);
  assert.deepEqual(labelled[0]!.label, { job: ["timer"] });

  const text1 = readFileSync(join(dir, "goroutine.1"), "utf8");
  assert.match(text1, /^goroutine profile: total 6\n/);
  assert.match(text1, /^3 @( 0x[0-9a-f]+)+\n#\t0x[0-9a-f]+\tTCPSocketWrap\+0x0\t/m);
  assert.match(text1, /^# labels: \{"job":"timer"\}$/m);
  assert.match(text1, /\topenSockets\+0x0\t+.*child\.mjs:\d+$/m);

  const text2 = readFileSync(join(dir, "goroutine.2"), "utf8");
  const headers = text2.match(/^goroutine \S+ \[[^\]]+\]:$/gm) ?? [];
  assert.equal(headers.length, 6, text2);
  assert.equal(headers.filter((h) => /\[running\]/.test(h)).length, 1);
  assert.equal(headers.filter((h) => /^goroutine \d+ \[TCPSocketWrap, \d+\.\d{3} seconds\]:$/.test(h)).length, 3);
  assert.equal(headers.filter((h) => /^goroutine \d+ \[Timeout, \d+\.\d{3} seconds\]:$/.test(h)).length, 2);
  assert.equal(text2.match(/^created by openSockets in goroutine \d+\n\t.*child\.mjs:\d+ \+0x0$/gm)?.length, 3);
  assert.match(text2, /^dumpProfiles\(\.\.\.\)\n\t.*child\.mjs:\d+ \+0x0$/m);
  assert.match(text2, /^labels: \{"job":"timer"\}$/m);

  if (!needGo(t)) return;
  const top = parseTop(goPprof(["-top", "-nodecount=100", join(dir, "goroutine.0")]));
  const row = (name: string) => top.find((r) => r.name === name);
  assert.equal(row("TCPSocketWrap")?.flat, "3");
  assert.equal(row("Timeout")?.flat, "2");
  assert.equal(row("openSockets")?.cum, "3");
  assert.equal(row("startTimers")?.cum, "2");
  const tags = goPprof(["-tags", join(dir, "goroutine.0")]);
  assert.match(tags, /job: Total 1(\.0)?\n\s+1(\.0)? \(\s*100%\): timer/);
});
