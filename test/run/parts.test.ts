// Part files and their merge: what the owner of a run writes at the end.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProfileBuilder, type Frame } from "../../src/profile/builder.ts";
import { encodeProfileGzipSync } from "../../src/profile/encode.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import { spawnSync } from "node:child_process";
import { makePartsDir, markStarted, writePart, writePartError, listParts, removePartsDir, silentPids } from "../../src/run/parts.ts";
import { isRunning, stillWriting, writeProfiles } from "../../src/run/finish.ts";

const frame = (name: string): Frame => ({ name, file: "/app/x.js", line: 1, column: 1, startLine: 1 });

function cpuPart(leaf: string, count: number, thread?: string, mappingFile = "/app/x.js"): Uint8Array {
  const b = new ProfileBuilder({ sampleType: [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }], periodType: { type: "cpu", unit: "nanoseconds" }, period: 10_000_000, mappingFile });
  b.addSample([frame(leaf), frame("main")], [count, count * 10_000_000], thread ? { thread } : undefined);
  return encodeProfileGzipSync(b.build());
}

test("parts of every process merge into one profile with pid and thread labels", () => {
  const dir = makePartsDir();
  const out = mkdtempSync(join(tmpdir(), "tsprof-parts-out-"));
  writePart(dir, "cpu", 200, cpuPart("childWork", 3));
  writePart(dir, "cpu", 100, cpuPart("parentWork", 5, "main"));
  writePartError(dir, "mem", 100, "boom");
  assert.deepEqual(listParts(dir, "cpu").map((p) => p.pid), [100, 200]);

  const lines = writeProfiles({ files: { cpu: join(out, "cpu.pb.gz"), mem: join(out, "mem.pb.gz") } }, dir, out);
  assert.deepEqual(lines, ["tsprof: cpu profile written to cpu.pb.gz (2 processes)", "tsprof: memory profile not written: pid 100: boom"]);
  assert.equal(existsSync(join(out, "mem.pb.gz")), false);

  const p = decodeProfile(readFileSync(join(out, "cpu.pb.gz")));
  const byLeaf = new Map(p.sample.map((s) => [s.location[0]!.line[0]!.function.name, s]));
  assert.deepEqual(byLeaf.get("parentWork")!.numLabel.pid, [100]);
  assert.deepEqual(byLeaf.get("childWork")!.numLabel.pid, [200]);
  assert.deepEqual(byLeaf.get("childWork")!.label.thread, ["main"], "a part without thread labels is the main thread's");
  assert.deepEqual(byLeaf.get("parentWork")!.value, [5, 50_000_000]);
  removePartsDir(dir);
  rmSync(out, { recursive: true, force: true });
});

test("an unreadable part is left out and named; no parts at all is said plainly", () => {
  const dir = makePartsDir();
  const out = mkdtempSync(join(tmpdir(), "tsprof-parts-out-"));
  writePart(dir, "cpu", 100, cpuPart("work", 2));
  writePart(dir, "cpu", 101, new Uint8Array([1, 2, 3]));
  const lines = writeProfiles({ files: { cpu: join(out, "cpu.pb.gz"), block: join(out, "block.pb.gz") } }, dir, "/elsewhere");
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, new RegExp(`^tsprof: cpu profile written to ${out}/cpu\\.pb\\.gz \\(1 process; 1 part\\(s\\) missing: pid 101: .+\\)$`));
  assert.equal(lines[1], "tsprof: block profile not written: no Node.js process was profiled");
  removePartsDir(dir);
  rmSync(out, { recursive: true, force: true });
});

test("the merged profile is named after the program, not the launchers that started it", () => {
  const dir = makePartsDir();
  const out = mkdtempSync(join(tmpdir(), "tsprof-parts-out-"));
  // npx (lowest pid), then tsx's CLI, then the script tsx runs; and a node with no script.
  writePart(dir, "cpu", 100, cpuPart("npmWork", 50, undefined, "/usr/lib/node_modules/npm/bin/npx-cli.js"));
  writePart(dir, "cpu", 101, cpuPart("tsxWork", 5, undefined, "/app/node_modules/.bin/tsx"));
  writePart(dir, "cpu", 102, cpuPart("runnerWork", 5, undefined, "/usr/local/bin/node"));
  writePart(dir, "cpu", 103, cpuPart("serve", 3, undefined, "/app/server.ts"));
  writePart(dir, "cpu", 104, cpuPart("helper", 3, undefined, "/app/helper.js"));
  writeProfiles({ files: { cpu: join(out, "cpu.pb.gz") } }, dir, out);
  const p = decodeProfile(readFileSync(join(out, "cpu.pb.gz")));
  assert.equal(p.mapping[0]!.file, "/app/server.ts", "the first process that is not a launcher");
  const total = p.sample.reduce((n, s) => n + s.value[0]!, 0);
  assert.equal(total, 50 + 5 + 5 + 3 + 3, "every process is still in the profile");
  removePartsDir(dir);

  // Launchers only: the first process names it.
  const dir2 = makePartsDir();
  writePart(dir2, "cpu", 100, cpuPart("npmWork", 1, undefined, "/usr/lib/node_modules/npm/bin/npm-cli.js"));
  writePart(dir2, "cpu", 101, cpuPart("runnerWork", 1, undefined, "/usr/bin/node"));
  writeProfiles({ files: { cpu: join(out, "cpu2.pb.gz") } }, dir2, out);
  assert.equal(decodeProfile(readFileSync(join(out, "cpu2.pb.gz"))).mapping[0]!.file, "/usr/lib/node_modules/npm/bin/npm-cli.js");
  removePartsDir(dir2);
  rmSync(out, { recursive: true, force: true });
});

test("a process that started and left neither a part nor a note is named: still running, or ended without writing", () => {
  const dir = makePartsDir();
  const out = mkdtempSync(join(tmpdir(), "tsprof-parts-out-"));
  const ended = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const endedPid = Number(ended.stdout);
  const running = process.pid;
  for (const pid of [100, endedPid, running]) markStarted(dir, pid, `app.js --pid ${pid}`);
  writePart(dir, "cpu", 100, cpuPart("work", 2));
  writePartError(dir, "mem", 100, "boom");
  assert.deepEqual(silentPids(dir, "cpu"), [endedPid, running].sort((a, b) => a - b));
  assert.equal(isRunning(endedPid), false);
  assert.equal(isRunning(running), true);
  const config = { files: { cpu: join(out, "cpu.pb.gz") } };
  assert.deepEqual(stillWriting(config, dir), [running]);
  const lines = writeProfiles(config, dir, out);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^tsprof: cpu profile written to cpu\.pb\.gz \(1 process; 2 part\(s\) missing: pid \d+ \(app\.js --pid \d+\): /);
  const [first] = [endedPid, running].sort((a, b) => a - b);
  const why = first === running ? "still running when the command ended; its profiles are not in this one" : "ended without writing its profiles (killed by a signal it cannot handle, such as SIGKILL, or crashed)";
  assert.ok(lines[0]!.includes(`pid ${first} (app.js --pid ${first}): ${why}`), lines[0]);
  removePartsDir(dir);
  rmSync(out, { recursive: true, force: true });
});
