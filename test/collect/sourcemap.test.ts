// Source maps: tsc output with .map files and with inline maps, code loaded
// through tsx, and broken or missing maps (which fall back, never fail).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { originalPosition } from "../../src/collect/sourcemap.ts";
import { startCPUProfile, stopCPUProfile } from "../../src/collect/cpu.ts";
import { decodeProfile } from "../../src/profile/decode.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { needGo, goPprof, parseTop } from "../helpers/tools.ts";
import { turnOffInlining, NO_INLINING_FLAGS } from "../helpers/no-inlining.ts";
import { forCpuTime } from "../fixtures/cpu/workload.ts";

// runWorkload's loop calls tsHotLoop: inlined (Node 24's Maglev does, once
// the loop is optimized while it runs), V8 charges tsHotLoop's time to
// runWorkload (see the helper). These tests check the mapping of each
// function to the .ts source, so the functions stay apart.
turnOffInlining();

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/cpu");
const source = join(fixtures, "ts/hot.ts");
const sourceLines = readFileSync(source, "utf8").split("\n");
const HOT_LINE = sourceLines.findIndex((l) => l.includes("HOT-LINE")) + 1; // 15
const FN_LINE = sourceLines.findIndex((l) => l.includes("function tsHotLoop")) + 1; // 12
const dir = mkdtempSync(join(tmpdir(), "tsprof-sourcemap-"));

test("a .map file next to tsc output maps lines and files", () => {
  const generated = join(fixtures, "tsc-out/hot.js");
  const genLines = readFileSync(generated, "utf8").split("\n");
  const genHot = genLines.findIndex((l) => l.includes("HOT-LINE")) + 1;
  assert.notEqual(genHot, HOT_LINE, "the fixture's generated and original lines differ");
  const pos = originalPosition(generated, genHot, 0);
  assert.deepEqual({ file: pos?.file, line: pos?.line }, { file: source, line: HOT_LINE });
  const fn = originalPosition(generated, genLines.findIndex((l) => l.includes("function tsHotLoop")) + 1, 1);
  assert.equal(fn?.line, FN_LINE);
});

test("an inline data: map maps lines and files", () => {
  const generated = join(fixtures, "tsc-inline/hot.js");
  const genHot = readFileSync(generated, "utf8").split("\n").findIndex((l) => l.includes("HOT-LINE")) + 1;
  const pos = originalPosition(generated, genHot, 0);
  assert.deepEqual({ file: pos?.file, line: pos?.line }, { file: source, line: HOT_LINE });
});

test("broken, missing and absent maps fall back without throwing", () => {
  const broken = join(dir, "broken.js");
  writeFileSync(broken, "function f() {}\n//# sourceMappingURL=broken.js.map\n");
  writeFileSync(join(dir, "broken.js.map"), "{ this is not json");
  assert.equal(originalPosition(broken, 1, 1), undefined);
  const missing = join(dir, "missing.js");
  writeFileSync(missing, "function f() {}\n//# sourceMappingURL=nowhere.js.map\n");
  assert.equal(originalPosition(missing, 1, 1), undefined);
  const badData = join(dir, "bad-data.js");
  writeFileSync(badData, "function f() {}\n//# sourceMappingURL=data:application/json;base64,!!!!\n");
  assert.equal(originalPosition(badData, 1, 1), undefined);
  assert.equal(originalPosition(join(dir, "does-not-exist.js"), 3, 1), undefined);
  assert.equal(originalPosition("node:fs", 3, 1), undefined);
  assert.equal(originalPosition("", 0, 0), undefined);
});

async function profileOf(work: () => void): Promise<{ path: string; p: ProfileData }> {
  const path = join(dir, `p${Math.random().toString(36).slice(2)}.pb.gz`);
  const w = createWriteStream(path);
  startCPUProfile(w);
  work();
  await stopCPUProfile();
  await new Promise<void>((r) => w.end(r));
  return { path, p: decodeProfile(gunzipSync(readFileSync(path))) };
}

/** Samples of tsHotLoop per line, and its function record. */
function hotLines(p: ProfileData) {
  const fn = p.function.find((f) => f.name === "tsHotLoop");
  const perLine = new Map<number, number>();
  for (const s of p.sample) {
    const l = s.location[0]!.line[0]!;
    if (l.function === fn) perLine.set(l.line, (perLine.get(l.line) ?? 0) + s.value[0]!);
  }
  return { fn, perLine };
}

for (const variant of ["tsc-out", "tsc-inline"]) {
  test(`a profile of tsc output (${variant}) names the .ts file, function and lines`, async (t) => {
    if (!needGo(t)) return;
    const mod = (await import(join(fixtures, variant, "hot.js"))) as { runWorkload(o: { durationMs: number }): unknown };
    // 800 ms of CPU time, however long the machine takes to give it.
    const { path, p } = await profileOf(() => forCpuTime(800, () => mod.runWorkload({ durationMs: 50 })));
    const { fn, perLine } = hotLines(p);
    assert.ok(fn, "tsHotLoop is in the profile");
    assert.equal(fn.filename, source);
    assert.equal(fn.startLine, FN_LINE);
    const total = [...perLine.values()].reduce((a, b) => a + b, 0);
    assert.ok(total >= 10, `tsHotLoop has samples: ${total}`);
    // Every leaf line is inside the function, in the .ts file's numbering; the loop body dominates.
    for (const line of perLine.keys()) assert.ok(line >= FN_LINE && line <= FN_LINE + 6, `line ${line} inside tsHotLoop`);
    const loopLines = (perLine.get(HOT_LINE) ?? 0) + (perLine.get(HOT_LINE - 1) ?? 0);
    assert.ok(loopLines / total > 0.6, `loop lines ${HOT_LINE - 1}-${HOT_LINE}: ${loopLines}/${total}`);
    const top = parseTop(goPprof(["-top", path]));
    assert.equal(top[0]!.name, "tsHotLoop");
    assert.match(goPprof(["-list", "tsHotLoop", path]), /hot\.ts/);
  });
}

test("code loaded through tsx is reported at the .ts file and function", async (t) => {
  if (!needGo(t)) return;
  const out = join(dir, "tsx.pb.gz");
  execFileSync(process.execPath, [...NO_INLINING_FLAGS, "--import", "tsx", join(fixtures, "profile-tsx.mts"), out], { cwd: join(fixtures, "../../.."), stdio: "pipe", timeout: 60_000 });
  const p = decodeProfile(gunzipSync(readFileSync(out)));
  const { fn, perLine } = hotLines(p);
  assert.ok(fn, "tsHotLoop is in the profile");
  assert.equal(fn.filename, source);
  assert.equal(fn.startLine, FN_LINE);
  // tsx emits each module as one line: V8's per-line ticks cannot be told
  // apart, so they land on the function's first line, in the .ts numbering.
  for (const line of perLine.keys()) assert.ok(line >= FN_LINE && line <= FN_LINE + 6, `line ${line} inside tsHotLoop`);
  const runner = p.function.find((f) => f.name === "runWorkload");
  assert.equal(runner?.filename, source);
  assert.equal(runner?.startLine, sourceLines.findIndex((l) => l.includes("function runWorkload")) + 1);
  assert.equal(parseTop(goPprof(["-top", out]))[0]!.name, "tsHotLoop");
});
