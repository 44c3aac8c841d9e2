// Labels joined to CPU samples: the acceptance test for pprof.Do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import { createWriteStream, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { labels, runWithLabels } from "../../src/collect/labels.ts";
import { startCPUProfile, stopCPUProfile, setCPUProfileRate } from "../../src/collect/cpu.ts";
import { goPprof, needGo } from "../helpers/tools.ts";
import { turnOffInlining } from "../helpers/no-inlining.ts";

// spin stays a function of its own in the samples (Node 24 inlines it into
// the job's loop; see the helper): the test looks for it under job=a.
turnOffInlining();

// A fixed amount of work, not of wall time: on a loaded machine a wall-time
// spin would give each job whatever share the scheduler left it.
let sink = 0;
function spin(units: number): void {
  let x = sink;
  for (let i = 0; i < units * 100_000; i++) x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
  sink = x;
}

async function job(name: string, msPerStep: number, steps: number): Promise<void> {
  const emitter = new EventEmitter();
  await runWithLabels(labels("job", name), async () => {
    for (let i = 0; i < steps; i++) {
      spin(msPerStep);
      switch (i % 4) {
        case 0: await new Promise((r) => setTimeout(r, 0)); break;
        case 1: await new Promise((r) => setImmediate(r)); break;
        case 2: await Promise.resolve(); break;
        case 3: setImmediate(() => emitter.emit("go")); await once(emitter, "go"); break;
      }
    }
  });
}

test("CPU samples carry the labels of the work: 3:1 across awaits, timers and emitters", async (t) => {
  if (!needGo(t)) return;
  const file = join(mkdtempSync(join(tmpdir(), "tsprof-labels-")), "cpu.pb.gz");
  const out = createWriteStream(file);
  // 1 kHz: about 2,800 samples, so the 3:1 split is not at the mercy of
  // sampling noise (at 100 Hz its standard deviation was 2.6 points of the ±5).
  setCPUProfileRate(1000);
  startCPUProfile(out);
  await Promise.all([job("a", 6, 300), job("b", 2, 300)]);
  await stopCPUProfile();
  setCPUProfileRate(0);
  out.end();
  await finished(out);
  const tags = goPprof(["-tags", file]);
  const share = (name: string) => Number(new RegExp(`\\(\\s*([\\d.]+)%\\): ${name}\\n`).exec(tags)?.[1]);
  const a = share("a"), b = share("b");
  assert.ok(Math.abs(a - 75) <= 5, `job=a has ${a}% of the labelled CPU, expected 75±5\n${tags}`);
  assert.ok(Math.abs(b - 25) <= 5, `job=b has ${b}% of the labelled CPU, expected 25±5\n${tags}`);
  // The spin inside each job is attributed to that job, not to the other.
  const focusA = goPprof(["-top", "-tagfocus=job=a", file]);
  assert.match(focusA, /spin/);
});
