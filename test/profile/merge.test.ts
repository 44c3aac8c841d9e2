// Merging profiles as google/pprof does: two profiles of the same program,
// written by tsprof with different numbers of locations (so their mappings
// end at different addresses), still add up stack by stack — which -base
// and delta profiles rely on.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProfileBuilder, type Frame } from "../../src/profile/builder.ts";
import { encodeProfileGzipSync } from "../../src/profile/encode.ts";
import { mergeProfiles, scaleProfile } from "../../src/profile/merge.ts";
import type { ProfileData } from "../../src/profile/model.ts";
import { goPprof, needGo } from "../helpers/tools.ts";
import { runPprof } from "../analyzer/driver-helpers.ts";

const frame = (name: string, line: number): Frame => ({ name, file: "/app/main.js", line, column: 0, startLine: line });
const main = frame("main", 1), work = frame("work", 10), rare = frame("rare", 20);

/** `work` n times under main, then (when given) `rare` once: one more location. */
function profile(n: number, withRare: boolean): ProfileData {
  const b = new ProfileBuilder({
    sampleType: [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }],
    periodType: { type: "cpu", unit: "nanoseconds" },
    period: 10_000_000,
    mappingFile: "/app/main.js",
  });
  for (let i = 0; i < n; i++) b.addSample([work, main], [1, 10_000_000]);
  if (withRare) b.addSample([rare, main], [1, 10_000_000]);
  return b.build();
}

test("merging: the same stack in profiles whose mappings end at different addresses is one sample", () => {
  const base = profile(3, false), source = profile(5, true);
  assert.notEqual(base.mapping[0]!.limit, source.mapping[0]!.limit, "the fixture's mappings differ in size");
  scaleProfile(base, -1);
  const merged = mergeProfiles([source, base]);
  assert.equal(merged.mapping.length, 1);
  const leaf = (name: string) => merged.sample.filter((s) => s.location[0]!.line[0]!.function.name === name).map((s) => s.value[0]);
  assert.deepEqual(leaf("work"), [2]);
  assert.deepEqual(leaf("rare"), [1]);
});

test("-top -base on two such profiles: the same total and rows as go tool pprof", async (t) => {
  if (!needGo(t)) return;
  const dir = mkdtempSync(join(tmpdir(), "tsprof-merge-"));
  const base = join(dir, "base.pb.gz"), source = join(dir, "source.pb.gz");
  writeFileSync(base, encodeProfileGzipSync(profile(3, false)));
  writeFileSync(source, encodeProfileGzipSync(profile(5, true)));
  const args = ["-top", `-base=${base}`, source];
  const ours = await runPprof(args);
  assert.equal(ours.code, 0, ours.stderr);
  const go = goPprof(args);
  assert.match(go, /Showing nodes accounting for 30ms, 100% of 30ms total/);
  assert.equal(ours.stdout, go);
});
