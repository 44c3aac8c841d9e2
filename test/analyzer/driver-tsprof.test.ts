// `tsprof pprof` on profiles tsprof itself writes (CPU with labels, a custom
// profile), with the driver's filters and a -diff_base of two runs, compared
// line for line with `go tool pprof`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goPprof, needGo } from "../helpers/tools.ts";
import { startCPUProfile, stopCPUProfile, newProfile, labels, runWithLabels } from "../../src/index.ts";
import { runPprof } from "./driver-helpers.ts";

function spin(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}
function heavyWork(): number { return spin(160); }
function lightWork(): number { return spin(60); }

async function write(path: string, f: (w: NodeJS.WritableStream) => Promise<void>): Promise<void> {
  const w = createWriteStream(path);
  await f(w);
  w.end();
  await once(w, "finish");
}

async function cpuProfile(path: string, heavyFirst: boolean): Promise<void> {
  await write(path, async (w) => {
    startCPUProfile(w as never);
    await runWithLabels(labels("job", "heavy"), async () => (heavyFirst ? heavyWork() : lightWork()));
    await runWithLabels(labels("job", "light"), async () => (heavyFirst ? lightWork() : heavyWork()));
    await stopCPUProfile();
  });
}

test("tsprof's own profiles through the driver match go tool pprof", async (t) => {
  if (!needGo(t)) return;
  const dir = mkdtempSync(join(tmpdir(), "tsprof-driver-own-"));
  try {
    const a = join(dir, "a.pb.gz");
    const b = join(dir, "b.pb.gz");
    const custom = join(dir, "custom.pb.gz");
    await cpuProfile(a, true);
    await cpuProfile(b, false);
    const p = newProfile(`tsprof.test/driver-conns-${process.pid}`);
    const opened: object[] = [];
    const openConn = () => { const c = {}; opened.push(c); p.add(c, 0); };
    for (let i = 0; i < 3; i++) openConn();
    await write(custom, (w) => p.writeTo(w as never, 0));
    const cases: string[][] = [
      ["-top", a], ["-traces", a], ["-tags", a],
      ["-top", "-tagfocus=job=heavy", a], ["-top", "-tagignore=heavy", a], ["-traces", "-taghide=job", a],
      ["-top", "-focus=heavyWork", a], ["-top", "-ignore=lightWork", "-cum", a], ["-top", "-show_from=spin", a],
      ["-top", "-tagroot=job", a], ["-top", "-sample_index=samples", a],
      ["-top", a, b], ["-top", `-diff_base=${a}`, b], ["-top", `-base=${a}`, b],
      ["-top", custom], ["-traces", custom], ["-peek=openConn", custom],
    ];
    assert.match((await runPprof(["-top", a])).stdout, /heavyWork/);
    for (const args of cases) {
      const ours = await runPprof(args);
      assert.equal(ours.code, 0, ours.stderr);
      assert.deepEqual(ours.stdout.split("\n"), goPprof(args).split("\n"), args.join(" "));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
