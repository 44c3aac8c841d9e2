// Reading `-raw` and `-top` output of tsprof and go tool pprof alike, to
// compare what each made of the same legacy profile: the header (types,
// period) and every sample as "values | location addresses | numeric labels",
// sorted (the two may list samples in another order).

import assert from "node:assert/strict";
import { goPprof } from "../helpers/tools.ts";
import { runPprof } from "./driver-helpers.ts";

export interface RawProfile {
  header: string[];
  samples: string[];
}

export function readRaw(raw: string): RawProfile {
  const lines = raw.split("\n");
  const header: string[] = [];
  const addr = new Map<string, string>();
  const rawSamples: { values: string; ids: string[]; labels: string[] }[] = [];
  let section = "header";
  for (const line of lines) {
    if (line === "Samples:") { section = "types"; continue; }
    if (line === "Locations") { section = "locations"; continue; }
    if (line === "Mappings") { section = "mappings"; continue; }
    if (section === "header") {
      if (/^(PeriodType|Period|Duration):/.test(line)) header.push(line);
    } else if (section === "types") {
      header.push(line.trim());
      section = "samples";
    } else if (section === "samples") {
      const m = /^((?:\s+-?\d+)+): ((?:\d+ )*)$/.exec(line);
      if (m) rawSamples.push({ values: m[1]!.trim().split(/\s+/).join(" "), ids: m[2]!.trim().split(" ").filter(Boolean), labels: [] });
      else if (line.trim() !== "") rawSamples.at(-1)!.labels.push(line.trim());
    } else if (section === "locations") {
      const m = /^\s+(\d+): (0x[0-9a-f]+) /.exec(line);
      if (m) addr.set(m[1]!, m[2]!);
    }
  }
  const samples = rawSamples.map((s) => `${s.values} | ${s.ids.map((id) => addr.get(id) ?? `?${id}`).join(" ")} | ${s.labels.join(" ")}`);
  return { header, samples: samples.sort() };
}

/** `-raw` of the file by tsprof and by go tool pprof agree on types, period and every sample. */
export async function assertRawLikeGo(file: string): Promise<RawProfile> {
  const ours = await runPprof(["-raw", file]);
  assert.equal(ours.code, 0, ours.stderr);
  const mine = readRaw(ours.stdout);
  const go = readRaw(goPprof(["-raw", file]));
  assert.deepEqual(mine.header, go.header, `${file}: header`);
  assert.deepEqual(mine.samples, go.samples, `${file}: samples`);
  assert.ok(mine.samples.length > 0, `${file}: has samples`);
  return mine;
}

/** The "of T total" of a -top report. */
export function topTotal(top: string): string {
  const m = /of (\S+) total/.exec(top);
  assert.ok(m, top);
  return m[1]!;
}
